"""
How far each recent period of a data set is entered, for the figures a user may enter.

Data entry opens on the period that needs work (`period_needing_work`), not blindly on the
period that has just ended: a demo or an office whose figures stop before it would
otherwise open on an empty form with nothing to do. The grid lists the same periods so the
user can move between them.
"""

from dataclasses import dataclass

from django.db.models import Count

from barzan.access import policy
from barzan.access.actions import CAPTURE

from .choices import IndicatorKind
from .models import Breakdown, DataSet, IndicatorValue, Period


@dataclass
class PeriodProgress:
    """How many of the figures a user may enter for a period are in."""

    period: Period
    entered: int
    expected: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.entered / self.expected)) if self.expected else 0

    @property
    def is_complete(self) -> bool:
        return self.expected > 0 and self.entered >= self.expected

    @property
    def is_partial(self) -> bool:
        return 0 < self.entered < self.expected


def period_progress(user, data_set: DataSet, periods: list[Period], *, area=None, indicators=None):
    """Return the progress of each of `periods` (in their order), counting the totals of
    the data set's indicators the user may enter: in `area` alone when given, else in every
    current area of the data set's level the user may enter figures for. `indicators` are
    the data set's, when the caller has them already."""
    if area is not None:
        areas, probe, area_count = [area.pk], area, 1
    else:
        areas = policy.areas(user, CAPTURE).filter(level=data_set.level_id, valid_to__isnull=True)
        probe = areas.only("pk", "path").first()
        area_count = areas.count() if probe is not None else 0
        areas = areas.values("pk")
    if probe is None or not periods:
        return [PeriodProgress(period=period, entered=0, expected=0) for period in periods]
    if indicators is None:
        indicators = data_set.indicators.filter(is_active=True).select_related("owner")
    enterable = [
        indicator
        for indicator in indicators
        if indicator.kind == IndicatorKind.MEASURED
        and indicator.is_active
        and policy.can(user, CAPTURE, IndicatorValue(indicator=indicator, area=probe))
    ]
    expected = area_count * len(enterable)
    entered = {}
    if expected:
        entered = dict(
            policy.scope(
                user,
                CAPTURE,
                IndicatorValue.objects.filter(
                    indicator__in=enterable,
                    area__in=areas,
                    period__in=periods,
                    breakdown__code=Breakdown.TOTAL,
                ),
            )
            .values_list("period_id")
            .annotate(count=Count("id"))
        )
    return [
        PeriodProgress(period=period, entered=entered.get(period.pk, 0), expected=expected)
        for period in periods
    ]


def period_needing_work(progress: list[PeriodProgress]) -> Period | None:
    """Return the period to open the form on, from `progress` listed newest first.

    The newest period that is partly entered; else the one after the newest complete
    period (the next to fill); else None, when nothing has been entered yet or the newest
    period is complete.
    """
    for item in progress:
        if item.is_partial:
            return item.period
    for index, item in enumerate(progress):
        if item.is_complete:
            return progress[index - 1].period if index else None
    return None
