"""
How a figure is shown: small counts are suppressed for everyone outside the organization
that owns the indicator, administrators included, in pages and in exports.
"""

from decimal import Decimal

import pytest
from django.utils import translation

from barzan.access import policy
from barzan.indicators import display

from .fixtures_core import welfare_indicator_fixture  # noqa: F401


@pytest.fixture
def persian():
    with translation.override("fa"):
        yield


@pytest.fixture
def viewers(people):
    """The organizations each person works for, as the pages ask the policy."""

    def of(who: str) -> frozenset:
        return policy.organizations_of(getattr(people, who))

    return of


class TestSmallCounts:
    @pytest.mark.parametrize("value", [0, 1, 4, Decimal("4.000000")])
    def test_a_count_below_the_threshold_is_less_than_five_in_english(
        self, catalogue, english, viewers, value
    ):
        shown = display.show(catalogue.population, value, viewers("tehran_analyst"))
        assert shown == "<5"

    def test_the_threshold_in_persian_is_written_in_persian_digits(
        self, catalogue, persian, viewers
    ):
        shown = display.show(catalogue.population, 3, viewers("tehran_analyst"))
        assert "۵" in shown
        assert "5" not in shown

    def test_a_small_count_reads_fewer_than_five_in_persian(self, catalogue, persian, viewers):
        assert display.show(catalogue.population, 3, viewers("tehran_analyst")) == "کمتر از ۵"

    @pytest.mark.parametrize("who", ["admin", "tehran_manager", "tehran_analyst", "nobody"])
    def test_everyone_outside_the_owner_sees_it_hidden_the_national_admin_too(
        self, catalogue, english, viewers, who
    ):
        assert display.is_hidden(catalogue.population, 3, viewers(who)) is True
        assert display.show(catalogue.population, 3, viewers(who)) == "<5"

    def test_a_public_view_sees_it_hidden(self, catalogue, english):
        assert display.show(catalogue.population, 3, None) == "<5"

    def test_a_person_of_the_owning_organization_sees_the_number(self, catalogue, english, viewers):
        assert display.is_hidden(catalogue.population, 3, viewers("focal_point")) is False
        assert display.show(catalogue.population, 3, viewers("focal_point")) == "3"

    def test_a_person_of_the_owner_sees_the_number_in_persian_digits(
        self, catalogue, persian, viewers
    ):
        assert display.show(catalogue.population, 3, viewers("focal_point")) == "۳"

    def test_a_person_of_another_agency_sees_it_hidden(
        self, catalogue, english, make_user, areas, organizations
    ):
        welfare = make_user(
            "welfare", "agency_focal_point", areas.tehran, organizations.welfare_tehran
        )
        assert display.show(catalogue.population, 3, policy.organizations_of(welfare)) == ("<5")

    def test_the_owner_of_another_indicator_is_not_the_owner_of_this_one(
        self, welfare_indicator, english, viewers
    ):
        assert display.show(welfare_indicator, 2, viewers("focal_point")) == "<5"

    @pytest.mark.parametrize(("value", "shown"), [(5, "5"), (6, "6"), (1234, "1,234")])
    def test_a_count_at_or_above_the_threshold_is_shown(
        self, catalogue, english, viewers, value, shown
    ):
        assert display.show(catalogue.population, value, viewers("admin")) == shown

    def test_a_large_count_is_grouped_in_persian(self, catalogue, persian, viewers):
        assert display.show(catalogue.population, 1234, viewers("admin")) == "۱٬۲۳۴"

    def test_no_figure_is_a_dash(self, catalogue, viewers):
        assert display.show(catalogue.population, None, viewers("admin")) == "—"
        assert display.is_hidden(catalogue.population, None, viewers("admin")) is False


