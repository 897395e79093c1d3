"""Forms of the catalogue pages: indicators, data sets, validation rules, and the choices
of the violations list and the value export. Every choice is narrowed by the policy."""

from django import forms
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.translation import gettext_lazy as _

from barzan.access import policy
from barzan.access.actions import CAPTURE, EXPORT, MANAGE, VIEW
from barzan.core.forms import Form, ModelForm, VersionField
from barzan.core.models import name_order
from barzan.core.text import localize_digits
from barzan.core.widgets import SearchSelect
from barzan.geo.forms import AreaChoiceField
from barzan.geo.models import Area
from barzan.registry.models import Organization

from . import formats
from . import periods as period_codes
from .choices import Dimension, IndicatorKind
from .exports import export_format_choices
from .models import Breakdown, DataSet, Indicator, Period, ValidationRule

LTR = {"dir": "ltr"}
DIMENSION_CHOICES = [
    (Dimension.SEX, Dimension.SEX.label),
    (Dimension.AGE_GROUP, Dimension.AGE_GROUP.label),
    (Dimension.EDUCATION, Dimension.EDUCATION.label),
]
PERIOD_HELP = _("A Jalali year (1402), half (1402H1), quarter (1402Q3) or month (1402-07).")


class IndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, indicator):
        return f"{indicator.name} ({indicator.code})"


class IndicatorMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, indicator):
        return f"{indicator.name} ({indicator.code})"


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, organization):
        return organization.name


def managed_organizations(actor):
    """Return the organizations `actor` may manage: the owners they may give a figure."""
    return policy.scope(actor, MANAGE, Organization.objects.order_by(*name_order()))


def visible_indicators(actor):
    return policy.scope(actor, VIEW, Indicator.objects.order_by(*name_order()))


DETAIL_URL_NAMES = {Indicator: "indicators:indicator_detail", DataSet: "indicators:dataset_detail"}


def shadows_a_page(model, code: str) -> bool:
    """Return whether the page of a `model` coded `code` would be another page's address."""
    url_name = DETAIL_URL_NAMES.get(model)
    if url_name is None or not code:
        return False
    try:
        match = resolve(reverse(url_name, args=[code]))
    except (NoReverseMatch, Resolver404):
        return True
    return f"{match.namespace}:{match.url_name}" != url_name


class CodeMixin:
    """Keep a row's code out of the page addresses it would shadow."""

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not self.fields["code"].disabled and shadows_a_page(self._meta.model, code):
            raise forms.ValidationError(
                _("«%(code)s» is the address of a page; choose another code.") % {"code": code}
            )
        return code


class IndicatorForm(CodeMixin, ModelForm):
    """Create or change an indicator; the action validates and saves it."""

    dimensions = forms.MultipleChoiceField(
        label=_("Breakdowns"),
        choices=DIMENSION_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The dimensions this figure is also given by, besides its total."),
    )
    version = VersionField()

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name_fa",
            "name_en",
            "description_fa",
            "description_en",
            "category",
            "owner",
            "value_type",
            "unit_fa",
            "unit_en",
            "aggregation",
            "direction",
            "kind",
            "numerator",
            "denominator",
            "factor",
            "minimum",
            "maximum",
            "dimensions",
            "is_key",
            "order",
            "is_active",
        ]
        widgets = {
            "code": forms.TextInput(attrs=LTR),
            "name_en": forms.TextInput(attrs=LTR),
            "unit_en": forms.TextInput(attrs=LTR),
            "description_fa": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3, **LTR}),
        }
        field_classes = {
            "owner": OrganizationChoiceField,
            "numerator": IndicatorChoiceField,
            "denominator": IndicatorChoiceField,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = managed_organizations(self.actor)
        measured = visible_indicators(self.actor).filter(kind=IndicatorKind.MEASURED)
        if self.instance.pk:
            measured = measured.exclude(pk=self.instance.pk)
            self.initial.setdefault("version", self.instance.version)
            # A code is how files and the API name the indicator: it stays as created.
            self.fields["code"].disabled = True
        for name in ("numerator", "denominator"):
            self.fields[name].queryset = measured
            self.fields[name].help_text = _("Only for a calculated indicator.")

    def _post_clean(self):
        # The action validates and saves; the form must not touch the instance it edits.
        pass

    def changes(self) -> dict:
        """Return the fields for the action, without the version and the fixed code."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if self.instance.pk:
            data.pop("code", None)
        return data


class DataSetForm(CodeMixin, ModelForm):
    """Create or change a data set: indicators entered together at one level and period type."""

    indicators = IndicatorMultipleChoiceField(
        label=_("Indicators"),
        queryset=Indicator.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Measured indicators only: calculated ones follow from their parts."),
    )
    version = VersionField()

    class Meta:
        model = DataSet
        fields = [
            "code",
            "name_fa",
            "name_en",
            "level",
            "period_type",
            "owner",
            "description",
            "reporting_threshold",
            "timely_days",
            "requires_valid_rules",
            "indicators",
        ]
        widgets = {
            "code": forms.TextInput(attrs=LTR),
            "name_en": forms.TextInput(attrs=LTR),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"owner": OrganizationChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = managed_organizations(self.actor)
        self.fields["indicators"].queryset = visible_indicators(self.actor).filter(
            kind=IndicatorKind.MEASURED, is_active=True
        )
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
            self.initial["indicators"] = list(self.instance.indicators.values_list("pk", flat=True))
            self.fields["code"].disabled = True
        # Left empty, the days keep what they were (the default for a new data set).
        self.fields["timely_days"].required = False
        # Left empty (or by a client that predates it), the threshold is the default: all.
        self.fields["reporting_threshold"].required = False

    def clean_reporting_threshold(self):
        value = self.cleaned_data.get("reporting_threshold")
        return DataSet._meta.get_field("reporting_threshold").default if value is None else value

    def _post_clean(self):
        pass

    def clean_timely_days(self):
        days = self.cleaned_data.get("timely_days")
        return self.instance.timely_days if days is None else days

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if self.instance.pk:
            data.pop("code", None)
        return data


class ValidationRuleForm(ModelForm):
    """Create or change a rule: left operator right, for the same area and period."""

    version = VersionField()

    class Meta:
        model = ValidationRule
        fields = [
            "code",
            "name_fa",
            "name_en",
            "left",
            "left_breakdown",
            "left_dimension",
            "operator",
            "right",
            "right_breakdown",
            "is_active",
        ]
        widgets = {"code": forms.TextInput(attrs=LTR), "name_en": forms.TextInput(attrs=LTR)}
        field_classes = {"left": IndicatorChoiceField, "right": IndicatorChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A rule belongs to its left indicator's owner: one may write rules only about
        # figures of organizations one manages, compared with any figure.
        self.fields["left"].queryset = policy.scope(
            self.actor, MANAGE, Indicator.objects.order_by(*name_order())
        )
        self.fields["right"].queryset = visible_indicators(self.actor)
        breakdowns = Breakdown.objects.exclude(code=Breakdown.TOTAL)
        for name in ("left_breakdown", "right_breakdown"):
            self.fields[name].queryset = breakdowns
            self.fields[name].empty_label = _("Total")
        self.fields["left_dimension"].choices = [("", _("— (one figure)")), *DIMENSION_CHOICES]
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
            self.fields["code"].disabled = True

    def _post_clean(self):
        pass

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if self.instance.pk:
            data.pop("code", None)
        return data


class PeriodCodeField(forms.CharField):
    """A period typed as its code (Persian digits allowed), cleaned to a stored Period."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Period"))
        kwargs.setdefault("help_text", PERIOD_HELP)
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={**LTR, "list": "period-codes"}))
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        spec = period_codes.parse(text)
        found = Period.objects.filter(code=spec.code).first() if spec else None
        if found is None:
            raise forms.ValidationError(
                _("«%(code)s» is not a period: write %(help)s")
                % {"code": localize_digits(text), "help": PERIOD_HELP}
            )
        return found


