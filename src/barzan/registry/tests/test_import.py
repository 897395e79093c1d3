"""Importing organizations from a CSV or XLSX list (the third importer on core.importing)."""

import io

import pytest
import xlsxwriter

from barzan.audit.models import AuditEvent
from barzan.registry.actions import ORGANIZATIONS_IMPORTED, import_organizations
from barzan.registry.models import Organization

pytestmark = pytest.mark.django_db

GOOD = (
    "code,name_fa,name_en,kind,parent,area\n"
    "health-tehran,بهداشت استان تهران,Tehran Health,agency,,23\n"
    "health-d6,مرکز بهداشت منطقه ۶,District 6 Health,agency,health-tehran,2301021606\n"
    "relief-d6,خیریه محله,,charity,,2301021606\n"
)


def run(text: str, *, actor=None, dry_run=False, name="organizations.csv"):
    return import_organizations(
        actor=actor, stream=io.BytesIO(text.encode("utf-8")), source=name, dry_run=dry_run
    )


def counts(outcome) -> tuple[int, int, int, int]:
    found = outcome.counts()
    return found["new"], found["changed"], found["unchanged"], found["problems"]


class TestImportingOrganizations:
    def test_a_good_file_imports_three_new_organizations(self, areas):
        outcome = run(GOOD)
        assert outcome.applied
        assert counts(outcome) == (3, 0, 0, 0)
        unit = Organization.objects.get(code="health-d6")
        assert unit.parent.code == "health-tehran"
        assert unit.area == areas.district6
        assert unit.name_fa == "مرکز بهداشت منطقه 6"  # digits as Barzan stores them
        assert AuditEvent.objects.filter(verb=ORGANIZATIONS_IMPORTED).count() == 1
        assert AuditEvent.objects.filter(verb="organization.created").count() == 3

    def test_importing_the_same_file_again_is_zero_new_zero_changed(self, areas):
        run(GOOD)
        assert counts(run(GOOD)) == (0, 0, 3, 0)

    def test_a_second_run_with_a_changed_name_is_one_changed(self, areas):
        run(GOOD)
        outcome = run(GOOD.replace("خیریه محله", "خیریه محله نو"))
        assert counts(outcome) == (0, 1, 2, 0)
        assert outcome.with_status("changed")[0].changes == ["name_fa"]
        assert Organization.objects.get(code="relief-d6").name_fa == "خیریه محله نو"

    def test_a_file_with_one_bad_row_applies_nothing_and_names_its_line_and_column(self, areas):
        bad = GOOD.replace("relief-d6,خیریه محله,,charity", "relief-d6,خیریه محله,,bakery")
        outcome = run(bad)
        assert not outcome.applied
        assert not Organization.objects.exists()
        [problem] = outcome.problems
        assert (problem.line, problem.column) == (4, "kind")
        assert "bakery" in problem.message

    def test_persian_headers_and_persian_kind_labels_work(self, areas):
        text = (
            "کد,نام فارسی,نام انگلیسی,نوع,سازمان بالادست,کد منطقه\n"
            "relief-d6,خیریه محله,,خیریه,,۲۳۰۱۰۲۱۶۰۶\n"
        )
        outcome = run(text)
        assert counts(outcome) == (1, 0, 0, 0), list(outcome.problems)
        assert Organization.objects.get(code="relief-d6").kind == "charity"

    def test_an_xlsx_list_imports_with_excel_row_numbers(self, areas):
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output)
        sheet = book.add_worksheet()
        for number, row in enumerate(
            [
                ["code", "name_fa", "kind", "area"],
                ["relief-d6", "خیریه محله", "charity", "2301021606"],
                ["bad code!", "خیریه دیگر", "charity", "2301021606"],
            ]
        ):
            sheet.write_row(number, 0, row)
        book.close()
        outcome = import_organizations(
            actor=None, stream=io.BytesIO(output.getvalue()), source="o.xlsx", dry_run=True
        )
        [problem] = outcome.problems
        assert (problem.line, problem.column) == (3, "code")

    def test_a_code_twice_in_the_file_is_a_problem_on_the_second_line(self, areas):
        outcome = run(GOOD + "relief-d6,خیریه دوم,,charity,,2301021606\n")
        [problem] = outcome.problems
        assert (problem.line, problem.column) == (5, "code")
        assert "۴" in problem.message  # the line, in the page's digits

    def test_a_missing_column_is_a_whole_header_problem(self, areas):
        outcome = run("code,name_fa\nx,y\n")
        assert outcome.problems.count == 2
        assert all(problem.line == 1 for problem in outcome.problems)

    def test_an_empty_file_is_a_whole_file_problem_without_a_place(self, areas):
        [problem] = run("").problems
        assert problem.is_whole_file and problem.location == ""
        assert str(problem) == problem.message

    def test_a_dry_run_writes_nothing(self, areas):
        outcome = run(GOOD, dry_run=True)
        assert counts(outcome) == (3, 0, 0, 0)
        assert not outcome.applied and not Organization.objects.exists()
        assert not AuditEvent.objects.filter(verb=ORGANIZATIONS_IMPORTED).exists()

    def test_a_parent_cycle_in_the_file_is_a_problem(self, areas):
        text = "code,name_fa,kind,parent,area\na-org,الف,agency,b-org,23\nb-org,ب,agency,a-org,23\n"
        outcome = run(text)
        assert outcome.problems.count == 2
        assert {problem.column for problem in outcome.problems} == {"parent"}

    def test_a_multi_line_cell_keeps_the_line_numbers_of_later_rows(self, areas):
        text = 'code,name_fa,kind,area\na-org,"نام\nدو خطی",agency,23\nb-org,ب,nothing,23\n'
        [problem] = run(text).problems
        assert problem.line == 4


