"""CSV and Excel downloads: Persian-safe encoding, right-to-left sheets, no formula injection."""

import csv
import io
import zipfile
from datetime import date

import openpyxl
import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy
from python_calamine import CalamineWorkbook

from barzan.core.exports import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    csv_response,
    export_filename,
    safe_cell,
    xlsx_response,
)

ROWS = [["کد", "نام", "جمعیت"], ["05", "کرمانشاه", 1952434], ["23", "تهران", 13267637]]


def xlsx_bytes(response) -> bytes:
    """Return the streamed workbook, read once however many times it is asked for."""
    if not hasattr(response, "workbook_bytes"):
        response.workbook_bytes = b"".join(response.streaming_content)
    return response.workbook_bytes


def csv_bytes(response):
    return b"".join(response.streaming_content)


def csv_rows(response):
    return list(csv.reader(io.StringIO(csv_bytes(response).decode("utf-8-sig"))))


def sheet_rows(response):
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(xlsx_bytes(response)))
    return workbook.get_sheet_by_index(0).to_python()


def sheet_xml(response):
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes(response))) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def opened(response):
    """Return the first sheet of the workbook as openpyxl reads it."""
    return openpyxl.load_workbook(io.BytesIO(xlsx_bytes(response))).worksheets[0]


class TestCsv:
    def test_starts_with_a_utf8_byte_order_mark(self):
        assert csv_bytes(csv_response("areas.csv", ROWS)).startswith(b"\xef\xbb\xbf")

    def test_is_a_utf8_csv_attachment(self):
        response = csv_response("areas.csv", ROWS)
        assert response["Content-Type"] == CSV_CONTENT_TYPE
        assert response["Content-Disposition"] == 'attachment; filename="areas.csv"'

    def test_writes_every_row_in_persian(self):
        assert csv_rows(csv_response("areas.csv", ROWS)) == [
            ["کد", "نام", "جمعیت"],
            ["05", "کرمانشاه", "1952434"],
            ["23", "تهران", "13267637"],
        ]

    def test_streams_rows_without_reading_them_all_first(self):
        consumed = []

        def rows():
            for number in range(3):
                consumed.append(number)
                yield [number]

        response = csv_response("numbers.csv", rows())
        assert response.streaming is True
        assert consumed == []
        chunks = iter(response.streaming_content)
        next(chunks)  # the byte-order mark
        next(chunks)
        assert consumed == [0]
        list(chunks)
        assert consumed == [0, 1, 2]

    @pytest.mark.parametrize(
        "value",
        ["=1+1", "+98912", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("x")', "-", "-1e5+A1"],
    )
    def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(self, value):
        rows = csv_rows(csv_response("x.csv", [["header"], [value]]))
        assert rows[1] == ["'" + value]

    def test_ordinary_cells_and_numbers_are_not_prefixed(self):
        assert safe_cell("تهران") == "تهران"
        assert safe_cell("a=b") == "a=b"
        assert safe_cell(-5) == -5
        assert safe_cell(None) == ""

    @pytest.mark.parametrize("value", ["-5", "-12.5", "-1,234.5", "-۱۲٬۳۴۵٫۶", "-.5", "-1e-5"])
    def test_a_negative_number_written_as_text_stays_a_number(self, value):
        rows = csv_rows(csv_response("x.csv", [["header"], [value]]))
        assert rows[1] == [value]

    def test_lazy_translations_are_written_as_text(self):
        with translation.override("en"):
            rows = csv_rows(csv_response("x.csv", [[gettext_lazy("Persian")]]))
        assert rows == [["Persian"]]


class TestXlsx:
    def test_is_a_workbook_calamine_reads(self):
        response = xlsx_response("areas.xlsx", "Areas", ROWS)
        assert response["Content-Type"] == XLSX_CONTENT_TYPE
        assert response["Content-Disposition"] == 'attachment; filename="areas.xlsx"'
        assert sheet_rows(response) == [
            ["کد", "نام", "جمعیت"],
            ["05", "کرمانشاه", 1952434],
            ["23", "تهران", 13267637],
        ]

    def test_the_sheet_runs_right_to_left_on_a_persian_page(self):
        with translation.override("fa"):
            response = xlsx_response("areas.xlsx", "محدوده‌ها", ROWS)
        assert 'rightToLeft="1"' in sheet_xml(response)

    def test_the_sheet_runs_left_to_right_on_an_english_page(self):
        with translation.override("en"):
            response = xlsx_response("areas.xlsx", "Areas", ROWS)
        assert "rightToLeft" not in sheet_xml(response)

    def test_lazy_translation_strings_are_written_as_text(self):
        with translation.override("en"):
            response = xlsx_response("x.xlsx", "Languages", [[gettext_lazy("Persian")], ["x"]])
        assert sheet_rows(response)[0] == ["Persian"]

    @pytest.mark.parametrize("value", ["=1+1", '=HYPERLINK("http://x.example","y")', "@A1"])
    def test_a_formula_is_written_as_text_not_run(self, value):
        response = xlsx_response("x.xlsx", "Sheet", [["header"], [value]])
        assert sheet_rows(response)[1] == [value]
        assert "<f>" not in sheet_xml(response)
        assert "<hyperlink" not in sheet_xml(response)

    def test_text_that_looks_like_a_formula_keeps_excels_quote_prefix(self):
        response = xlsx_response("x.xlsx", "Sheet", [["header"], ["=1+1"], ["plain"]])
        with zipfile.ZipFile(io.BytesIO(xlsx_bytes(response))) as archive:
            styles = archive.read("xl/styles.xml").decode()
        assert 'quotePrefix="1"' in styles

    def test_numbers_stay_numbers_and_text_stays_text(self):
        response = xlsx_response(
            "x.xlsx", "Sheet", [["header"], [-5, "-5", "http://x.example", "1e3"]]
        )
        assert sheet_rows(response)[1] == [-5, "-5", "http://x.example", "1e3"]
        assert "<hyperlink" not in sheet_xml(response)

    def test_a_long_sheet_name_is_cut_to_31_characters(self):
        response = xlsx_response("x.xlsx", "a" * 40, [["header"]])
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(xlsx_bytes(response)))
        assert workbook.sheet_names == ["a" * 31]


