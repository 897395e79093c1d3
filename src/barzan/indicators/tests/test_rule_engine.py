"""
The rule engine (`readers.violations`) reports a broken rule exactly when the figures break
it: every operator on both sides of its boundary, a missing side or part never read as 0,
a sum of some parts judged only where it proves something, and decimals compared exactly.
"""

from decimal import Decimal

import pytest

from barzan.indicators import readers
from barzan.indicators.actions import create_indicator, create_validation_rule

from .fixtures_core import enter_fixture  # noqa: F401

OPERATORS = ("le", "lt", "eq", "ge", "gt")


@pytest.fixture
def rule_of(catalogue):
    """Return a function that makes the one active rule `left operator right`."""
    from barzan.indicators.models import ValidationRule

    def make(operator, left=None, right=None, **fields):
        ValidationRule.objects.update(is_active=False)
        return create_validation_rule(
            actor=None,
            code=f"rule-{operator}-{ValidationRule.objects.count()}",
            name_fa="قاعده",
            left=left or catalogue.unemployed,
            operator=operator,
            right=right or catalogue.active,
            **fields,
        )

    return make


def broken(area, period) -> list[tuple[Decimal, Decimal]]:
    return [
        (v.left, v.right) for v in readers.violations(user=None, areas=[area], periods=[period])
    ]


@pytest.mark.parametrize(
    "operator, left, right, is_broken",
    [
        ("le", "100", "100", False),
        ("le", "101", "100", True),
        ("le", "99", "100", False),
        ("lt", "100", "100", True),
        ("lt", "99", "100", False),
        ("lt", "101", "100", True),
        ("eq", "100", "100", False),
        ("eq", "101", "100", True),
        ("eq", "99", "100", True),
        ("ge", "100", "100", False),
        ("ge", "99", "100", True),
        ("ge", "101", "100", False),
        ("gt", "100", "100", True),
        ("gt", "101", "100", False),
        ("gt", "99", "100", True),
        # Zero is a figure like any other, not "nothing".
        ("eq", "0", "0", False),
        ("gt", "0", "0", True),
        ("le", "1", "0", True),
    ],
)
def test_each_operator_breaks_exactly_on_its_side_of_the_boundary(
    catalogue, neighborhoods, enter, period, rule_of, operator, left, right, is_broken
):
    rule_of(operator)
    enter(catalogue.unemployed, neighborhoods.n1, left)
    enter(catalogue.active, neighborhoods.n1, right)
    expected = [(Decimal(left), Decimal(right))] if is_broken else []
    assert broken(neighborhoods.n1, period) == expected


@pytest.mark.parametrize("operator", OPERATORS)
@pytest.mark.parametrize("missing", ["left", "right"])
def test_a_missing_side_is_unknown_never_zero(
    catalogue, neighborhoods, enter, period, rule_of, operator, missing
):
    rule_of(operator)
    # Read as 0, each of these would break its rule (5 = 0 for eq, 5 ≤ 0, 0 ≥ 5 …).
    if missing == "left":
        enter(catalogue.active, neighborhoods.n1, "5")
    else:
        enter(catalogue.unemployed, neighborhoods.n1, "5")
    assert broken(neighborhoods.n1, period) == []


@pytest.fixture
def hours(catalogue):
    """A decimal figure given by sex, to compare the sum of its parts with its total."""
    return create_indicator(
        actor=None,
        code="hours",
        name_fa="ساعت",
        name_en="Hours",
        category=catalogue.population.category,
        owner=catalogue.owner,
        value_type="number",
        aggregation="sum",
        dimensions=["sex"],
    )


