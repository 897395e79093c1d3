"""Reading untrusted files: archives are checked before they are decompressed, and parsing
happens in a child process, so that the worst a file can do is fail with a message."""

import io
import os
import pickle
import time
import zipfile
from decimal import Decimal

import pytest
import xlsxwriter
from django.utils import translation

from barzan.core import untrusted
from barzan.core.untrusted.child import _PlainUnpickler

MB = 1024 * 1024


@pytest.fixture
def limits(settings):
    """Small limits, so attacks are met quickly."""
    settings.BARZAN_UNZIP_MAX_ENTRIES = 20
    settings.BARZAN_UNZIP_MAX_BYTES = 4 * MB
    settings.BARZAN_UNZIP_MAX_RATIO = 100
    settings.BARZAN_XLSX_MAX_COLUMNS = 256
    settings.BARZAN_XLSX_MAX_ROWS = 1_048_576
    settings.BARZAN_PARSER_MEMORY_BYTES = 256 * MB
    settings.BARZAN_PARSER_SECONDS = 30
    return settings


def archive(members: dict[str, bytes]) -> io.BytesIO:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as file:
        for name, content in members.items():
            file.writestr(name, content)
    output.seek(0)
    return output


def workbook_with_a_cell_at(row: int, column: int, *, also_a1: bool = False) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    if also_a1:
        sheet.write_string(0, 0, "indicator")
    sheet.write_string(row, column, "x")
    book.close()
    return output.getvalue()


def refusal(action) -> tuple[str, str]:
    """Return the English and the Persian message of the UnreadableFile `action` raises."""
    messages = []
    for language in ("en", "fa"):
        with translation.override(language), pytest.raises(untrusted.UnreadableFile) as caught:
            action()
        messages.append(str(caught.value))
    return messages[0], messages[1]


# -- Archives ------------------------------------------------------------------------------


def test_an_archive_of_too_many_entries_is_refused_before_it_is_read(limits):
    many = archive({f"file-{number}.csv": b"a" for number in range(21)})

    english, persian = refusal(lambda: untrusted.open_zip(many))

    assert english == "The archive holds 21 files; at most 20 are accepted."
    assert persian == "فایل فشرده ۲۱ فایل دارد؛ حداکثر ۲۰ فایل پذیرفته می‌شود."


def test_a_zip_bomb_is_refused_by_its_compression_ratio(limits):
    bomb = archive({"provinces.csv": b"0" * (3 * MB)})

    english, persian = refusal(lambda: untrusted.open_zip(bomb))

    assert english.startswith("“provinces.csv” in the archive is compressed ")
    assert "more than 100 times is refused, as a ZIP bomb would be." in english
    assert "بیش از ۱۰۰ برابر فشرده شده" in persian


def test_an_archive_expanding_beyond_the_limit_is_refused(limits):
    limits.BARZAN_UNZIP_MAX_RATIO = 10_000
    large = archive({"a.csv": b"1" * (3 * MB), "b.csv": b"2" * (2 * MB)})

    english, persian = refusal(lambda: untrusted.open_zip(large))

    assert english == (
        "The archive expands to more than 4 MB; at most 4 MB are accepted. Upload a smaller file."
    )
    assert persian.startswith("فایل فشرده پس از گشودن بیش از ۴ مگابایت می‌شود")


def test_an_archive_inside_the_archive_is_refused(limits):
    inner = archive({"provinces.csv": b"id,name\n"}).getvalue()

    english, _persian = refusal(lambda: untrusted.open_zip(archive({"inner.zip": inner})))
    assert "another archive, “inner.zip”" in english

    renamed = archive({"provinces.csv": inner})
    with untrusted.open_zip(renamed) as opened:
        member = opened.getinfo("provinces.csv")
        english, _persian = refusal(lambda: untrusted.read_member(opened, member, limit=MB))
    assert "another archive, “provinces.csv”" in english


def test_a_workbook_may_embed_a_document(limits):
    output = io.BytesIO(workbook_with_a_cell_at(0, 0))
    with zipfile.ZipFile(output, "a") as book:
        book.writestr("xl/embeddings/Microsoft_Word_Document.docx", archive({"a": b"b"}).read())
    output.seek(0)

    untrusted.check_xlsx(output)

    assert output.tell() == 0


