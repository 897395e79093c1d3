"""The import pages from a user's seat: upload a file, read the dry run's report with every
problem, apply a clean file, and follow a large file's progress; only within one's areas."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from barzan.audit.models import AuditEvent
from barzan.core.models import ImportStatus
from barzan.core.text import to_latin_digits
from barzan.indicators import actions
from barzan.indicators.models import IndicatorValue, Period, ValueChange, ValueImport

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


# -- Helpers ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def imports_folder(settings, tmp_path):
    """Uploads wait in a folder of this test's own; files are checked in the request."""
    settings.DATA_DIR = tmp_path
    settings.TASKS = IMMEDIATE
    return tmp_path / "imports"


def in_english(client):
    client.cookies["barzan_language"] = "en"
    return client


def upload(client, content: bytes, *, area, source, name="figures.csv", format=""):
    return client.post(
        "/indicators/imports/new/",
        {
            "file": SimpleUploadedFile(name, content),
            "format": format,
            "area": area.pk,
            "source": source.pk,
        },
    )


def uploaded(response) -> ValueImport:
    """Return the import an upload redirected to."""
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.fullmatch(r"/indicators/imports/(\d+)/", response["Location"])
    assert match, response["Location"]
    return ValueImport.objects.get(pk=match.group(1))


def counts(response) -> dict[str, int]:
    """Read the numbers of the report's cards (`data-count`), in any digits."""
    assert response.status_code == 200
    found = re.findall(r'data-count="(\w+)">([^<]*)<', response.content.decode())
    return {name: int(to_latin_digits(number).replace("٬", "")) for name, number in found}


def problem_rows(response) -> list[tuple[int, str, str]]:
    html = response.content.decode()
    return [
        (int(line), column, message.strip())
        for line, column, message in re.findall(
            r'<tr data-line="(\d+)">.*?<td class="code" dir="ltr">([^<]*)</td><td>([^<]*)</td>',
            html,
            re.S,
        )
    ]


def database() -> tuple[int, int, int]:
    """What a dry run must leave alone: values, their history and the audit log."""
    return (IndicatorValue.objects.count(), ValueChange.objects.count(), AuditEvent.objects.count())


def set_value(indicator, area, value, period_code="1402"):
    return actions.set_value(
        actor=None,
        indicator=indicator,
        area=area,
        period=Period.objects.get(code=period_code),
        value=value,
    )


@pytest.fixture
def clean_file(csv_of, neighborhoods, catalogue):
    """Four figures: one new for N3, one new breakdown for N1, N2 changed, N1 unchanged
    (once `stored_figures` are in)."""
    return csv_of(
        ("households", "N1", "1402", "", "40"),
        ("households", "N2", "1402", "", "35"),
        ("households", "N3", "1402", "", "۱٬۲۰۰"),
        ("population", "N1", "1402", "female", "520"),
    )


@pytest.fixture
def stored_figures(neighborhoods, catalogue):
    set_value(catalogue.households, neighborhoods.n1, "40")
    set_value(catalogue.households, neighborhoods.n2, "30")


# -- The dry run, its problems, and applying --------------------------------------------------


def test_every_problem_of_a_file_is_listed_with_its_line_and_nothing_is_written(
    client, login, people, areas, organizations, neighborhoods, catalogue, csv_of, stored_figures
):
    in_english(client)
    login(people.tehran_manager)
    before = database()
    content = csv_of(
        ("households", "N1", "1402", "", "41"),
        ("households", "ZZ9", "1402", "", "10"),
        ("households", "N2", "1402", "", "many"),
        ("households", "N3", "1399Q5", "", "10"),
        ("households", "N1", "1402", "", "41"),
    )

    value_import = uploaded(
        upload(client, content, area=areas.district6, source=organizations.education_tehran)
    )
    report = client.get(f"/indicators/imports/{value_import.pk}/")

    assert database() == before
    assert value_import.status == ImportStatus.CHECKED
    assert counts(report)["problems"] == 4
    problems = problem_rows(report)
    assert [(line, column) for line, column, _message in problems] == [
        (3, "area"),
        (4, "value"),
        (5, "period"),
        (6, "indicator"),
    ]
    html = report.content.decode()
    assert "There is no current area with the code «ZZ9»" in html
    assert "«many» is not a number." in html
    assert "«1399Q5» is not a period" in html
    assert "already on line 2" in html
    assert "The file has 4 problems. Nothing was written" in html
    assert "data-apply" not in html
    response = client.post(f"/indicators/imports/{value_import.pk}/apply/", follow=True)
    assert "Only a checked file without problems can be applied." in response.content.decode()
    assert database() == before


