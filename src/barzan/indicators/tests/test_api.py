"""Indicators in the API: the catalogue, periods, values read and written through the access
policy, DHIS2 data value sets all or nothing, effective figures and profiles, with small
counts suppressed for everyone outside the owning organization."""

import json
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from barzan.accounts.actions import create_api_token
from barzan.api.tests.support import assert_error, token_for
from barzan.core import jalali
from barzan.geo.models import AreaLevel
from barzan.indicators.actions import create_data_set, set_value
from barzan.indicators.models import Indicator, IndicatorValue, Period, ValueChange

pytestmark = pytest.mark.django_db

BASE = "/api/v1/indicators"
SMALL_COUNT_COMMENT = "سه خانوار تحت پوشش"


@pytest.fixture
def figures(catalogue, neighborhoods, period):
    """Population 1402: 100 in N1, 300 in N2, 700 in the Isfahan neighborhood; 3 households
    in N1 (a small count, with a comment that tells it); population 1401: 90 in N1."""
    previous = Period.objects.get(code="1401")

    def put(indicator, area, value, on=period, comment=""):
        return set_value(
            actor=None, indicator=indicator, area=area, period=on, value=value, comment=comment
        )

    put(catalogue.population, neighborhoods.n1, "100")
    put(catalogue.population, neighborhoods.n2, "300")
    put(catalogue.population, neighborhoods.isfahan, "700")
    put(catalogue.households, neighborhoods.n1, "3", comment=SMALL_COUNT_COMMENT)
    put(catalogue.population, neighborhoods.n1, "90", on=previous)
    return catalogue


def stored(indicator, area, period) -> Decimal | None:
    value = IndicatorValue.objects.filter(indicator=indicator, area=area, period=period).first()
    return value.value if value else None


def items(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


def post_json(client, path, body, **query):
    url = f"{path}?{urlencode(query)}" if query else path
    return client.post(url, json.dumps(body), content_type="application/json")


# -- The catalogue ---------------------------------------------------------------------------


def test_the_catalogue_lists_indicators_by_code_with_decimals_as_text(
    client, login, people, catalogue
):
    login(people.tehran_analyst)
    found = {item["code"]: item for item in items(client.get(f"{BASE}/"))}
    assert set(found) == {
        "population", "households", "literacy", "satisfaction", "has_park",
        "active", "unemployed", "unemployment_rate",
    }  # fmt: skip
    rate = found["unemployment_rate"]
    assert rate["kind"] == "calculated"
    assert (rate["numerator"], rate["denominator"], rate["factor"]) == (
        "unemployed",
        "active",
        "100",
    )
    assert found["satisfaction"]["maximum"] == "10"
    assert found["population"]["owner"] == "education-tehran"
    assert found["population"]["category"] == "population"
    assert found["population"]["dimensions"] == ["sex", "age_group"]


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ({"q": "بيكار"}, {"unemployed", "unemployment_rate"}),  # Arabic ye and kaf
        ({"category": "work"}, {"active", "unemployed", "unemployment_rate"}),
        ({"kind": "calculated"}, {"unemployment_rate"}),
        ({"value_type": "percent"}, {"literacy", "unemployment_rate"}),
    ],
)
def test_the_catalogue_filters_by_name_category_kind_and_value_type(
    client, login, people, catalogue, query, codes
):
    login(people.tehran_analyst)
    assert {item["code"] for item in items(client.get(f"{BASE}/", query))} == codes


def test_an_unknown_kind_is_a_422_not_an_empty_list(client, login, people, catalogue):
    login(people.tehran_analyst)
    assert_error(client.get(f"{BASE}/", {"kind": "guessed"}), 422, "invalid")


def test_an_indicator_is_read_by_its_code(client, login, people, catalogue):
    login(people.secretary)
    response = client.get(f"{BASE}/literacy")
    assert response.status_code == 200
    assert response.json()["aggregation"] == "weighted_mean"
    assert_error(client.get(f"{BASE}/no-such-indicator"), 404, "not_found")


