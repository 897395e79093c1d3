"""Exporting raw figures: the files import back unchanged, small counts stay hidden outside
the owning organization, and nobody exports an area they may not."""

import csv
import io
import json

import pytest
from python_calamine import CalamineWorkbook

from barzan.access import policy
from barzan.access.actions import EXPORT
from barzan.indicators import actions
from barzan.indicators.models import IndicatorValue

pytestmark = pytest.mark.django_db

URL = "/indicators/export/"


def csv_bytes(*rows) -> bytes:
    """Return a Barzan CSV file of (indicator, area, period, breakdown, value, comment)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["indicator", "area", "period", "breakdown", "value", "comment"])
    for row in rows:
        writer.writerow(list(row) + [""] * (6 - len(row)))
    return buffer.getvalue().encode()


def enter(areas, catalogue, *rows):
    """Import `rows` as the system would, into Tehran, and insist nothing was refused."""
    outcome = actions.import_values(
        actor=None,
        stream=io.BytesIO(csv_bytes(*rows)),
        format="csv",
        area=areas.tehran,
        source=catalogue.owner,
    )
    assert outcome.problems == []
    return outcome


@pytest.fixture
def figures(areas, neighborhoods, catalogue):
    """Figures of every value type, with breakdowns, Persian comments and two periods."""
    enter(
        areas,
        catalogue,
        ("population", "N1", "1402", "", "1000", "برآورد مرکز آمار، سرشماری ۱۳۹۵"),
        ("population", "N1", "1402", "female", "480"),
        ("population", "N1", "1402", "male", "520"),
        ("population", "N1", "1402", "age-15-19", "75"),
        ("population", "N2", "1402", "", "3000", "=جمع دو محله"),
        ("population", "N2", "1401", "", "2950"),
        ("households", "N1", "1402", "", "350", "شمارش «خانوار»\u200cها"),
        ("households", "N2", "1402", "", "900"),
        ("active", "N1", "1402", "", "400"),
        ("unemployed", "N1", "1402", "female", "35"),
        ("unemployed", "N1", "1402", "college", "12"),
        ("unemployed", "N1", "1402", "", "60"),
        ("literacy", "N1", "1402", "", "87.25"),
        ("satisfaction", "N2", "1402", "", "7.5"),
        ("has_park", "N1", "1402", "", "1"),
        ("households", "2301021606", "1401", "", "5000", "ناحیه"),
    )
    return IndicatorValue.objects.count()


def download(client, **params) -> bytes:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content[:500]
    assert "attachment" in response["Content-Disposition"]
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def csv_table(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


class TestRoundTrip:
    """An exported file, imported back, is exactly what is stored: nothing new, nothing
    changed, every value unchanged."""

    @pytest.mark.parametrize("file_format", ["csv", "xlsx", "dhis2_json"])
    def test_every_exported_value_imports_back_unchanged(
        self, client, login, people, areas, catalogue, figures, file_format
    ):
        assert policy.can(people.focal_point, EXPORT, areas.tehran)
        login(people.focal_point)
        content = download(client, area=areas.tehran.pk, below=1, format=file_format)
        outcome = actions.import_values(
            actor=people.focal_point,
            stream=io.BytesIO(content),
            format=file_format,
            area=areas.tehran,
            source=catalogue.owner,
            dry_run=True,
        )
        assert outcome.problems == []
        assert (outcome.new, outcome.changed) == (0, 0)
        assert outcome.unchanged == figures == 16

    def test_the_csv_file_keeps_persian_comments_and_breakdowns(
        self, client, login, people, areas, figures
    ):
        login(people.focal_point)
        rows = csv_table(download(client, area=areas.tehran.pk, below=1, format="csv"))
        assert {row["breakdown"] for row in rows} == {"", "female", "male", "age-15-19", "college"}
        comments = {row["comment"] for row in rows}
        assert "برآورد مرکز آمار، سرشماری 1395" in comments
        assert "'=جمع دو محله" in comments
        literacy = next(row for row in rows if row["indicator"] == "literacy")
        assert literacy["value"] == "87.25"

    def test_the_dhis2_file_is_a_data_value_set(self, client, login, people, areas, figures):
        login(people.focal_point)
        content = download(client, area=areas.tehran.pk, below=1, format="dhis2_json")
        values = json.loads(content)["dataValues"]
        assert len(values) == 16
        female = next(v for v in values if v.get("categoryOptionCombo") == "female"
                      and v["dataElement"] == "population")  # fmt: skip
        assert female == {
            "dataElement": "population",
            "period": "1402",
            "orgUnit": "N1",
            "categoryOptionCombo": "female",
            "value": "480",
        }


class TestWhatIsExported:
    def test_without_below_only_the_area_itself(self, client, login, people, areas, figures):
        login(people.focal_point)
        rows = csv_table(download(client, area=areas.district6.pk, format="csv"))
        assert [(row["indicator"], row["area"], row["value"]) for row in rows] == [
            ("households", "2301021606", "5000")
        ]

    def test_one_period_and_one_indicator(self, client, login, people, areas, figures):
        login(people.focal_point)
        rows = csv_table(
            download(
                client,
                area=areas.tehran.pk,
                below=1,
                period="۱۴۰۱",
                indicator="population",
                format="csv",
            )
        )
        assert [(row["area"], row["value"]) for row in rows] == [("N2", "2950")]

    def test_the_xlsx_file_has_persian_headers_and_codes_as_text(
        self, client, login, people, areas, figures
    ):
        login(people.focal_point)
        content = download(client, area=areas.tehran.pk, below=1, format="xlsx")
        rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
        assert rows[0][:5] == ["کد شاخص", "کد محدوده", "دوره", "تفکیک", "مقدار"]
        assert len(rows) == 1 + 16


class TestSmallCounts:
    @pytest.fixture
    def small(self, areas, neighborhoods, catalogue):
        enter(areas, catalogue, ("households", "N3", "1402", "", "3"))

    def rows(self, client, areas, file_format="csv"):
        return csv_table(download(client, area=areas.district6.pk, below=1, format=file_format))

    def test_someone_outside_the_owning_organization_reads_fewer_than_five(
        self, client, login, people, areas, small
    ):
        login(people.tehran_manager)
        assert [row["value"] for row in self.rows(client, areas)] == ["<5"]

    def test_the_owning_organization_reads_the_count(self, client, login, people, areas, small):
        login(people.focal_point)
        assert [row["value"] for row in self.rows(client, areas)] == ["3"]

    def test_the_dhis2_file_hides_it_too(self, client, login, people, areas, small):
        login(people.tehran_manager)
        content = download(client, area=areas.district6.pk, below=1, format="dhis2_json")
        assert [v["value"] for v in json.loads(content)["dataValues"]] == ["<5"]


class TestAccess:
    def test_an_isfahan_area_is_not_found_for_the_tehran_manager(
        self, client, login, people, areas, figures
    ):
        login(people.tehran_manager)
        response = client.get(URL, {"area": areas.isfahan.pk, "format": "csv"})
        assert response.status_code == 404

    def test_someone_without_the_export_right_is_refused(self, client, login, people, areas):
        login(people.secretary)
        assert client.get(URL, {"area": areas.district6.pk, "format": "csv"}).status_code == 403
        assert client.get(URL).status_code == 403

    def test_a_user_without_a_grant_is_refused(self, client, login, people):
        login(people.nobody)
        assert client.get(URL).status_code == 403

    def test_an_anonymous_visitor_is_sent_to_log_in(self, client, areas):
        response = client.get(URL, {"area": areas.tehran.pk, "format": "csv"})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_the_form_page_opens_with_the_users_top_area(self, client, login, people, areas):
        login(people.tehran_analyst)
        response = client.get(URL)
        assert response.status_code == 200
        assert response.context["form"].initial["area"] == areas.tehran.pk

    @pytest.mark.parametrize(
        "params",
        [
            {"format": "csv"},
            {"area": "TEHRAN", "format": "pdf"},
            {"area": "TEHRAN", "period": "1402Q9", "format": "csv"},
            {"area": "TEHRAN", "indicator": "no-such-indicator", "format": "csv"},
        ],
    )
    def test_bad_parameters_give_a_message_not_a_crash(self, client, login, people, areas, params):
        login(people.tehran_manager)
        params = {key: areas.tehran.pk if value == "TEHRAN" else value
                  for key, value in params.items()}  # fmt: skip
        response = client.get(URL, params)
        assert response.status_code == 400
        assert response.context["form"].errors

    @pytest.mark.parametrize("area", ["tehran", "12abc", "99999999"])
    def test_an_area_that_is_no_area_is_not_found(self, client, login, people, areas, area):
        login(people.tehran_manager)
        assert client.get(URL, {"area": area, "format": "csv"}).status_code == 404


class TestStreaming:
    def test_many_figures_take_as_many_queries_as_few(
        self, client, login, people, areas, neighborhoods, catalogue, count_queries
    ):
        enter(areas, catalogue, ("households", "N1", "1402", "", "10"))
        login(people.focal_point)
        params = {"area": areas.tehran.pk, "below": 1, "format": "csv"}
        few = count_queries(lambda: client.get(URL, params))
        enter(
            areas,
            catalogue,
            *[("households", code, f"1402-{month:02d}", "", str(100 + month))
              for code in ("N1", "N2", "N3") for month in range(1, 13)],
        )  # fmt: skip
        many = count_queries(lambda: client.get(URL, params))
        assert many == few