class TestWhoMayImport:
    def test_a_manager_cannot_register_organizations_outside_their_areas(self, areas, people):
        text = "code,name_fa,kind,area\nedu-isf,آموزش,agency,10\n"
        outcome = run(text, actor=people.tehran_manager)
        [problem] = outcome.problems
        assert problem.column == "area"
        assert not Organization.objects.filter(code="edu-isf").exists()

    def test_a_manager_cannot_change_an_organization_outside_their_areas(
        self, areas, people, organizations
    ):
        text = "code,name_fa,kind,area\neducation-isfahan,آموزش,agency,23\n"
        [problem] = run(text, actor=people.tehran_manager).problems
        assert problem.column == "code"

    def test_an_analyst_may_not_import_at_all(self, areas, people):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            run(GOOD, actor=people.tehran_analyst)

    def test_a_manager_imports_in_their_own_areas(self, areas, people):
        text = "code,name_fa,kind,area\nrelief-d6,خیریه,charity,2301021606\n"
        outcome = run(text, actor=people.tehran_manager)
        assert counts(outcome) == (1, 0, 0, 0)
        event = AuditEvent.objects.get(verb=ORGANIZATIONS_IMPORTED)
        assert event.actor == people.tehran_manager


def upload(client, text: str, name="organizations.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/organizations/import/",
        {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")},
    )


class TestImportPages:
    def test_the_dry_run_page_shows_the_counts_and_writes_nothing(self, client, login, people):
        login(people.admin)
        response = upload(client, GOOD)
        assert response.status_code == 200
        page = response.content.decode()
        assert 'data-count="new">۳<' in page
        assert "data-apply" in page
        assert not Organization.objects.filter(code="health-tehran").exists()

    def test_apply_writes_the_checked_file_and_returns_to_the_list(self, client, login, people):
        login(people.admin)
        token = upload(client, GOOD).context["token"]
        response = client.post("/organizations/import/apply/", {"token": token})
        assert response.status_code == 302
        assert Organization.objects.filter(code__in=["health-tehran", "health-d6"]).count() == 2

    def test_a_bad_row_is_listed_with_its_line_and_column_and_cannot_be_applied(
        self, client, login, people
    ):
        login(people.admin)
        response = upload(client, GOOD.replace(",charity,", ",bakery,"))
        page = response.content.decode()
        assert '<tr data-line="4">' in page
        assert "data-apply" not in page
        assert "line 0" not in page and "column :" not in page
        csv_response = client.get(response.context["problems_url"])
        text = b"".join(csv_response.streaming_content).decode("utf-8")
        assert "bakery" in text
        client.post("/organizations/import/apply/", {"token": response.context["token"]})
        assert not Organization.objects.filter(code="health-tehran").exists()

    def test_someone_who_may_not_register_organizations_gets_403(self, client, login, people):
        login(people.tehran_analyst)
        assert client.get("/organizations/import/").status_code == 403
        assert upload(client, GOOD).status_code == 403
        assert client.post("/organizations/import/apply/", {"token": "x"}).status_code == 403

    def test_another_users_upload_cannot_be_applied_or_read(self, client, login, people):
        login(people.admin)
        token = upload(client, GOOD).context["token"]
        login(people.tehran_manager)
        assert client.post("/organizations/import/apply/", {"token": token}).status_code == 404
        response = client.get("/organizations/import/problems.csv", {"token": token})
        assert response.status_code == 404
        assert client.post("/organizations/import/apply/", {"token": "forged"}).status_code == 404
        assert not Organization.objects.filter(code="health-tehran").exists()

    def test_the_list_links_to_the_import_for_managers_only(self, client, login, people):
        login(people.tehran_manager)
        assert "/organizations/import/" in client.get("/organizations/").content.decode()
        login(people.tehran_analyst)
        assert "/organizations/import/" not in client.get("/organizations/").content.decode()


class TestImportCommand:
    def test_the_command_imports_then_finds_nothing_new(self, areas, tmp_path):
        from django.core.management import call_command

        path = tmp_path / "organizations.csv"
        path.write_text(GOOD, encoding="utf-8")
        out = io.StringIO()
        call_command("import", "organizations", str(path), "--dry-run", stdout=out)
        assert "Dry run organizations.csv: 3 new, 0 changed" in out.getvalue()
        assert not Organization.objects.exists()
        call_command("import", "organizations", str(path), stdout=io.StringIO())
        out = io.StringIO()
        call_command("import", "organizations", str(path), stdout=out)
        assert "0 new, 0 changed, 3 unchanged, 0 problem(s)" in out.getvalue()

    def test_the_command_lists_a_bad_row_and_writes_nothing(self, areas, tmp_path):
        from django.core.management import CommandError, call_command

        path = tmp_path / "organizations.csv"
        path.write_text(GOOD.replace(",charity,", ",bakery,"), encoding="utf-8")
        err = io.StringIO()
        with pytest.raises(CommandError, match="nothing was written"):
            call_command("import", "organizations", str(path), stdout=io.StringIO(), stderr=err)
        assert "line 4, column “kind”" in err.getvalue()
        assert not Organization.objects.exists()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (bytes(range(256)) * 4, "organizations.csv"),
        (b"PK\x03\x04" + b"\x00" * 200, "organizations.xlsx"),
        (b"PK\x03\x04" + b"\x00" * 200, "organizations.zip"),
        (b'code,name_fa,kind,area\n"x,y\n', "organizations.csv"),
        ("کد,نام\nx,y\n".encode("cp1256"), "organizations.csv"),
    ],
)
def test_a_broken_file_is_one_clear_problem_and_writes_nothing(areas, content, name):
    outcome = import_organizations(
        actor=None, stream=io.BytesIO(content), source=name, dry_run=False
    )
    assert outcome.problems and not outcome.applied
    assert all(problem.message for problem in outcome.problems)
    assert not Organization.objects.exists()


def test_a_nul_character_in_a_cell_is_dropped_as_everywhere_text_is_cleaned(areas):
    text = "code,name_fa,kind,area\nnul-org,خیریه\x00 محله,charity,23\n"
    outcome = run(text)
    assert outcome.applied
    assert Organization.objects.get(code="nul-org").name_fa == "خیریه محله"


def test_a_long_list_is_looked_up_in_batches(areas, organizations):
    rows = "".join(
        f"org-{number},نهاد {number},ngo,education-tehran,23\n" for number in range(1200)
    )
    outcome = run("code,name_fa,kind,parent,area\n" + rows, dry_run=True)
    assert counts(outcome) == (1200, 0, 0, 0)
