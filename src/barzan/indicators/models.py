"""The indicator catalogue, periods, raw values, stored roll-ups, rules and imports."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from barzan.core import jalali, jobs
from barzan.core.identifiers import ExternalIdentifier
from barzan.core.models import ImportJob, NamedModel, TimestampedModel, VersionedModel
from barzan.core.text import to_persian_digits

from .choices import (
    Aggregation,
    Dimension,
    Direction,
    IndicatorKind,
    Operator,
    PeriodType,
    ValueType,
)

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
    _("Use Latin letters, digits, dots, dashes and underscores, starting with a letter or digit."),
)

VALUE_DIGITS = 20
VALUE_PLACES = 6


class Category(NamedModel):
    """A heading of the profile (population, education, health…) that groups indicators."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("indicator category")
        verbose_name_plural = _("indicator categories")


class Breakdown(NamedModel):
    """One part of a fixed disaggregation (female, aged 15-19, college); `total` is none."""

    TOTAL = "total"

    code = models.SlugField(_("code"), max_length=40, unique=True)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("breakdown")
        verbose_name_plural = _("breakdowns")

    @property
    def is_total(self) -> bool:
        return self.code == self.TOTAL


class Indicator(NamedModel, TimestampedModel, VersionedModel):
    """A figure reported about areas and periods, or calculated from two others."""

    code = models.CharField(_("code"), max_length=64, unique=True, validators=[code_validator])
    description_fa = models.TextField(_("Persian description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    unit_fa = models.CharField(_("Persian unit"), max_length=40, blank=True)
    unit_en = models.CharField(_("English unit"), max_length=40, blank=True)
    value_type = models.CharField(_("value type"), max_length=16, choices=ValueType.choices)
    aggregation = models.CharField(
        _("aggregation up the tree"),
        max_length=16,
        choices=Aggregation.choices,
        default=Aggregation.SUM,
    )
    direction = models.CharField(
        _("direction"), max_length=16, choices=Direction.choices, default=Direction.NEUTRAL
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("category")
    )
    owner = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="indicators",
        verbose_name=_("owning organization"),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=IndicatorKind.choices, default=IndicatorKind.MEASURED
    )
    numerator = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("numerator"),
    )
    denominator = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("denominator"),
    )
    factor = models.DecimalField(
        _("factor"),
        max_digits=12,
        decimal_places=4,
        default=Decimal(1),
        help_text=_(
            "A calculated indicator is factor × numerator ÷ denominator (100 for a percent)."
        ),
    )
    minimum = models.DecimalField(
        _("smallest plausible value"),
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        null=True,
        blank=True,
    )
    maximum = models.DecimalField(
        _("largest plausible value"),
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        null=True,
        blank=True,
    )
    dimensions = models.JSONField(
        _("breakdowns"),
        default=list,
        blank=True,
        help_text=_("The dimensions (sex, age group, education) this figure is also given by."),
    )
    is_key = models.BooleanField(
        _("key figure"), default=True, help_text=_("Shown on every area's profile.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category__order", "order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def get_absolute_url(self) -> str:
        return reverse("indicators:indicator_detail", args=[self.code])

    @property
    def is_calculated(self) -> bool:
        return self.kind == IndicatorKind.CALCULATED

    @property
    def unit(self) -> str:
        if not (get_language() or "fa").startswith("fa"):
            return self.unit_en or self.unit_fa
        return to_persian_digits(self.unit_fa)

    @property
    def description(self) -> str:
        if not (get_language() or "fa").startswith("fa"):
            return self.description_en or self.description_fa
        return self.description_fa

    def clean(self):
        errors = {}
        if self.kind == IndicatorKind.CALCULATED:
            if not self.numerator_id:
                errors["numerator"] = _("A calculated indicator needs a numerator.")
            if not self.denominator_id:
                errors["denominator"] = _("A calculated indicator needs a denominator.")
        elif self.numerator_id or self.denominator_id:
            errors["kind"] = _("Only a calculated indicator has a numerator and a denominator.")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            errors["maximum"] = _("The largest plausible value is below the smallest.")
        unknown = set(self.dimensions or []) - {
            Dimension.SEX,
            Dimension.AGE_GROUP,
            Dimension.EDUCATION,
        }
        if unknown:
            errors["dimensions"] = _("Unknown breakdown: %(names)s.") % {
                "names": ", ".join(sorted(map(str, unknown)))
            }
        if errors:
            raise ValidationError(errors)


class IndicatorIdentifier(ExternalIdentifier):
    """The indicator's identifier in another system: a DHIS2 dataElement uid, a ministry's code."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="identifiers", verbose_name=_("indicator")
    )

    class Meta(ExternalIdentifier.Meta):
        verbose_name = _("indicator identifier")
        verbose_name_plural = _("indicator identifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "value"], name="indicators_indicator_identifier_unique"
            )
        ]


class BreakdownIdentifier(ExternalIdentifier):
    """The breakdown's identifier in another system: a DHIS2 categoryOptionCombo uid."""

    breakdown = models.ForeignKey(
        Breakdown, on_delete=models.CASCADE, related_name="identifiers", verbose_name=_("breakdown")
    )

    class Meta(ExternalIdentifier.Meta):
        verbose_name = _("breakdown identifier")
        verbose_name_plural = _("breakdown identifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "value"], name="indicators_breakdown_identifier_unique"
            )
        ]


class DataSet(NamedModel, TimestampedModel, VersionedModel):
    """Indicators entered together, for areas of one level and periods of one type."""

    code = models.CharField(_("code"), max_length=64, unique=True, validators=[code_validator])
    level = models.ForeignKey(
        "geo.AreaLevel", on_delete=models.PROTECT, related_name="+", verbose_name=_("level")
    )
    period_type = models.CharField(_("period type"), max_length=16, choices=PeriodType.choices)
    indicators = models.ManyToManyField(
        Indicator, related_name="data_sets", verbose_name=_("indicators")
    )
    owner = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="data_sets",
        verbose_name=_("owning organization"),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("data set")
        verbose_name_plural = _("data sets")

    def get_absolute_url(self) -> str:
        return reverse("indicators:dataset_detail", args=[self.code])


class Period(models.Model):
    """A Jalali year, half, quarter or month, with its Gregorian first and last day."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    period_type = models.CharField(_("period type"), max_length=16, choices=PeriodType.choices)
    year = models.PositiveSmallIntegerField(_("Jalali year"))
    number = models.PositiveSmallIntegerField(_("number in the year"), default=0)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))

    class Meta:
        ordering = ["start", "-end"]
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        indexes = [models.Index(fields=["period_type", "start"])]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The period as a person reads it: «مهر ۱۴۰۲», «فصل ۳ ۱۴۰۲», «Q3 1402»."""
        persian = (get_language() or "fa").startswith("fa")
        if self.period_type == PeriodType.YEAR:
            text = str(self.year)
        elif self.period_type == PeriodType.MONTH:
            text = f"{jalali.month_name(self.number)} {self.year}"
        elif self.period_type == PeriodType.QUARTER:
            text = f"فصل {self.number} {self.year}" if persian else f"Q{self.number} {self.year}"
        else:
            text = f"نیمه {self.number} {self.year}" if persian else f"H{self.number} {self.year}"
        return to_persian_digits(text) if persian else text


class IndicatorValue(models.Model):
    """One raw figure: indicator × area × period × breakdown, as its source reported it."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="values",
        verbose_name=_("indicator"),
        db_index=False,
    )
    area = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        related_name="indicator_values",
        verbose_name=_("area"),
        db_index=False,
    )
    period = models.ForeignKey(
        Period,
        on_delete=models.PROTECT,
        related_name="values",
        verbose_name=_("period"),
        db_index=False,
    )
    breakdown = models.ForeignKey(
        Breakdown,
        on_delete=models.PROTECT,
        related_name="values",
        verbose_name=_("breakdown"),
        db_index=False,
    )
    value = models.DecimalField(_("value"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    source = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="reported_values",
        verbose_name=_("source"),
        db_index=False,
    )
    comment = models.TextField(_("comment"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
        db_index=False,
    )
    entered_at = models.DateTimeField(_("entered at"))
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "period", "indicator", "breakdown"], name="indicator_value_unique"
            )
        ]
        # The unique index, led by the area, serves every read by area and period; no
        # other index is kept, because each one costs every import of millions of rows.

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.area.code} {self.period.code}"


class IndicatorAggregate(models.Model):
    """A stored roll-up: an indicator's value for an area from its children's values.

    Raw values stay the source of truth; `indicators.rollups` rewrites these rows for the
    ancestors of whatever changed. Being derived, they carry no foreign-key constraints in
    the database (PostgreSQL would check each of a million rewritten rows at commit);
    deleting an indicator or area still deletes them through Django. `reported_count` of
    `expected_count` children had a value (completeness).
    """

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="aggregates",
        db_index=False,
        db_constraint=False,
    )
    area = models.ForeignKey(
        "geo.Area",
        on_delete=models.CASCADE,
        related_name="aggregates",
        db_index=False,
        db_constraint=False,
    )
    period = models.ForeignKey(
        Period,
        on_delete=models.CASCADE,
        related_name="aggregates",
        db_index=False,
        db_constraint=False,
    )
    breakdown = models.ForeignKey(
        Breakdown,
        on_delete=models.CASCADE,
        related_name="aggregates",
        db_index=False,
        db_constraint=False,
    )
    value = models.DecimalField(
        _("value"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True
    )
    reported_count = models.PositiveIntegerField(_("children reporting"), default=0)
    expected_count = models.PositiveIntegerField(_("children"), default=0)
    # The population behind the value (the reporting children's), for weighted means above.
    weight = models.DecimalField(max_digits=24, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = _("aggregate")
        verbose_name_plural = _("aggregates")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "period", "indicator", "breakdown"],
                name="indicator_aggregate_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.area_id} {self.period_id}"

    @property
    def completeness(self) -> Decimal | None:
        if not self.expected_count:
            return None
        return Decimal(self.reported_count) / Decimal(self.expected_count)


class ValueChange(models.Model):
    """One change of a raw value, by hand or by an import: its history, kept for good.

    Written by the hundred thousand in an import, so without foreign-key constraints in
    the database: its references come from the rows the import has just checked.
    """

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    area = models.ForeignKey(
        "geo.Area", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    breakdown = models.ForeignKey(
        Breakdown, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    old_value = models.DecimalField(
        _("old value"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True
    )
    new_value = models.DecimalField(
        _("new value"), max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    changed_by_label = models.CharField(max_length=150, blank=True)
    changed_at = models.DateTimeField(_("changed at"))
    value_import = models.ForeignKey(
        "ValueImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        db_constraint=False,
    )

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("value change")
        verbose_name_plural = _("value changes")
        indexes = [models.Index(fields=["area", "indicator", "period"], name="value_change_key")]

    def __str__(self) -> str:
        return f"{self.old_value} → {self.new_value}"


class ValidationRule(NamedModel, TimestampedModel, VersionedModel):
    """A check between figures of one area and period: left operator right.

    The left side is one indicator's total or breakdown, or the sum of the parts of one
    dimension (parts ≤ total); the right side is an indicator's total or breakdown.
    """

    code = models.CharField(_("code"), max_length=64, unique=True, validators=[code_validator])
    left = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="+", verbose_name=_("left indicator")
    )
    left_breakdown = models.ForeignKey(
        Breakdown,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("left breakdown"),
    )
    left_dimension = models.CharField(
        _("sum of the parts of"), max_length=20, choices=Dimension.choices, blank=True
    )
    operator = models.CharField(_("operator"), max_length=2, choices=Operator.choices)
    right = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="+", verbose_name=_("right indicator")
    )
    right_breakdown = models.ForeignKey(
        Breakdown,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("right breakdown"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")


@jobs.register
class ValueImport(ImportJob):
    """An uploaded file of values: checked first, then applied, perhaps in the background."""

    area = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("into area"),
        help_text=_("Every row must lie in this area."),
    )
    source = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("source"),
    )
    format = models.CharField(_("format"), max_length=16)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    new_count = models.PositiveIntegerField(_("new values"), default=0)
    changed_count = models.PositiveIntegerField(_("changed values"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged values"), default=0)
    # How the file names indicators, areas and breakdowns: {"indicator": "dhis2", ...};
    # a kind left out is matched by code.
    id_schemes = models.JSONField(_("identifier schemes"), default=dict, blank=True)
    # Identifiers of an external scheme the check did not know, for the mapping page:
    # {"indicator": ["fbfJHSPpUQD", ...], "area": [...], "breakdown": [...]}.
    unknown_identifiers = models.JSONField(default=dict, blank=True, editable=False)
    hidden_count = models.PositiveIntegerField(
        _("hidden cells skipped"),
        default=0,
        help_text=_("Cells an export wrote as a suppressed small count («<5»): never written."),
    )

    class Meta(ImportJob.Meta):
        verbose_name = _("value import")
        verbose_name_plural = _("value imports")

    @property
    def to_write_count(self) -> int:
        return self.new_count + self.changed_count

    def get_absolute_url(self) -> str:
        return reverse("indicators:import_detail", args=[self.pk])
