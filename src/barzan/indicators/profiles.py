"""
The profile (شناسنامه) of an area, read for one period type at a time.

The reader chooses a period (by default the latest with a figure, the finer type on a
tie) and shows, for each key indicator, its latest figure of that period's type up to that
period, saying when it is older; its trend over the periods of that type only; whether a
roll-up is partial (`comparisons.is_partial`); and the comparisons that mean something for
its kind of figure (`comparisons.comparison_of`): a rank among the siblings, the parent's
figure, a figure per 1,000 residents, or how many siblings answer yes. Indicators with
figures only of another period type are named apart, with their latest period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from barzan.access import policy
from barzan.access.actions import VIEW
from barzan.geo.models import Area, AreaLevel

from . import comparisons, display
from .choices import Direction, ValueType
from .comparisons import Comparison
from .models import Indicator, IndicatorValue, Period
from .readers import Figure, figures, periods_with_figures, total_breakdown_id


@dataclass
class ProfileRow:
    """One figure of the profile, with its trend and how it compares."""

    indicator: Indicator
    period: Period | None
    figure: Figure | None
    shown: str
    series: list[tuple[Period, Figure, str]]
    rank: int | None = None
    rank_of: int | None = None
    parent_shown: str = ""
    parent_value: Decimal | None = None
    parent_figure: Figure | None = None
    source: object = None
    is_hidden: bool = False
    comparison: Comparison = Comparison.VALUE
    # A roll-up from too few of the areas below to be quoted as a total, by the reporting
    # percent the indicator's data sets need.
    is_partial: bool = False
    threshold: int = comparisons.DEFAULT_THRESHOLD
    parent_is_partial: bool = False
    # The latest figure is of a period before the one chosen.
    is_stale: bool = False
    # Counts compared per 1,000 residents, when the areas have a population.
    per_1000: Decimal | None = None
    parent_per_1000: Decimal | None = None
    # Yes/no figures: how many of the siblings with a figure answer yes.
    yes_count: int | None = None
    yes_of: int | None = None

    @property
    def trend_points(self) -> list[Decimal]:
        return [figure.value for _period, figure, _shown in self.series if figure.value is not None]


@dataclass
class ProfileSection:
    category: object
    rows: list[ProfileRow] = field(default_factory=list)
    # Indicators with figures only of other period types: (indicator, latest period).
    elsewhere: list[tuple[Indicator, Period]] = field(default_factory=list)
    # Yes/no indicators the area has no figure of, counted over the areas below.
    counted: list[YesCount] = field(default_factory=list)


@dataclass
class YesCount:
    """How many of the areas below that reported a yes/no figure answer yes."""

    indicator: Indicator
    period: Period
    yes: int
    reported: int
    level_fa: str
    level_en: str
    level_code: str

    @property
    def level(self) -> str:
        from django.utils.translation import get_language

        persian = (get_language() or "fa").startswith("fa")
        return self.level_fa if persian or not self.level_en else self.level_en


@dataclass
class Profile:
    area: Area
    parent: Area | None
    sections: list[ProfileSection]
    periods: list[Period]
    sibling_count: int
    is_synthetic: bool
    # The period chosen, and every period with a figure of the area, latest first.
    period: Period | None = None
    period_choices: list[Period] = field(default_factory=list)
    # The level of the areas below (for «مجموع ۱ از ۳۱ استان گزارش‌دهنده»), if one.
    child_level: AreaLevel | None = None


def default_period(available: list[Period]) -> Period | None:
    """Return the latest period of `available`; of a year and its last quarter, the quarter."""
    return max(available, key=lambda period: (period.end, period.start), default=None)


def profile(*, user, area: Area, periods: int = 8, period: Period | None = None) -> Profile:
    """Return the profile of `area` for `period` (by default the latest with a figure).

    Each key figure is its latest of `period`'s type up to `period`, with its trend over
    the last `periods` periods of that type, its rank among the siblings the user may see
    where ranking means something, and the parent's figure when the user may see the parent.
    """
    from barzan.registry.models import Organization

    viewer = display.viewer_of(user)
    indicators = list(
        Indicator.objects.filter(is_active=True, is_key=True)
        .select_related("category", "owner", "numerator", "denominator")
        .order_by("category__order", "category__code", "order", "code")
    )
    available = periods_with_figures(area)
    chosen = period or default_period(available)
    typed = [
        p
        for p in available
        if chosen is not None and p.period_type == chosen.period_type and p.start <= chosen.start
    ]
    found = figures(user=user, indicators=indicators, areas=[area], periods=available)
    total = total_breakdown_id()
    threshold_of = comparisons.thresholds(indicators)
    parent = area.parent if area.parent_id and policy.can(user, VIEW, area.parent) else None
    population_of: dict[int, int | None] = {}
    if area.parent_id:
        population_of = dict(
            policy.scope(
                user, VIEW, Area.objects.filter(parent_id=area.parent_id, valid_to__isnull=True)
            ).values_list("pk", "population")
        )
    siblings = list(population_of)
    child_level = AreaLevel.objects.filter(areas__parent=area).distinct()[:2]
    child_level = child_level[0] if len(child_level) == 1 else None

    def key(indicator, area_id, period):
        return (indicator.pk, area_id, period.pk, total)

    series_of: dict[int, list[tuple[Period, Figure]]] = {}
    elsewhere: dict[int, Period] = {}
    for indicator in indicators:
        series_of[indicator.pk] = [
            (p, found[key(indicator, area.pk, p)])
            for p in typed
            if key(indicator, area.pk, p) in found
        ][-periods:]
        if not series_of[indicator.pk]:
            other = [p for p in available if key(indicator, area.pk, p) in found]
            if other:
                elsewhere[indicator.pk] = other[-1]
    latest = {pk: series[-1][0] for pk, series in series_of.items() if series}
    counted = _yes_counts(
        user,
        area,
        [i for i in indicators if i.value_type == ValueType.BOOLEAN and i.pk not in latest],
        chosen,
        total,
    )
    compared = {}
    if latest and (siblings or parent):
        compared = figures(
            user=user,
            indicators=[i for i in indicators if i.pk in latest],
            areas=[*siblings, *([parent.pk] if parent else [])],
            periods={p.pk: p for p in latest.values()}.values(),
        )
    sources = {figure.source_id for figure in found.values() if figure.source_id is not None}
    organizations = Organization.objects.in_bulk(sources)
    sections: dict[int, ProfileSection] = {}
    for indicator in indicators:
        section = sections.setdefault(
            indicator.category_id, ProfileSection(category=indicator.category)
        )
        if indicator.pk in counted:
            section.counted.append(counted[indicator.pk])
        elif indicator.pk in elsewhere:
            section.elsewhere.append((indicator, elsewhere[indicator.pk]))
        series = series_of[indicator.pk]
        row_period = latest.get(indicator.pk)
        figure = series[-1][1] if series else None
        threshold = threshold_of.get(indicator.pk, comparisons.DEFAULT_THRESHOLD)
        row = ProfileRow(
            indicator=indicator,
            period=row_period,
            figure=figure,
            shown=display.show(indicator, figure, viewer),
            series=[(p, f, display.show(indicator, f, viewer)) for p, f in series],
            is_hidden=display.is_hidden(indicator, figure, viewer),
            source=organizations.get(figure.source_id)
            if figure and figure.source_id
            else (indicator.owner if figure else None),
            comparison=comparisons.comparison_of(indicator),
            is_partial=comparisons.is_partial(figure, threshold),
            threshold=threshold,
            is_stale=row_period is not None and row_period.pk != chosen.pk,
        )
        if figure is not None and figure.value is not None:
            neighbours = {
                sibling: compared[key(indicator, sibling, row_period)]
                for sibling in siblings
                if key(indicator, sibling, row_period) in compared
                and compared[key(indicator, sibling, row_period)].value is not None
            }
            _compare_with_siblings(row, area, neighbours, population_of, threshold, viewer)
            if parent is not None:
                _compare_with_parent(
                    row, area, parent, compared.get(key(indicator, parent.pk, row_period)),
                    threshold, viewer,
                )  # fmt: skip
        section.rows.append(row)
    return Profile(
        area=area,
        parent=parent,
        sections=[
            section
            for section in sections.values()
            if any(r.figure for r in section.rows) or section.elsewhere or section.counted
        ],
        periods=typed[-periods:],
        sibling_count=len(siblings),
        is_synthetic=area.is_synthetic,
        period=chosen,
        period_choices=sorted(available, key=lambda p: (p.end, p.start), reverse=True),
        child_level=child_level,
    )


def _yes_counts(user, area, indicators, chosen, total) -> dict[int, YesCount]:
    """Return, for yes/no `indicators`, how many areas below `area` answer yes in the latest
    period of `chosen`'s type up to it: «بله در ۱۲ از ۱۸ محله». Yes/no figures do not roll
    up; counting them is the only sum that means something."""
    if chosen is None:
        return {}
    values = policy.scope(
        user,
        VIEW,
        IndicatorValue.objects.filter(
            indicator_id__in=[i.pk for i in indicators],
            area__path__startswith=area.path,
            breakdown_id=total,
            period__period_type=chosen.period_type,
            period__start__lte=chosen.start,
        ).exclude(area=area),
    )
    rows = (
        values.values(
            "indicator_id", "period_id", "period__start", "area__level__name_fa",
            "area__level__name_en", "area__level__code",
        )
        .annotate(reported=Count("pk"), yes=Count("pk", filter=~Q(value=0)))
        .order_by("indicator_id", "-period__start", "-reported")
    )  # fmt: skip
    latest: dict[int, dict] = {}
    for row in rows:
        latest.setdefault(row["indicator_id"], row)
    periods = Period.objects.in_bulk({row["period_id"] for row in latest.values()})
    by_pk = {indicator.pk: indicator for indicator in indicators}
    return {
        pk: YesCount(
            indicator=by_pk[pk],
            period=periods[row["period_id"]],
            yes=row["yes"],
            reported=row["reported"],
            level_fa=row["area__level__name_fa"],
            level_en=row["area__level__name_en"],
            level_code=row["area__level__code"],
        )
        for pk, row in latest.items()
    }


def _compare_with_siblings(row, area, neighbours, population_of, threshold, viewer):
    """Set the row's rank, or its count of yes, among the siblings that have a figure."""
    indicator, figure = row.indicator, row.figure
    if row.comparison == Comparison.YES_COUNT:
        row.yes_count = sum(1 for other in neighbours.values() if other.value)
        row.yes_of = len(neighbours)
        return
    # A partial figure is no total to rank; a hidden one's rank would bound it.
    if row.is_partial or row.is_hidden:
        return
    whole = {
        sibling: other
        for sibling, other in neighbours.items()
        if not comparisons.is_partial(other, threshold)
    }
    if row.comparison == Comparison.PER_1000:
        row.per_1000 = comparisons.per_thousand(figure.value, area.population)
        if row.per_1000 is None:
            return
        # A hidden count per 1,000 residents of a known population gives the count away.
        whole = {
            sibling: other
            for sibling, other in whole.items()
            if not display.is_hidden(indicator, other, viewer)
        }
        if not all(population_of.get(sibling) for sibling in whole):
            return
        values = [
            comparisons.per_thousand(other.value, population_of[sibling])
            for sibling, other in whole.items()
        ]
        value = row.per_1000
    else:
        values = [other.value for other in whole.values()]
        value = figure.value
    if len(values) > 1 and indicator.direction != Direction.NEUTRAL:
        higher = indicator.direction == Direction.HIGHER_IS_BETTER
        row.rank = comparisons.rank(value, values, higher_is_better=higher)
        row.rank_of = len(values)


def _compare_with_parent(row, area, parent, parent_figure, threshold, viewer):
    """Set the parent's figure on the row, and whether it is whole enough to compare."""
    if parent_figure is None or parent_figure.value is None:
        return
    row.parent_figure = parent_figure
    row.parent_value = parent_figure.value
    row.parent_shown = display.show(row.indicator, parent_figure, viewer)
    row.parent_is_partial = comparisons.is_partial(parent_figure, threshold)
    if (
        row.comparison == Comparison.PER_1000
        and row.per_1000 is not None
        and not row.parent_is_partial
        and not display.is_hidden(row.indicator, parent_figure, viewer)
    ):
        row.parent_per_1000 = comparisons.per_thousand(parent_figure.value, parent.population)
