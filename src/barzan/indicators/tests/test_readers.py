"""
Reading figures: effective values within the reader's scope, the profile of an area, and
the validation rules a set of figures breaks.
"""

from decimal import Decimal

import pytest

from barzan.indicators import profiles, readers

from .fixtures_core import enter_fixture, period_of, q6, welfare_indicator_fixture  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")


def values_of(found: dict) -> dict[tuple[int, int], Decimal]:
    """Return {(indicator id, area id): value} of a figures() answer (one period, total)."""
    return {(key[0], key[1]): q6(figure.value) for key, figure in found.items()}


@pytest.fixture
def entered(catalogue, neighborhoods, enter):
    """Population in three neighborhoods of Tehran and one of Isfahan."""
    for area, value in (
        (neighborhoods.n1, "1000"),
        (neighborhoods.n2, "3000"),
        (neighborhoods.n3, "500"),
        (neighborhoods.isfahan, "700"),
    ):
        enter(catalogue.population, area, value)


class TestFigures:
    def test_the_tehran_manager_reads_nothing_of_isfahan(
        self, catalogue, neighborhoods, areas, entered, people, period
    ):
        found = readers.figures(
            user=people.tehran_manager,
            indicators=[catalogue.population],
            areas=[neighborhoods.isfahan, areas.isfahan_county, areas.isfahan],
            periods=[period],
        )
        assert found == {}

    def test_the_tehran_manager_reads_tehran_raw_and_rolled_up(
        self, catalogue, neighborhoods, areas, entered, people, period
    ):
        found = readers.figures(
            user=people.tehran_manager,
            indicators=[catalogue.population],
            areas=[neighborhoods.n1, areas.district6, neighborhoods.isfahan, areas.country],
            periods=[period],
        )
        assert values_of(found) == {
            (catalogue.population.pk, neighborhoods.n1.pk): q6(1000),
            (catalogue.population.pk, areas.district6.pk): q6(4500),
        }
        district = found[
            (catalogue.population.pk, areas.district6.pk, period.pk, readers.total_breakdown_id())
        ]
        assert (district.is_rollup, district.reported, district.expected) == (True, 3, 3)

    def test_the_national_admin_reads_everything(
        self, catalogue, neighborhoods, areas, entered, people, period
    ):
        found = readers.figures(
            user=people.admin,
            indicators=[catalogue.population],
            areas=[neighborhoods.isfahan, areas.country],
            periods=[period],
        )
        assert values_of(found) == {
            (catalogue.population.pk, neighborhoods.isfahan.pk): q6(700),
            (catalogue.population.pk, areas.country.pk): q6(5200),
        }

    def test_someone_without_a_grant_reads_nothing(
        self, catalogue, neighborhoods, entered, people, period
    ):
        found = readers.figures(
            user=people.nobody,
            indicators=[catalogue.population],
            areas=[neighborhoods.n1],
            periods=[period],
        )
        assert found == {}

    def test_a_focal_point_reads_only_their_agencys_figures(
        self, catalogue, neighborhoods, entered, enter, people, period, welfare_indicator
    ):
        enter(welfare_indicator, neighborhoods.n1, "40")
        found = readers.figures(
            user=people.focal_point,
            indicators=[catalogue.population, welfare_indicator],
            areas=[neighborhoods.n1, neighborhoods.isfahan],
            periods=[period],
        )
        assert values_of(found) == {(catalogue.population.pk, neighborhoods.n1.pk): q6(1000)}

    def test_the_system_reads_everything(self, catalogue, neighborhoods, entered, period):
        found = readers.figures(
            user=None,
            indicators=[catalogue.population],
            areas=[neighborhoods.n1, neighborhoods.isfahan],
            periods=[period],
        )
        assert len(found) == 2

    def test_a_series_lists_the_periods_that_have_a_figure_in_order(
        self, catalogue, neighborhoods, enter, people
    ):
        enter(catalogue.population, neighborhoods.n1, "900", at=period_of("1400"))
        enter(catalogue.population, neighborhoods.n1, "1000", at=period_of("1402"))
        periods = [period_of(code) for code in ("1400", "1401", "1402")]
        series = readers.indicator_series(
            user=people.tehran_analyst,
            indicator=catalogue.population,
            area=neighborhoods.n1,
            periods=periods,
        )
        assert [(p.code, q6(f.value)) for p, f in series] == [
            ("1400", q6(900)),
            ("1402", q6(1000)),
        ]