def test_a_clean_file_is_counted_applied_and_then_found_unchanged(
    client, login, people, areas, organizations, neighborhoods, catalogue, clean_file,
    stored_figures,
):  # fmt: skip
    in_english(client)
    login(people.tehran_manager)
    before = database()

    value_import = uploaded(
        upload(client, clean_file, area=areas.district6, source=organizations.education_tehran)
    )
    report = client.get(value_import.get_absolute_url())

    assert counts(report) == {"new": 2, "changed": 1, "unchanged": 1, "problems": 0}
    assert "This is a dry run: nothing has been written yet." in report.content.decode()
    assert "data-apply" in report.content.decode()
    assert database() == before

    response = client.post(f"/indicators/imports/{value_import.pk}/apply/")

    assert response.status_code == 302
    assert response["Location"] == value_import.get_absolute_url()
    value_import.refresh_from_db()
    assert value_import.status == ImportStatus.DONE
    households = dict(
        IndicatorValue.objects.filter(indicator=catalogue.households).values_list(
            "area__code", "value"
        )
    )
    assert households == {"N1": 40, "N2": 35, "N3": 1200}
    female = IndicatorValue.objects.get(indicator=catalogue.population, breakdown__code="female")
    assert female.value == 520
    assert female.source == organizations.education_tehran
    assert ValueChange.objects.filter(value_import=value_import).count() == 3
    assert AuditEvent.objects.filter(verb="indicator_value.imported").count() == 1
    done = client.get(value_import.get_absolute_url()).content.decode()
    assert "The import was applied" in done
    assert "data-apply" not in done

    again = uploaded(
        upload(client, clean_file, area=areas.district6, source=organizations.education_tehran)
    )
    report = client.get(again.get_absolute_url())
    assert counts(report) == {"new": 0, "changed": 0, "unchanged": 4, "problems": 0}
    assert "data-apply" not in report.content.decode()
    assert "there is nothing to apply" in report.content.decode()


def test_an_import_cannot_be_applied_twice(
    client, login, people, areas, organizations, neighborhoods, catalogue, clean_file
):
    in_english(client)
    login(people.tehran_manager)
    value_import = uploaded(
        upload(client, clean_file, area=areas.district6, source=organizations.education_tehran)
    )
    client.post(f"/indicators/imports/{value_import.pk}/apply/")
    before = database()
    response = client.post(f"/indicators/imports/{value_import.pk}/apply/", follow=True)
    assert "already running or applied" in response.content.decode()
    assert database() == before


def test_the_problems_download_as_csv(
    client, login, people, areas, organizations, neighborhoods, catalogue, csv_of
):
    in_english(client)
    login(people.tehran_manager)
    content = csv_of(("households", "N1", "1402", "", "=1+1"), ("nope", "N1", "1402", "", "1"))
    value_import = uploaded(
        upload(client, content, area=areas.district6, source=organizations.education_tehran)
    )

    response = client.get(f"/indicators/imports/{value_import.pk}/problems.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Line", "Column", "Problem"]
    assert [row[:2] for row in rows[1:]] == [["2", "value"], ["3", "indicator"]]
    # A message quoting a formula is not run by a spreadsheet.
    assert rows[1][2].startswith("«=1+1»")


def test_many_problems_are_listed_page_by_page(
    client, login, people, areas, organizations, neighborhoods, catalogue, csv_of
):
    login(people.tehran_manager)
    content = csv_of(*[("households", "N1", "1402", "", f"x{n}") for n in range(150)])
    value_import = uploaded(
        upload(client, content, area=areas.district6, source=organizations.education_tehran)
    )
    url = value_import.get_absolute_url()
    assert len(problem_rows(client.get(url))) == 100
    assert len(problem_rows(client.get(url, {"page": 2}))) == 50
    for page in ("abc", "99999", "-1", "%00"):
        assert client.get(url, {"page": page}).status_code == 200


@pytest.mark.parametrize(
    ("name", "format"),
    [
        ("garbage.csv", ""),
        ("garbage.xlsx", ""),
        ("garbage.json", ""),
        ("garbage.xml", ""),
        ("garbage.csv", "dhis2_csv"),
    ],
)
def test_an_unreadable_file_is_reported_not_a_500(
    client, login, people, areas, organizations, neighborhoods, catalogue, name, format
):
    login(people.tehran_manager)
    garbage = b"\x00\xff\xfe<<{[" * 50
    value_import = uploaded(
        upload(
            client,
            garbage,
            area=areas.district6,
            source=organizations.education_tehran,
            name=name,
            format=format,
        )
    )
    report = client.get(value_import.get_absolute_url())
    assert report.status_code == 200
    assert value_import.status == ImportStatus.CHECKED
    assert value_import.problem_count >= 1
    assert not IndicatorValue.objects.exists()


