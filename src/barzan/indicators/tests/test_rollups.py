"""
Stored roll-ups up the area tree: sums, means, population-weighted means, ratios of sums,
completeness, and refreshing only what changed.

The tree: Iran › Tehran › Tehran county › Tehran city › district 6 › N1 (population
1,000), N2 (3,000), N3 (none); Iran › Isfahan › Isfahan county › I1 (500). Tehran also
has Shemiranat county, and Iran Kermanshah, neither of which reports.
"""

from datetime import date
from decimal import Decimal

import pytest

from barzan.geo.actions import merge_areas, update_area
from barzan.indicators import readers, rollups
from barzan.indicators.actions import create_indicator, update_indicator
from barzan.indicators.models import IndicatorAggregate

from .fixtures_core import (
    aggregate,
    aggregate_rows,
    enter_fixture,  # noqa: F401
    period_of,
    q6,
)


def rolled(indicator, area, period, breakdown="total"):
    """Return (value, reported, expected) of the stored roll-up, or None."""
    row = aggregate(indicator, area, period, breakdown)
    if row is None:
        return None
    return (q6(row.value), row.reported_count, row.expected_count)


def figure(indicator, area, period, breakdown=None):
    """Return the effective figure a reader gets, read as the system."""
    found = readers.figures(
        user=None,
        indicators=[indicator],
        areas=[area],
        periods=[period],
        breakdowns=[breakdown] if breakdown is not None else None,
    )
    key = (indicator.pk, area.pk, period.pk, getattr(breakdown, "pk", None))
    if breakdown is None:
        key = (indicator.pk, area.pk, period.pk, readers.total_breakdown_id())
    return found.get(key)


@pytest.fixture
def tree(areas, neighborhoods):
    """The areas and neighborhoods as one namespace."""
    from types import SimpleNamespace

    return SimpleNamespace(
        **vars(areas),
        n1=neighborhoods.n1,
        n2=neighborhoods.n2,
        n3=neighborhoods.n3,
        i1=neighborhoods.isfahan,
    )


class TestSums:
    def test_a_sum_adds_up_at_every_level(self, catalogue, tree, enter, period):
        population = catalogue.population
        for area, value in ((tree.n1, 100), (tree.n2, 200), (tree.n3, 300), (tree.i1, 50)):
            enter(population, area, str(value))
        assert rolled(population, tree.district6, period) == (q6(600), 3, 3)
        assert rolled(population, tree.tehran_city, period) == (q6(600), 1, 1)
        assert rolled(population, tree.tehran_county, period) == (q6(600), 1, 1)
        assert rolled(population, tree.tehran, period) == (q6(600), 1, 2)
        assert rolled(population, tree.isfahan_county, period) == (q6(50), 1, 1)
        assert rolled(population, tree.isfahan, period) == (q6(50), 1, 1)
        assert rolled(population, tree.country, period) == (q6(650), 2, 3)

    def test_fractions_add_up_exactly(self, catalogue, tree, enter, period):
        rate = create_indicator(
            actor=None,
            code="budget",
            name_fa="بودجه",
            category=catalogue.population.category,
            owner=catalogue.owner,
            value_type="number",
            aggregation="sum",
        )
        enter(rate, tree.n1, "0.1")
        enter(rate, tree.n2, "0.2")
        enter(rate, tree.n3, "1234567.123456")
        assert rolled(rate, tree.district6, period)[0] == Decimal("1234567.423456")

    def test_a_stock_adds_up_over_areas_like_a_sum(self, catalogue, tree, enter, period):
        schools = create_indicator(
            actor=None,
            code="schools",
            name_fa="مدارس",
            category=catalogue.population.category,
            owner=catalogue.owner,
            value_type="count",
            aggregation="last",
        )
        enter(schools, tree.n1, "3")
        enter(schools, tree.n2, "4")
        assert rolled(schools, tree.district6, period) == (q6(7), 2, 3)
        assert rolled(schools, tree.country, period) == (q6(7), 1, 3)

    def test_periods_roll_up_apart(self, catalogue, tree, enter, period):
        enter(catalogue.population, tree.n1, "100")
        enter(catalogue.population, tree.n1, "7", at=period_of("1402Q1"))
        assert rolled(catalogue.population, tree.district6, period)[0] == q6(100)
        assert rolled(catalogue.population, tree.district6, period_of("1402Q1"))[0] == q6(7)