def test_someone_without_any_grant_reads_no_catalogue(client, login, people, catalogue):
    login(people.nobody)
    assert_error(client.get(f"{BASE}/"), 403, "forbidden")
    assert_error(client.get(f"{BASE}/periods"), 403, "forbidden")
    assert_error(client.get(f"{BASE}/breakdowns"), 403, "forbidden")


def test_an_anonymous_caller_is_refused(client, catalogue):
    assert_error(client.get(f"{BASE}/"), 401)
    assert_error(client.get(f"{BASE}/values"), 401)


def test_the_periods_are_jalali_codes_with_gregorian_days(client, login, people):
    login(people.tehran_analyst)
    quarters = items(client.get(f"{BASE}/periods", {"period_type": "quarter", "year": 1402}))
    assert [item["code"] for item in quarters] == ["1402Q1", "1402Q2", "1402Q3", "1402Q4"]
    assert quarters[0] == {
        "code": "1402Q1",
        "period_type": "quarter",
        "year": 1402,
        "number": 1,
        "start": "2023-03-21",
        "end": "2023-06-21",
        "name_fa": "فصل ۱ ۱۴۰۲",
        "name_en": "Q1 1402",
    }


def test_a_period_is_read_by_its_code_in_either_digits(client, login, people):
    login(people.tehran_analyst)
    month = client.get(f"{BASE}/periods/1402-07").json()
    assert (month["start"], month["end"], month["name_en"]) == (
        "2023-09-23",
        "2023-10-22",
        "Mehr 1402",
    )
    assert client.get(f"{BASE}/periods/۱۴۰۲").json()["code"] == "1402"
    assert_error(client.get(f"{BASE}/periods/1402Q9"), 404)


def test_the_breakdowns_are_the_fixed_list(client, login, people):
    login(people.tehran_analyst)
    response = client.get(f"{BASE}/breakdowns")
    codes = [item["code"] for item in response.json()]
    assert codes[:3] == ["total", "male", "female"]
    assert {"age-15-19", "college"} <= set(codes)


@pytest.fixture
def data_set(catalogue):
    return create_data_set(
        actor=None,
        code="neighborhood-census",
        name_fa="سرشماری محله",
        level=AreaLevel.objects.get(code="neighborhood"),
        period_type="year",
        owner=catalogue.owner,
        indicators=[catalogue.population, catalogue.households],
    )


def test_data_sets_are_listed_and_read_by_code(client, login, people, data_set):
    login(people.tehran_analyst)
    listed = items(client.get(f"{BASE}/data-sets"))
    assert [item["code"] for item in listed] == ["neighborhood-census"]
    read = client.get(f"{BASE}/data-sets/neighborhood-census").json()
    assert read["indicators"] == ["households", "population"]
    assert (read["level"], read["period_type"], read["owner"]) == (
        "neighborhood",
        "year",
        "education-tehran",
    )
    assert_error(client.get(f"{BASE}/data-sets/nothing"), 404)


# -- Values ----------------------------------------------------------------------------------


def test_the_values_are_those_of_the_callers_areas(client, login, people, figures, neighborhoods):
    login(people.tehran_manager)
    found = items(client.get(f"{BASE}/values", {"indicator": "population", "period": "1402"}))
    assert {(item["area_code"], item["value"]) for item in found} == {("N1", "100"), ("N2", "300")}
    first = next(item for item in found if item["area_code"] == "N1")
    assert first["area_id"] == neighborhoods.n1.pk
    assert (first["period"], first["breakdown"], first["source"]) == (
        "1402",
        "total",
        "education-tehran",
    )
    assert first["version"] == 1
    assert first["suppressed"] is False


def test_the_values_of_an_area_or_of_its_whole_subtree(
    client, login, people, figures, areas, neighborhoods
):
    login(people.tehran_manager)
    own = items(client.get(f"{BASE}/values", {"area": areas.district6.pk}))
    assert own == []
    below = items(client.get(f"{BASE}/values", {"area": areas.district6.pk, "below": "true"}))
    assert len(below) == 4
    one = items(client.get(f"{BASE}/values", {"area": neighborhoods.n1.pk, "period": "۱۴۰۱"}))
    assert [(item["indicator"], item["value"]) for item in one] == [("population", "90")]


