"""
Which figures may be quoted as totals, and which comparisons between areas mean something.

A roll-up is a total only when enough of the tree below reported (its coverage: each child
counts 1 when it reported its own figure, its own coverage when it has a roll-up): at least
the `reporting_threshold` percent of the data set the indicator is entered in (the strictest,
when it is in several; 100% for an indicator in none). Below that it is *partial*: it is
shown as the sum (or mean) of the areas that reported, and it is never ranked, never given
a share of its parent and never compared with anything, since a national figure built from
one province says nothing about the nation.

How an indicator is compared follows from what kind of figure it is (`comparison_of`):

- rates, percents, means and calculated ratios are compared as they are (a rank among the
  siblings, a difference from the parent: in percentage points for a percent);
- counts and sums grow with the size of the area, so they are compared per 1,000
  residents, and only when every area compared has a population; otherwise not at all;
- a yes/no figure is counted (yes in 12 of 18 neighborhoods), never ranked.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from barzan.core.text import format_number

from . import display
from .choices import Aggregation, ValueType

# The reporting an indicator in no data set needs to be a total: all of it.
DEFAULT_THRESHOLD = 100
PER = Decimal(1000)


class Comparison(enum.StrEnum):
    """How figures of one indicator are compared across areas."""

    VALUE = "value"
    PER_1000 = "per_1000"
    YES_COUNT = "yes_count"


def comparison_of(indicator) -> Comparison:
    """Return how `indicator`'s figures are compared across areas."""
    if indicator.value_type == ValueType.BOOLEAN:
        return Comparison.YES_COUNT
    if (
        indicator.is_calculated
        or indicator.value_type in (ValueType.PERCENT, ValueType.RATE)
        or indicator.aggregation in (Aggregation.MEAN, Aggregation.WEIGHTED_MEAN)
    ):
        return Comparison.VALUE
    # A count, or a number that adds up over areas: it grows with the area.
    return Comparison.PER_1000


def thresholds(indicators: Iterable) -> dict[int, int]:
    """Return the reporting percent each of `indicators` needs for a roll-up to be a total.

    The strictest of the data sets it is entered in; a calculated indicator needs what
    the stricter of its parts needs; an indicator in no data set needs 100.
    """
    from .models import DataSet

    indicators = list(indicators)
    parts = {
        indicator.pk: [indicator.numerator_id, indicator.denominator_id]
        if indicator.is_calculated
        else [indicator.pk]
        for indicator in indicators
    }
    wanted = {pk for ids in parts.values() for pk in ids if pk is not None}
    strictest: dict[int, int] = {}
    rows = DataSet.indicators.through.objects.filter(indicator_id__in=wanted).values_list(
        "indicator_id", "dataset__reporting_threshold"
    )
    for indicator_id, percent in rows:
        strictest[indicator_id] = max(percent, strictest.get(indicator_id, 0))
    return {
        pk: max(strictest.get(part, DEFAULT_THRESHOLD) for part in ids if part is not None)
        for pk, ids in parts.items()
    }


def is_partial(figure, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """Return whether `figure` is a roll-up from too few of the areas below to be a total.

    A figure an area reported itself is whole; a roll-up that does not know how many areas
    could have reported is taken as partial, since nothing shows it is complete.
    """
    if figure is None or figure.value is None or not figure.is_rollup:
        return False
    if not figure.expected:
        return True
    # Not only this level's children: a child's own roll-up may be partial in turn.
    return 100 * figure.reported_share < threshold


def per_thousand(value, population) -> Decimal | None:
    """Return `value` per 1,000 residents of an area of `population`, None without one."""
    if value is None or not population:
        return None
    return PER * Decimal(value) / Decimal(population)


def rank(value: Decimal, others: list[Decimal], *, higher_is_better: bool) -> int:
    """Return the rank of `value` among `others` (which include it), 1 the best."""
    return 1 + sum(1 for other in others if (other > value if higher_is_better else other < value))


def difference_text(indicator, difference: Decimal) -> str:
    """Return the size of a difference between two figures of `indicator`, in the page's
    digits: percentage points for a percent («۰٫۷ واحد درصد»), the figure's own unit else."""
    size = abs(difference)
    if indicator.value_type == ValueType.PERCENT:
        return _("%(number)s percentage points") % {"number": format_number(size, decimals=1)}
    return display.formatted(indicator, size)


def per_thousand_text(value: Decimal) -> str:
    """Return a figure per 1,000 residents as the page shows it: «۱۲٫۳ در هر هزار نفر»."""
    decimals = 1 if abs(value) >= 1 else 2
    return _("%(number)s per 1,000 residents") % {"number": format_number(value, decimals=decimals)}
