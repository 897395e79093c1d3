"""The fixed vocabularies of indicators: value types, aggregation rules, periods, breakdowns."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ValueType(models.TextChoices):
    COUNT = "count", _("count")
    NUMBER = "number", _("number")
    PERCENT = "percent", _("percent")
    RATE = "rate", _("rate per 1,000")
    BOOLEAN = "boolean", _("yes/no")


class Aggregation(models.TextChoices):
    """How an indicator's values add up from the children of an area to the area."""

    SUM = "sum", _("sum")
    MEAN = "mean", _("mean")
    WEIGHTED_MEAN = "weighted_mean", _("population-weighted mean")
    # A stock counted at the end of a period (schools, beds): it adds up over areas like a
    # sum; only over time would it differ, and periods are never added together here.
    LAST = "last", _("last value (stock)")
    NONE = "none", _("not aggregated")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher_better", _("higher is better")
    LOWER_IS_BETTER = "lower_better", _("lower is better")
    NEUTRAL = "neutral", _("neither")


class IndicatorKind(models.TextChoices):
    MEASURED = "measured", _("measured")
    CALCULATED = "calculated", _("calculated")


class PeriodType(models.TextChoices):
    YEAR = "year", _("year")
    HALF = "half", _("half-year")
    QUARTER = "quarter", _("quarter")
    MONTH = "month", _("month")


class Dimension(models.TextChoices):
    """What a breakdown divides a figure by; the list is fixed on purpose."""

    TOTAL = "total", _("total")
    SEX = "sex", _("sex")
    AGE_GROUP = "age_group", _("age group")
    EDUCATION = "education", _("education")


class Operator(models.TextChoices):
    LE = "le", "≤"
    LT = "lt", "<"
    EQ = "eq", "="
    GE = "ge", "≥"
    GT = "gt", ">"
