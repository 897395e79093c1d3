"""
Composed reads of indicator figures: effective values, series, violations (the profile
is read in `profiles`).

An area's effective figure is its raw value when it has one, else its stored roll-up.
Calculated indicators are evaluated here, at any level, as factor × the sum of the
numerator ÷ the sum of the denominator (a ratio of sums, never a mean of ratios).
Every read goes through the access policy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, DivisionByZero, InvalidOperation

from django.db.models import Q

from barzan.access import policy
from barzan.access.actions import VIEW
from barzan.geo.models import Area

from . import display
from .choices import Aggregation, Operator, ValueType
from .models import (
    Breakdown,
    Indicator,
    IndicatorAggregate,
    IndicatorValue,
    Period,
    ValidationRule,
)

Key = tuple[int, int, int, int]  # indicator, area, period, breakdown


@dataclass(frozen=True, slots=True)
class Figure:
    """One effective figure and where it comes from."""

    value: Decimal | None
    is_rollup: bool = False
    reported: int | None = None
    expected: int | None = None
    source_id: int | None = None
    entered_at: datetime | None = None
    # For a calculated figure: the summed numerator and denominator, which decide its
    # suppression.
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    # Hidden by secondary suppression, to protect a hidden figure next to it.
    withheld: bool = False
    # For a roll-up: how much of the tree below reported, from 0 to 1 (see
    # `IndicatorAggregate.coverage`); None when unknown.
    coverage: Decimal | None = None

    @property
    def completeness(self) -> Decimal | None:
        if not self.expected:
            return None
        return Decimal(self.reported or 0) / Decimal(self.expected)

    @property
    def reported_share(self) -> Decimal:
        """How much of the tree below reported (1 for a figure the area reported itself):
        the coverage, else this level's completeness."""
        if not self.is_rollup:
            return Decimal(1)
        if self.coverage is not None:
            return Decimal(self.coverage)
        return self.completeness if self.completeness is not None else Decimal(0)


def total_breakdown_id() -> int:
    return Breakdown.objects.only("pk").get(code=Breakdown.TOTAL).pk


def _ids(objects) -> list[int]:
    return [getattr(item, "pk", item) for item in objects]


def figures(
    *,
    user,
    indicators: Iterable[Indicator],
    areas: Iterable,
    periods: Iterable,
    breakdowns: Iterable | None = None,
) -> dict[Key, Figure]:
    """Return the effective figures of `indicators` for `areas` × `periods` × `breakdowns`.

    `breakdowns` defaults to the total. `user` None reads everything (jobs, commands).
    Calculated indicators are computed from their parts, which need not be listed. A
    figure that secondary suppression hides from the user is marked `withheld`.
    """
    indicators = list(indicators)
    measured = {i.pk for i in indicators if not i.is_calculated}
    calculated = [i for i in indicators if i.is_calculated]
    for indicator in calculated:
        measured.update((indicator.numerator_id, indicator.denominator_id))
    areas = list(areas)
    area_ids, period_ids = _ids(areas), _ids(periods)
    breakdown_ids = _ids(breakdowns) if breakdowns is not None else [total_breakdown_id()]
    if not measured or not area_ids or not period_ids:
        return {}
    found = _effective(user, measured, area_ids, period_ids, breakdown_ids)
    known = {i.pk: i for i in indicators if not i.is_calculated}
    for indicator in calculated:
        for name in ("numerator", "denominator"):
            if Indicator._meta.get_field(name).is_cached(indicator):
                part = getattr(indicator, name)
                known[part.pk] = part
    # Areas passed as objects bring their paths: no need to read them again.
    paths = {
        area.pk: area.__dict__["path"]
        for area in areas
        if isinstance(area, Area) and "path" in area.__dict__
    }
    for key in withheld(user=user, keys=found, known=known, paths=paths):
        found[key] = replace(found[key], withheld=True)
    for indicator in calculated:
        for area_id in area_ids:
            for period_id in period_ids:
                for breakdown_id in breakdown_ids:
                    numerator = found.get(
                        (indicator.numerator_id, area_id, period_id, breakdown_id)
                    )
                    denominator = found.get(
                        (indicator.denominator_id, area_id, period_id, breakdown_id)
                    )
                    value = ratio(indicator, numerator, denominator)
                    if value is not None:
                        # A ratio is as complete as the less complete of its parts.
                        coverage = _less_complete(numerator, denominator)
                        found[(indicator.pk, area_id, period_id, breakdown_id)] = Figure(
                            value,
                            numerator.is_rollup or denominator.is_rollup,
                            coverage.reported,
                            coverage.expected,
                            numerator.source_id,
                            numerator.entered_at,
                            numerator.value,
                            denominator.value,
                            numerator.withheld or denominator.withheld,
                            coverage.coverage,
                        )
    return found


