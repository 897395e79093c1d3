"""
How a figure is shown: small counts are suppressed for everyone outside the organization
that owns the indicator, administrators included, in pages and in exports.
"""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

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
    """A ratio gives its parts away: it is hidden when either part is a hidden count."""

    def test_a_ratio_of_a_small_count_is_hidden(self, catalogue, english, viewers):
        rate = catalogue.unemployment_rate
        # 3 unemployed of 400 active: 0.75% would give the 3 away.
        shown = display.show(
            rate, Decimal("0.75"), viewers("admin"), numerator=Decimal(3), denominator=400
        )
        assert shown == "<5"
        assert (
            display.export_value(rate, Decimal("0.75"), None, numerator=3, denominator=400) == "<5"
        )

    def test_a_ratio_over_a_small_count_is_hidden(self, catalogue, english, viewers):
        rate = catalogue.unemployment_rate
        # 400 unemployed of 3 active: households ÷ a small count gives the count away too.
        admin = viewers("admin")
        assert display.is_hidden(rate, Decimal(13333), admin, numerator=400, denominator=3) is True
        assert display.show(rate, Decimal("13333"), None, numerator=400, denominator=3) == "<5"

    def test_the_owner_sees_the_ratio_of_a_small_count(self, catalogue, english, viewers):
        rate = catalogue.unemployment_rate
        shown = display.show(
            rate, Decimal("0.75"), viewers("focal_point"), numerator=3, denominator=400
        )
        assert shown == "0.8%"

    def test_a_ratio_of_large_counts_is_shown(self, catalogue, english, viewers):
        rate = catalogue.unemployment_rate
        shown = display.show(rate, Decimal("25"), viewers("admin"), numerator=100, denominator=400)
        assert shown == "25.0%"

    @pytest.mark.parametrize("numerator,denominator", [(None, 400), (100, None), (None, None)])
    def test_a_ratio_whose_count_parts_are_unknown_is_hidden(
        self, catalogue, english, viewers, numerator, denominator
    ):
        rate = catalogue.unemployment_rate
        shown = display.show(
            rate, Decimal("25"), viewers("admin"), numerator=numerator, denominator=denominator
        )
        assert shown == "<5"

    def test_the_owner_sees_a_ratio_whose_parts_are_unknown(self, catalogue, english, viewers):
        assert display.show(catalogue.unemployment_rate, Decimal("25"), viewers("focal_point")) == (
            "25.0%"
        )

    def test_a_ratio_of_parts_that_are_not_counts_is_shown_without_them(self, catalogue, english):
        from barzan.indicators.actions import create_indicator

        pupils = create_indicator(
            actor=None,
            code="pupil_ratio",
            name_fa="نسبت",
            category=catalogue.population.category,
            owner=catalogue.owner,
            value_type="number",
            aggregation="none",
            kind="calculated",
            numerator=catalogue.population,
            denominator=catalogue.households,
            factor=1,
        )
        catalogue.population.value_type = "number"
        catalogue.households.value_type = "number"
        pupils.numerator, pupils.denominator = catalogue.population, catalogue.households
        assert display.show(pupils, Decimal("3"), None) == "3"

    def test_a_withheld_figure_is_hidden_from_everyone_it_is_withheld_from(
        self, catalogue, english, viewers
    ):
        from barzan.indicators.readers import Figure

        figure = Figure(Decimal(120), withheld=True)
        assert display.is_hidden(catalogue.population, figure, viewers("admin")) is True
        assert display.show(catalogue.population, figure, viewers("admin")) == "<5"
        assert display.export_value(catalogue.population, figure, None) == "<5"
        assert display.show(catalogue.population, Figure(Decimal(120)), None) == "120"

    def test_a_calculated_figure_without_a_numerator_is_hidden_by_a_small_denominator(
        self, catalogue, english, viewers
    ):
        from types import SimpleNamespace

        per_household = SimpleNamespace(
            is_calculated=True, numerator=None, denominator=catalogue.households
        )
        admin = viewers("admin")
        assert display.is_hidden(per_household, Decimal(2), admin, denominator=3) is True
        assert display.is_hidden(per_household, Decimal(2), admin, denominator=400) is False

    def test_a_ratio_figure_carries_its_parts(self, catalogue, english, viewers):
        from barzan.indicators.readers import Figure

        rate = catalogue.unemployment_rate
        hidden = Figure(Decimal("75"), numerator=Decimal(300), denominator=Decimal(4))
        shown = Figure(Decimal("75"), numerator=Decimal(300), denominator=Decimal(400))
        assert display.show(rate, hidden, viewers("admin")) == "<5"
        assert display.show(rate, shown, viewers("admin")) == "75.0%"


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

    def test_an_export_writes_a_ratio_whose_parts_are_large_counts(self, catalogue, viewers):
        rate = catalogue.unemployment_rate
        written = display.export_value(
            rate, Decimal("25"), viewers("admin"), numerator=100, denominator=400
        )
        assert written == "25"