def test_a_member_is_decompressed_only_up_to_the_cap(limits):
    limits.BARZAN_UNZIP_MAX_RATIO = 10_000
    content = archive({"cities.csv": b"x" * (2 * MB)})
    with untrusted.open_zip(content) as opened:
        member = opened.getinfo("cities.csv")
        with (
            translation.override("en"),
            pytest.raises(untrusted.UnreadableFile, match="more than 1 MB"),
        ):
            untrusted.read_member(opened, member, limit=MB)


def test_a_member_that_lies_about_its_size_is_not_read_past_what_it_declares(limits):
    limits.BARZAN_UNZIP_MAX_RATIO = 10_000
    content = archive({"cities.csv": b"x" * (2 * MB)})
    with untrusted.open_zip(content) as opened:
        member = opened.getinfo("cities.csv")
        member.file_size = 10
        with pytest.raises(zipfile.BadZipFile, match="CRC"):
            untrusted.read_member(opened, member, limit=MB)


def test_a_file_that_is_not_an_archive_is_malformed_not_refused(limits):
    with pytest.raises(untrusted.Malformed) as caught:
        untrusted.open_zip(io.BytesIO(b"not a zip at all"))
    assert caught.value.kind == "zip"


# -- Workbooks -----------------------------------------------------------------------------


def test_a_workbook_declaring_a_sheet_to_xfd1048576_is_refused_before_it_is_parsed(limits):
    content = workbook_with_a_cell_at(1_048_575, 16_383, also_a1=True)
    assert len(content) < 8 * 1024

    english, persian = refusal(lambda: untrusted.check_xlsx(io.BytesIO(content)))

    assert english == (
        "The sheet reaches 16,384 columns and 1,048,576 rows; at most 256 columns and "
        "1,048,576 rows are accepted. Copy the data to a new sheet and save the workbook again."
    )
    assert persian.startswith("کاربرگ تا ۱۶٬۳۸۴ ستون و ۱٬۰۴۸٬۵۷۶ سطر می‌رسد")


def test_a_workbook_hiding_its_extent_is_refused_by_the_child(limits):
    content = workbook_with_a_cell_at(1_048_575, 16_383)  # declares only XFD1048576

    with pytest.raises(untrusted.Malformed) as caught:
        list(untrusted.parse(untrusted.XLSX_ROWS, content))

    assert caught.value.details == {"columns": 16384, "rows": 1048576}


def test_a_workbook_too_large_for_the_memory_limit_fails_and_the_process_survives(limits):
    # Cells at A1 and XFD1048576 with no declared dimension: calamine asks for 512 GiB.
    limits.BARZAN_XLSX_MAX_COLUMNS = 20_000
    content = workbook_with_a_cell_at(1_048_575, 16_383, also_a1=True)
    before = os.getpid()

    english, persian = refusal(lambda: list(untrusted.parse(untrusted.XLSX_ROWS, content)))

    assert english.startswith("Reading the file needed more than 256 MB of memory")
    assert persian.startswith("خواندن فایل به بیش از ۲۵۶ مگابایت حافظه نیاز داشت")
    assert os.getpid() == before
    assert list(untrusted.parse(untrusted.XLSX_ROWS, workbook_with_a_cell_at(0, 1))) == [["", "x"]]


def test_rows_come_back_from_a1_with_cells_as_text(limits):
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_string(1, 1, "births")
    sheet.write_number(2, 2, 12.0)
    sheet.write_number(2, 3, 0.1)
    book.close()

    rows = list(untrusted.parse(untrusted.XLSX_ROWS, output.getvalue()))

    assert rows == [["", "", "", ""], ["", "births", "", ""], ["", "", "12", "0.1"]]


# -- JSON and XML --------------------------------------------------------------------------


def test_json_items_come_back_one_by_one_with_exact_numbers(limits):
    content = b'{"period": "1402", "dataValues": [{"value": 12.50}, {"value": 3}], "x": 1}'

    head, *items = untrusted.parse(
        untrusted.JSON_ITEMS, content, items="dataValues", keep=["period"], decimals=True
    )

    assert head == {"object": True, "list": True, "keep": {"period": "1402"}}
    assert items == [{"value": Decimal("12.50")}, {"value": Decimal("3")}]


def test_deeply_nested_json_is_malformed(limits):
    with pytest.raises(untrusted.Malformed) as caught:
        list(untrusted.parse(untrusted.JSON_ITEMS, b"[" * 200_000 + b"]" * 200_000))
    assert caught.value.kind == "depth"