class TestRatios:
    """A ratio gives its numerator away: it is hidden when its numerator is a small count."""

    def test_a_ratio_of_a_small_count_is_hidden(self, catalogue, english, viewers):
        rate = catalogue.unemployment_rate
        # 3 unemployed of 400 active: 0.75% would give the 3 away.
        shown = display.show(rate, Decimal("0.75"), viewers("admin"), numerator=Decimal(3))
        assert shown == "<5"
        assert display.export_value(rate, Decimal("0.75"), None, numerator=3) == "<5"

    def test_the_owner_sees_the_ratio_of_a_small_count(self, catalogue, english, viewers):
        rate = catalogue.unemployment_rate
        shown = display.show(rate, Decimal("0.75"), viewers("focal_point"), numerator=3)
        assert shown == "0.8%"

    def test_a_ratio_of_a_large_count_is_shown(self, catalogue, english, viewers):
        rate = catalogue.unemployment_rate
        assert display.show(rate, Decimal("25"), viewers("admin"), numerator=100) == "25.0%"

    def test_a_ratio_without_its_numerator_is_shown(self, catalogue, english):
        assert display.show(catalogue.unemployment_rate, Decimal("25"), None) == "25.0%"


class TestAnotherThreshold:
    @pytest.fixture(autouse=True)
    def _ten(self, settings):
        settings.BARZAN_SMALL_COUNT_THRESHOLD = 10

    def test_a_count_below_ten_is_hidden(self, catalogue, english, viewers):
        assert display.show(catalogue.population, 9, viewers("admin")) == "<10"
        assert display.show(catalogue.population, 10, viewers("admin")) == "10"

    def test_the_threshold_of_ten_in_persian_digits(self, catalogue, persian, viewers):
        shown = display.show(catalogue.population, 7, viewers("admin"))
        assert "۱۰" in shown

    def test_an_export_writes_less_than_ten(self, catalogue, viewers):
        assert display.export_value(catalogue.population, 7, viewers("admin")) == "<10"
        assert display.export_value(catalogue.population, 7, viewers("focal_point")) == "7"


class TestOtherTypes:
    @pytest.mark.parametrize(
        ("indicator", "value", "shown"),
        [
            ("literacy", Decimal("3"), "3.0%"),
            ("literacy", Decimal("87.5"), "87.5%"),
            ("satisfaction", Decimal("2"), "2"),
            ("satisfaction", Decimal("2.25"), "2.25"),
            ("satisfaction", Decimal("2.1234"), "2.12"),
            ("has_park", Decimal("1"), "yes"),
            ("has_park", Decimal("0"), "no"),
        ],
    )
    def test_a_value_that_is_not_a_count_is_never_hidden(
        self, catalogue, english, viewers, indicator, value, shown
    ):
        indicator = getattr(catalogue, indicator)
        assert display.is_hidden(indicator, value, viewers("admin")) is False
        assert display.is_hidden(indicator, value, None) is False
        assert display.show(indicator, value, None) == shown

    def test_a_rate_is_never_hidden(self, catalogue, english):
        from barzan.indicators.actions import create_indicator

        rate = create_indicator(
            actor=None,
            code="birth_rate",
            name_fa="نرخ موالید",
            category=catalogue.population.category,
            owner=catalogue.owner,
            value_type="rate",
            aggregation="weighted_mean",
        )
        assert display.show(rate, Decimal(2), None) == "2.0"

    def test_a_percentage_uses_the_persian_percent_sign(self, catalogue, persian):
        assert display.show(catalogue.literacy, Decimal("87.5"), None) == "۸۷٫۵٪"


class TestExports:
    def test_an_export_writes_less_than_five_for_a_hidden_count(self, catalogue, viewers):
        assert display.export_value(catalogue.population, 3, viewers("admin")) == "<5"
        assert display.export_value(catalogue.population, 3, None) == "<5"

    def test_an_export_writes_less_than_five_in_latin_digits_on_persian_pages(
        self, catalogue, persian, viewers
    ):
        assert display.export_value(catalogue.population, 3, viewers("admin")) == "<5"

    def test_an_export_writes_the_number_for_the_owner(self, catalogue, viewers):
        assert display.export_value(catalogue.population, 3, viewers("focal_point")) == "3"

    @pytest.mark.parametrize(
        ("indicator", "value", "written"),
        [
            ("population", Decimal("1200.000000"), "1200"),
            ("literacy", Decimal("3.500000"), "3.5"),
            ("satisfaction", Decimal("1E+1"), "10"),
            ("has_park", Decimal("0"), "0"),
        ],
    )
    def test_an_export_writes_plain_digits(self, catalogue, viewers, indicator, value, written):
        assert display.export_value(getattr(catalogue, indicator), value, viewers("admin")) == (
            written
        )

    def test_an_export_of_no_figure_is_empty(self, catalogue):
        assert display.export_value(catalogue.population, None, None) == ""