class TestSumOfParts:
    def test_an_equality_with_a_part_missing_is_not_broken(
        self, neighborhoods, enter, period, rule_of, hours
    ):
        """The deliberate bug of issue 11: reading the missing part as 0 made 600 ≠ 1000."""
        rule_of("eq", left=hours, right=hours, left_dimension="sex")
        enter(hours, neighborhoods.n1, "1000")
        enter(hours, neighborhoods.n1, "600", by="female")
        assert broken(neighborhoods.n1, period) == []

    @pytest.mark.parametrize("operator", ["ge", "gt"])
    def test_a_lower_bound_with_a_part_missing_is_not_broken(
        self, neighborhoods, enter, period, rule_of, hours, operator
    ):
        rule_of(operator, left=hours, right=hours, left_dimension="sex")
        enter(hours, neighborhoods.n1, "1000")
        enter(hours, neighborhoods.n1, "600", by="female")
        assert broken(neighborhoods.n1, period) == []

    def test_parts_that_already_exceed_the_total_break_it_with_a_part_missing(
        self, neighborhoods, enter, period, rule_of, hours
    ):
        rule_of("le", left=hours, right=hours, left_dimension="sex")
        enter(hours, neighborhoods.n1, "1000")
        enter(hours, neighborhoods.n1, "1200", by="female")
        assert broken(neighborhoods.n1, period) == [(Decimal(1200), Decimal(1000))]

    def test_all_parts_that_do_not_add_up_break_an_equality(
        self, neighborhoods, enter, period, rule_of, hours
    ):
        rule_of("eq", left=hours, right=hours, left_dimension="sex")
        enter(hours, neighborhoods.n1, "1000")
        enter(hours, neighborhoods.n1, "600", by="female")
        enter(hours, neighborhoods.n1, "300", by="male")
        assert broken(neighborhoods.n1, period) == [(Decimal(900), Decimal(1000))]

    def test_all_parts_that_add_up_hold_an_equality(
        self, neighborhoods, enter, period, rule_of, hours
    ):
        rule_of("eq", left=hours, right=hours, left_dimension="sex")
        enter(hours, neighborhoods.n1, "1000")
        enter(hours, neighborhoods.n1, "600", by="female")
        enter(hours, neighborhoods.n1, "400", by="male")
        assert broken(neighborhoods.n1, period) == []

    def test_decimal_parts_are_summed_exactly(self, neighborhoods, enter, period, rule_of, hours):
        """0.1 + 0.2 is 0.3 in decimals (in floats it is 0.30000000000000004)."""
        rule_of("eq", left=hours, right=hours, left_dimension="sex")
        enter(hours, neighborhoods.n1, "0.3")
        enter(hours, neighborhoods.n1, "0.1", by="female")
        enter(hours, neighborhoods.n1, "0.2", by="male")
        assert broken(neighborhoods.n1, period) == []

    def test_no_part_at_all_breaks_nothing(self, neighborhoods, enter, period, rule_of, hours):
        rule_of("le", left=hours, right=hours, left_dimension="sex")
        enter(hours, neighborhoods.n1, "1000")
        assert broken(neighborhoods.n1, period) == []


class TestNoTolerance:
    def test_a_millionth_above_breaks_at_most(self, neighborhoods, enter, period, rule_of, hours):
        rule_of("le", left=hours, right=hours, left_breakdown=None, left_dimension="sex")
        enter(hours, neighborhoods.n1, "100")
        enter(hours, neighborhoods.n1, "50.000001", by="female")
        enter(hours, neighborhoods.n1, "50", by="male")
        assert broken(neighborhoods.n1, period) == [(Decimal("100.000001"), Decimal(100))]

    def test_a_millionth_apart_breaks_an_equality(
        self, catalogue, neighborhoods, enter, period, rule_of
    ):
        rule_of("eq", left=catalogue.satisfaction, right=catalogue.literacy)
        enter(catalogue.satisfaction, neighborhoods.n1, "7.000001")
        enter(catalogue.literacy, neighborhoods.n1, "7")
        assert [(round(left, 6), right) for left, right in broken(neighborhoods.n1, period)] == [
            (Decimal("7.000001"), Decimal(7))
        ]

    def test_the_same_decimal_holds_an_equality(
        self, catalogue, neighborhoods, enter, period, rule_of
    ):
        rule_of("eq", left=catalogue.satisfaction, right=catalogue.literacy)
        enter(catalogue.satisfaction, neighborhoods.n1, "7.25")
        enter(catalogue.literacy, neighborhoods.n1, "7.250")
        assert broken(neighborhoods.n1, period) == []


def test_a_breakdown_side_is_compared_with_its_own_figure(
    catalogue, neighborhoods, enter, period, rule_of
):
    """Women among the unemployed against women among the active, not the totals."""
    rule_of(
        "le",
        left=catalogue.unemployed,
        right=catalogue.active,
        left_breakdown=_breakdown("female"),
        right_breakdown=_breakdown("female"),
    )
    enter(catalogue.unemployed, neighborhoods.n1, "10")
    enter(catalogue.active, neighborhoods.n1, "100")
    enter(catalogue.unemployed, neighborhoods.n1, "60", by="female")
    enter(catalogue.active, neighborhoods.n1, "50", by="female")
    assert broken(neighborhoods.n1, period) == [(Decimal(60), Decimal(50))]


def _breakdown(code):
    from barzan.indicators.models import Breakdown

    return Breakdown.objects.get(code=code)