def test_a_period_that_names_no_period_is_a_clear_422(client, login, people, figures, english):
    login(people.tehran_manager)
    error = assert_error(client.get(f"{BASE}/values", {"period": "last year"}), 422)
    assert error["details"][0]["field"] == "period"
    assert "is not a period" in error["details"][0]["message"]


def test_a_small_count_is_null_and_suppressed_outside_the_owning_organization(
    client, login, people, figures
):
    login(people.tehran_manager)
    households = items(client.get(f"{BASE}/values", {"indicator": "households"}))
    assert households[0]["value"] is None
    assert households[0]["suppressed"] is True
    assert households[0]["comment"] == ""


def test_the_owning_organizations_focal_point_sees_the_small_count(client, login, people, figures):
    login(people.focal_point)
    households = items(client.get(f"{BASE}/values", {"indicator": "households"}))
    assert (households[0]["value"], households[0]["suppressed"]) == ("3", False)
    assert households[0]["comment"] == SMALL_COUNT_COMMENT


def test_a_value_is_written_and_rolled_up(
    client, login, people, catalogue, neighborhoods, areas, period
):
    login(people.tehran_manager)
    body = {
        "indicator": "population",
        "area_id": neighborhoods.n3.pk,
        "period": "1402",
        "value": "۱٬۲۵۰",
        "comment": "سرشماری",
    }
    response = post_json(client, f"{BASE}/values", body)
    assert response.status_code == 200, response.content
    assert response.json()["value"] == "1250"
    assert response.json()["version"] == 1
    assert stored(catalogue.population, neighborhoods.n3, period) == Decimal(1250)
    rolled = client.get(
        f"{BASE}/aggregates",
        {"indicator": "population", "area": areas.district6.pk, "periods": "1402"},
    )
    assert rolled.json()["items"][0]["value"] == "1250"


def test_a_breakdown_value_is_written(client, login, people, catalogue, neighborhoods, period):
    login(people.focal_point)
    body = {
        "indicator": "population",
        "area_id": neighborhoods.n1.pk,
        "period": "1402",
        "breakdown": "female",
        "value": "52",
    }
    assert post_json(client, f"{BASE}/values", body).json()["breakdown"] == "female"
    assert IndicatorValue.objects.get(breakdown__code="female").value == Decimal(52)


def test_an_empty_value_clears_it(client, login, people, figures, neighborhoods, period):
    login(people.tehran_manager)
    body = {
        "indicator": "households",
        "area_id": neighborhoods.n1.pk,
        "period": "1402",
        "value": "",
    }
    assert post_json(client, f"{BASE}/values", body).status_code == 204
    assert stored(figures.households, neighborhoods.n1, period) is None


def test_a_bad_value_is_refused_with_its_message_and_nothing_is_stored(
    client, login, people, catalogue, neighborhoods, period, english
):
    login(people.tehran_manager)
    body = {"indicator": "population", "area_id": neighborhoods.n1.pk, "period": "1402"}
    error = assert_error(post_json(client, f"{BASE}/values", {**body, "value": "many"}), 422)
    assert error["details"] == [{"field": "value", "message": "«many» is not a number."}]
    error = assert_error(post_json(client, f"{BASE}/values", {**body, "value": "-4"}), 422)
    assert error["details"] == [{"field": "value", "message": "A count cannot be negative."}]
    assert not IndicatorValue.objects.exists()
    assert not ValueChange.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"indicator": "no-such"}, "indicator"),
        ({"period": "1402Q9"}, "period"),
        ({"breakdown": "tall"}, "breakdown"),
        ({"breakdown": "college"}, "breakdown"),  # population is not broken down by education
        ({"indicator": "unemployment_rate"}, "value"),  # calculated, never entered
    ],
)
def test_unknown_or_unfit_codes_are_a_422_that_names_the_field(
    client, login, people, catalogue, neighborhoods, change, field
):
    login(people.tehran_manager)
    body = {
        "indicator": "population",
        "area_id": neighborhoods.n1.pk,
        "period": "1402",
        "value": "5",
    }
    error = assert_error(post_json(client, f"{BASE}/values", {**body, **change}), 422)
    assert [detail["field"] for detail in error["details"]] == [field]
    assert not IndicatorValue.objects.exists()


