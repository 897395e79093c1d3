"""
Forms of data entry and imports: choosing what to enter, one cell of the grid, an upload.

Every choice of area or organization is narrowed by the access policy to what the acting
user may use; the actions check again when they write.
"""

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from barzan.access import policy
from barzan.access.actions import CAPTURE, VIEW
from barzan.core import jalali
from barzan.core.forms import Form
from barzan.core.models import name_order
from barzan.core.text import format_number, format_percent
from barzan.core.widgets import SearchSelect
from barzan.geo.forms import AreaChoiceField
from barzan.geo.models import Area
from barzan.registry.models import Organization

from . import entry_periods, formats
from .choices import PeriodType
from .identifiers import KINDS, IdSchemes, parse_scheme
from .models import DataSet, Period

# How many periods the entry form offers, counting back from the current one.
PERIODS_OFFERED = {
    PeriodType.YEAR: 6,
    PeriodType.HALF: 6,
    PeriodType.QUARTER: 8,
    PeriodType.MONTH: 18,
}

FORMAT_BY_EXTENSION = {
    ".csv": formats.CSV,
    ".xlsx": formats.XLSX,
    ".json": formats.DHIS2_JSON,
    ".xml": formats.ADX,
    ".adx": formats.ADX,
}

FORMAT_CHOICES = list(formats.LABELS.items())


def _detect(upload) -> str | None:
    """Return the format an uploaded file's content shows, or None."""
    try:
        upload.seek(0)
        return formats.detect(upload)
    except (OSError, ValueError):
        return None


def format_for(file_name: str) -> str | None:
    """Return the format a file's extension implies (DHIS2 CSV is never implied), or None."""
    return FORMAT_BY_EXTENSION.get(PurePath(file_name or "").suffix.lower())


def offered_periods(period_type: str) -> list[Period]:
    """Return the recent periods of `period_type`, the current one first."""
    limit = PERIODS_OFFERED.get(period_type, 6)
    return list(
        Period.objects.filter(period_type=period_type, start__lte=jalali.today()).order_by(
            "-start"
        )[:limit]
    )


def period_label(item: entry_periods.PeriodProgress) -> str:
    """Return a period's name with how much of it the user has entered: «پاییز ۱۴۰۵ (۳۰٪)»."""
    if not item.expected:
        return item.period.name
    return _("%(period)s (%(percent)s entered)") % {
        "period": item.period.name,
        "percent": format_percent(item.percent),
    }


class DataSetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, data_set):
        return data_set.name


class EntryStartForm(Form):
    """What to enter: a data set, then an area of its level and one of its periods.

    Without a data set only the data set is asked for; the area and period follow once
    it is chosen, since both depend on it.
    """

    data_set = DataSetChoiceField(
        label=_("Data set"), queryset=DataSet.objects.none(), to_field_name="code"
    )
    area = AreaChoiceField(
        label=_("Area"),
        queryset=Area.objects.none(),
        widget=SearchSelect("geo:area_options", params={"action": VIEW}),
    )
    period = forms.ChoiceField(label=_("Period"))

    def __init__(self, *args, data_set: DataSet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_set = data_set
        self.fields["data_set"].queryset = policy.scope(
            self.actor, VIEW, DataSet.objects.select_related("level")
        )
        if data_set is None:
            del self.fields["area"]
            del self.fields["period"]
            return
        self.initial.setdefault("data_set", data_set.code)
        self.fields["area"].queryset = (
            policy.areas(self.actor, VIEW)
            .filter(valid_to__isnull=True, level=data_set.level_id)
            .select_related("level")
            .order_by(*name_order())
        )
        # The options view narrows the search to this level once it reads `level`.
        self.fields["area"].widget.params["level"] = data_set.level.code
        self.fields["area"].help_text = _("Areas at the level of this data set: %(level)s.") % {
            "level": data_set.level.name
        }
        periods = offered_periods(data_set.period_type)
        progress = entry_periods.period_progress(self.actor, data_set, periods)
        self.fields["period"].choices = [
            (item.period.code, period_label(item)) for item in progress
        ]
        today = jalali.today()
        finished = [period for period in periods if period.end < today]
        needing_work = entry_periods.period_needing_work(progress)
        if needing_work is not None:
            self.initial.setdefault("period", needing_work.code)
        elif finished:
            # With nothing begun, figures are usually entered for the period just ended.
            self.initial.setdefault("period", finished[0].code)

    def clean(self):
        data = super().clean()
        chosen = data.get("data_set")
        if self.data_set is not None and chosen is not None and chosen.pk != self.data_set.pk:
            raise forms.ValidationError(_("Choose the area and period again for this data set."))
        return data


class CellForm(Form):
    """One cell of the grid as the browser sends it."""

    indicator = forms.CharField(max_length=64)
    breakdown = forms.CharField(max_length=40, required=False)
    value = forms.CharField(required=False, max_length=200)
    comment = forms.CharField(required=False, max_length=2000)
    version = forms.IntegerField(min_value=0, max_value=2**31 - 1)

    KEY_FIELDS = ("indicator", "breakdown", "version")

    def has_key_errors(self) -> bool:
        """Return whether the cell itself is unknown (tampered), not just its content wrong."""
        return any(name in self.errors for name in self.KEY_FIELDS)


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, organization):
        return f"{organization.name} — {organization.area.name}"