def _areas(actor, action, *, current: bool = True):
    areas = policy.areas(actor, action)
    if current:
        areas = areas.filter(valid_to__isnull=True)
    return (
        areas.select_related("level")
        .defer("boundary", "boundary_simple")
        .order_by("depth", *name_order())
    )


class ViolationsForm(Form):
    """The area and period whose broken rules to list."""

    area = AreaChoiceField(
        label=_("Area"),
        queryset=Area.objects.none(),
        widget=SearchSelect("geo:area_options"),
        help_text=_("The area, the areas directly below it, and every area below with figures."),
    )
    period = forms.ChoiceField(label=_("Period"))

    def __init__(self, *args, periods=(), **kwargs):
        """Offer `periods` (those with figures, latest first) by their names; a period named
        by a link (its code, in any digits) is offered too."""
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = _areas(self.actor, VIEW)
        offered = list(periods)
        if self.is_bound and (wanted := self.data.get("period")):
            spec = period_codes.parse(str(wanted))
            found = Period.objects.filter(code=spec.code).first() if spec else None
            if found is not None and found not in offered:
                offered.insert(0, found)
            if found is not None and wanted != found.code:
                self.data = self.data.copy()
                self.data["period"] = found.code
        self.offered = {period.code: period for period in offered}
        self.fields["period"].choices = [(period.code, period.name) for period in offered]

    def clean_period(self):
        return self.offered[self.cleaned_data["period"]]


class DataSetTemplateForm(Form):
    """Which areas and period a data set's template to fill in holds (read by the view)."""

    area = AreaChoiceField(
        label=_("Under the area"),
        queryset=Area.objects.none(),
        required=False,
        widget=SearchSelect("geo:area_options", params={"action": CAPTURE}),
        help_text=_("Leave empty for every area of this level where you enter figures."),
    )
    period = forms.CharField(
        label=_("Period"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs=LTR),
        help_text=_("Leave empty for the current period."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = _areas(self.actor, CAPTURE)


class ValueExportForm(Form):
    """What to export: an area (and perhaps all below it), a period, an indicator, a format."""

    area = AreaChoiceField(
        label=_("Area"),
        queryset=Area.objects.none(),
        widget=SearchSelect("geo:area_options", params={"action": EXPORT}),
    )
    below = forms.BooleanField(label=_("Every area below it too"), required=False)
    period = PeriodCodeField(required=False, help_text=_("Leave empty for every period."))
    indicator = IndicatorChoiceField(
        label=_("Indicator"),
        queryset=Indicator.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("Every indicator"),
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=export_format_choices, initial=formats.CSV
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Figures of ended areas stay exportable; the picker offers current ones first.
        self.fields["area"].queryset = _areas(self.actor, EXPORT, current=False)
        self.fields["indicator"].queryset = visible_indicators(self.actor).filter(
            kind=IndicatorKind.MEASURED
        )