@pytest.fixture
def ranked(catalogue, neighborhoods, enter):
    """Three sibling neighborhoods, so that each figure has a rank among them."""
    for area, unemployed, active, literacy, households in (
        (neighborhoods.n1, "10", "100", "80", "300"),
        (neighborhoods.n2, "90", "300", "60", "900"),
        (neighborhoods.n3, "50", "200", "70", "400"),
    ):
        enter(catalogue.unemployed, area, unemployed)
        enter(catalogue.active, area, active)
        enter(catalogue.literacy, area, literacy)
        enter(catalogue.households, area, households)


def rows_by_code(profile) -> dict:
    return {row.indicator.code: row for section in profile.sections for row in section.rows}


class TestProfile:
    def test_higher_is_better_ranks_the_largest_first(self, neighborhoods, ranked, people):
        ranks = {
            area: rows_by_code(profiles.profile(user=people.tehran_manager, area=area))["literacy"]
            for area in (neighborhoods.n1, neighborhoods.n2, neighborhoods.n3)
        }
        assert [(ranks[a].rank, ranks[a].rank_of) for a in ranks] == [(1, 3), (3, 3), (2, 3)]

    def test_lower_is_better_ranks_the_smallest_first(self, neighborhoods, ranked, people):
        rows = {
            area.code: rows_by_code(profiles.profile(user=people.tehran_manager, area=area))
            for area in (neighborhoods.n1, neighborhoods.n2, neighborhoods.n3)
        }
        # A count ranks only per 1,000 residents, and N3 has no population: no rank.
        assert [rows[code]["unemployed"].rank for code in ("N1", "N2", "N3")] == [None] * 3
        # A ratio ranks: 10%, 30% and 25% unemployed.
        assert [rows[code]["unemployment_rate"].rank for code in ("N1", "N2", "N3")] == [
            1,
            3,
            2,
        ]

    def test_a_neutral_figure_has_no_rank(self, neighborhoods, ranked, people):
        row = rows_by_code(profiles.profile(user=people.tehran_manager, area=neighborhoods.n1))[
            "households"
        ]
        assert (row.rank, row.rank_of) == (None, None)

    def test_equal_figures_share_a_rank(self, catalogue, neighborhoods, ranked, enter, people):
        enter(catalogue.literacy, neighborhoods.n3, "80")
        rows = [
            rows_by_code(profiles.profile(user=people.tehran_manager, area=area))["literacy"]
            for area in (neighborhoods.n1, neighborhoods.n3, neighborhoods.n2)
        ]
        assert [row.rank for row in rows] == [1, 1, 3]

    def test_the_rank_counts_only_the_siblings_the_user_may_see(
        self, catalogue, neighborhoods, ranked, make_user
    ):
        one = make_user("n1-secretary", "council_secretary", neighborhoods.n1)
        row = rows_by_code(profiles.profile(user=one, area=neighborhoods.n1))["literacy"]
        assert row.figure.value == Decimal(80)
        assert (row.rank, row.rank_of) == (None, None)

    def test_the_parent_is_compared_when_the_user_may_see_it(
        self, neighborhoods, areas, ranked, people
    ):
        profile = profiles.profile(user=people.tehran_manager, area=neighborhoods.n1)
        assert profile.parent == areas.district6
        rows = rows_by_code(profile)
        assert q6(rows["households"].parent_value) == q6(1600)
        assert rows["households"].parent_shown == "1,600"
        # The district's literacy, weighted by the populations of N1 and N2: N3 has none.
        assert q6(rows["literacy"].parent_value) == q6(65)
        # The district's ratio of sums: 150 / 600.
        assert q6(rows["unemployment_rate"].parent_value) == q6(25)

    def test_the_parent_is_not_compared_when_the_user_may_not_see_it(
        self, neighborhoods, ranked, make_user
    ):
        one = make_user("n1-secretary", "council_secretary", neighborhoods.n1)
        profile = profiles.profile(user=one, area=neighborhoods.n1)
        assert profile.parent is None
        assert profile.sibling_count == 1
        for row in rows_by_code(profile).values():
            assert (row.parent_value, row.parent_shown) == (None, "")

    def test_a_roll_up_shows_its_completeness(self, catalogue, areas, neighborhoods, enter, people):
        enter(catalogue.population, neighborhoods.n1, "1000")
        enter(catalogue.population, neighborhoods.n2, "3000")
        row = rows_by_code(profiles.profile(user=people.tehran_manager, area=areas.district6))[
            "population"
        ]
        assert row.figure.is_rollup is True
        assert (row.figure.reported, row.figure.expected) == (2, 3)
        assert row.figure.completeness == Decimal(2) / Decimal(3)

    def test_a_reported_figure_names_its_source_and_a_roll_up_the_owner(
        self, catalogue, areas, neighborhoods, enter, people, organizations
    ):
        enter(catalogue.population, neighborhoods.n1, "1000", source=organizations.welfare_tehran)
        enter(catalogue.households, neighborhoods.n1, "300")
        rows = rows_by_code(profiles.profile(user=people.tehran_manager, area=neighborhoods.n1))
        assert rows["population"].source == organizations.welfare_tehran
        assert rows["households"].source == catalogue.owner
        district = rows_by_code(profiles.profile(user=people.tehran_manager, area=areas.district6))
        assert district["population"].source == catalogue.owner

    def test_the_latest_figure_and_its_trend(self, catalogue, neighborhoods, enter, people):
        for code, value in (("1399", "800"), ("1400", "900"), ("1401", "950"), ("1402", "1000")):
            enter(catalogue.population, neighborhoods.n1, value, at=period_of(code))
        row = rows_by_code(
            profiles.profile(user=people.tehran_manager, area=neighborhoods.n1, periods=3)
        )["population"]
        assert row.period.code == "1402"
        assert row.shown == "1,000"
        assert [p.code for p, _f, _s in row.series] == ["1400", "1401", "1402"]
        assert row.trend_points == [Decimal(900), Decimal(950), Decimal(1000)]

    def test_the_trend_shows_periods_of_one_type(self, catalogue, neighborhoods, enter, people):
        enter(catalogue.population, neighborhoods.n1, "900", at=period_of("1401"))
        enter(catalogue.population, neighborhoods.n1, "1000", at=period_of("1402"))
        enter(catalogue.population, neighborhoods.n1, "1010", at=period_of("1402Q4"))
        row = rows_by_code(profiles.profile(user=people.tehran_manager, area=neighborhoods.n1))[
            "population"
        ]
        assert len({period.period_type for period, _f, _s in row.series}) == 1

    def test_a_small_count_is_hidden_in_the_profile_but_not_for_the_owner(
        self, catalogue, neighborhoods, enter, people
    ):
        enter(catalogue.households, neighborhoods.n1, "3")
        for who, shown, hidden in (
            ("admin", "<5", True),
            ("tehran_manager", "<5", True),
            ("focal_point", "3", False),
        ):
            row = rows_by_code(profiles.profile(user=getattr(people, who), area=neighborhoods.n1))[
                "households"
            ]
            assert (row.shown, row.is_hidden) == (shown, hidden), who
            assert row.series[-1][2] == shown

    def test_a_ratio_of_a_small_count_is_hidden_in_the_profile(
        self, catalogue, neighborhoods, areas, enter, people
    ):
        enter(catalogue.unemployed, neighborhoods.n1, "3")
        enter(catalogue.active, neighborhoods.n1, "400")
        enter(catalogue.unemployed, neighborhoods.n2, "1")
        enter(catalogue.active, neighborhoods.n2, "100")
        for who, shown, hidden in (
            ("admin", "<5", True),
            ("focal_point", "0.8%", False),
        ):
            row = rows_by_code(profiles.profile(user=getattr(people, who), area=neighborhoods.n1))[
                "unemployment_rate"
            ]
            assert (row.shown, row.is_hidden) == (shown, hidden), who
        # The district's 4 unemployed of 500 are hidden as the parent's figure too.
        row = rows_by_code(profiles.profile(user=people.admin, area=neighborhoods.n1))[
            "unemployment_rate"
        ]
        assert row.parent_shown == "<5"

    def test_the_profile_of_an_area_out_of_scope_has_no_figures(
        self, neighborhoods, entered, people
    ):
        profile = profiles.profile(user=people.tehran_manager, area=neighborhoods.isfahan)
        assert profile.sections == []
        assert profile.parent is None

    def test_a_section_without_figures_is_left_out(self, catalogue, neighborhoods, enter, people):
        enter(catalogue.population, neighborhoods.n1, "1000")
        profile = profiles.profile(user=people.tehran_manager, area=neighborhoods.n1)
        assert [section.category.code for section in profile.sections] == ["population"]