# -- secondary suppression


def _line(total, *parts):
    return display.Line(total, tuple(parts))


def _derivable_by_elimination(lines, values, concealed) -> set:
    """Return the concealed cells that adding and subtracting lines pins down exactly.

    Independent of `display`: a cell is pinned down when the lines' equations over the
    concealed cells, with and without the equation "this cell = its value", have the same
    rank (the cell's unit vector lies in their row space).
    """
    from fractions import Fraction

    unknowns = sorted(concealed)

    def rank(rows) -> int:
        rows = [list(row) for row in rows]
        found = 0
        for column in range(len(unknowns)):
            pivot = next((r for r in range(found, len(rows)) if rows[r][column]), None)
            if pivot is None:
                continue
            rows[found], rows[pivot] = rows[pivot], rows[found]
            for r in range(len(rows)):
                if r != found and rows[r][column]:
                    factor = rows[r][column] / rows[found][column]
                    rows[r] = [a - factor * b for a, b in zip(rows[r], rows[found], strict=True)]
            found += 1
        return found

    equations = []
    for line in lines:
        if line.total not in values or not any(part in values for part in line.parts):
            continue
        row = [Fraction(0)] * len(unknowns)
        for cell, sign in ((line.total, 1), *((part, -1) for part in line.parts)):
            if cell in concealed and cell in values:
                row[unknowns.index(cell)] += sign
        equations.append(row)
    base = rank(equations)
    pinned = set()
    for position, cell in enumerate(unknowns):
        unit = [Fraction(int(index == position)) for index in range(len(unknowns))]
        if rank([*equations, unit]) == base:
            pinned.add(cell)
    return pinned


def _table(rows: int, columns: int):
    """Lines of a table of `rows` children under a parent (row 0) by `columns` parts under a
    total (column 0): every column adds up down the children, every row across the parts."""
    lines = [
        _line((0, column), *((row, column) for row in range(1, rows + 1)))
        for column in range(columns + 1)
    ]
    lines += [
        _line((row, 0), *((row, column) for column in range(1, columns + 1)))
        for row in range(rows + 1)
    ]
    return lines


