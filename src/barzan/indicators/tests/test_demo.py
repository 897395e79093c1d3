"""After `barzan demo`: the 1395 census for every county, rolled up to the country, and
synthetic neighborhood figures that say they are synthetic, owned by the agencies that
would report them, up to the current quarter, which is left partly unfilled."""

import csv
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Count

from barzan.geo import demo as geo_demo
from barzan.geo.models import Area
from barzan.indicators import demo, profiles, readers
from barzan.indicators.models import (
    DataSet,
    Indicator,
    IndicatorValue,
    Period,
    ValidationRule,
)
from barzan.registry import demo as registry_demo
from barzan.registry.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo geography, organizations and figures, loaded once for the module and rolled
    back after it (each test runs in a savepoint inside); return the figures' counts."""
    from conftest import seed_reference_data

    with django_db_blocker.unblock(), transaction.atomic():
        seed_reference_data()
        geo_demo.load()
        registry_demo.load()
        counts = demo.load()
        counts["imports"] = demo.import_current_quarter(actor=None)
        # Check the deferred foreign keys of the load now, once: otherwise PostgreSQL checks
        # them again at the end of every test, when its savepoint is rolled back.
        connection.check_constraints()
        yield counts
        transaction.set_rollback(True)


def _figure(code: str, area: Area, period: str, breakdown=None) -> Decimal | None:
    indicator = Indicator.objects.get(code=code)
    period = Period.objects.get(code=period)
    found = readers.figures(
        user=None,
        indicators=[indicator],
        areas=[area],
        periods=[period],
        breakdowns=[breakdown] if breakdown else None,
    )
    key = (indicator.pk, area.pk, period.pk, breakdown.pk if breakdown else _total())
    return found[key].value if key in found else None


def _total() -> int:
    return readers.total_breakdown_id()