class TestViolations:
    def test_more_unemployed_than_active_breaks_the_rule(
        self, catalogue, neighborhoods, enter, people, period
    ):
        enter(catalogue.unemployed, neighborhoods.n1, "200")
        enter(catalogue.active, neighborhoods.n1, "100")
        broken = readers.violations(
            user=people.tehran_manager, areas=[neighborhoods.n1], periods=[period]
        )
        assert [(v.rule.code, v.area, v.left, v.right) for v in broken] == [
            ("unemployed-le-active", neighborhoods.n1, Decimal(200), Decimal(100))
        ]

    def test_more_men_and_women_than_people_breaks_the_rule(
        self, catalogue, neighborhoods, enter, people, period
    ):
        enter(catalogue.population, neighborhoods.n1, "100")
        enter(catalogue.population, neighborhoods.n1, "60", by="male")
        enter(catalogue.population, neighborhoods.n1, "50", by="female")
        broken = readers.violations(
            user=people.tehran_manager, areas=[neighborhoods.n1], periods=[period]
        )
        assert [(v.rule.code, q6(v.left), q6(v.right)) for v in broken] == [
            ("population-sexes", q6(110), q6(100))
        ]

    def test_nothing_is_broken_when_the_rules_hold(
        self, catalogue, neighborhoods, enter, people, period
    ):
        enter(catalogue.unemployed, neighborhoods.n1, "100")
        enter(catalogue.active, neighborhoods.n1, "100")
        enter(catalogue.population, neighborhoods.n1, "110")
        enter(catalogue.population, neighborhoods.n1, "60", by="male")
        enter(catalogue.population, neighborhoods.n1, "50", by="female")
        assert (
            readers.violations(
                user=people.tehran_manager, areas=[neighborhoods.n1], periods=[period]
            )
            == []
        )

    def test_a_rule_with_a_side_missing_is_not_broken(
        self, catalogue, neighborhoods, enter, people, period
    ):
        enter(catalogue.unemployed, neighborhoods.n1, "200")
        assert readers.violations(user=None, areas=[neighborhoods.n1], periods=[period]) == []

    def test_the_rules_are_checked_on_roll_ups_too(
        self, catalogue, areas, neighborhoods, enter, period
    ):
        enter(catalogue.unemployed, neighborhoods.n1, "80")
        enter(catalogue.active, neighborhoods.n1, "100")
        enter(catalogue.unemployed, neighborhoods.n2, "50")  # its active is missing
        broken = readers.violations(
            user=None, areas=[neighborhoods.n1, areas.district6], periods=[period]
        )
        assert [(v.area, v.left, v.right) for v in broken] == [
            (areas.district6, Decimal(130), Decimal(100))
        ]

    def test_an_inactive_rule_is_not_checked(self, catalogue, neighborhoods, enter, period):
        from barzan.indicators.actions import update_validation_rule

        rule = catalogue.unemployed_le_active
        update_validation_rule(actor=None, rule=rule, version=None, is_active=False)
        enter(catalogue.unemployed, neighborhoods.n1, "200")
        enter(catalogue.active, neighborhoods.n1, "100")
        assert readers.violations(user=None, areas=[neighborhoods.n1], periods=[period]) == []

    def test_figures_out_of_scope_break_no_rule_for_the_reader(
        self, catalogue, neighborhoods, enter, people, period
    ):
        enter(catalogue.unemployed, neighborhoods.isfahan, "200")
        enter(catalogue.active, neighborhoods.isfahan, "100")
        assert (
            readers.violations(
                user=people.tehran_manager, areas=[neighborhoods.isfahan], periods=[period]
            )
            == []
        )
        assert (
            len(
                readers.violations(
                    user=people.admin, areas=[neighborhoods.isfahan], periods=[period]
                )
            )
            == 1
        )