class TestSecondarySuppression:
    def test_the_smallest_visible_sibling_is_withheld_beside_one_hidden(self):
        values = {"parent": 55, "n1": 3, "n2": 40, "n3": 12}
        lines = [_line("parent", "n1", "n2", "n3")]
        assert display.protect(lines, values, {"n1"}) == {"n3"}

    def test_a_tie_takes_the_first_cell_in_key_order(self):
        values = {"p": 33, "a": 3, "b": 15, "c": 15}
        assert display.protect([_line("p", "c", "b", "a")], values, {"a"}) == {"b"}

    def test_two_hidden_siblings_need_nothing_more(self):
        values = {"p": 47, "a": 3, "b": 4, "c": 40}
        assert display.protect([_line("p", "a", "b", "c")], values, {"a", "b"}) == set()

    def test_nothing_hidden_withholds_nothing(self):
        values = {"p": 50, "a": 10, "b": 40}
        assert display.protect([_line("p", "a", "b")], values, set()) == set()

    def test_an_only_child_hides_its_parent(self):
        values = {"p": 3, "a": 3}
        assert display.protect([_line("p", "a")], values, {"a"}) == {"p"}

    def test_a_hidden_total_hides_a_part_too(self):
        # A total is the sum of its parts: with every part shown it is no secret.
        values = {"total": 4, "male": 2, "female": 2}
        assert display.protect([_line("total", "male", "female")], values, {"total"}) == {"female"}

    def test_a_line_without_its_total_gives_nothing_away(self):
        values = {"a": 3, "b": 40}
        assert display.protect([_line("p", "a", "b")], values, {"a"}) == set()

    def test_a_line_without_parts_gives_nothing_away(self):
        values = {"p": 43, "a": 3, "b": 40}
        lines = [_line("p", "a", "b"), _line("a"), _line("b", "c")]
        assert display.protect(lines, values, {"a"}) == {"b"}

    def test_a_part_without_a_figure_is_no_part(self):
        values = {"p": 43, "a": 3, "b": 40}
        assert display.protect([_line("p", "a", "b", "c")], values, {"a"}) == {"b"}

    def test_withholding_spreads_through_a_table(self):
        # Children by sex: hiding n1's men makes the men's column and n1's row each need
        # one more, and so on until no line has a lone hidden cell.
        lines = _table(rows=2, columns=2)
        values = {
            (0, 0): 100, (0, 1): 50, (0, 2): 50,
            (1, 0): 30, (1, 1): 3, (1, 2): 27,
            (2, 0): 70, (2, 1): 47, (2, 2): 23,
        }  # fmt: skip
        withheld = display.protect(lines, values, {(1, 1)})
        concealed = withheld | {(1, 1)}
        assert _derivable_by_elimination(lines, values, concealed) == set()
        assert withheld == {(1, 2), (2, 1), (2, 2)}

    def test_a_cell_pinned_down_only_by_combining_lines_is_protected(self):
        # Two 2×2 blocks of hidden cells joined by one cell: each line has two hidden
        # cells, yet rows minus columns give the joining cell away.
        lines = _table(rows=4, columns=4)
        values = {(row, column): 10 for row in range(5) for column in range(5)}
        hidden = {(1, 1), (1, 2), (2, 1), (2, 2), (2, 3), (3, 3), (3, 4), (4, 3), (4, 4)}
        withheld = display.protect(lines, values, hidden)
        assert _derivable_by_elimination(lines, values, hidden | withheld) == set()

    @pytest.mark.parametrize(
        ("values", "hidden", "withheld"),
        [
            (
                {(0, 0): 76, (0, 1): 43, (0, 2): 33, (1, 0): 47, (1, 1): 23, (1, 2): 24,
                 (2, 0): 29, (2, 1): 20, (2, 2): 9},
                (1, 0),
                {(1, 1), (1, 2), (2, 0), (2, 1), (2, 2)},
            ),
            (
                {(0, 0): 48, (0, 1): 31, (0, 2): 17, (1, 0): 16, (1, 1): 5, (1, 2): 11,
                 (2, 0): 32, (2, 1): 26, (2, 2): 6},
                (0, 0),
                {(0, 2), (1, 0), (1, 1), (2, 1), (2, 2)},
            ),
            (
                {(0, 0): 53, (0, 1): 36, (0, 2): 17, (1, 0): 19, (1, 1): 7, (1, 2): 12,
                 (2, 0): 34, (2, 1): 29, (2, 2): 5},
                (2, 0),
                {(1, 0), (1, 1), (1, 2), (2, 1), (2, 2)},
            ),
        ],
    )  # fmt: skip
    def test_a_hidden_total_withholds_cells_line_after_line_until_none_is_alone(
        self, values, hidden, withheld
    ):
        lines = _table(rows=2, columns=2)
        assert display.protect(lines, values, {hidden}) == withheld
        assert _derivable_by_elimination(lines, values, withheld | {hidden}) == set()

    @pytest.mark.parametrize(
        ("parts", "hidden", "withheld"),
        [
            (
                [[12, 23, 29], [24, 4, 16], [22, 30, 26]],
                {(0, 2), (2, 3), (3, 0)},
                {(0, 1), (1, 1), (1, 2), (2, 0), (2, 2), (3, 2), (3, 3)},
            ),
            (
                [[8, 26, 21], [17, 29, 21], [28, 25, 26]],
                {(0, 2), (0, 3), (1, 0), (2, 1)},
                {(1, 1), (1, 3), (2, 0), (2, 3), (3, 2), (3, 3)},
            ),
            (
                [[22, 23, 20], [12, 7, 18], [8, 3, 22]],
                {(0, 0), (0, 2), (2, 3), (3, 1)},
                {(0, 1), (1, 1), (1, 3), (2, 1), (3, 0), (3, 2)},
            ),
        ],
    )
    def test_the_cell_pinned_down_first_is_protected_in_its_own_lines(
        self, parts, hidden, withheld
    ):
        # Children by age group with totals: after the lone hidden cells, rows and columns
        # combined still pin a hidden cell down; the smallest visible cell of one of its
        # own lines is withheld next.
        values = {
            (row, column): parts[row - 1][column - 1] for row in (1, 2, 3) for column in (1, 2, 3)
        }
        for row in (1, 2, 3):
            values[(row, 0)] = sum(parts[row - 1])
        for column in range(4):
            values[(0, column)] = sum(values[(row, column)] for row in (1, 2, 3))
        lines = _table(rows=3, columns=3)
        assert display.protect(lines, values, hidden) == withheld
        assert _derivable_by_elimination(lines, values, withheld | hidden) == set()

    def test_a_figure_given_away_by_other_lines_withholds_the_smallest_visible_figure(self):
        # "copy" adds up the same parts as "figure": with figure, men and women hidden,
        # figure = copy. Figure's own line has nothing left to hide, so the smallest visible
        # figure of all the lines (copy) is withheld, then its neighbour in "all".
        values = {"figure": 7, "men": 3, "women": 4, "copy": 7, "other": 13, "all": 20}
        lines = [
            _line("figure", "men", "women"),
            _line("copy", "men", "women"),
            _line("all", "copy", "other"),
        ]
        assert display.protect(lines, values, {"figure", "men", "women"}) == {"copy", "other"}