class TestMeans:
    def test_a_weighted_mean_weighs_each_child_by_its_population(
        self, catalogue, tree, enter, period
    ):
        enter(catalogue.literacy, tree.n1, "80")  # 1,000 people
        enter(catalogue.literacy, tree.n2, "60")  # 3,000 people
        # (80 × 1,000 + 60 × 3,000) / 4,000 = 65, where a plain mean would give 70.
        assert rolled(catalogue.literacy, tree.district6, period) == (q6(65), 2, 3)

    def test_a_child_without_a_population_is_left_out_of_the_weighted_mean(
        self, catalogue, tree, enter, period
    ):
        enter(catalogue.literacy, tree.n1, "80")
        enter(catalogue.literacy, tree.n2, "60")
        enter(catalogue.literacy, tree.n3, "10")  # no population
        assert rolled(catalogue.literacy, tree.district6, period) == (q6(65), 3, 3)

    def test_a_parent_without_a_population_weighs_what_its_children_weighed(
        self, catalogue, tree, enter, period
    ):
        enter(catalogue.literacy, tree.n1, "80")  # 1,000 people
        enter(catalogue.literacy, tree.n2, "60")  # 3,000 people
        enter(catalogue.literacy, tree.i1, "90")  # 500 people
        # No area above the neighborhoods has a population: each weighs its reporting
        # neighborhoods, so the mean is the same at every level as over the leaves.
        for area in (tree.district6, tree.tehran_city, tree.tehran_county, tree.tehran):
            assert rolled(catalogue.literacy, area, period)[0] == q6(65), area.code
        assert aggregate(catalogue.literacy, tree.tehran, period).weight == Decimal(4000)
        # (80 × 1,000 + 60 × 3,000 + 90 × 500) / 4,500
        assert rolled(catalogue.literacy, tree.country, period)[0] == Decimal("67.777778")

    def test_a_raw_value_at_a_parent_without_a_population_still_counts_above(
        self, catalogue, tree, enter, period
    ):
        enter(catalogue.literacy, tree.n1, "80")
        enter(catalogue.literacy, tree.n2, "60")
        enter(catalogue.literacy, tree.district6, "70")  # the district's own survey
        assert rolled(catalogue.literacy, tree.tehran_city, period)[0] == q6(70)

    def test_no_child_with_a_population_gives_no_weighted_mean(
        self, catalogue, tree, enter, period
    ):
        enter(catalogue.literacy, tree.n3, "10")
        # Nothing to weigh by: no value rather than a guess (district 6 has no population
        # either, so nothing above it gets a value).
        assert rolled(catalogue.literacy, tree.district6, period) == (None, 1, 3)
        assert rolled(catalogue.literacy, tree.tehran_city, period) is None

    def test_a_weighted_mean_carries_up_by_the_populations_of_each_level(
        self, catalogue, tree, enter, period
    ):
        for area, population in (
            (tree.district6, 4000),
            (tree.tehran_city, 4000),
            (tree.tehran_county, 4000),
            (tree.tehran, 4000),
            (tree.isfahan_county, 1000),
            (tree.isfahan, 1000),
        ):
            update_area(actor=None, area=area, version=None, population=population)
        enter(catalogue.literacy, tree.n1, "80")
        enter(catalogue.literacy, tree.n2, "60")
        enter(catalogue.literacy, tree.i1, "90")
        for area in (tree.district6, tree.tehran_city, tree.tehran_county, tree.tehran):
            assert rolled(catalogue.literacy, area, period)[0] == q6(65), area.code
        assert rolled(catalogue.literacy, tree.isfahan, period)[0] == q6(90)
        # (65 × 4,000 + 90 × 1,000) / 5,000
        assert rolled(catalogue.literacy, tree.country, period)[0] == q6(70)

    def test_a_weighted_mean_keeps_six_decimals(self, catalogue, tree, enter, period):
        enter(catalogue.literacy, tree.n1, "100")
        enter(catalogue.literacy, tree.n2, "0")
        update_area(actor=None, area=tree.n2, version=None, population=2000)
        enter(catalogue.literacy, tree.n2, "1")  # refresh with the new population
        # (100 × 1,000 + 1 × 2,000) / 3,000 = 34
        assert rolled(catalogue.literacy, tree.district6, period)[0] == q6(34)
        enter(catalogue.literacy, tree.n1, "99")
        # (99 × 1,000 + 2,000) / 3,000 = 33.666…
        assert rolled(catalogue.literacy, tree.district6, period)[0] == Decimal("33.666667")

    def test_a_new_population_reweighs_the_stored_means(self, catalogue, tree, enter, period):
        enter(catalogue.literacy, tree.n1, "80")
        enter(catalogue.literacy, tree.n2, "60")
        update_area(actor=None, area=tree.n2, version=None, population=1000)
        # (80 × 1,000 + 60 × 1,000) / 2,000
        assert rolled(catalogue.literacy, tree.district6, period)[0] == q6(70)

    def test_a_mean_is_the_plain_mean_of_the_children(self, catalogue, tree, enter, period):
        satisfaction = catalogue.satisfaction
        for area, value in ((tree.n1, "8"), (tree.n2, "6"), (tree.n3, "4"), (tree.i1, "2")):
            enter(satisfaction, area, value)
        assert rolled(satisfaction, tree.district6, period) == (q6(6), 3, 3)
        assert rolled(satisfaction, tree.tehran, period) == (q6(6), 1, 2)
        # The mean of Tehran (6) and Isfahan (2), each counted once.
        assert rolled(satisfaction, tree.country, period) == (q6(4), 2, 3)

    def test_a_mean_of_thirds_is_rounded_to_six_places(self, catalogue, tree, enter, period):
        enter(catalogue.satisfaction, tree.n1, "1")
        enter(catalogue.satisfaction, tree.n2, "1")
        enter(catalogue.satisfaction, tree.n3, "0")
        assert rolled(catalogue.satisfaction, tree.district6, period)[0] == Decimal("0.666667")