def _less_complete(first: Figure, second: Figure) -> Figure:
    """Return whichever of two figures fewer of the areas below reported to."""

    return second if second.reported_share < first.reported_share else first


def _effective(user, indicator_ids, area_ids, period_ids, breakdown_ids) -> dict[Key, Figure]:
    """Return the effective figures of measured indicators: raw values over roll-ups."""
    found: dict[Key, Figure] = {}
    lookup = {
        "indicator_id__in": indicator_ids,
        "area_id__in": area_ids,
        "period_id__in": period_ids,
        "breakdown_id__in": breakdown_ids,
    }
    aggregates = IndicatorAggregate.objects.filter(**lookup)
    raw = IndicatorValue.objects.filter(**lookup)
    if user is not None:
        aggregates = policy.scope(user, VIEW, aggregates)
        raw = policy.scope(user, VIEW, raw)
    for row in aggregates.values_list(
        "indicator_id", "area_id", "period_id", "breakdown_id", "value", "reported_count",
        "expected_count", "coverage",
    ):  # fmt: skip
        found[row[:4]] = Figure(row[4], True, row[5], row[6], coverage=row[7])
    for row in raw.values_list(
        "indicator_id", "area_id", "period_id", "breakdown_id", "value", "source_id", "entered_at"
    ):
        rollup = found.get(row[:4])
        found[row[:4]] = Figure(
            row[4],
            False,
            rollup.reported if rollup else None,
            rollup.expected if rollup else None,
            row[5],
            row[6],
        )
    return found


def withheld(
    *,
    user,
    keys: Iterable[Key],
    known: dict[int, Indicator] | None = None,
    paths: dict[int, str] | None = None,
) -> set[Key]:
    """Return which of `keys` secondary suppression hides from `user` (see `display.protect`).

    A figure is judged in its table: its area's parent and the parent's children, by the
    total and every breakdown part of the indicator, in its period. A parent's figure
    withheld in the grandparent's table is hidden in the parent's own table too, so that
    its children cannot add up to it: tables are worked out from the top of the tree down.
    The tables are the same whichever page or export shows the figure, so a figure
    withheld on one is withheld on all. Only tables at or below one holding a count below
    the threshold are read whole. `known` maps indicator ids to indicators already read,
    `paths` area ids to their paths.
    """
    viewer = display.viewer_of(user)
    keys = set(keys)
    known = known or {}
    wanted = {key[0] for key in keys}
    if not wanted <= known.keys():
        known = known | Indicator.objects.in_bulk(wanted - known.keys())
    indicators = {
        pk: indicator
        for pk in wanted
        if (indicator := known.get(pk)) is not None
        and not indicator.is_calculated
        and indicator.value_type == ValueType.COUNT
        and not display.is_owner(indicator, viewer)
    }
    keys = {key for key in keys if key[0] in indicators}
    if not keys:
        return set()
    # The chain of tables above each area: its ancestors from the top (an area without a
    # parent is its own table). Ids come from the paths, without reading the ancestors.
    area_ids = {key[1] for key in keys}
    paths = dict(paths or {})
    if not area_ids <= paths.keys():
        paths |= dict(Area.objects.filter(pk__in=area_ids - paths.keys()).values_list("pk", "path"))
    chain_of = {
        pk: [int(part) for part in paths[pk].strip("/").split("/")][:-1] or [pk]
        for pk in area_ids
        if pk in paths
    }
    chain_areas = {area for chain in chain_of.values() for area in chain}
    # First ask whether any table holds a small count at all; most hold none.
    small = Q(value__lt=display.threshold()) & (
        Q(area__parent_id__in=chain_areas) | Q(area_id__in=chain_areas)
    )
    period_ids = {key[2] for key in keys}
    rows = [
        model.objects.filter(
            small, indicator_id__in=indicators, period_id__in=period_ids
        ).values_list("indicator_id", "area_id", "area__parent_id", "period_id")
        for model in (IndicatorValue, IndicatorAggregate)
    ]
    at_risk: set[tuple[int, int, int]] = set()
    for indicator_id, area_id, parent_id, period_id in rows[0].union(rows[1]):
        # A table is (indicator, area whose children are its rows, period).
        at_risk.add((indicator_id, area_id, period_id))
        if parent_id is not None:
            at_risk.add((indicator_id, parent_id, period_id))
    if not at_risk:
        return set()
    # Tables above the first one at risk withhold nothing; those from it down are needed.
    needed: dict[tuple[int, int, int], int] = {}  # table: its depth
    for indicator_id, area_id, period_id, _breakdown in keys:
        chain = chain_of.get(area_id, [])
        first = next(
            (n for n, a in enumerate(chain) if (indicator_id, a, period_id) in at_risk), None
        )
        if first is not None:
            for depth, table_area in enumerate(chain[first:], start=first):
                needed[(indicator_id, table_area, period_id)] = depth
    if not needed:
        return set()
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id in Area.objects.filter(
        parent_id__in={table[1] for table in needed}
    ).values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    total = total_breakdown_id()
    parts_of: dict[str, list[int]] = defaultdict(list)
    for pk, dimension in Breakdown.objects.exclude(pk=total).values_list("pk", "dimension"):
        parts_of[dimension].append(pk)
    found = _effective(
        user,
        {table[0] for table in needed},
        {area for table in needed for area in (table[1], *children[table[1]])},
        {table[2] for table in needed},
        [total, *(pk for ids in parts_of.values() for pk in ids)],
    )
    parent_of = {child: parent for parent, kids in children.items() for child in kids}
    hidden_keys: set[Key] = set()
    for table in sorted(needed, key=needed.get):
        indicator_id, table_area, period_id = table
        indicator = indicators[indicator_id]
        rows = [table_area, *children[table_area]]
        columns = [total] + [
            pk for dimension in indicator.dimensions or () for pk in parts_of[dimension]
        ]
        values = {
            key: found[key].value
            for row in rows
            for column in columns
            if (key := (indicator_id, row, period_id, column)) in found
            and found[key].value is not None
        }
        lines = []
        if indicator.aggregation in (Aggregation.SUM, Aggregation.LAST):
            for column in columns:
                lines.append(
                    display.Line(
                        (indicator_id, table_area, period_id, column),
                        tuple((indicator_id, child, period_id, column) for child in rows[1:]),
                    )
                )
        for row in rows:
            for dimension in indicator.dimensions or ():
                parts = tuple((indicator_id, row, period_id, pk) for pk in parts_of[dimension])
                # A total is entered apart from its parts: it is their sum only when every
                # part was reported. (A roll-up is the sum of the children that reported.)
                if all(part in values for part in parts):
                    lines.append(display.Line((indicator_id, row, period_id, total), parts))
        hidden = {
            cell for cell, value in values.items() if display.is_hidden(indicator, value, viewer)
        }
        # The table's own row as the table above it left it (worked out first).
        if table_area in parent_of:
            hidden |= {key for key in hidden_keys if key[1] == table_area} & values.keys()
        if hidden:
            hidden_keys |= display.protect(lines, values, hidden)
    return hidden_keys & keys


