"""
Composed reads of reporting, as DHIS2 has it: whether a data set's form is complete for an
area and period, the rules its figures break, and reporting rates up the tree.

A form is expected from every current area of the data set's level below an area; it is
complete when someone who enters it marked it so (`actions.complete_data_set`), and on
time when that happened by the period's last day plus the data set's `timely_days`. Every
read goes through the access policy.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from barzan.access import policy
from barzan.access.actions import CAPTURE, VIEW
from barzan.core import jalali
from barzan.geo.models import Area

from . import periods, readers
from .models import (
    Breakdown,
    DataSet,
    DataSetCompletion,
    IndicatorValue,
    Period,
    ValidationRule,
)

_AREA_HEAVY = ("boundary", "boundary_simple")


# -- periods


def current_period(data_set: DataSet, *, on: date | None = None) -> Period | None:
    """Return the Jalali period of the data set's type that `on` (today) falls in."""
    spec = periods.containing(on or jalali.today(), data_set.period_type)
    return Period.objects.filter(code=spec.code).first() if spec else None


def last_ended_period(data_set: DataSet, *, on: date | None = None) -> Period | None:
    """Return the latest period of the data set's type that has ended by `on` (today)."""
    return (
        Period.objects.filter(period_type=data_set.period_type, end__lt=on or jalali.today())
        .order_by("-start")
        .first()
    )


def deadline(data_set: DataSet, period: Period) -> date:
    """Return the last day a form of `period` counts as completed on time."""
    return period.end + timedelta(days=data_set.timely_days)


def is_on_time(data_set: DataSet, period: Period, completion: DataSetCompletion) -> bool:
    return timezone.localdate(completion.completed_at) <= deadline(data_set, period)


# -- one form


def completion_of(data_set: DataSet, area, period) -> DataSetCompletion | None:
    """Return the form's completion row (completed or reopened), or None."""
    return (
        DataSetCompletion.objects.filter(data_set=data_set, area=area, period=period)
        .select_related("completed_by", "reopened_by")
        .first()
    )


def rules_of(data_set: DataSet, indicator=None) -> list[ValidationRule]:
    """Return the active rules between the data set's indicators (those of `indicator`).

    A rule is the form's when both its sides are figures of the form: one whose other side
    lies in another data set is checked on the broken-rules page, not at entry.
    """
    ids = data_set.indicators.values("pk")
    rules = ValidationRule.objects.filter(is_active=True, left__in=ids, right__in=ids)
    if indicator is not None:
        rules = rules.filter(Q(left=indicator) | Q(right=indicator))
    return list(
        rules.select_related("left", "right", "left_breakdown", "right_breakdown").order_by("code")
    )


def broken_rules(*, user, data_set: DataSet, area, period, indicator=None) -> list:
    """Return the violations of the form's rules (those of `indicator`) for area and period."""
    rules = rules_of(data_set, indicator)
    if not rules:
        return []
    return readers.violations(user=user, areas=[area], periods=[period], rules=rules)


# -- reporting rates


@dataclass
class ReportingRate:
    """How many of the forms expected under `area` are complete, and on time."""

    area: Area | None
    expected: int = 0
    complete: int = 0
    on_time: int = 0

    @staticmethod
    def _percent(part: int, whole: int) -> Decimal | None:
        if not whole:
            return None
        return (Decimal(100) * part / whole).quantize(Decimal("0.1"))

    @property
    def complete_percent(self) -> Decimal | None:
        return self._percent(self.complete, self.expected)

    @property
    def on_time_percent(self) -> Decimal | None:
        return self._percent(self.on_time, self.expected)

    @property
    def complete_share(self) -> Decimal | None:
        """The complete forms as a fraction, for the `percent` filter."""
        return None if not self.expected else Decimal(self.complete) / self.expected

    @property
    def on_time_share(self) -> Decimal | None:
        return None if not self.expected else Decimal(self.on_time) / self.expected


@dataclass
class Reporting:
    """The reporting of a data set under an area in a period: the total and each child."""

    data_set: DataSet
    area: Area
    period: Period
    total: ReportingRate
    rows: list[ReportingRate] = field(default_factory=list)