def test_a_stale_version_is_a_409_and_the_newer_value_stays(
    client, login, people, figures, neighborhoods, period
):
    login(people.tehran_manager)
    body = {"indicator": "population", "area_id": neighborhoods.n1.pk, "period": "1402"}
    changed = post_json(client, f"{BASE}/values", {**body, "value": "110", "version": 1})
    assert changed.json()["version"] == 2
    stale = post_json(client, f"{BASE}/values", {**body, "value": "120", "version": 1})
    assert_error(stale, 409, "conflict")
    assert stored(figures.population, neighborhoods.n1, period) == Decimal(110)


def test_version_0_enters_a_new_value_but_never_overwrites_one(
    client, login, people, figures, neighborhoods, period
):
    login(people.tehran_manager)
    body = {"indicator": "population", "area_id": neighborhoods.n1.pk, "value": "1", "version": 0}
    assert post_json(client, f"{BASE}/values", {**body, "period": "1400"}).status_code == 200
    assert_error(post_json(client, f"{BASE}/values", {**body, "period": "1402"}), 409)
    assert stored(figures.population, neighborhoods.n1, period) == Decimal(100)


def test_a_body_that_is_not_json_is_a_400(client, login, people, figures):
    login(people.tehran_manager)
    response = client.post(f"{BASE}/values", "{not json", content_type="application/json")
    assert_error(response, 400, "bad_request")


def test_an_analyst_may_read_but_not_write_a_value(
    client, login, people, figures, neighborhoods, period
):
    login(people.tehran_analyst)
    body = {
        "indicator": "population",
        "area_id": neighborhoods.n1.pk,
        "period": "1402",
        "value": "1",
    }
    assert_error(post_json(client, f"{BASE}/values", body), 403, "forbidden")
    assert stored(figures.population, neighborhoods.n1, period) == Decimal(100)


def test_the_tehran_manager_gets_404_writing_a_value_for_an_isfahan_neighborhood(
    client, login, people, figures, neighborhoods, period
):
    login(people.tehran_manager)
    body = {
        "indicator": "population",
        "area_id": neighborhoods.isfahan.pk,
        "period": "1402",
        "value": "1",
    }
    response = post_json(client, f"{BASE}/values", body)
    assert_error(response, 404, "not_found")
    assert stored(figures.population, neighborhoods.isfahan, period) == Decimal(700)


@pytest.mark.parametrize("path", ["values", "aggregates"])
def test_the_tehran_manager_gets_404_for_isfahan_figures(
    client, login, people, figures, neighborhoods, areas, path
):
    login(people.tehran_manager)
    for area in (areas.isfahan, neighborhoods.isfahan):
        response = client.get(f"{BASE}/{path}", {"indicator": "population", "area": area.pk})
        assert_error(response, 404, "not_found")
        assert "700" not in response.content.decode()


def test_a_token_reads_the_values_as_its_user(client, people, figures):
    _token, raw = create_api_token(actor=people.focal_point, name="script")
    response = client.get(
        f"{BASE}/values", {"indicator": "households"}, headers={"Authorization": f"Bearer {raw}"}
    )
    assert items(response)[0]["value"] == "3"


# -- DHIS2 data value sets -------------------------------------------------------------------


def data_values(*rows) -> dict:
    return {
        "dataValues": [
            {"dataElement": indicator, "orgUnit": area, "period": period, "value": value}
            for indicator, area, period, value in rows
        ]
    }


def test_a_dry_run_counts_new_changed_and_unchanged_values_and_stores_nothing(
    client, login, people, figures, period
):
    login(people.tehran_manager)
    before = sorted(IndicatorValue.objects.values_list("pk", "value", "version"))
    body = data_values(
        ("population", "N1", "1402", "100"),  # unchanged
        ("population", "N2", "1402", "310"),  # changed
        ("population", "N3", "1402", "50"),  # new
        ("households", "N2", "1402", "12"),  # new
    )
    response = post_json(
        client, f"{BASE}/dataValueSets", body, dryRun="true", source="education-tehran"
    )
    assert response.status_code == 200, response.content
    summary = response.json()
    assert summary["status"] == "SUCCESS"
    assert summary["dryRun"] is True
    assert summary["importCount"] == {
        "imported": 2,
        "updated": 1,
        "ignored": 1,
        "deleted": 0,
        "hidden": 0,
    }
    assert summary["conflicts"] == []
    assert sorted(IndicatorValue.objects.values_list("pk", "value", "version")) == before


