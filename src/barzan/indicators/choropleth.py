"""
A figure of an area's children shaded on a map (choropleth): each child's value in one
period, grouped into classes by quantile, with what cannot be shaded as a value said as
such: a small count hidden from the viewer, a partial roll-up, a missing figure.

Reads only, through the access policy: the children are those the user may see, the
figures those `readers.figures` gives the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from barzan.access import policy
from barzan.access.actions import VIEW
from barzan.core.text import format_number
from barzan.geo.models import Area

from . import comparisons, display, readers
from .choices import ValueType
from .models import Indicator, IndicatorAggregate, IndicatorValue, Period

# More classes than this cannot be told apart on a map.
MAX_CLASSES = 5

VALUE, HIDDEN, PARTIAL, MISSING = "value", "hidden", "partial", "missing"


@dataclass
class Shade:
    """How one child is drawn: its state, its class (for a value) and its text."""

    state: str
    shown: str
    klass: int | None = None


@dataclass
class Legend:
    label: str
    state: str
    klass: int | None = None


@dataclass
class Shading:
    indicator: Indicator
    period: Period | None
    # Counts are shaded per 1,000 residents: a big county has more schools than a small one.
    per_1000: bool = False
    shades: dict[int, Shade] = field(default_factory=dict)
    legend: list[Legend] = field(default_factory=list)


def _children(user, area: Area):
    children = Area.objects.filter(parent=area, valid_to__isnull=True).only(
        "pk", "path", "name_fa", "name_en", "population"
    )
    return list(policy.scope(user, VIEW, children))


def latest_period(
    indicator: Indicator, areas: list[Area], until: Period | None = None
) -> Period | None:
    """Return the latest period in which any of `areas` has a figure of `indicator` (for a
    calculated one, of its numerator); with `until`, the latest of its type not after it,
    as the profile's rows show a figure older than the period chosen."""
    measured = indicator.numerator_id if indicator.is_calculated else indicator.pk
    ids = [area.pk for area in areas]
    raw = IndicatorValue.objects.filter(indicator_id=measured, area_id__in=ids).values("period_id")
    rolled = IndicatorAggregate.objects.filter(indicator_id=measured, area_id__in=ids).values(
        "period_id"
    )
    periods = Period.objects.filter(Q(pk__in=raw) | Q(pk__in=rolled))
    if until is not None:
        periods = periods.filter(period_type=until.period_type, start__lte=until.start)
    return periods.order_by("-end", "start").first()


def breaks(values: list[Decimal], classes: int = MAX_CLASSES) -> list[Decimal]:
    """Return the upper bounds of quantile classes of `values`: as many classes as there
    are distinct values, up to `classes`; the last bound is the largest value."""
    ordered = sorted(values)
    if not ordered:
        return []
    count = min(classes, len(set(ordered)))
    bounds: list[Decimal] = []
    for index in range(1, count + 1):
        bound = ordered[max(0, round(index * len(ordered) / count) - 1)]
        if not bounds or bound > bounds[-1]:
            bounds.append(bound)
    if bounds[-1] != ordered[-1]:
        bounds.append(ordered[-1])
    return bounds


def class_of(value: Decimal, bounds: list[Decimal]) -> int:
    for index, bound in enumerate(bounds):
        if value <= bound:
            return index
    return len(bounds) - 1


def shade_children(*, user, area: Area, indicator: Indicator, period=None, until=None) -> Shading:
    """Return how each child of `area` the user may see is shaded by `indicator` in
    `period` (by default the latest with a figure for any of them, not after `until`), with
    the legend. A partial roll-up is drawn as partial, by the profile's own rule; a count is
    shaded per 1,000 residents, and a child without a population is not shaded at all."""
    children = _children(user, area)
    period = period or (latest_period(indicator, children, until) if children else None)
    per_1000 = comparisons.comparison_of(indicator) == comparisons.Comparison.PER_1000
    shading = Shading(indicator=indicator, period=period, per_1000=per_1000)
    if period is None:
        return shading
    viewer = display.viewer_of(user)
    threshold = comparisons.thresholds([indicator])[indicator.pk]
    found = readers.figures(user=user, indicators=[indicator], areas=children, periods=[period])
    total = readers.total_breakdown_id()
    values: dict[int, Decimal] = {}
    for child in children:
        figure = found.get((indicator.pk, child.pk, period.pk, total))
        if figure is None or figure.value is None:
            shading.shades[child.pk] = Shade(MISSING, "—")
        elif display.is_hidden(indicator, figure, viewer):
            shading.shades[child.pk] = Shade(HIDDEN, display.suppressed_label())
        elif comparisons.is_partial(figure, threshold):
            shown = display.formatted(indicator, figure.value)
            shading.shades[child.pk] = Shade(
                PARTIAL,
                _("%(value)s (partial: %(reported)s of %(expected)s reported)")
                % {
                    "value": shown,
                    "reported": format_number(figure.reported or 0, decimals=0),
                    "expected": format_number(figure.expected, decimals=0),
                },
            )
        elif per_1000:
            shown = display.formatted(indicator, figure.value)
            rate = comparisons.per_thousand(figure.value, child.population)
            if rate is None:
                shading.shades[child.pk] = Shade(
                    MISSING, _("%(value)s (no population: not compared)") % {"value": shown}
                )
            else:
                values[child.pk] = rate
                shading.shades[child.pk] = Shade(
                    VALUE, f"{shown} ({comparisons.per_thousand_text(rate)})"
                )
        else:
            values[child.pk] = Decimal(figure.value)
            shading.shades[child.pk] = Shade(VALUE, display.formatted(indicator, figure.value))
    bounds = breaks(list(values.values()))
    for pk, value in values.items():
        shading.shades[pk].klass = class_of(value, bounds)
    shading.legend = _legend(indicator, bounds, list(values.values()), shading.shades, per_1000)
    return shading


def _legend(indicator, bounds, values, shades, per_1000=False) -> list[Legend]:
    legend = []

    def shown(number):
        if per_1000:
            return format_number(number, decimals=1 if abs(number) >= 1 else 2)
        return display.formatted(indicator, number)

    low = min(values) if values else None
    for index, bound in enumerate(bounds):
        start = low if index == 0 else bounds[index - 1]
        if indicator.value_type == ValueType.BOOLEAN or start == bound:
            label = shown(bound)
        else:
            # «۱۰–۲۰»: a class holds the values above the previous bound, up to its own.
            label = _("%(low)s–%(high)s") % {
                "low": shown(start),
                "high": shown(bound),
            }
        legend.append(Legend(label, VALUE, index))
    states = {shade.state for shade in shades.values()}
    for state, label in (
        (PARTIAL, _("Partial: not every area below reported")),
        (HIDDEN, _("Hidden small count (%(label)s)") % {"label": display.suppressed_label()}),
        (MISSING, _("No figure")),
    ):
        if state in states:
            legend.append(Legend(label, state))
    return legend
