"""Every spreadsheet Barzan writes keeps user text as text: a name or comment is never a formula.

An area renamed `=HYPERLINK("x")` and a comment `=HYPERLINK("x")` must reach a spreadsheet as the
text they are, in the value template, value exports (CSV, DHIS2 CSV, XLSX) and the list exports,
and files read back give the same text again.
"""

import csv
import io
import re
import zipfile
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from barzan.geo.actions import update_area
from barzan.indicators import formats
from barzan.indicators.formats import Record

from .test_catalogue_pages import census  # noqa: F401 (a fixture)
from .test_formats import Value, key, read, written

PAYLOAD = '=HYPERLINK("x")'


def workbook_rows(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def formula_count(content: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    return len(re.findall(r"<f[ >]", sheet)) + sheet.count("<hyperlink")


def quote_prefixed_styles(content: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/styles.xml").decode().count('quotePrefix="1"')


def test_a_template_writes_a_formula_like_area_name_as_text():
    output = io.BytesIO()

    formats.template_xlsx(output, rows=[("births", PAYLOAD, "2301", PAYLOAD, "1402", "")])

    content = output.getvalue()
    assert workbook_rows(content)[1][:4] == ["births", PAYLOAD, "2301", PAYLOAD]
    assert formula_count(content) == 0
    assert quote_prefixed_styles(content) >= 1
    assert read(formats.XLSX, content) == [Record(2, "births", "2301", "1402", "", "", "")]


def test_an_xlsx_export_writes_a_formula_like_comment_as_text_and_reads_it_back():
    values = [Value("births", "2301", "1402", "", Decimal("-5"), PAYLOAD)]
    content = written(formats.XLSX, values)

    assert workbook_rows(content)[1][-2:] == [-5, PAYLOAD]
    assert formula_count(content) == 0
    assert [key(item) for item in read(formats.XLSX, content)] == [key(values[0])]


@pytest.mark.parametrize("format", [formats.CSV, formats.DHIS2_CSV])
def test_a_csv_export_guards_a_formula_like_comment_and_reads_it_back(format):
    values = [
        Value("births", "2301", "1402", "", Decimal("-5"), PAYLOAD),
        Value("births", "2301", "1402Q1", "", Decimal("7"), "@SUM(A1)"),
        Value("births", "2301", "1402Q2", "", Decimal("7"), "'=already quoted"),
        Value("births", "2301", "1402Q3", "", Decimal("7"), "-12"),
    ]
    content = written(format, values)

    cells = [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]
    assert "'" + PAYLOAD in cells and PAYLOAD not in cells
    assert "'@SUM(A1)" in cells
    assert "''=already quoted" in cells
    # Numbers stay numbers, a negative one included.
    assert "-5" in cells and "'-5" not in cells
    assert "-12" in cells
    assert [key(item) for item in read(format, content)] == [key(value) for value in values]


def test_a_csv_export_guards_a_code_that_begins_like_a_formula():
    values = [Value("-births", "@2301", "1402", "", Decimal("1"), "")]
    content = written(formats.CSV, values).decode("utf-8-sig")

    assert content.splitlines()[1] == "'-births,'@2301,1402,,1,"
    assert [key(item) for item in read(formats.CSV, content)] == [key(values[0])]


@pytest.mark.django_db
def test_the_downloaded_template_names_a_formula_like_area_as_text(
    client,
    login,
    people,
    areas,
    neighborhoods,
    census,  # noqa: F811
):
    update_area(actor=people.admin, area=neighborhoods.n1, version=None, name_fa=PAYLOAD)
    login(people.tehran_manager)

    response = client.get(
        "/indicators/data-sets/census/template.xlsx",
        {"area": areas.district6.pk, "period": "1402"},
    )

    assert response.status_code == 200
    assert PAYLOAD in {row[3] for row in workbook_rows(response.content)}
    assert formula_count(response.content) == 0


@pytest.mark.django_db
def test_the_area_list_exports_a_formula_like_name_as_text(client, login, people, areas):
    update_area(actor=people.admin, area=areas.district6, version=None, name_fa=PAYLOAD)
    login(people.tehran_manager)

    as_csv = b"".join(client.get("/areas/", {"export": "csv"}).streaming_content)
    as_xlsx = b"".join(client.get("/areas/", {"export": "xlsx"}).streaming_content)

    cells = [c for row in csv.reader(io.StringIO(as_csv.decode("utf-8-sig"))) for c in row]
    assert "'" + PAYLOAD in cells and PAYLOAD not in cells
    assert PAYLOAD in [cell for row in workbook_rows(as_xlsx) for cell in row]
    assert formula_count(as_xlsx) == 0
