"""
Rows for the files the catalogue pages hand out: raw values, violations, entry templates.

Values are read through the access policy, a chunk at a time, so an export of a million
figures streams without being held in memory; each value is written as the viewer may
see it (`display.export_value`: a small count is "<5" outside the owning organization,
and so is a figure secondary suppression withholds to protect it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import NamedTuple

from django.utils.translation import gettext as _

from barzan.access import policy
from barzan.access.actions import VIEW

from . import display, readers
from .models import Breakdown, Indicator, IndicatorValue

CHUNK_SIZE = 5000
TEMPLATE_MAX_ROWS = 5000


class ExportRow(NamedTuple):
    """One value as `formats.write_*` take it; a total has no breakdown code."""

    indicator: str
    area: str
    period: str
    breakdown: str
    value: str
    comment: str


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Yield lists of `size` items of `items` (itertools.batched is Python 3.12)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def values_of(*, user, area, below: bool = False, period=None, indicator=None):
    """Return the raw values of `area` (and every area under it with `below`) that `user`
    may view, for `period` and `indicator` when given, in file order."""
    where = {"area__path__startswith": area.path} if below else {"area": area}
    values = IndicatorValue.objects.filter(**where)
    if period is not None:
        values = values.filter(period=period)
    if indicator is not None:
        values = values.filter(indicator=indicator)
    return policy.scope(user, VIEW, values).order_by(
        "area__path", "period__start", "-period__end", "indicator__code", "breakdown__order"
    )


def value_rows(*, user, area, below: bool = False, period=None, indicator=None):
    """Yield an ExportRow for each raw value `values_of` finds, read in chunks."""
    viewer = policy.organizations_of(user)
    catalogue = {
        item.pk: item
        for item in policy.scope(
            user, VIEW, Indicator.objects.only("pk", "code", "value_type", "owner")
        )
    }
    rows = (
        values_of(user=user, area=area, below=below, period=period, indicator=indicator)
        .values_list(
            "indicator_id", "area_id", "period_id", "breakdown_id", "area__code",
            "period__code", "breakdown__code", "value", "comment",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )  # fmt: skip
    for chunk in batched(rows, CHUNK_SIZE):
        # Secondary suppression judges each figure in its table (its siblings and parent).
        hidden = readers.withheld(user=user, keys=[row[:4] for row in chunk])
        for row in chunk:
            area_code, period_code, breakdown_code, value, comment = row[4:]
            item = catalogue[row[0]]
            figure = readers.Figure(value, withheld=row[:4] in hidden)
            is_hidden = display.is_hidden(item, figure, viewer)
            yield ExportRow(
                item.code,
                area_code,
                period_code,
                "" if breakdown_code == Breakdown.TOTAL else breakdown_code,
                display.export_value(item, figure, viewer),
                # A comment may tell what a suppressed count would ("3 cases in ...").
                "" if is_hidden else comment,
            )


def _side(indicator, breakdown, dimension: str = "") -> str:
    if dimension:
        return _("%(indicator)s: sum of the parts by %(dimension)s") % {
            "indicator": indicator.name,
            "dimension": dimension,
        }
    if breakdown is not None and not breakdown.is_total:
        return f"{indicator.name} ({breakdown.name})"
    return indicator.name


def left_label(rule) -> str:
    """Return what the left side of `rule` compares, as a person reads it."""
    return _side(rule.left, rule.left_breakdown, rule.get_left_dimension_display())


def right_label(rule) -> str:
    """Return what the right side of `rule` compares."""
    return _side(rule.right, rule.right_breakdown)


def violation_rows(violations: Iterable, *, user) -> Iterator[list[str]]:
    """Yield a header and one row per broken rule, values as the viewer may see them."""
    viewer = policy.organizations_of(user)
    yield [
        _("Rule"),
        _("Rule code"),
        _("Area"),
        _("Area code"),
        _("Period"),
        _("Left side"),
        _("Left value"),
        _("Operator"),
        _("Right side"),
        _("Right value"),
    ]
    for violation in violations:
        rule = violation.rule
        yield [
            rule.name,
            rule.code,
            violation.area.name,
            violation.area.code,
            violation.period.code,
            left_label(rule),
            display.export_value(rule.left, violation.left_figure, viewer),
            rule.get_operator_display(),
            right_label(rule),
            display.export_value(rule.right, violation.right_figure, viewer),
        ]


def template_rows(*, indicators, areas, period, limit: int = TEMPLATE_MAX_ROWS):
    """Yield (indicator code, indicator name, area code, area name, period code, breakdown)
    for each indicator × area, at most `limit` rows, for `formats.template_xlsx`."""
    count = 0
    for area in areas:
        for indicator in indicators:
            if count >= limit:
                return
            count += 1
            yield (indicator.code, indicator.name_fa, area.code, area.name_fa, period.code, "")