def test_a_data_value_set_is_imported_and_rolled_up(client, login, people, figures, areas, period):
    login(people.focal_point)
    body = data_values(("population", "N2", "1402", "310"), ("population", "N3", "1402", "50"))
    summary = post_json(client, f"{BASE}/dataValueSets", body).json()
    assert summary["status"] == "SUCCESS"
    assert summary["importCount"] == {
        "imported": 1,
        "updated": 1,
        "ignored": 0,
        "deleted": 0,
        "hidden": 0,
    }
    population = IndicatorValue.objects.filter(indicator__code="population", period=period)
    assert {value.area.code: value.value for value in population} == {
        "N1": Decimal(100), "N2": Decimal(310), "N3": Decimal(50), "I1": Decimal(700),
    }  # fmt: skip
    assert {value.source.code for value in population} == {"education-tehran"}
    rolled = client.get(
        f"{BASE}/aggregates",
        {"indicator": "population", "area": areas.district6.pk, "periods": "1402"},
    ).json()
    assert rolled["items"][0]["value"] == "460"


def test_four_kinds_of_mistake_are_all_reported_and_nothing_is_stored(
    client, login, people, figures, english
):
    login(people.tehran_manager)
    before = sorted(IndicatorValue.objects.values_list("pk", "value", "version"))
    body = data_values(
        ("population", "N3", "1402", "50"),  # fine on its own
        ("population", "N9", "1402", "10"),  # no such area
        ("households", "N2", "1402", "many"),  # not a number
        ("population", "N2", "1402Q9", "10"),  # no such period
        ("population", "N3", "1402", "51"),  # the same as the first
    )
    response = post_json(client, f"{BASE}/dataValueSets", body, source="education-tehran")
    summary = response.json()
    assert summary["status"] == "ERROR"
    assert summary["importCount"] == {
        "imported": 0,
        "updated": 0,
        "ignored": 5,
        "deleted": 0,
        "hidden": 0,
    }
    assert summary["conflictCount"] == 4
    conflicts = {(c["line"], c["column"]): c["value"] for c in summary["conflicts"]}
    assert set(conflicts) == {(2, "orgUnit"), (3, "value"), (4, "period"), (5, "dataElement")}
    assert "N9" in conflicts[(2, "orgUnit")]
    assert conflicts[(3, "value")] == "«many» is not a number."
    assert "1402Q9" in conflicts[(4, "period")]
    assert "already value 1" in conflicts[(5, "dataElement")]
    assert sorted(IndicatorValue.objects.values_list("pk", "value", "version")) == before


def test_a_data_value_set_cannot_reach_past_the_callers_area(
    client, login, people, figures, areas, neighborhoods
):
    login(people.tehran_manager)
    body = data_values(("population", "I1", "1402", "1"))
    summary = post_json(client, f"{BASE}/dataValueSets", body, source="education-tehran").json()
    assert summary["status"] == "ERROR"
    assert [c["column"] for c in summary["conflicts"]] == ["orgUnit"]
    response = post_json(
        client, f"{BASE}/dataValueSets", body, area=areas.isfahan.pk, source="education-tehran"
    )
    assert_error(response, 404, "not_found")
    assert IndicatorValue.objects.get(area=neighborhoods.isfahan).value == Decimal(700)


def test_an_analyst_may_not_import(client, login, people, figures):
    login(people.tehran_analyst)
    body = data_values(("population", "N3", "1402", "50"))
    response = post_json(client, f"{BASE}/dataValueSets", body, source="education-tehran")
    assert_error(response, 403, "forbidden")
    assert IndicatorValue.objects.count() == 5


