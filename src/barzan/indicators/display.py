"""
Whether a viewer may see a figure, and how it is shown: its number in the page's digits,
or «کمتر از ۵» when it is a small count the viewer may not see.

Small counts identify people. A count below BARZAN_SMALL_COUNT_THRESHOLD is hidden from
everyone outside the organization that owns the indicator, administrators included, and in
every public view and export; who belongs to which organization is the policy's answer
(`access.policy.organizations_of`, see `viewer_of`). `is_hidden` is the one function that
decides, for every page, the entry grid, the audit log, the API and the exports:

- a count of the viewer's own organization is shown; a count of any other below the
  threshold is hidden, at every level (a roll-up of a count is a count);
- a calculated figure is hidden when either of its parts is a hidden count: households ÷ 3
  gives the 3 away as surely as 3 ÷ households;
- a figure `withheld` by secondary suppression is hidden as well.

Secondary suppression (`protect`): a parent's total minus its visible children, or a
total minus its visible breakdown parts, must not give away a single hidden figure. In
every line of figures that add up, when the hidden ones could be worked out from the
visible ones, the smallest visible part (the next in key order on a tie) is withheld too;
the total is withheld only when no part is left to hide.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.utils.translation import gettext as _

from barzan.core.text import clean, format_number, localize_digits

from .choices import ValueType

Viewer = frozenset[int] | set[int] | None


def threshold() -> int:
    return settings.BARZAN_SMALL_COUNT_THRESHOLD


def viewer_of(user) -> frozenset[int] | None:
    """Return the organizations `user` works for; None (nobody's) for no user."""
    from barzan.access import policy

    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return policy.organizations_of(user)


def is_owner(indicator, viewer: Viewer) -> bool:
    """Return whether the viewer works for the organization that owns `indicator`."""
    return bool(viewer) and indicator.owner_id in viewer


def is_hidden(indicator, value, viewer: Viewer, *, numerator=None, denominator=None) -> bool:
    """Return whether `value` of `indicator` must be suppressed for this viewer.

    `value` is a number or a `readers.Figure` (which carries the parts of a calculated
    figure and whether it is withheld). `viewer` is the set of the viewer's organizations,
    None for a public view, where nobody belongs. A calculated figure is hidden when its
    `numerator` or its `denominator` (the summed counts it divides) is; a calculated
    figure whose parts are not given is hidden when a part is a count the viewer does not
    own, since nothing shows it is large.
    """
    if hasattr(value, "is_rollup"):
        figure = value
        if figure.withheld:
            return True
        value, numerator, denominator = figure.value, figure.numerator, figure.denominator
    if value is None:
        return False
    if indicator.is_calculated:
        for part, amount in (
            (indicator.numerator, numerator),
            (indicator.denominator, denominator),
        ):
            if part is None:
                continue
            if amount is None:
                if part.value_type == ValueType.COUNT and not is_owner(part, viewer):
                    return True
            elif is_hidden(part, amount, viewer):
                return True
        return False
    if indicator.value_type != ValueType.COUNT:
        return False
    if is_owner(indicator, viewer):
        return False
    return value < threshold()


def suppressed_label() -> str:
    """«کمتر از ۵» on Persian pages, "<5" on English ones."""
    return _("<%(threshold)s") % {"threshold": localize_digits(threshold())}


def export_label() -> str:
    """What an export writes for a suppressed count: "<5", in Latin digits."""
    return f"<{threshold()}"


# What an export wrote for a suppressed count, whatever the threshold was then: "<5",
# the Persian page's «کمتر از ۵», or a typographic ‹ for <.
_HIDDEN_MARKER = re.compile(r"(?:<|‹|کمتر از)\s*[0-9]+")


def is_hidden_marker(text: str) -> bool:
    """Return whether `text` is the mark an export writes for a suppressed count."""
    text = text.strip()
    if not text or text[0] not in "<‹ک":
        return False
    return _HIDDEN_MARKER.fullmatch(clean(text)) is not None


def decimals_for(indicator, value: Decimal) -> int:
    if indicator.value_type in (ValueType.COUNT, ValueType.BOOLEAN):
        return 0
    if indicator.value_type in (ValueType.PERCENT, ValueType.RATE):
        return 1
    # As many decimals as the figure has, up to two: 4.1 stays «۴٫۱», not «۴٫۱۰».
    return min(2, max(0, -value.normalize().as_tuple().exponent))


def _value(value):
    return value.value if hasattr(value, "is_rollup") else value


def show(indicator, value, viewer: Viewer, *, numerator=None, denominator=None) -> str:
    """Return `value` (a number or a Figure) of `indicator` as the viewer may see it."""
    if _value(value) is None:
        return "—"
    if is_hidden(indicator, value, viewer, numerator=numerator, denominator=denominator):
        return suppressed_label()
    return formatted(indicator, _value(value))


def formatted(indicator, value) -> str:
    """Return `value` in the page's digits, for a figure the viewer may see (a difference
    between two shown figures, say); `show` decides first."""
    if indicator.value_type == ValueType.BOOLEAN:
        return _("yes") if value else _("no")
    text = format_number(value, decimals=decimals_for(indicator, Decimal(value)))
    if indicator.value_type == ValueType.PERCENT:
        return f"{text}٪" if text and not text.isascii() else f"{text}%"
    return text


def export_value(indicator, value, viewer: Viewer, *, numerator=None, denominator=None) -> str:
    """Return `value` as an export writes it: plain digits, or "<5" when suppressed."""
    if _value(value) is None:
        return ""
    if is_hidden(indicator, value, viewer, numerator=numerator, denominator=denominator):
        return export_label()
    return format(Decimal(_value(value)).normalize(), "f")


# -- secondary suppression


@dataclass(frozen=True)
class Line:
    """Figures that add up: `total` is the sum of `parts` (the children of an area, or the
    parts of one breakdown dimension)."""

    total: Hashable
    parts: tuple[Hashable, ...]


def protect(
    lines: Iterable[Line], values: Mapping[Hashable, Decimal], hidden: Iterable[Hashable]
) -> set[Hashable]:
    """Return the cells to withhold besides `hidden` so that no hidden cell of `values`
    can be worked out exactly from the visible cells by adding and subtracting lines.

    A cell without a value is no part of any line, and a line without a total or without
    parts says nothing. Cells are keys that sort (tuples of ids), so the choice is the same
    on every page.
    """
    lines = [
        Line(line.total, parts)
        for line in lines
        if line.total in values and (parts := tuple(part for part in line.parts if part in values))
    ]
    concealed = {cell for cell in hidden if cell in values}
    withheld: set[Hashable] = set()

    def hide_next_to(line: Line) -> bool:
        visible = [part for part in line.parts if part not in concealed]
        if visible:
            chosen = min(visible, key=lambda cell: (values[cell], cell))
        elif line.total not in concealed:
            chosen = line.total
        else:
            return False
        concealed.add(chosen)
        withheld.add(chosen)
        return True

    while True:
        # A line with one hidden cell gives it away by subtraction; hide one more there.
        changed = False
        for line in lines:
            cells = (line.total, *line.parts)
            if sum(1 for cell in cells if cell in concealed) == 1 and hide_next_to(line):
                changed = True
        if changed:
            continue
        # Lines combined can still give one away (a table's rows and columns together).
        derived = sorted(_derivable(lines, concealed))
        if not derived:
            return withheld
        cell = derived[0]
        if any(hide_next_to(line) for line in lines if cell in (line.total, *line.parts)):
            continue
        # Its own lines are hidden whole: the other lines give it away; hide the smallest
        # visible cell of the table.
        visible = sorted(
            {c for line in lines for c in (line.total, *line.parts)} - concealed,
            key=lambda c: (values[c], c),
        )
        if not visible:
            return withheld
        concealed.add(visible[0])
        withheld.add(visible[0])


def _derivable(lines: list[Line], concealed: set) -> set:
    """Return the concealed cells whose value follows from the lines' visible cells."""
    unknowns = sorted({cell for line in lines for cell in (line.total, *line.parts)} & concealed)
    if not unknowns:
        return set()
    index = {cell: position for position, cell in enumerate(unknowns)}
    rows = []
    for line in lines:
        row = [Fraction(0)] * len(unknowns)
        for cell, sign in ((line.total, 1), *((part, -1) for part in line.parts)):
            if cell in index:
                row[index[cell]] += sign
        if any(row):
            rows.append(row)
    # Reduced row echelon form: a cell is known exactly when a row names it alone.
    pivot_row = 0
    for column in range(len(unknowns)):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][column]), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        pivot = rows[pivot_row][column]
        rows[pivot_row] = [entry / pivot for entry in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][column]:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivot_row += 1
    return {
        unknowns[row.index(next(entry for entry in row if entry))]
        for row in rows[:pivot_row]
        if sum(1 for entry in row if entry) == 1
    }