def ratio(indicator: Indicator, numerator: Figure | None, denominator: Figure | None):
    """Return factor × numerator ÷ denominator, or None when either is missing or zero."""
    if numerator is None or denominator is None:
        return None
    if numerator.value is None or not denominator.value:
        return None
    try:
        return Decimal(indicator.factor) * Decimal(numerator.value) / Decimal(denominator.value)
    except (DivisionByZero, InvalidOperation):
        return None


def indicator_series(*, user, indicator: Indicator, area, periods) -> list[tuple[Period, Figure]]:
    """Return (period, figure) for each of `periods` that has a figure, in order."""
    periods = list(periods)
    found = figures(user=user, indicators=[indicator], areas=[area], periods=periods)
    total = total_breakdown_id()
    series = []
    for period in periods:
        figure = found.get((indicator.pk, area.pk, period.pk, total))
        if figure is not None:
            series.append((period, figure))
    return series


def periods_with_figures(area, *, limit: int | None = None) -> list[Period]:
    """Return the periods for which `area` has any figure, oldest first."""
    raw = IndicatorValue.objects.filter(area=area).values("period_id")
    rolled = IndicatorAggregate.objects.filter(area=area).values("period_id")
    periods = Period.objects.filter(pk__in=raw.union(rolled)).order_by("-start", "end")
    if limit:
        periods = periods[:limit]
    return sorted(periods, key=lambda period: (period.start, -period.end.toordinal()))


# -- validation rules


_COMPARE = {
    Operator.LE: lambda left, right: left <= right,
    Operator.LT: lambda left, right: left < right,
    Operator.EQ: lambda left, right: left == right,
    Operator.GE: lambda left, right: left >= right,
    Operator.GT: lambda left, right: left > right,
}


@dataclass(frozen=True)
class Violation:
    rule: ValidationRule
    area: Area
    period: Period
    left: Decimal
    right: Decimal
    # The sides as figures, for `display`: a sum of parts is withheld when any part is
    # hidden from the user, since the visible parts would give that part away.
    left_figure: Figure | None = None
    right_figure: Figure | None = None


