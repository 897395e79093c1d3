"""Round trips in every format: what is exported imports back as 0 new and 0 changed, also
for someone who sees small counts as «<5», whose hidden cells are skipped and counted (in
the dry run, the import's record, the command's output and the API's summary), never an
error and never written."""

import csv
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from barzan.core.text import to_latin_digits
from barzan.indicators import actions
from barzan.indicators.exports import EXPORT_FORMATS
from barzan.indicators.models import IndicatorValue, ValueImport

from .fixtures_core import importer_fixture, row_counts, stored_values  # noqa: F401


def written() -> dict[str, int]:
    """Return how many values, roll-ups and changes are stored (an import's audit event
    records the hidden cells too, so it is left out)."""
    counts = row_counts()
    return {name: counts[name] for name in ("values", "aggregates", "changes")}


pytestmark = pytest.mark.django_db

PAGE = "/indicators/export/"
API = "/api/v1/indicators/values/export"
FORMATS = list(EXPORT_FORMATS)
SMALL_COUNT_COMMENT = "سه خانوار تحت پوشش"


def csv_bytes(*rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["indicator", "area", "period", "breakdown", "value", "comment"])
    for row in rows:
        writer.writerow(list(row) + [""] * (6 - len(row)))
    return buffer.getvalue().encode()


@pytest.fixture
def figures(areas, neighborhoods, catalogue):
    """Figures of every value type, with breakdowns, comments (one beginning with =, one
    over two lines) and a small count of 3 households that only its owner may see."""
    outcome = actions.import_values(
        actor=None,
        stream=io.BytesIO(
            csv_bytes(
                ("population", "N1", "1402", "", "1000", "برآورد مرکز آمار، سرشماری ۱۳۹۵"),
                ("population", "N1", "1402", "female", "480"),
                ("population", "N1", "1402", "male", "520"),
                ("population", "N1", "1402", "age-15-19", "75"),
                ("population", "N2", "1402", "", "3000", "=جمع دو محله"),
                ("population", "N2", "1401", "", "2950"),
                ("households", "N1", "1402", "", "350", "شمارش «خانوار»\u200cها\nدو خط"),
                ("households", "N2", "1402", "", "900"),
                ("households", "N3", "1402", "", "3", SMALL_COUNT_COMMENT),
                ("unemployed", "N1", "1402", "college", "12"),
                ("literacy", "N1", "1402", "", "87.25"),
                ("satisfaction", "N2", "1402", "", "7.5"),
                ("has_park", "N1", "1402", "", "1"),
            )
        ),
        format="csv",
        area=areas.tehran,
        source=catalogue.owner,
    )
    assert outcome.problems == []
    return IndicatorValue.objects.count()


def download(client, url=PAGE, **params) -> bytes:
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    assert "attachment" in response["Content-Disposition"]
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def import_back(content: bytes, file_format: str, *, user, areas, catalogue, dry_run=True):
    return actions.import_values(
        actor=user,
        stream=io.BytesIO(content),
        format=file_format,
        area=areas.tehran,
        source=catalogue.owner,
        dry_run=dry_run,
    )


def hidden_in(client, areas) -> int:
    """Return how many cells the logged-in user's Barzan CSV export writes as «<5»."""
    content = download(client, area=areas.tehran.pk, below=1, format="csv")
    rows = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    return sum(row["value"] == "<5" for row in rows)


@pytest.mark.parametrize("file_format", FORMATS)
def test_a_file_exported_by_the_owner_imports_back_with_nothing_new_or_changed(
    client, login, people, areas, catalogue, figures, file_format
):
    login(people.focal_point)
    content = download(client, area=areas.tehran.pk, below=1, format=file_format)

    outcome = import_back(content, file_format, user=people.focal_point, areas=areas,
                          catalogue=catalogue)  # fmt: skip

    assert outcome.problems == []
    assert (outcome.new, outcome.changed, outcome.hidden) == (0, 0, 0)
    assert outcome.unchanged == figures == 13


@pytest.mark.parametrize("file_format", FORMATS)
def test_a_file_exported_with_small_counts_hidden_imports_back_skipping_them(
    client, login, people, areas, catalogue, figures, file_format
):
    login(people.tehran_manager)
    hidden = hidden_in(client, areas)
    assert hidden >= 1
    content = download(client, area=areas.tehran.pk, below=1, format=file_format)
    before, values = written(), stored_values()

    outcome = import_back(content, file_format, user=people.tehran_manager, areas=areas,
                          catalogue=catalogue, dry_run=False)  # fmt: skip

    assert outcome.problems == []
    assert (outcome.new, outcome.changed) == (0, 0)
    assert outcome.hidden == hidden
    assert outcome.unchanged + outcome.hidden == figures
    # Nothing written: the 3 households and their comment stay.
    assert written() == before
    assert stored_values() == values
    small = IndicatorValue.objects.get(indicator=catalogue.households, area__code="N3")
    assert small.comment == SMALL_COUNT_COMMENT