def _csv(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_census_figures_roll_up_from_the_matched_counties_to_the_country(loaded):
    census = _csv(demo.CENSUS_FILE)
    counties = {row["county_code"] for row in census}
    assert loaded["census_counties"] + loaded["census_counties_skipped"] == len(counties) == 429
    assert loaded["census_counties"] > 400

    population = Indicator.objects.get(code="population")
    stored = IndicatorValue.objects.filter(
        indicator=population, period__code="1395", breakdown__code="total"
    )
    assert stored.count() == loaded["census_counties"]
    assert not stored.exclude(area__level__code="county").exists()
    matched_total = sum(int(value) for value in stored.values_list("value", flat=True))
    matched = set(stored.values_list("area__code", flat=True))
    unmatched = sum(
        int(row["male"]) + int(row["female"]) for row in census if row["county_code"] not in matched
    )
    assert matched_total + unmatched == 79_926_270

    country = Area.objects.get(level__code="country")
    assert _figure("population", country, "1395") == matched_total
    tehran = Area.objects.get(level__code="province", code="23")
    assert _figure("population", tehran, "1395") == 13_267_637
    # The sexes and the age groups add up to the total.
    assert _figure("population", tehran, "1395", _breakdown("male")) + _figure(
        "population", tehran, "1395", _breakdown("female")
    ) == Decimal(13_267_637)
    assert _figure("population", country, "1395", _breakdown("age-100-plus")) > 0
    assert Organization.objects.get(code="sci").reported_values.count() == loaded["census_values"]


def _breakdown(code):
    from barzan.indicators.models import Breakdown

    return Breakdown.objects.get(code=code)


def test_the_country_unemployment_rate_is_the_ratio_of_the_sums(loaded):
    active = unemployed = 0
    for row in _csv(demo.ACTIVITY_FILE):
        count = sum(int(row[column]) for column in demo.EDUCATION)
        if row["status"] == "Unemployed":
            unemployed += count
        else:
            active += count
    country = Area.objects.get(level__code="country")
    rate = _figure("unemployment_rate", country, "1395")
    assert rate == pytest.approx(Decimal(100) * unemployed / active, rel=Decimal("1e-12"))
    assert Decimal(10) < rate < Decimal(15)
    # Women with higher education are an education breakdown of their own, and the
    # census itself breaks none of the rules.
    assert _figure("unemployed", country, "1395", _breakdown("higher")) > 0
    counties = Area.objects.filter(level__code="county")
    census_rules = ValidationRule.objects.exclude(code="households-le-residents")
    assert not readers.violations(
        user=None, areas=counties, periods=Period.objects.filter(code="1395"), rules=census_rules
    )


def test_synthetic_figures_are_marked_and_give_each_neighborhood_a_trend(loaded):
    synthetic = Organization.objects.get(code="demo-synthetic")
    quarters = demo.quarters()
    values = IndicatorValue.objects.filter(source=synthetic)
    assert not values.exclude(indicator__code__in=demo.OWNERS).exists()
    assert not values.exclude(comment=demo.SYNTHETIC_COMMENT).exists()
    assert not values.exclude(area__is_synthetic=True).exists()
    assert not values.exclude(area__level__code="neighborhood").exists()
    finished = values.exclude(period__code=quarters[-1])
    assert finished.count() == loaded["neighborhoods"] * (len(quarters) - 1) * 10
    # Some counts are small enough to be suppressed.
    assert values.filter(indicator__code="social_housing_units", value__range=(1, 4)).exists()

    neighborhood = next(
        area
        for area in Area.objects.filter(level__code="neighborhood").order_by("code")
        if demo.current_state(area.code) == "complete"
    )
    profile = profiles.profile(user=None, area=neighborhood)
    assert profile.is_synthetic
    assert [period.code for period in profile.periods] == quarters
    rows = [row for section in profile.sections for row in section.rows]
    trends = {row.indicator.code: row for row in rows if row.figure is not None}
    assert len(trends) == 10
    assert all(len(row.series) == len(quarters) for row in trends.values())
    assert {row.source for row in trends.values()} == {synthetic}

    city = Area.objects.get(level__code="city", code=geo_demo.DEMO_CITY_CODE)
    assert _figure("households", city, quarters[-2]) > 1_000_000
    assert DataSet.objects.get(code="neighborhood-quarterly").indicators.count() == 10
    assert DataSet.objects.get(code="census-county").indicators.count() == 4


def test_the_quarters_end_with_the_one_the_clock_is_in():
    assert demo.quarters(date(2026, 12, 6)) == [
        "1403Q4", "1404Q1", "1404Q2", "1404Q3", "1404Q4", "1405Q1", "1405Q2", "1405Q3",
    ]  # fmt: skip
    # The first day of spring (1406/01/01) starts a new quarter and a new year.
    assert demo.quarters(date(2027, 3, 21))[-2:] == ["1405Q4", "1406Q1"]


def test_each_indicator_is_owned_by_the_agency_that_would_report_it(loaded):
    owners = dict(Indicator.objects.values_list("code", "owner__code"))
    assert owners["schools"] == owners["literacy_rate"] == "education-tehran"
    assert owners["health_centers"] == "health-tehran"
    assert owners["social_housing_units"] == "welfare-tehran"
    assert owners["households"] == "municipality-tehran"
    # The census stays with the statistics centre, and no indicator with the synthetic source.
    assert {owners[spec.code] for spec in demo.CENSUS_INDICATORS} == {"sci"}
    assert "demo-synthetic" not in owners.values()


def test_the_current_quarter_is_partly_filled_on_purpose(loaded):
    current = demo.quarters()[-1]
    neighborhoods = Area.objects.filter(level__code="neighborhood")
    reported = dict(
        IndicatorValue.objects.filter(period__code=current)
        .values_list("area_id")
        .annotate(count=Count("id"))
    )
    states = {area.pk: demo.current_state(area.code) for area in neighborhoods}
    municipality = list(demo.OWNERS.values()).count(demo.MUNICIPALITY)
    expected = {"empty": 0, "municipality": municipality, "complete": len(demo.OWNERS)}
    for pk, state in states.items():
        assert reported.get(pk, 0) == expected[state]
    assert set(states.values()) == {"empty", "municipality", "complete"}
    # District 6's secretary has some of each to see.
    district6 = {
        states[pk]
        for pk in neighborhoods.filter(parent__code="2301021606").values_list("pk", flat=True)
    }
    assert district6 == {"empty", "municipality", "complete"}


def test_the_municipality_uploads_its_current_figures_and_a_draft_with_a_mistake(loaded):
    applied, draft = loaded["imports"]
    assert (applied.status, applied.problem_count) == ("done", 0)
    assert (
        applied.new_count
        == IndicatorValue.objects.filter(
            period__code=demo.quarters()[-1], indicator__owner__code="municipality-tehran"
        ).count()
    )
    assert draft.status != "done"
    assert draft.problem_count == 1
    assert draft.problems[0]["line"] == 2


def test_a_few_neighborhoods_break_a_rule_on_purpose(loaded):
    broken = readers.violations(
        user=None,
        areas=Area.objects.filter(level__code="neighborhood"),
        periods=Period.objects.filter(code__in=demo.quarters()),
    )
    assert {violation.rule.code for violation in broken} == {"households-le-residents"}
    assert len({violation.area.pk for violation in broken}) == demo.BROKEN_NEIGHBORHOODS


def test_loading_again_changes_nothing(loaded):
    values = IndicatorValue.objects.count()
    assert demo.load() == {}
    assert IndicatorValue.objects.count() == values