class ImportValuesForm(Form):
    """An uploaded file of figures, the area its rows lie in, and who reported them."""

    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A CSV or Excel file made from a data set's template. Files written by other "
            "systems are read too: see the advanced settings."
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("Automatic (found from the file)")), *FORMAT_CHOICES],
        help_text=_(
            "Found from what the file holds (an XML file's root, a CSV file's first row), "
            "else from its extension. Choose it only if it is found wrongly."
        ),
    )
    area = AreaChoiceField(
        label=_("Into area"),
        queryset=Area.objects.none(),
        widget=SearchSelect("geo:area_options", params={"action": CAPTURE}),
        help_text=_("Every row must lie in this area."),
    )
    source = OrganizationChoiceField(
        label=_("Source"),
        queryset=Organization.objects.none(),
        widget=SearchSelect("registry:organization_options"),
        help_text=_("The organization that reported these figures."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        areas = (
            policy.areas(self.actor, CAPTURE)
            .filter(valid_to__isnull=True)
            .select_related("level")
            .order_by("depth", *name_order())
        )
        self.fields["area"].queryset = areas
        own = policy.organizations_of(self.actor)
        organizations = Organization.objects.active().select_related("area")
        if any(grant.organization_id is None for grant in policy.grants(self.actor)):
            organizations = policy.scope(self.actor, VIEW, organizations) | organizations.filter(
                pk__in=own
            )
        else:
            organizations = organizations.filter(pk__in=own)
        self.fields["source"].queryset = organizations.order_by(*name_order())
        if len(own) == 1:
            self.initial.setdefault("source", next(iter(own)))
        if not self.is_bound:
            first = areas.first()
            if first is not None:
                self.initial.setdefault("area", first.pk)

    # How the file names what it holds (DHIS2's idScheme); empty is by code.
    indicator_scheme = forms.CharField(
        widget=forms.TextInput(attrs={"dir": "ltr", "placeholder": "code"}),
        label=_("Indicators are named by"),
        required=False,
        max_length=60,
        help_text=_(
            "code (Barzan's codes, the default), uid (DHIS2 uids) or the short name of "
            "another system's identifiers, such as moh. DHIS2: dataElementIdScheme."
        ),
    )
    area_scheme = forms.CharField(
        widget=forms.TextInput(attrs={"dir": "ltr", "placeholder": "code"}),
        label=_("Areas are named by"),
        required=False,
        max_length=60,
        help_text=_(
            "code, uid, name (the area's name within the chosen area) or the short name of "
            "another system's identifiers. DHIS2: orgUnitIdScheme."
        ),
    )
    breakdown_scheme = forms.CharField(
        widget=forms.TextInput(attrs={"dir": "ltr", "placeholder": "code"}),
        label=_("Breakdowns are named by"),
        required=False,
        max_length=60,
        help_text=_(
            "code, uid or the short name of another system's identifiers. "
            "DHIS2: categoryOptionComboIdScheme."
        ),
    )
    # Words of other systems (formats, DHIS2's idScheme) that a council secretary need
    # not read: shown folded, under «تنظیمات پیشرفته».
    ADVANCED_FIELDS = ("format", "indicator_scheme", "area_scheme", "breakdown_scheme")

    def basic_fields(self):
        return [field for field in self if field.name not in self.ADVANCED_FIELDS]

    def advanced_fields(self):
        return [field for field in self if field.name in self.ADVANCED_FIELDS]

    def _clean_scheme(self, kind: str) -> str:
        try:
            return parse_scheme(self.cleaned_data.get(f"{kind}_scheme"), kind=kind)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error

    def clean_indicator_scheme(self):
        return self._clean_scheme("indicator")

    def clean_area_scheme(self):
        return self._clean_scheme("area")

    def clean_breakdown_scheme(self):
        return self._clean_scheme("breakdown")

    def schemes(self) -> IdSchemes:
        """Return how the file names indicators, areas and breakdowns."""
        data = self.cleaned_data
        return IdSchemes(**{kind: data[f"{kind}_scheme"] for kind in KINDS})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.BARZAN_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.")
                % {"size": format_number(settings.BARZAN_IMPORT_MAX_BYTES // (1024 * 1024))}
            )
        return upload

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None and not data.get("format"):
            found = _detect(upload) or format_for(upload.name)
            if found is None:
                self.add_error(
                    "format",
                    _("Neither the file nor its extension tells its format: choose the format."),
                )
            else:
                data["format"] = found
        return data