@pytest.mark.parametrize("file_format", FORMATS)
def test_the_api_exports_every_format_with_its_content_type(
    client, login, people, areas, catalogue, figures, file_format
):
    login(people.tehran_manager)
    response = client.get(API, {"area": areas.tehran.pk, "below": "true", "format": file_format})
    assert response.status_code == 200, response.content[:500]
    chosen = EXPORT_FORMATS[file_format]
    assert response["Content-Type"] == chosen.content_type
    assert re.search(rf'filename="values-23-.*\.{chosen.extension}"',
                     response["Content-Disposition"])  # fmt: skip
    content = b"".join(response.streaming_content) if response.streaming else response.content

    outcome = import_back(content, file_format, user=people.tehran_manager, areas=areas,
                          catalogue=catalogue)  # fmt: skip

    assert outcome.problems == []
    assert (outcome.new, outcome.changed) == (0, 0)
    assert outcome.hidden >= 1


def test_the_export_page_offers_every_import_format(client, login, people):
    login(people.tehran_manager)
    form = client.get(PAGE).context["form"]
    assert [code for code, _label in form.fields["format"].choices] == [
        "csv", "xlsx", "dhis2_json", "dhis2_xml", "dhis2_csv", "adx",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("file_format", "content_type", "name"),
    [
        ("dhis2_csv", "text/csv; charset=utf-8", r"values-23-dhis2-[\d-]+\.csv"),
        ("adx", "application/adx+xml; charset=utf-8", r"values-23-adx-[\d-]+\.xml"),
        ("dhis2_xml", "application/xml; charset=utf-8", r"values-23-dhis2-[\d-]+\.xml"),
    ],
)
def test_dhis2_and_adx_downloads_say_what_they_are(
    client, login, people, areas, figures, file_format, content_type, name
):
    login(people.focal_point)
    response = client.get(PAGE, {"area": areas.tehran.pk, "format": file_format})
    assert response["Content-Type"] == content_type
    assert re.search(f'filename="{name}"', response["Content-Disposition"])


def test_the_adx_export_names_a_breakdown_by_its_dimension(client, login, people, areas, figures):
    login(people.focal_point)
    content = download(client, area=areas.tehran.pk, below=1, format="adx").decode()
    assert 'SEX="female"' in content
    assert 'EDUCATION="college"' in content
    assert 'period="2023-03-21/P1Y"' in content


# -- Hidden cells where users read the outcome -------------------------------------------------


@pytest.fixture
def suppressed_export(client, login, people, areas, figures) -> bytes:
    """The Barzan CSV file the Tehran manager, outside the owning organization, exports."""
    login(people.tehran_manager)
    return download(client, area=areas.tehran.pk, below=1, format="csv")