def test_a_caller_outside_any_organization_names_the_source(client, login, people, figures):
    login(people.tehran_manager)
    body = data_values(("population", "N3", "1402", "50"))
    error = assert_error(post_json(client, f"{BASE}/dataValueSets", body), 422)
    assert [detail["field"] for detail in error["details"]] == ["source"]


def test_what_the_owning_organization_reads_comes_back_unchanged(client, login, people, figures):
    login(people.focal_point)
    read = items(client.get(f"{BASE}/values", {"limit": 500}))
    assert len(read) == 4  # the Isfahan figure lies outside the focal point's grant
    body = {
        "dataValues": [
            {
                "dataElement": item["indicator"],
                "orgUnit": item["area_code"],
                "period": item["period"],
                "categoryOptionCombo": item["breakdown"],
                "value": item["value"],
                "comment": item["comment"],
            }
            for item in read
        ]
    }
    summary = post_json(client, f"{BASE}/dataValueSets", body, dryRun="true").json()
    assert summary["status"] == "SUCCESS", summary
    assert summary["importCount"] == {
        "imported": 0,
        "updated": 0,
        "ignored": 4,
        "deleted": 0,
        "hidden": 0,
    }


def test_an_adx_message_is_imported(client, login, people, figures, period):
    login(people.focal_point)
    adx = (
        '<adx xmlns="urn:ihe:qrph:adx:2015">'
        '<group orgUnit="N3" period="2023-03-21/P1Y" dataSet="census">'
        '<dataValue dataElement="population" value="75"/>'
        '<dataValue dataElement="population" SEX="female" value="40"/>'
        "</group></adx>"
    )
    response = client.post(f"{BASE}/dataValueSets", adx, content_type="application/adx+xml")
    assert response.json()["importCount"]["imported"] == 2
    values = IndicatorValue.objects.filter(area__code="N3", period=period)
    assert {(value.breakdown.code, value.value) for value in values} == {
        ("total", Decimal(75)),
        ("female", Decimal(40)),
    }


def test_a_body_that_is_not_json_is_a_conflict_not_a_crash(client, login, people, figures):
    login(people.focal_point)
    response = client.post(f"{BASE}/dataValueSets", "{not json", content_type="application/json")
    summary = response.json()
    assert summary["status"] == "ERROR"
    assert summary["conflictCount"] == 1
    assert IndicatorValue.objects.count() == 5


def test_another_content_type_is_a_415(client, login, people, figures):
    login(people.focal_point)
    response = client.post(f"{BASE}/dataValueSets", "a,b", content_type="text/csv")
    assert_error(response, 415)