class TestRatios:
    """A calculated figure is a ratio of sums at every level, never a mean of ratios."""

    @pytest.fixture
    def entered(self, catalogue, tree, enter):
        for area, unemployed, active in (
            (tree.n1, "10", "100"),  # 10%
            (tree.n2, "90", "300"),  # 30%: the mean of the ratios would be 20%
            (tree.i1, "1", "50"),  # 2%
        ):
            enter(catalogue.unemployed, area, unemployed)
            enter(catalogue.active, area, active)

    def test_a_ratio_is_the_ratio_of_the_sums_at_every_level(
        self, catalogue, tree, entered, period
    ):
        rate = catalogue.unemployment_rate
        assert figure(rate, tree.n1, period).value == Decimal(10)
        assert figure(rate, tree.n2, period).value == Decimal(30)
        for area in (tree.district6, tree.tehran_city, tree.tehran_county, tree.tehran):
            assert q6(figure(rate, area, period).value) == q6(25), area.code
        # 100 × (10 + 90 + 1) / (100 + 300 + 50)
        assert q6(figure(rate, tree.country, period).value) == Decimal("22.444444")

    def test_a_ratio_is_never_stored(self, catalogue, entered):
        assert not IndicatorAggregate.objects.filter(indicator=catalogue.unemployment_rate).exists()

    def test_a_ratio_of_a_breakdown_divides_the_sums_of_that_breakdown(
        self, catalogue, tree, enter, period
    ):
        female = readers.Breakdown.objects.get(code="female")
        enter(catalogue.unemployed, tree.n1, "1", by="female")
        enter(catalogue.active, tree.n1, "10", by="female")
        enter(catalogue.unemployed, tree.n2, "9", by="female")
        enter(catalogue.active, tree.n2, "90", by="female")
        value = figure(catalogue.unemployment_rate, tree.district6, period, female).value
        assert q6(value) == q6(10)

    def test_a_ratio_with_a_zero_or_missing_denominator_has_no_value(
        self, catalogue, tree, enter, period
    ):
        enter(catalogue.unemployed, tree.n1, "5")
        assert figure(catalogue.unemployment_rate, tree.n1, period) is None
        enter(catalogue.active, tree.n1, "0")
        assert figure(catalogue.unemployment_rate, tree.n1, period) is None


