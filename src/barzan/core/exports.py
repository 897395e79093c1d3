"""
CSV and Excel downloads of what a list page shows (all filtered rows, not one page).

CSV is UTF-8 with a byte-order mark so Excel reads Persian correctly; XLSX sheets run
right to left when the page is Persian. Text is always written as text, never as a
formula (CSV injection): in CSV a cell that a spreadsheet would run as a formula gets an
apostrophe before it, since CSV has no other way to say "text"; in XLSX every text is a
string cell holding exactly the text (no apostrophe, no link made of a URL), which no
spreadsheet evaluates, and text that begins like a formula also gets Excel's quote prefix,
a style outside the text that keeps the cell text when someone edits it. Numbers,
negative ones included, stay numbers.

An XLSX list is written row by row (xlsxwriter's constant memory mode) into a temporary
file, which is then streamed, so a long list does not sit in memory; it is set up for
printing on A4 landscape, one page wide, with its header row repeated on every page,
frozen on screen and filtered.
"""

import csv
import re
import tempfile
from collections.abc import Iterable
from decimal import Decimal

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.translation import get_language_bidi

from . import jalali

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_ROWS = 1_048_575

# The characters OWASP lists as starting a formula in Excel, LibreOffice or Google Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A negative number (any digits, separators, an exponent) begins with "-" but runs nothing.
# A leading "+" is still guarded: it is more often a telephone number than a figure.
_NEGATIVE_NUMBER = re.compile(r"-(?:\d[\d,٬]*(?:[.٫]\d*)?|[.٫]\d+)(?:[eE][-+]?\d+)?")


def starts_formula(text: str) -> bool:
    """Return whether a spreadsheet could run `text` as a formula."""
    return text.startswith(FORMULA_START) and _NEGATIVE_NUMBER.fullmatch(text) is None


def safe_cell(value):
    """Return `value` made safe to open in a spreadsheet as a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and starts_formula(value):
        return "'" + value
    return value


def xlsx_workbook(output, **options) -> xlsxwriter.Workbook:
    """Return a workbook writing to `output` that never turns text into a formula or link."""
    return xlsxwriter.Workbook(
        output,
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            **options,
        },
    )


def write_xlsx_cell(sheet, row: int, column: int, value, style, quoted_style) -> None:
    """Write `value` to a cell: a number as a number, anything else as text.

    Text a spreadsheet could run as a formula gets `quoted_style`, a format with Excel's
    quote prefix, which keeps it text when someone edits the cell.
    """
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value, style)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, column, value, style)
    else:
        text = str(value)
        sheet.write_string(row, column, text, quoted_style if starts_formula(text) else style)


def export_filename(stem: str, extension: str) -> str:
    """Return `stem` dated with today's Jalali date, such as `audit-1403-07-29.csv`."""
    return (
        f"{stem}-{jalali.format_date(jalali.today(), language='en').replace('/', '-')}.{extension}"
    )


class _Echo:
    def write(self, value):
        return value


def csv_response(filename: str, rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """Stream `rows` (the first is the header) as a CSV download."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        for row in rows:
            yield writer.writerow([safe_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# xlsxwriter's paper code for A4.
A4 = 9


def xlsx_response(filename: str, sheet_name: str, rows: Iterable[Iterable]) -> FileResponse:
    """Return `rows` (the first is the header) as an Excel workbook download.

    Rows are written in order, each once, as constant memory mode needs; the workbook is
    built in a temporary file that the response streams and then closes.
    """
    output = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    try:
        _write_list(output, sheet_name, rows)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    response = FileResponse(output, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _write_list(output, sheet_name: str, rows: Iterable[Iterable]) -> None:
    workbook = xlsx_workbook(output, constant_memory=True)
    sheet = workbook.add_worksheet(sheet_name[:31])
    if get_language_bidi():
        sheet.right_to_left()
    bold = workbook.add_format({"bold": True, "font_name": "Vazirmatn"})
    body = workbook.add_format({"font_name": "Vazirmatn"})
    quoted = workbook.add_format({"font_name": "Vazirmatn", "quote_prefix": True})
    last_row, last_column = -1, 0
    for row_number, row in enumerate(rows):
        if row_number > XLSX_MAX_ROWS:
            break
        style = bold if row_number == 0 else body
        for column, value in enumerate(row):
            write_xlsx_cell(sheet, row_number, column, value, style, quoted)
            last_column = max(last_column, column)
        last_row = row_number
    if last_row >= 0:
        sheet.freeze_panes(1, 0)
        sheet.repeat_rows(0)
        sheet.autofilter(0, 0, last_row, last_column)
    sheet.set_paper(A4)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    workbook.close()