class TestXlsxKeepsTheText:
    """Opened in a spreadsheet library, every text cell holds exactly what was written."""

    TEXTS = [
        "=SUM(A1)",
        "-5 نفر",
        "+98 912 000 0000",
        "@A1",
        "https://barzan.example/areas/23/",
        "www.example.ir",
        "mailto:office@barzan.example",
        '=HYPERLINK("http://x.example","y")',
        "'already quoted",
        " leading space",
        "دو\nخط",
    ]

    def test_every_text_is_a_string_cell_with_its_exact_text(self):
        response = xlsx_response("x.xlsx", "Sheet", [["header"], *([text] for text in self.TEXTS)])
        sheet = opened(response)
        cells = [sheet.cell(row=row, column=1) for row in range(2, len(self.TEXTS) + 2)]
        assert [cell.value for cell in cells] == self.TEXTS
        assert {cell.data_type for cell in cells} == {"s"}
        assert [cell.hyperlink for cell in cells] == [None] * len(self.TEXTS)
        assert "<f>" not in sheet_xml(response)

    def test_text_that_begins_like_a_formula_is_guarded_by_style_not_by_its_text(self):
        sheet = opened(xlsx_response("x.xlsx", "Sheet", [["header"], ["=SUM(A1)"], ["تهران"]]))
        assert sheet["A2"].value == "=SUM(A1)"
        assert sheet["A2"].quotePrefix is True
        assert sheet["A3"].quotePrefix is False

    def test_numbers_and_negative_numbers_stay_numbers(self):
        sheet = opened(xlsx_response("x.xlsx", "Sheet", [["header"], [-5, 12.5, "-5"]]))
        assert [sheet["A2"].value, sheet["B2"].value, sheet["C2"].value] == [-5, 12.5, "-5"]
        assert [sheet["A2"].data_type, sheet["C2"].data_type] == ["n", "s"]

    def test_the_sheet_is_set_up_for_printing_on_a4_landscape(self):
        rows = [["کد", "نام", "جمعیت"], *(["05", f"محله {n}", n] for n in range(40))]
        sheet = opened(xlsx_response("x.xlsx", "Sheet", rows))
        assert sheet.page_setup.paperSize == 9
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == "A1:C41"
        assert sheet.page_setup.fitToHeight == 0  # one page wide, as many pages long as needed
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True

    def test_rows_are_written_in_order_each_read_once(self):
        read = []

        def rows():
            yield ["n"]
            for number in range(5):
                read.append(number)
                yield [number]

        sheet = opened(xlsx_response("x.xlsx", "Sheet", rows()))
        assert read == [0, 1, 2, 3, 4]
        assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["n", 0, 1, 2, 3, 4]

    def test_the_workbook_is_streamed_from_a_file_not_built_in_memory(self):
        response = xlsx_response("x.xlsx", "Sheet", ROWS)
        assert response.streaming is True
        assert response.file_to_stream.tell() == 0

    def test_an_empty_list_is_still_a_workbook(self):
        assert opened(xlsx_response("x.xlsx", "Sheet", [])).max_row == 1


def test_export_filename_carries_todays_jalali_date(monkeypatch):
    monkeypatch.setattr("barzan.core.jalali.today", lambda: date(2023, 10, 21))
    with translation.override("fa"):
        assert export_filename("audit", "csv") == "audit-1402-07-29.csv"
