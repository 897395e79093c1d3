"""Crafted value files, uploaded as an attacker would: each fails with a clear message on
the import's report, whether checked in the request or by the background worker, and the
process that read it carries on."""

import io
import os
import re
import zipfile

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from barzan.core.models import ImportStatus
from barzan.indicators.models import IndicatorValue, ValueImport
from barzan.indicators.tasks import run_value_import

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

SHEET_REFUSED = {
    "en": "The sheet reaches 16,384 columns and 1,048,576 rows; at most 256 columns",
    "fa": "کاربرگ تا ۱۶٬۳۸۴ ستون و ۱٬۰۴۸٬۵۷۶ سطر می‌رسد؛ حداکثر ۲۵۶ ستون",
}


@pytest.fixture(autouse=True)
def limits(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.TASKS = IMMEDIATE
    settings.BARZAN_UNZIP_MAX_ENTRIES = 50
    settings.BARZAN_UNZIP_MAX_BYTES = 64 * MB
    settings.BARZAN_UNZIP_MAX_RATIO = 200
    settings.BARZAN_XLSX_MAX_COLUMNS = 256
    settings.BARZAN_XLSX_MAX_ROWS = 1_048_576
    settings.BARZAN_PARSER_MEMORY_BYTES = 512 * MB
    settings.BARZAN_PARSER_SECONDS = 60
    return settings


def cell_at_xfd1048576(*, dimension: bool = True) -> bytes:
    """Return the smallest workbook there is with one cell, at Excel's very last one."""
    dimension_element = '<dimension ref="XFD1048576"/>' if dimension else ""
    members = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
            'org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
            '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            "//schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
            '" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats'
            '.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="values" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            '//schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
            '"worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
            f'openxmlformats.org/spreadsheetml/2006/main">{dimension_element}<sheetData>'
            '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
        ),
    }
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return output.getvalue()


def large_workbook(rows: int) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["indicator", "area", "period", "value"])
    for row in range(1, rows):
        sheet.write_row(row, 0, [f"indicator-{row}", f"area-{row}", "1402", row])
    book.close()
    return output.getvalue()


def upload(client, content: bytes, *, area, source, name: str, language: str = "en"):
    client.cookies["barzan_language"] = language
    response = client.post(
        "/indicators/imports/new/",
        {
            "file": SimpleUploadedFile(name, content),
            "format": "",
            "area": area.pk,
            "source": source.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.fullmatch(r"/indicators/imports/(\d+)/", response["Location"])
    return ValueImport.objects.get(pk=match.group(1))


def the_problem(value_import: ValueImport) -> str:
    value_import.refresh_from_db()
    assert value_import.status == ImportStatus.CHECKED
    assert value_import.problem_count == 1
    return value_import.problems[0]["message"]


@pytest.fixture
def manager(client, login, people, areas, organizations, neighborhoods, catalogue):
    login(people.tehran_manager)
    return {"area": areas.district6, "source": organizations.education_tehran}


@pytest.mark.parametrize("language", ["en", "fa"])
@pytest.mark.parametrize("dimension", [True, False], ids=["declared", "undeclared"])
def test_a_workbook_with_one_cell_at_xfd1048576_fails_with_a_message_on_the_page(
    client, manager, language, dimension
):
    content = cell_at_xfd1048576(dimension=dimension)
    assert len(content) < 2048

    value_import = upload(client, content, name="values.xlsx", language=language, **manager)

    message = the_problem(value_import)
    assert message.startswith(SHEET_REFUSED[language])
    page = client.get(value_import.get_absolute_url())
    assert page.status_code == 200
    assert SHEET_REFUSED[language] in page.content.decode()
    assert not IndicatorValue.objects.exists()


def test_the_same_workbook_fails_with_a_message_in_the_background_worker(
    client, manager, people, settings
):
    settings.BARZAN_BACKGROUND_IMPORT_BYTES = 10
    settings.TASKS = DUMMY
    value_import = upload(client, cell_at_xfd1048576(), name="values.xlsx", **manager)
    assert value_import.status == ImportStatus.QUEUED
    worker = os.getpid()

    # As `barzan worker` runs it, in the site's language.
    with translation.override("fa"):
        run_value_import.call(value_import.pk, people.tehran_manager.pk, False)

    assert the_problem(value_import).startswith(SHEET_REFUSED["fa"])
    assert os.getpid() == worker


def test_a_workbook_whose_sheet_expands_beyond_the_limit_is_refused_before_it_is_read(
    client, manager, settings
):
    settings.BARZAN_UNZIP_MAX_BYTES = 1 * MB
    content = large_workbook(20_000)
    assert len(content) < 1 * MB

    value_import = upload(client, content, name="values.xlsx", **manager)

    assert the_problem(value_import) == (
        "The archive expands to more than 1 MB; at most 1 MB are accepted. Upload a smaller file."
    )


def test_a_workbook_needing_more_memory_than_allowed_fails_with_a_message(
    client, manager, settings
):
    settings.BARZAN_XLSX_MAX_COLUMNS = 20_000
    # A1 as well as XFD1048576, undeclared: the reader would fill 17 billion cells.
    content = _with_a1(cell_at_xfd1048576(dimension=False))

    value_import = upload(client, content, name="values.xlsx", **manager)

    assert the_problem(value_import).startswith(
        "Reading the file needed more than 512 MB of memory, so it was stopped."
    )


def _with_a1(content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"<sheetData>", b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
                )
            archive.writestr(member.filename, data)
    return output.getvalue()


def test_deeply_nested_json_fails_with_a_message(client, manager):
    content = b'{"dataValues": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    value_import = upload(client, content, name="values.json", **manager)

    assert the_problem(value_import) == "The JSON is nested too deeply to read."


def test_json_needing_more_memory_than_allowed_fails_with_a_message(client, manager, settings):
    settings.BARZAN_PARSER_MEMORY_BYTES = 160 * MB
    content = b'{"dataValues": [' + b"{}," * (4 * MB) + b"{}]}"

    value_import = upload(client, content, name="values.json", **manager)

    assert the_problem(value_import).startswith(
        "Reading the file needed more than 160 MB of memory, so it was stopped."
    )


def test_an_xml_entity_attack_is_still_refused(client, manager):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE adx [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="&b;" period="2023-03-21/P1Y">'
        b'<dataValue dataElement="births" value="1"/></group></adx>'
    )

    value_import = upload(client, laughs, name="values.xml", **manager)

    assert the_problem(value_import) == "An ADX file may not declare a DOCTYPE or entities."