class TestWhatIsStored:
    def test_an_indicator_not_aggregated_stores_no_roll_up(self, catalogue, tree, enter):
        enter(catalogue.has_park, tree.n1, "1")
        enter(catalogue.has_park, tree.n2, "0")
        assert not IndicatorAggregate.objects.filter(indicator=catalogue.has_park).exists()

    def test_breakdowns_roll_up_separately(self, catalogue, tree, enter, period):
        population = catalogue.population
        enter(population, tree.n1, "100")
        enter(population, tree.n1, "40", by="female")
        enter(population, tree.n2, "60", by="female")
        enter(population, tree.n1, "50", by="male")
        enter(population, tree.n1, "7", by="age-0-4")
        assert rolled(population, tree.district6, period) == (q6(100), 1, 3)
        assert rolled(population, tree.district6, period, "female") == (q6(100), 2, 3)
        assert rolled(population, tree.district6, period, "male") == (q6(50), 1, 3)
        assert rolled(population, tree.country, period, "age-0-4") == (q6(7), 1, 3)

    def test_a_raw_value_at_a_parent_wins_over_its_roll_up(self, catalogue, tree, enter, period):
        population = catalogue.population
        enter(population, tree.n1, "100")
        enter(population, tree.n2, "200")
        enter(population, tree.district6, "1000")  # the district's own census
        assert rolled(population, tree.district6, period) == (q6(300), 2, 3)
        assert rolled(population, tree.tehran_city, period) == (q6(1000), 1, 1)
        assert rolled(population, tree.country, period) == (q6(1000), 1, 3)
        district = figure(population, tree.district6, period)
        assert (q6(district.value), district.is_rollup) == (q6(1000), False)
        assert (district.reported, district.expected) == (2, 3)

    def test_a_raw_value_at_a_parent_still_wins_after_its_children_change(
        self, catalogue, tree, enter, period
    ):
        population = catalogue.population
        enter(population, tree.district6, "1000")
        enter(population, tree.n1, "100")
        assert rolled(population, tree.district6, period)[0] == q6(100)
        assert rolled(population, tree.tehran_city, period)[0] == q6(1000)

    def test_clearing_the_parents_raw_value_brings_back_its_roll_up(
        self, catalogue, tree, enter, period
    ):
        population = catalogue.population
        enter(population, tree.n1, "100")
        enter(population, tree.district6, "1000")
        enter(population, tree.district6, "")
        assert rolled(population, tree.tehran_city, period)[0] == q6(100)


class TestCompleteness:
    def test_completeness_is_the_children_reporting_of_those_expected(
        self, catalogue, tree, enter, period
    ):
        enter(catalogue.population, tree.n1, "100")
        enter(catalogue.population, tree.n2, "200")
        row = aggregate(catalogue.population, tree.district6, period)
        assert (row.reported_count, row.expected_count) == (2, 3)
        assert row.completeness == Decimal(2) / Decimal(3)
        assert figure(catalogue.population, tree.district6, period).completeness == row.completeness

    def test_an_ended_area_is_not_expected_after_it_ended(self, catalogue, tree, enter):
        n4 = merge_areas(
            actor=None,
            areas=[tree.n2, tree.n3],
            code="N4",
            name_fa="محله چهار",
            date=date(2022, 9, 1),  # in 1401
        )
        enter(catalogue.population, tree.n1, "10")
        enter(catalogue.population, n4, "20")
        # 1402: N1 and N4 only.
        assert rolled(catalogue.population, tree.district6, period_of("1402")) == (q6(30), 2, 2)

    def test_an_area_is_not_expected_before_it_began(self, catalogue, tree, enter):
        merge_areas(
            actor=None,
            areas=[tree.n2, tree.n3],
            code="N4",
            name_fa="محله چهار",
            date=date(2022, 9, 1),
        )
        enter(catalogue.population, tree.n1, "10", at=period_of("1400"))
        # 1400: N1, N2 and N3, not N4, which began in 1401.
        assert rolled(catalogue.population, tree.district6, period_of("1400")) == (q6(10), 1, 3)
        enter(catalogue.population, tree.n1, "10", at=period_of("1401"))
        # 1401 saw all four.
        assert rolled(catalogue.population, tree.district6, period_of("1401")) == (q6(10), 1, 4)