def reporting_rates(*, user, data_set: DataSet, area: Area, period: Period) -> Reporting:
    """Return the reporting rates of `data_set` under `area` in `period`, and of each area
    directly below it that the user may see (the forms of areas at the data set's level)."""
    expected = list(
        policy.scope(
            user,
            VIEW,
            Area.objects.filter(
                level=data_set.level_id, valid_to__isnull=True, path__startswith=area.path
            ),
        ).values_list("pk", "path")
    )
    completions = policy.scope(
        user,
        VIEW,
        DataSetCompletion.objects.filter(
            data_set=data_set, period=period, is_completed=True, area__path__startswith=area.path
        ),
    ).values_list("area_id", "completed_at")
    last_day = deadline(data_set, period)
    state = {
        area_id: timezone.localdate(completed_at) <= last_day
        for area_id, completed_at in completions
    }
    children = list(
        policy.scope(
            user,
            VIEW,
            Area.objects.filter(parent=area, valid_to__isnull=True)
            .select_related("level")
            .defer(*_AREA_HEAVY),
        ).order_by("name_fa", "pk")
    )
    total = ReportingRate(area)
    by_child = {child.pk: ReportingRate(child) for child in children}
    prefix_length = len(area.path)
    for pk, path in expected:
        rates = [total]
        # The child an expected area lies under is the next step of its path.
        head = path[prefix_length:].split("/", 1)[0]
        child = by_child.get(int(head)) if head.isdigit() else None
        if child is not None:
            rates.append(child)
        for rate in rates:
            rate.expected += 1
            if pk in state:
                rate.complete += 1
                rate.on_time += state[pk]
    rows = [rate for rate in by_child.values() if rate.expected]
    return Reporting(data_set=data_set, area=area, period=period, total=total, rows=rows)


# -- what a form holds


def cell_count(data_set: DataSet) -> int:
    """Return how many figures a complete form holds: totals and the parts of breakdowns."""
    parts: dict[str, int] = defaultdict(int)
    for dimension in Breakdown.objects.exclude(code=Breakdown.TOTAL).values_list(
        "dimension", flat=True
    ):
        parts[dimension] += 1
    return sum(
        1 + sum(parts[dimension] for dimension in (indicator.dimensions or ()))
        for indicator in data_set.indicators.filter(is_active=True, kind="measured")
    )


def filled_counts(*, user, data_set: DataSet, areas, period: Period) -> dict[int, int]:
    """Return, per area, how many figures of the form are entered (that the user sees)."""
    rows = (
        policy.scope(
            user,
            VIEW,
            IndicatorValue.objects.filter(
                area__in=[getattr(area, "pk", area) for area in areas],
                period=period,
                indicator__in=data_set.indicators.filter(is_active=True, kind="measured"),
            ),
        )
        .values("area_id")
        .annotate(filled=Count("pk"))
    )
    return {row["area_id"]: row["filled"] for row in rows}


def capture_areas(user, data_set: DataSet, *, limit: int):
    """Return up to `limit` + 1 current areas of the data set's level the user may enter."""
    return list(
        policy.areas(user, CAPTURE)
        .filter(level=data_set.level_id, valid_to__isnull=True)
        .select_related("level")
        .defer(*_AREA_HEAVY)
        .order_by("name_fa", "pk")[: limit + 1]
    )


# -- broken rules, where to mend them


def once_per_rollup(violations: list) -> list:
    """Drop a violation found in rolled-up figures when an area below, whose own figures
    make it up, breaks the same rule in the same period: it is mended there, and listing
    the district's sum again would count one mistake twice."""
    raw_paths = defaultdict(list)
    for violation in violations:
        raw_paths[(violation.rule.pk, violation.period.pk)].append(violation.area.path)

    def is_rollup(violation) -> bool:
        return any(
            figure is not None and figure.is_rollup
            for figure in (violation.left_figure, violation.right_figure)
        )

    return [
        violation
        for violation in violations
        if not is_rollup(violation)
        or not any(
            path != violation.area.path and path.startswith(violation.area.path)
            for path in raw_paths[(violation.rule.pk, violation.period.pk)]
        )
    ]


def grid_urls(violations: list) -> dict[int, str]:
    """Return, by position in `violations`, the address of the grid that mends each: the
    data set holding both sides of the rule, entered at the area's level for the period's
    type (none for a violation no grid can reach, such as a roll-up's)."""
    if not violations:
        return {}
    from django.urls import reverse

    data_sets = list(
        DataSet.objects.filter(
            level__in={violation.area.level_id for violation in violations},
            period_type__in={violation.period.period_type for violation in violations},
        )
        .prefetch_related("indicators")
        .order_by("code")
    )
    holds = {
        data_set.pk: {indicator.pk for indicator in data_set.indicators.all()}
        for data_set in data_sets
    }
    urls = {}
    for index, violation in enumerate(violations):
        rule, area, period = violation.rule, violation.area, violation.period
        for data_set in data_sets:
            if (
                data_set.level_id == area.level_id
                and data_set.period_type == period.period_type
                and {rule.left_id, rule.right_id} <= holds[data_set.pk]
            ):
                urls[index] = reverse(
                    "indicators:entry_grid", args=[data_set.code, area.pk, period.code]
                )
                break
    return urls