# -- The upload form ----------------------------------------------------------------------


def test_the_format_follows_the_extension_unless_chosen(
    client, login, people, areas, organizations, neighborhoods, catalogue, clean_file
):
    login(people.tehran_manager)
    by_extension = uploaded(
        upload(client, clean_file, area=areas.district6, source=organizations.education_tehran)
    )
    assert by_extension.format == "csv"
    json_file = uploaded(
        upload(
            client,
            b'{"dataValues": []}',
            area=areas.district6,
            source=organizations.education_tehran,
            name="values.json",
        )
    )
    assert json_file.format == "dhis2_json"
    chosen = uploaded(
        upload(
            client,
            b"dataelement,period,orgunit,catoptcombo,attroptcombo,value\n",
            area=areas.district6,
            source=organizations.education_tehran,
            name="export.csv",
            format="dhis2_csv",
        )
    )
    assert chosen.format == "dhis2_csv"


def test_a_file_whose_content_and_extension_say_nothing_asks_for_the_format(
    client, login, people, areas, organizations
):
    in_english(client)
    login(people.tehran_manager)
    response = upload(
        client,
        b"figures of the district\n",
        area=areas.district6,
        source=organizations.education_tehran,
        name="figures.txt",
    )
    assert response.status_code == 200
    assert "choose the format" in response.content.decode()
    assert not ValueImport.objects.exists()