@st.composite
def tables(draw):
    rows = draw(st.integers(1, 4))
    columns = draw(st.integers(0, 3))
    cells = [(row, column) for row in range(1, rows + 1) for column in range(1, columns + 1)]
    if columns == 0:
        cells = [(row, 0) for row in range(1, rows + 1)]
    parts = {cell: draw(st.integers(0, 60)) for cell in cells}
    # Some figures were never reported.
    missing = draw(st.sets(st.sampled_from(cells), max_size=len(cells) // 2))
    values = {cell: value for cell, value in parts.items() if cell not in missing}
    if columns:
        for row in range(1, rows + 1):
            reported = [values[(row, c)] for c in range(1, columns + 1) if (row, c) in values]
            if reported:
                values[(row, 0)] = sum(reported)
        for column in range(0, columns + 1):
            reported = [values[(r, column)] for r in range(1, rows + 1) if (r, column) in values]
            if reported:
                values[(0, column)] = sum(reported)
        lines = _table(rows, columns)
    else:
        values[(0, 0)] = sum(values.values())
        lines = [_line((0, 0), *((row, 0) for row in range(1, rows + 1)))]
    return lines, values


@given(table=tables(), threshold=st.integers(1, 10))
@settings(max_examples=300, deadline=None)
def test_no_hidden_cell_of_a_shown_table_can_be_worked_out_from_its_visible_cells(table, threshold):
    lines, values = table
    hidden = {cell for cell, value in values.items() if value < threshold}
    withheld = display.protect(lines, values, hidden)
    concealed = hidden | withheld
    assert withheld.isdisjoint(hidden)
    assert _derivable_by_elimination(lines, values, concealed) == set()
    for line in lines:
        cells = [cell for cell in (line.total, *line.parts) if cell in values]
        if line.total in values:
            assert sum(1 for cell in cells if cell in concealed) != 1


class TestViewers:
    def test_nobody_logged_in_belongs_to_no_organization(self):
        from django.contrib.auth.models import AnonymousUser

        assert display.viewer_of(None) is None
        assert display.viewer_of(AnonymousUser()) is None

    def test_something_that_is_not_a_person_belongs_to_no_organization(self):
        assert display.viewer_of(object()) is None

    def test_a_person_is_seen_with_their_organizations(self, people, catalogue):
        assert display.viewer_of(people.focal_point) == frozenset({catalogue.owner.pk})
        assert display.viewer_of(people.admin) == frozenset()

    def test_being_the_owner_needs_a_viewer(self, catalogue):
        assert display.is_owner(catalogue.population, None) is False
        assert display.is_owner(catalogue.population, frozenset()) is False
        assert display.is_owner(catalogue.population, {catalogue.owner.pk}) is True

    def test_formatted_writes_any_figure_it_is_given(self, catalogue, english):
        assert display.formatted(catalogue.population, 3) == "3"
        assert display.formatted(catalogue.literacy, Decimal("2.5")) == "2.5%"
