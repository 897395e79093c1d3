"""
CSV and Excel downloads of what a list page shows (all filtered rows, not one page).

CSV is UTF-8 with a byte-order mark so Excel reads Persian correctly; XLSX sheets run
right to left when the page is Persian. Text is always written as text, never as a
formula (CSV injection): in CSV a cell that a spreadsheet would run as a formula gets an
apostrophe before it; in XLSX text is a string cell with Excel's quote prefix, so that
editing the cell keeps it text too. Numbers, negative ones included, stay numbers.
"""

import csv
import io
import re
from collections.abc import Iterable
from decimal import Decimal

import xlsxwriter
from django.http import HttpResponse, StreamingHttpResponse
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


def xlsx_response(filename: str, sheet_name: str, rows: Iterable[Iterable]) -> HttpResponse:
    """Return `rows` (the first is the header) as an Excel workbook download."""
    buffer = io.BytesIO()
    workbook = xlsx_workbook(buffer, constant_memory=True, in_memory=True)
    sheet = workbook.add_worksheet(sheet_name[:31])
    if get_language_bidi():
        sheet.right_to_left()
    bold = workbook.add_format({"bold": True, "font_name": "Vazirmatn"})
    body = workbook.add_format({"font_name": "Vazirmatn"})
    quoted = workbook.add_format({"font_name": "Vazirmatn", "quote_prefix": True})
    for row_number, row in enumerate(rows):
        if row_number > XLSX_MAX_ROWS:
            break
        style = bold if row_number == 0 else body
        for column, value in enumerate(row):
            write_xlsx_cell(sheet, row_number, column, value, style, quoted)
    workbook.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
