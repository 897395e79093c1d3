"""
CSV and Excel downloads of what a list page shows (all filtered rows, not one page).

CSV is UTF-8 with a byte-order mark so Excel reads Persian correctly; XLSX sheets run
right to left when the page is Persian. Cells that a spreadsheet would run as a formula
are prefixed with an apostrophe (CSV injection).
"""

import csv
import io
from collections.abc import Iterable

import xlsxwriter
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.translation import get_language_bidi

from . import jalali

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_ROWS = 1_048_575

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Return `value` made safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


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
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = workbook.add_worksheet(sheet_name[:31])
    if get_language_bidi():
        sheet.right_to_left()
    bold = workbook.add_format({"bold": True, "font_name": "Vazirmatn"})
    body = workbook.add_format({"font_name": "Vazirmatn"})
    for row_number, row in enumerate(rows):
        if row_number > XLSX_MAX_ROWS:
            break
        style = bold if row_number == 0 else body
        for column, value in enumerate(row):
            sheet.write(row_number, column, safe_cell(value), style)
    workbook.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