class TestRefreshing:
    @pytest.fixture
    def entered(self, catalogue, tree, enter):
        enter(catalogue.population, tree.n1, "100")
        enter(catalogue.population, tree.n2, "200")
        enter(catalogue.population, tree.i1, "50")

    def rows_of(self, indicator, *areas):
        return {
            row.area_id: (row.pk, q6(row.value))
            for row in IndicatorAggregate.objects.filter(indicator=indicator, area__in=areas)
        }

    def test_changing_a_neighborhood_rewrites_only_its_ancestors(
        self, catalogue, tree, entered, enter
    ):
        population = catalogue.population
        isfahan_before = self.rows_of(population, tree.isfahan_county, tree.isfahan)
        tehran_before = self.rows_of(population, tree.district6, tree.tehran)
        enter(population, tree.n1, "150")
        assert self.rows_of(population, tree.isfahan_county, tree.isfahan) == isfahan_before
        tehran_after = self.rows_of(population, tree.district6, tree.tehran)
        # The ancestors' rows were written anew, the other province's were not touched.
        assert {pk for pk, _value in tehran_after.values()}.isdisjoint(
            pk for pk, _value in tehran_before.values()
        )
        assert tehran_after[tree.district6.pk][1] == q6(350)
        assert tehran_after[tree.tehran.pk][1] == q6(350)
        assert rolled(population, tree.country, readers.Period.objects.get(code="1402"))[0] == q6(
            400
        )

    def test_refreshing_writes_one_row_per_ancestor(self, catalogue, tree, entered, period):
        written = rollups.refresh(
            area_ids=[tree.n1.pk], indicator_ids=[catalogue.population.pk], period_ids=[period.pk]
        )
        # District 6, Tehran city, Tehran county, Tehran, Iran.
        assert written == 5

    def test_refreshing_does_not_touch_other_indicators_or_periods(
        self, catalogue, tree, entered, enter, period
    ):
        enter(catalogue.households, tree.n1, "30")
        enter(catalogue.population, tree.n1, "9", at=period_of("1401"))
        others = {
            row.pk
            for row in IndicatorAggregate.objects.exclude(
                indicator=catalogue.population, period=period
            )
        }
        enter(catalogue.population, tree.n1, "101")
        assert others <= set(IndicatorAggregate.objects.values_list("pk", flat=True))

    def test_refreshing_no_indicator_or_no_period_writes_nothing(
        self, catalogue, tree, entered, period
    ):
        before = aggregate_rows()
        population = [catalogue.population.pk]
        assert rollups.refresh(area_ids=[tree.n1.pk], indicator_ids=[], period_ids=[]) == 0
        assert rollups.refresh(area_ids=[tree.n1.pk], indicator_ids=population, period_ids=[]) == 0
        assert rollups.refresh(area_ids=[tree.n1.pk], indicator_ids=[], period_ids=[period.pk]) == 0
        assert aggregate_rows() == before

    def test_refreshing_an_indicator_without_figures_writes_nothing(
        self, catalogue, tree, entered, period
    ):
        written = rollups.refresh(
            area_ids=[tree.n1.pk], indicator_ids=[catalogue.households.pk], period_ids=[period.pk]
        )
        assert written == 0

    def test_refreshing_several_areas_rewrites_the_ancestors_of_each(
        self, catalogue, tree, enter, period
    ):
        enter(catalogue.population, tree.n1, "100")
        enter(catalogue.population, tree.i1, "50")
        IndicatorAggregate.objects.all().delete()
        written = rollups.refresh(
            area_ids=[tree.n1.pk, tree.i1.pk, tree.n1.pk],
            indicator_ids=[catalogue.population.pk],
            period_ids=[period.pk],
        )
        # District 6, Tehran city, Tehran county, Tehran; Isfahan county, Isfahan; Iran once.
        assert written == 7
        assert rolled(catalogue.population, tree.country, period) == (Decimal(150), 2, 3)

    def test_the_cost_of_a_refresh_does_not_grow_with_the_areas(
        self, catalogue, tree, entered, period, count_queries
    ):
        period_ids = [period.pk, period_of("1401").pk]

        def refresh(*areas):
            return lambda: rollups.refresh(
                area_ids=[a.pk for a in areas],
                indicator_ids=[catalogue.population.pk, catalogue.households.pk],
                period_ids=period_ids,
            )

        one = count_queries(refresh(tree.n1))
        many = count_queries(refresh(tree.n1, tree.n2, tree.n3, tree.i1))
        assert one == 1 + 2 * 5  # the paths, then a delete and an insert per level
        assert many == one

    def test_clearing_a_value_removes_it_from_the_roll_ups(
        self, catalogue, tree, entered, enter, period
    ):
        enter(catalogue.population, tree.n2, "")
        assert rolled(catalogue.population, tree.district6, period) == (q6(100), 1, 3)
        assert rolled(catalogue.population, tree.country, period) == (q6(150), 2, 3)

    def test_clearing_the_last_value_below_an_area_removes_its_roll_up(
        self, catalogue, tree, entered, enter, period
    ):
        enter(catalogue.population, tree.n1, "")
        enter(catalogue.population, tree.n2, "")
        for area in (tree.district6, tree.tehran_city, tree.tehran_county, tree.tehran):
            assert rolled(catalogue.population, area, period) is None
        assert rolled(catalogue.population, tree.country, period) == (q6(50), 1, 3)