def test_a_file_over_the_limit_is_refused(
    client, login, people, areas, organizations, clean_file, settings
):
    settings.BARZAN_IMPORT_MAX_BYTES = 10
    login(people.tehran_manager)
    response = upload(
        client, clean_file, area=areas.district6, source=organizations.education_tehran
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not ValueImport.objects.exists()


def test_a_focal_point_reports_for_their_own_agency_only(
    client, login, people, areas, organizations, neighborhoods, catalogue, clean_file
):
    login(people.focal_point)
    page = client.get("/indicators/imports/new/").content.decode()
    sources = re.search(r'<select name="source".*?</select>', page, re.S).group(0)
    assert f'<option value="{organizations.education_tehran.pk}" selected' in sources
    assert f'<option value="{organizations.welfare_tehran.pk}"' not in sources
    response = upload(client, clean_file, area=areas.district6, source=organizations.welfare_tehran)
    assert response.status_code == 200
    assert not ValueImport.objects.exists()
    value_import = uploaded(
        upload(client, clean_file, area=areas.district6, source=organizations.education_tehran)
    )
    assert value_import.created_by == people.focal_point


def test_nobody_imports_into_an_area_outside_their_own(
    client, login, people, areas, organizations, clean_file
):
    login(people.tehran_manager)
    response = upload(client, clean_file, area=areas.isfahan, source=organizations.education_tehran)
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not ValueImport.objects.exists()


def test_an_analyst_may_not_upload(client, login, people):
    login(people.tehran_analyst)
    assert client.get("/indicators/imports/new/").status_code == 403


def test_a_tampered_upload_form_is_answered_with_its_errors(client, login, people, areas):
    login(people.tehran_manager)
    response = client.post(
        "/indicators/imports/new/", {"format": "zzz", "area": "abc", "source": ["x", "y"]}
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()


# -- Large files in the background --------------------------------------------------------


def test_a_large_file_is_checked_and_applied_by_the_background_task(
    client, login, people, areas, organizations, neighborhoods, catalogue, clean_file, settings
):
    settings.BARZAN_BACKGROUND_IMPORT_BYTES = 10
    login(people.tehran_manager)

    value_import = uploaded(
        upload(client, clean_file, area=areas.district6, source=organizations.education_tehran)
    )

    assert value_import.status == ImportStatus.CHECKED
    assert counts(client.get(value_import.get_absolute_url()))["new"] == 4
    client.post(f"/indicators/imports/{value_import.pk}/apply/")
    value_import.refresh_from_db()
    assert value_import.status == ImportStatus.DONE
    assert IndicatorValue.objects.count() == 4


def test_a_queued_import_shows_a_progress_bar_until_it_is_done(
    client, login, people, areas, organizations, neighborhoods, catalogue, clean_file, settings
):
    settings.BARZAN_BACKGROUND_IMPORT_BYTES = 10
    settings.TASKS = DUMMY
    login(people.tehran_manager)

    value_import = uploaded(
        upload(client, clean_file, area=areas.district6, source=organizations.education_tehran)
    )

    assert value_import.status == ImportStatus.QUEUED
    page = client.get(value_import.get_absolute_url()).content.decode()
    progress_url = f"/indicators/imports/{value_import.pk}/progress/"
    assert f'hx-get="{progress_url}" hx-trigger="every 1s"' in page
    assert 'role="progressbar"' in page
    assert "data-count" not in page
    polled = client.get(progress_url, HTTP_HX_REQUEST="true")
    assert polled.status_code == 200
    assert 'aria-valuenow="0"' in polled.content.decode()
    assert "HX-Refresh" not in polled.headers

    actions.run_import(actor=None, value_import=value_import, apply=False)
    polled = client.get(progress_url, HTTP_HX_REQUEST="true")

    assert polled.headers["HX-Refresh"] == "true"
    assert "hx-trigger" not in polled.content.decode()
    assert counts(client.get(value_import.get_absolute_url()))["new"] == 4


# -- Only within one's areas ------------------------------------------------------------------


@pytest.fixture
def tehran_import(people, areas, organizations, neighborhoods, catalogue, clean_file):
    value_import = actions.upload_values(
        actor=people.tehran_manager,
        upload=SimpleUploadedFile("figures.csv", clean_file),
        format="csv",
        area=areas.district6,
        source=organizations.education_tehran,
    )
    return actions.start_import(actor=people.tehran_manager, value_import=value_import, apply=False)


@pytest.mark.parametrize("suffix", ["", "progress/", "problems.csv"])
def test_an_import_outside_the_users_areas_gets_404(client, login, people, tehran_import, suffix):
    login(people.isfahan_manager)
    assert client.get(f"/indicators/imports/{tehran_import.pk}/{suffix}").status_code == 404
    assert client.post(f"/indicators/imports/{tehran_import.pk}/apply/").status_code == 404
    tehran_import.refresh_from_db()
    assert tehran_import.status == ImportStatus.CHECKED


def test_an_analyst_reads_the_report_but_may_not_apply(client, login, people, tehran_import):
    login(people.tehran_analyst)
    page = client.get(tehran_import.get_absolute_url())
    assert page.status_code == 200
    assert "data-apply" not in page.content.decode()
    assert client.post(f"/indicators/imports/{tehran_import.pk}/apply/").status_code == 403
    assert not IndicatorValue.objects.exists()


def test_apply_answers_only_a_post(client, login, people, tehran_import):
    login(people.tehran_manager)
    assert client.get(f"/indicators/imports/{tehran_import.pk}/apply/").status_code == 405


# -- The list -----------------------------------------------------------------------------


def test_the_list_shows_the_imports_in_the_users_areas(
    client, login, people, tehran_import, organizations, areas
):
    in_english(client)
    login(people.tehran_manager)
    response = client.get("/indicators/imports/")
    assert response.status_code == 200
    assert set(response.context["object_list"]) == {tehran_import}
    html = response.content.decode()
    assert f'href="/indicators/imports/{tehran_import.pk}/"' in html
    assert "figures.csv" in html
    assert 'href="/indicators/imports/new/"' in html
    login(people.isfahan_manager)
    response = client.get("/indicators/imports/")
    assert set(response.context["object_list"]) == set()
    assert "No files have been imported yet." in response.content.decode()


def test_the_list_makes_the_same_number_of_queries_however_many_imports(
    client, login, people, tehran_import, organizations, areas, clean_file, count_queries
):
    login(people.tehran_manager)
    client.get("/indicators/imports/")
    one = count_queries(lambda: client.get("/indicators/imports/"))
    for _ in range(4):
        actions.upload_values(
            actor=people.tehran_manager,
            upload=SimpleUploadedFile("more.csv", clean_file),
            format="csv",
            area=areas.district6,
            source=organizations.welfare_tehran,
        )
    five = count_queries(lambda: client.get("/indicators/imports/"))
    assert one == five
    assert five <= 12


def test_the_report_makes_a_bounded_number_of_queries(
    client, login, people, tehran_import, count_queries
):
    login(people.tehran_manager)
    url = tehran_import.get_absolute_url()
    client.get(url)
    assert count_queries(lambda: client.get(url)) <= 10


@pytest.mark.parametrize(
    "query", [{"page": "abc"}, {"page": "99999"}, {"sort": "nonexistent"}, {"export": "csv"}]
)
def test_a_tampered_list_address_gets_a_clear_answer(client, login, people, tehran_import, query):
    login(people.tehran_manager)
    response = client.get("/indicators/imports/", query)
    assert response.status_code < 500


def test_the_upload_page_links_to_the_data_set_templates(client, login, people):
    login(people.tehran_manager)
    page = client.get("/indicators/imports/new/").content.decode()
    assert 'href="/indicators/data-sets/" data-template-link' in page