def test_json_larger_than_the_memory_limit_fails_with_a_message(limits):
    limits.BARZAN_PARSER_MEMORY_BYTES = 160 * MB
    # Three bytes of text become a dictionary of about 64 bytes.
    content = b'{"dataValues": [' + b"{}," * (4 * MB) + b"{}]}"

    english, persian = refusal(
        lambda: list(untrusted.parse(untrusted.JSON_ITEMS, content, items="dataValues"))
    )

    assert english.startswith("Reading the file needed more than 160 MB of memory")
    assert persian.startswith("خواندن فایل به بیش از ۱۶۰ مگابایت حافظه نیاز داشت")


def test_a_parse_that_takes_longer_than_allowed_is_stopped_with_a_message(limits):
    limits.BARZAN_PARSER_SECONDS = 1
    # Twenty million items, each handed back on its own: far more than a second's work.
    content = b'{"a": [' + b"1," * 20_000_000 + b"1]}"
    started = time.perf_counter()

    english, persian = refusal(
        lambda: list(untrusted.parse(untrusted.JSON_ITEMS, content, items="a"))
    )

    assert english.startswith("Reading the file took longer than 1 seconds, so it was stopped.")
    assert persian.startswith("خواندن فایل بیش از ۱ ثانیه طول کشید و متوقف شد.")
    assert time.perf_counter() - started < 20


def test_xml_with_entities_is_malformed_before_any_expansion(limits):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE adx [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><adx><group orgUnit="&b;"/></adx>'
    )
    with pytest.raises(untrusted.Malformed) as caught:
        list(untrusted.parse(untrusted.XML_ELEMENTS, laughs, names=["group"]))
    assert caught.value.kind == "doctype"


def test_xml_elements_come_back_with_their_attributes(limits):
    content = b'<adx xmlns="urn:x"><group orgUnit="23"><dataValue value="1"/></group></adx>'

    elements = list(untrusted.parse(untrusted.XML_ELEMENTS, content, names=["group", "dataValue"]))

    assert elements == [("group", {"orgUnit": "23"}), ("dataValue", {"value": "1"})]


# -- The child process ---------------------------------------------------------------------


def test_a_small_file_is_parsed_in_well_under_a_second(limits):
    content = workbook_with_a_cell_at(0, 0)
    list(untrusted.parse(untrusted.XLSX_ROWS, content))  # the disk cache is warm after this

    started = time.perf_counter()
    list(untrusted.parse(untrusted.XLSX_ROWS, content))

    # 0.1 to 0.2 s on an idle machine; the bound leaves room for a busy one.
    assert time.perf_counter() - started < 1


def test_parsing_does_not_depend_on_the_current_folder(limits, tmp_path, monkeypatch):
    path = tmp_path / "values.json"
    path.write_bytes(b'{"a": [1]}')
    monkeypatch.chdir("/")

    assert list(untrusted.parse(untrusted.JSON_ITEMS, path)) == [{"a": [1]}]


def test_a_file_on_disk_is_read_by_path_and_left_at_its_end(limits, tmp_path):
    path = tmp_path / "values.json"
    path.write_bytes(b'{"a": [1]}')

    with path.open("rb") as file:
        assert list(untrusted.parse(untrusted.JSON_ITEMS, file)) == [{"a": [1]}]
        assert file.tell() == path.stat().st_size


def test_the_parent_unpickles_plain_data_only():
    frame = pickle.dumps(("item", os.system))

    with pytest.raises(pickle.UnpicklingError):
        _PlainUnpickler(io.BytesIO(frame)).load()


def test_a_file_is_read_under_a_tighter_cpu_limit_than_the_readers_own(limits):
    # A worker started with a CPU budget (a job runner, `ulimit -t`, a mutation run) passes
    # its hard limit on; the reader may not raise it, and must still read within it.
    import resource

    limits.BARZAN_PARSER_SECONDS = 10_000
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the forked child reports through its exit status
        status = 1
        try:
            used = int(resource.getrusage(resource.RUSAGE_SELF).ru_utime) + 600
            resource.setrlimit(resource.RLIMIT_CPU, (used, used))
            _, *items = untrusted.parse(untrusted.JSON_ITEMS, b'{"d": [1, 2]}', items="d")
            status = 0 if items == [1, 2] else 2
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(status) == 0