class TestChangingTheRule:
    @pytest.fixture
    def entered(self, catalogue, tree, enter):
        for area, value in ((tree.n1, "8"), (tree.n2, "6"), (tree.n3, "4")):
            enter(catalogue.satisfaction, area, value)

    def change(self, indicator, **changes):
        indicator.refresh_from_db()
        return update_indicator(
            actor=None, indicator=indicator, version=indicator.version, **changes
        )

    def test_the_roll_ups_follow_a_new_aggregation(self, catalogue, tree, entered, period):
        assert rolled(catalogue.satisfaction, tree.district6, period)[0] == q6(6)
        self.change(catalogue.satisfaction, aggregation="sum")
        assert rolled(catalogue.satisfaction, tree.district6, period)[0] == q6(18)
        assert rolled(catalogue.satisfaction, tree.country, period)[0] == q6(18)

    def test_weighting_by_population_rewrites_the_roll_ups(self, catalogue, tree, entered, period):
        self.change(catalogue.satisfaction, aggregation="weighted_mean")
        # (8 × 1,000 + 6 × 3,000) / 4,000
        assert rolled(catalogue.satisfaction, tree.district6, period)[0] == Decimal("6.5")

    def test_no_longer_aggregating_removes_the_roll_ups(self, catalogue, tree, entered):
        self.change(catalogue.satisfaction, aggregation="none")
        assert not IndicatorAggregate.objects.filter(indicator=catalogue.satisfaction).exists()
        self.change(catalogue.satisfaction, aggregation="mean")
        assert IndicatorAggregate.objects.filter(indicator=catalogue.satisfaction).count() == 5

    def test_a_change_of_another_field_leaves_the_roll_ups_alone(self, catalogue, entered):
        before = set(
            IndicatorAggregate.objects.filter(indicator=catalogue.satisfaction).values_list(
                "pk", flat=True
            )
        )
        self.change(catalogue.satisfaction, name_en="Contentment")
        after = set(
            IndicatorAggregate.objects.filter(indicator=catalogue.satisfaction).values_list(
                "pk", flat=True
            )
        )
        assert after == before


class TestRebuild:
    def test_a_rebuild_gives_the_rows_incremental_refreshes_gave(
        self, catalogue, tree, enter, period
    ):
        quarter = period_of("1402Q2")
        for area, population, literacy, satisfaction in (
            (tree.n1, "100", "80", "8"),
            (tree.n2, "200", "60", "6"),
            (tree.n3, "300", "50", "4"),
            (tree.i1, "50", "90", "2"),
        ):
            enter(catalogue.population, area, population)
            enter(catalogue.population, area, population, at=quarter)
            enter(catalogue.literacy, area, literacy)
            enter(catalogue.satisfaction, area, satisfaction)
        enter(catalogue.population, tree.n1, "40", by="female")
        enter(catalogue.population, tree.district6, "1000")
        enter(catalogue.has_park, tree.n1, "1")
        enter(catalogue.unemployed, tree.n2, "10")
        enter(catalogue.active, tree.n2, "100")
        enter(catalogue.satisfaction, tree.n3, "")
        incremental = aggregate_rows()
        assert len(incremental) > 20
        written = rollups.rebuild()
        assert aggregate_rows() == incremental
        # Counted over both periods and every indicator.
        assert written == len(incremental)

    def test_a_rebuild_restores_roll_ups_that_were_lost(self, catalogue, tree, enter):
        enter(catalogue.population, tree.n1, "100")
        enter(catalogue.satisfaction, tree.i1, "3")
        incremental = aggregate_rows()
        IndicatorAggregate.objects.all().delete()
        written = rollups.rebuild()
        assert aggregate_rows() == incremental
        assert written == len(incremental)

    def test_a_rebuild_of_nothing_writes_nothing(self, catalogue):
        assert rollups.rebuild() == 0
