"""The shared import pipeline: problems and their places, sniffing, the row importer."""

import io

import pytest
from django.utils import translation

from barzan.core.importing import (
    CHANGED,
    NEW,
    UNCHANGED,
    Column,
    Problem,
    Problems,
    TableImporter,
    cells,
    import_file,
    problem_rows,
)
from barzan.core.importing.sniff import sniff_bytes


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


class TestProblems:
    def test_a_whole_file_problem_shows_only_its_message(self):
        problem = Problem.whole_file("The file is empty.")
        assert problem.location == ""
        assert str(problem) == "The file is empty."

    def test_a_cell_problem_names_the_line_and_column(self):
        assert str(Problem.at_line(3, "bad", "kind")) == "line 3, column “kind”: bad"

    def test_a_value_and_a_feature_are_numbered_as_such(self):
        assert Problem("bad", 2, "", "value").location == "value 2"
        assert Problem.at_feature(5, "bad").location == "feature 5"

    def test_the_list_keeps_the_first_problems_and_counts_them_all(self):
        problems = Problems(cap=2)
        for line in range(1, 6):
            problems.add(Problem.at_line(line, "bad"))
        assert (len(problems), len(problems.kept), problems.left_out) == (5, 2, 3)

    def test_the_download_has_a_header_and_no_line_zero(self):
        rows = list(problem_rows([Problem.whole_file("empty"), Problem.at_line(2, "x", "c")]))
        assert rows[1] == ["", "", "", "empty"]
        assert rows[2] == [2, "c", "line 2, column “c”", "x"]


class TestSniffing:
    def test_a_workbook_a_json_object_an_xml_root_and_a_csv_header(self):
        assert sniff_bytes(b"PK\x03\x04....[Content_Types].xml").kind == "xlsx"
        found = sniff_bytes(b'\xef\xbb\xbf{"dataSet": "x", "dataValues": [{"a": 1}')
        assert (found.kind, found.keys) == ("json", ("dataSet", "dataValues"))
        found = sniff_bytes(b'<?xml version="1.0"?>\n<adx xmlns="urn:ihe:qrph:adx:2015">')
        assert (found.kind, found.root, found.namespace) == ("xml", "adx", "urn:ihe:qrph:adx:2015")
        assert sniff_bytes("\n\nکد,نام\n1,الف\n".encode()).header == ("کد", "نام")
        assert sniff_bytes(b"").kind is None

    def test_sniffing_rewinds_the_stream(self):
        from barzan.core.importing.sniff import sniff

        stream = io.BytesIO(b"code,name\n")
        stream.seek(2)
        sniff(stream)
        assert stream.tell() == 2


class Things(TableImporter):
    """An importer of plain dicts: what a new importer declares, and nothing more."""

    columns = (
        Column("code", ("code", "کد"), required=True, parse=cells.code(10)),
        Column("size", ("size", "اندازه"), parse=cells.integer, default=None),
        Column("opened", ("opened", "تاریخ"), parse=cells.jalali_date, default=None),
    )
    key = "code"
    stored: dict = {}

    def find_stored(self, keys):
        return {key: self.stored[key] for key in keys if key in self.stored}

    def check(self, row):
        if row.values.get("size") == 13:
            yield row.problem("size", "unlucky")

    def differences(self, row):
        return [name for name, value in row.values.items() if row.stored.get(name) != value]

    def write(self, row):
        self.stored[row.key] = dict(row.values)

    def record(self, outcome):
        self.recorded = outcome.counts()


def run(text: str, dry_run=False, stored=None):
    importer = Things(actor=None)
    importer.stored = {} if stored is None else stored
    outcome = import_file(
        importer, io.BytesIO(text.encode("utf-8")), source="t.csv", dry_run=dry_run
    )
    return importer, outcome


@pytest.mark.django_db
class TestTheRowImporter:
    def test_cells_are_parsed_persian_digits_and_jalali_dates_included(self):
        importer, outcome = run("کد,اندازه,تاریخ\na,۱۲٬۰۰۰,۱۴۰۳/۰۷/۲۹\n")
        assert outcome.applied
        assert importer.stored["a"]["size"] == 12000
        assert str(importer.stored["a"]["opened"]) == "2024-10-20"
        assert importer.recorded[NEW] == 1

    def test_new_changed_and_unchanged(self):
        stored = {"a": {"code": "a", "size": 1}, "b": {"code": "b", "size": 2}}
        _importer, outcome = run("code,size\na,1\nb,3\nc,4\n", dry_run=True, stored=stored)
        assert [row.status for row in outcome.rows] == [UNCHANGED, CHANGED, NEW]

    def test_every_bad_cell_is_listed_and_nothing_is_written(self):
        importer, outcome = run("code,size,opened\na,x,1403/13/01\nb,13,\n,1,\n")
        assert [(p.line, p.column) for p in outcome.problems] == [
            (2, "size"),
            (2, "opened"),
            (3, "size"),
            (4, "code"),
        ]
        assert importer.stored == {} and not outcome.applied

    def test_an_unknown_column_is_a_warning_and_a_missing_one_a_problem(self):
        _importer, outcome = run("size,colour\n1,red\n", dry_run=True)
        assert [str(w) for w in outcome.warnings] == [
            "line 1, column “colour”: This column is not read; it is left out."
        ]
        [problem] = outcome.problems
        assert problem.line == 1 and "code" in problem.message

    def test_a_file_that_is_not_utf8_is_one_problem_with_its_line(self):
        importer = Things(actor=None)
        outcome = import_file(
            importer, io.BytesIO("code\nکد\n".encode("cp1256")), source="t.csv", dry_run=True
        )
        [problem] = outcome.problems
        assert problem.line == 2 and "UTF-8" in problem.message

    def test_applying_runs_in_steps_of_the_configured_size(self, settings):
        settings.BARZAN_IMPORT_STEP_ROWS = 2
        settings.BARZAN_IMPORT_STEP_PAUSE_MS = 0
        importer, outcome = run("code\na\nb\nc\nd\ne\n")
        assert outcome.applied and len(importer.stored) == 5