def test_the_dry_run_page_and_the_import_record_count_hidden_cells(
    client, people, areas, organizations, suppressed_export, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    client.cookies["barzan_language"] = "fa"
    hidden = suppressed_export.count(b"<5")
    response = client.post(
        "/indicators/imports/new/",
        {
            "file": SimpleUploadedFile("back.csv", suppressed_export),
            "format": "",
            "area": areas.tehran.pk,
            "source": organizations.education_tehran.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    value_import = ValueImport.objects.get()
    assert (value_import.new_count, value_import.changed_count) == (0, 0)
    assert value_import.problem_count == 0
    assert value_import.hidden_count == hidden

    page = client.get(value_import.get_absolute_url()).content.decode()
    said = re.search(r'id="hidden-cells">([^<]*)<', page).group(1)
    assert to_latin_digits(said).startswith(f"{hidden} خانهٔ پنهان نادیده گرفته شد")


def test_the_dry_run_page_says_hidden_cells_in_english(
    client, people, areas, organizations, suppressed_export, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    client.cookies["barzan_language"] = "en"
    hidden = suppressed_export.count(b"<5")
    response = client.post(
        "/indicators/imports/new/",
        {
            "file": SimpleUploadedFile("back.csv", suppressed_export),
            "format": "",
            "area": areas.tehran.pk,
            "source": organizations.education_tehran.pk,
        },
    )
    page = client.get(response["Location"]).content.decode()
    said = re.search(r'id="hidden-cells">([^<]*)<', page).group(1)
    expected = "hidden cell skipped." if hidden == 1 else "hidden cells skipped."
    assert to_latin_digits(said).startswith(f"{hidden} {expected}")


def test_a_file_without_hidden_cells_says_nothing_of_them(
    client, login, people, areas, organizations, figures, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    login(people.tehran_manager)
    response = client.post(
        "/indicators/imports/new/",
        {
            "file": SimpleUploadedFile("one.csv", csv_bytes(("households", "N1", "1402", "", "7"))),
            "format": "",
            "area": areas.tehran.pk,
            "source": organizations.education_tehran.pk,
        },
    )
    assert ValueImport.objects.get().hidden_count == 0
    assert 'id="hidden-cells"' not in client.get(response["Location"]).content.decode()


def test_the_command_reports_hidden_cells(tmp_path, areas, suppressed_export):
    path = tmp_path / "back.csv"
    path.write_bytes(suppressed_export)
    out = io.StringIO()
    call_command(
        "import", "values", str(path), "--source", "education-tehran", "--area", "23", stdout=out
    )
    hidden = suppressed_export.count(b"<5")
    assert f"0 new, 0 changed, {13 - hidden} unchanged, {hidden} hidden cell(s) skipped" in (
        out.getvalue()
    )


def test_the_api_summary_counts_hidden_cells(client, people, areas, suppressed_export):
    body = download(client, area=areas.tehran.pk, below=1, format="dhis2_json")
    hidden = sum(item["value"] == "<5" for item in json.loads(body)["dataValues"])
    response = client.post(
        f"/api/v1/indicators/dataValueSets?area={areas.tehran.pk}&source=education-tehran",
        body,
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    summary = response.json()
    assert summary["status"] == "SUCCESS"
    assert summary["importCount"]["hidden"] == hidden, summary
    assert summary["importCount"]["imported"] == summary["importCount"]["updated"] == 0


@pytest.mark.parametrize("marker", ["<5", "< 5", "<۵", "‹5", "کمتر از ۵", "<3"])
def test_every_way_an_export_writes_a_hidden_count_is_skipped(importer, neighborhoods, marker):
    before = written()
    outcome = importer(csv_bytes(("households", "N1", "1402", "", marker)))
    assert outcome.problems == []
    assert (outcome.new, outcome.hidden) == (0, 1)
    assert written() == before


@pytest.mark.parametrize("text", ["<", "<five", "5<", "<5.5", "<-5"])
def test_other_text_beginning_with_less_than_is_still_a_problem(importer, neighborhoods, text):
    outcome = importer(csv_bytes(("households", "N1", "1402", "", text)))
    assert outcome.hidden == 0
    assert outcome.problem_count == 1


def test_a_hidden_cell_with_a_wrong_code_is_still_a_problem(importer, neighborhoods):
    outcome = importer(csv_bytes(("households", "NX", "1402", "", "<5")))
    assert outcome.hidden == 0
    assert [problem["column"] for problem in outcome.problems] == ["area"]


# -- Who may export ----------------------------------------------------------------------------


def test_the_api_export_of_an_area_outside_ones_own_is_not_found(
    client, login, people, areas, figures
):
    login(people.tehran_manager)
    response = client.get(API, {"area": areas.isfahan.pk, "format": "adx"})
    assert response.status_code == 404


def test_the_api_export_is_refused_without_the_export_right(client, login, people, areas):
    login(people.secretary)
    response = client.get(API, {"area": areas.district6.pk, "format": "dhis2_csv"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "params",
    [{"format": "pdf"}, {"period": "1402Q9"}, {"indicator": "no-such"}, {"area": "x"}],
)
def test_a_bad_api_export_query_is_explained(client, login, people, areas, figures, params):
    login(people.tehran_manager)
    response = client.get(API, {"area": areas.tehran.pk, "format": "csv", **params})
    assert response.status_code in (400, 422)
    assert response.json()


# -- A dry run is no oracle for a hidden figure ------------------------------------------------


@pytest.mark.parametrize("guess", ["3", "4"])
def test_a_dry_run_does_not_confirm_a_guess_at_a_count_the_importer_may_not_see(
    people, areas, catalogue, figures, guess
):
    # N3 holds 3 households, which only the owner sees. Whether the guess is right or
    # wrong, the Tehran manager's dry run says the same: one value to change.
    outcome = import_back(
        csv_bytes(("households", "N3", "1402", "", guess, SMALL_COUNT_COMMENT)),
        "csv", user=people.tehran_manager, areas=areas, catalogue=catalogue,
    )  # fmt: skip
    assert outcome.problems == []
    assert (outcome.new, outcome.changed, outcome.unchanged) == (0, 1, 0)


def test_the_owner_still_sees_an_unchanged_small_count_as_unchanged(
    people, areas, catalogue, figures
):
    outcome = import_back(
        csv_bytes(("households", "N3", "1402", "", "3", SMALL_COUNT_COMMENT)),
        "csv", user=people.focal_point, areas=areas, catalogue=catalogue,
    )  # fmt: skip
    assert (outcome.new, outcome.changed, outcome.unchanged) == (0, 0, 1)


def test_applying_a_right_guess_writes_it_as_a_change_like_a_wrong_one(
    people, areas, catalogue, figures
):
    before = written()["changes"]
    outcome = import_back(
        csv_bytes(("households", "N3", "1402", "", "3", SMALL_COUNT_COMMENT)),
        "csv", user=people.tehran_manager, areas=areas, catalogue=catalogue, dry_run=False,
    )  # fmt: skip
    assert outcome.applied
    assert written()["changes"] == before + 1
    small = IndicatorValue.objects.get(indicator=catalogue.households, area__code="N3")
    assert small.value == 3