def violations(*, user, areas, periods, rules=None) -> list[Violation]:
    """Return the broken rules for `areas` × `periods`, from their effective figures."""
    rules = list(
        rules
        if rules is not None
        else ValidationRule.objects.filter(is_active=True).select_related(
            "left", "right", "left_breakdown", "right_breakdown"
        )
    )
    areas, periods = list(areas), list(periods)
    if not rules or not areas or not periods:
        return []
    total = total_breakdown_id()
    viewer = display.viewer_of(user)
    parts_of: dict[str, list[int]] = defaultdict(list)
    for pk, dimension in Breakdown.objects.values_list("pk", "dimension"):
        parts_of[dimension].append(pk)
    indicators = {r.left_id: r.left for r in rules} | {r.right_id: r.right for r in rules}
    breakdown_ids = {total, *(pk for ids in parts_of.values() for pk in ids)}
    found = figures(
        user=user,
        indicators=indicators.values(),
        areas=areas,
        periods=periods,
        breakdowns=breakdown_ids,
    )
    broken = []
    for rule in rules:
        compare = _COMPARE[rule.operator]
        for area in areas:
            for period in periods:
                if rule.left_dimension:
                    keys = [
                        (rule.left_id, area.pk, period.pk, pk)
                        for pk in parts_of[rule.left_dimension]
                    ]
                    parts = [found[key] for key in keys if key in found]
                    # The sum of some of the parts is only a lower bound of the whole: it
                    # shows parts that already exceed the right side (≤, <), never parts
                    # that fall short of it or equal it. A missing part is unknown, not 0.
                    if len(parts) < len(keys) and rule.operator not in (Operator.LE, Operator.LT):
                        continue
                    left = sum(part.value for part in parts) if parts else None
                    left_figure = Figure(
                        left,
                        withheld=any(display.is_hidden(rule.left, p, viewer) for p in parts),
                    )
                else:
                    left_figure = found.get(
                        (rule.left_id, area.pk, period.pk, rule.left_breakdown_id or total)
                    )
                    left = left_figure.value if left_figure else None
                right_figure = found.get(
                    (rule.right_id, area.pk, period.pk, rule.right_breakdown_id or total)
                )
                right = right_figure.value if right_figure else None
                if left is None or right is None:
                    continue
                if not compare(Decimal(left), Decimal(right)):
                    broken.append(
                        Violation(
                            rule,
                            area,
                            period,
                            Decimal(left),
                            Decimal(right),
                            left_figure,
                            right_figure,
                        )
                    )
    return broken


# -- the audit log


def hidden_in_audit(user, events) -> dict[int, set[str]]:
    """Return, for each audit event of a figure entered or cleared, the fields of its
    before and after that `user` may not see: the value and comment of a hidden figure.

    The figure is judged as pages judge it (`display.is_hidden`), secondary suppression of
    the cell as it stands now included. A figure of an indicator no longer in the
    catalogue is hidden: nothing shows it is large.
    """
    viewer = display.viewer_of(user)
    sides = [
        (event, side, data)
        for event in events
        for side in ("before", "after")
        if isinstance(data := getattr(event, side), dict) and data.get("value") is not None
    ]
    if not sides:
        return {}
    indicators = Indicator.objects.select_related("numerator", "denominator").in_bulk(
        {int(event.target_id) for event, _s, _d in sides if event.target_id.isdigit()}
    )
    periods = dict(
        Period.objects.filter(code__in={data.get("period") for _e, _s, data in sides}).values_list(
            "code", "pk"
        )
    )
    breakdowns = dict(Breakdown.objects.values_list("code", "pk"))

    def key_of(event, data) -> Key | None:
        if not event.target_id.isdigit() or event.area_id is None:
            return None
        period, breakdown = periods.get(data.get("period")), breakdowns.get(data.get("breakdown"))
        if period is None or breakdown is None:
            return None
        return (int(event.target_id), event.area_id, period, breakdown)

    keys = {key for event, _side, data in sides if (key := key_of(event, data))}
    withheld_now = withheld(user=user, keys=keys, known=indicators) if keys else set()
    hidden: dict[int, set[str]] = defaultdict(set)
    for event, side, data in sides:
        indicator = indicators.get(int(event.target_id)) if event.target_id.isdigit() else None
        try:
            value = Decimal(str(data["value"]))
        except InvalidOperation:
            value = None
        if (
            indicator is None
            or value is None
            or display.is_hidden(
                indicator, Figure(value, withheld=key_of(event, data) in withheld_now), viewer
            )
        ):
            hidden[event.pk] |= {f"{side}.value", f"{side}.comment"}
    return hidden