def test_a_message_too_large_to_send_at_once_is_a_413(client, login, people, figures, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    login(people.focal_point)
    adx = '<adx xmlns="urn:ihe:qrph:adx:2015">' + " " * 2000 + "</adx>"
    response = client.post(f"{BASE}/dataValueSets", adx, content_type="application/adx+xml")
    assert_error(response, 413)
    assert IndicatorValue.objects.count() == 5


# -- Effective figures and the profile -------------------------------------------------------


def test_the_national_total_of_an_indicator_over_periods(client, login, people, figures, areas):
    login(people.admin)
    response = client.get(
        f"{BASE}/aggregates",
        {"indicator": "population", "area": areas.country.pk, "periods": "1401,۱۴۰۲,1403"},
    )
    assert response.status_code == 200, response.content
    series = response.json()
    assert (series["indicator"], series["area_id"], series["breakdown"]) == (
        "population",
        areas.country.pk,
        "total",
    )
    by_period = {item["period"]: item for item in series["items"]}
    assert list(by_period) == ["1401", "1402", "1403"]
    assert by_period["1402"]["value"] == "1100"
    assert by_period["1402"]["is_rollup"] is True
    assert (by_period["1402"]["reported"], by_period["1402"]["expected"]) == (2, 3)
    assert by_period["1402"]["completeness"] == "0.6667"
    assert by_period["1401"]["value"] == "90"
    assert by_period["1403"]["value"] is None
    assert by_period["1402"]["start"] == "2023-03-21"


def test_the_last_periods_of_a_type_are_the_completed_ones(client, login, people, figures, areas):
    login(people.admin)
    series = client.get(
        f"{BASE}/aggregates",
        {"indicator": "population", "area": areas.country.pk, "last": 8, "period_type": "quarter"},
    ).json()
    codes = [item["period"] for item in series["items"]]
    assert len(codes) == 8
    assert all("Q" in code for code in codes)
    assert codes == sorted(codes)
    ends = [item["end"] for item in series["items"]]
    assert ends[-1] < jalali.today().isoformat()


def test_a_calculated_indicator_is_the_ratio_of_the_sums(
    client, login, people, catalogue, neighborhoods, areas, period
):
    for area, active, unemployed in (
        (neighborhoods.n1, "100", "10"),
        (neighborhoods.n2, "300", "50"),
    ):
        set_value(actor=None, indicator=catalogue.active, area=area, period=period, value=active)
        set_value(
            actor=None, indicator=catalogue.unemployed, area=area, period=period, value=unemployed
        )
    login(people.tehran_manager)
    series = client.get(
        f"{BASE}/aggregates",
        {"indicator": "unemployment_rate", "area": areas.district6.pk, "periods": "1402"},
    ).json()
    assert series["items"][0]["value"] == "15"


def test_a_small_rolled_up_count_is_suppressed_outside_the_owning_organization(
    client, login, people, figures, areas
):
    query = {"indicator": "households", "area": areas.district6.pk, "periods": "1402"}
    login(people.tehran_manager)
    hidden = client.get(f"{BASE}/aggregates", query).json()["items"][0]
    assert (hidden["value"], hidden["suppressed"]) == (None, True)
    login(people.focal_point)
    shown = client.get(f"{BASE}/aggregates", query).json()["items"][0]
    assert (shown["value"], shown["suppressed"]) == ("3", False)


def test_a_rate_of_a_small_count_is_suppressed_like_the_count(
    client, login, people, catalogue, neighborhoods, areas, period
):
    set_value(
        actor=None, indicator=catalogue.active, area=neighborhoods.n1, period=period, value="400"
    )
    set_value(
        actor=None, indicator=catalogue.unemployed, area=neighborhoods.n1, period=period, value="3"
    )
    query = {"indicator": "unemployment_rate", "area": areas.district6.pk, "periods": "1402"}
    login(people.tehran_manager)
    hidden = client.get(f"{BASE}/aggregates", query).json()["items"][0]
    assert (hidden["value"], hidden["suppressed"]) == (None, True)
    login(people.focal_point)
    shown = client.get(f"{BASE}/aggregates", query).json()["items"][0]
    assert (shown["value"], shown["suppressed"]) == ("0.75", False)


@pytest.mark.parametrize(
    "query",
    [
        {"indicator": "population", "periods": "1402"},
        {"indicator": "population", "area": "x", "periods": "1402"},
        {"indicator": "population", "area": "{area}", "periods": "1402,next"},
        {"indicator": "population", "area": "{area}", "last": 0},
        {"indicator": "population", "area": "{area}", "breakdown": "tall"},
    ],
)
def test_a_bad_aggregate_query_is_a_422(client, login, people, figures, areas, query):
    login(people.tehran_manager)
    query = {key: str(value).format(area=areas.district6.pk) for key, value in query.items()}
    assert_error(client.get(f"{BASE}/aggregates", query), 422)


def test_an_unknown_indicator_is_a_404(client, login, people, figures, areas):
    login(people.tehran_manager)
    response = client.get(f"{BASE}/aggregates", {"indicator": "nothing", "area": areas.tehran.pk})
    assert_error(response, 404)


def test_the_profile_gives_each_key_figure_its_latest_value_and_trend(
    client, login, people, figures, neighborhoods
):
    login(people.focal_point)
    response = client.get(f"{BASE}/areas/{neighborhoods.n1.pk}/profile")
    assert response.status_code == 200, response.content
    profile = response.json()
    assert profile["area"]["code"] == "N1"
    assert profile["area"]["level"] == "neighborhood"
    assert profile["parent"]["code"] == "2301021606"
    assert profile["periods"] == ["1401", "1402"]
    rows = {row["indicator"]: row for section in profile["sections"] for row in section["rows"]}
    population = rows["population"]
    assert (population["period"], population["value"], population["source"]) == (
        "1402",
        "100",
        "education-tehran",
    )
    assert [(point["period"], point["value"]) for point in population["series"]] == [
        ("1401", "90"),
        ("1402", "100"),
    ]
    assert population["parent_value"] == "400"
    assert rows["households"]["value"] == "3"


def test_the_profile_suppresses_small_counts_outside_the_owning_organization(
    client, login, people, figures, neighborhoods
):
    login(people.tehran_manager)
    profile = client.get(f"{BASE}/areas/{neighborhoods.n1.pk}/profile").json()
    rows = {row["indicator"]: row for section in profile["sections"] for row in section["rows"]}
    households = rows["households"]
    assert (households["value"], households["suppressed"]) == (None, True)
    assert [point["value"] for point in households["series"]] == [None]
    assert households["parent_value"] is None
    assert rows["population"]["value"] == "100"


def test_the_profile_of_an_isfahan_area_is_404_for_the_tehran_manager(
    client, login, people, figures, neighborhoods
):
    login(people.tehran_manager)
    response = client.get(f"{BASE}/areas/{neighborhoods.isfahan.pk}/profile")
    assert_error(response, 404, "not_found")
    assert "700" not in response.content.decode()


# -- Query budgets ---------------------------------------------------------------------------


def more_values(catalogue, neighborhoods):
    for year in range(1390, 1400):
        on = Period.objects.get(code=str(year))
        for area in (neighborhoods.n1, neighborhoods.n2, neighborhoods.n3):
            set_value(actor=None, indicator=catalogue.households, area=area, period=on, value="2")


@pytest.mark.parametrize(
    "path",
    [
        "/values?limit=500",
        "/values?limit=500&indicator=households",
        "/values?below=true&limit=500&area={district6}",
    ],
)
def test_the_values_list_makes_as_many_queries_for_many_rows_as_for_few(
    client, login, people, figures, neighborhoods, areas, count_queries, path
):
    login(people.tehran_manager)
    url = BASE + path.format(district6=areas.district6.pk)
    few = count_queries(lambda: client.get(url))
    more_values(figures, neighborhoods)
    assert len(items(client.get(url))) > 30
    assert count_queries(lambda: client.get(url)) == few


def test_the_catalogue_lists_make_as_many_queries_for_many_rows_as_for_few(
    client, login, people, catalogue, data_set, count_queries
):
    login(people.tehran_analyst)
    urls = [f"{BASE}/?limit=500", f"{BASE}/data-sets?limit=500", f"{BASE}/periods?limit=500"]
    few = [count_queries(lambda url=url: client.get(url)) for url in urls]
    for number in range(5):
        Indicator.objects.create(
            code=f"extra{number}",
            name_fa="اضافه",
            value_type="count",
            category=catalogue.population.category,
            owner=catalogue.owner,
        )
        create_data_set(
            actor=None,
            code=f"set-{number}",
            name_fa="مجموعه",
            level=AreaLevel.objects.get(code="county"),
            period_type="quarter",
            owner=catalogue.owner,
            indicators=[catalogue.population, catalogue.active],
        )
    assert [count_queries(lambda url=url: client.get(url)) for url in urls] == few


def test_the_national_total_for_eight_periods_takes_a_handful_of_queries(
    client, people, figures, areas, count_queries
):
    _token, raw = token_for(people.admin)
    headers = {"Authorization": f"Bearer {raw}"}
    query = {"indicator": "population", "area": areas.country.pk, "last": 8, "period_type": "year"}
    assert client.get(f"{BASE}/aggregates", query, headers=headers).status_code == 200
    # The token and its user, the grants, the user's two-factor device (a privileged role's
    # token needs one), the indicator, the area, the breakdown, the periods, then the
    # roll-ups and the raw values, whether any count around them is small (secondary
    # suppression), and the reporting threshold of the indicator's data sets (partial).
    assert count_queries(lambda: client.get(f"{BASE}/aggregates", query, headers=headers)) == 11
