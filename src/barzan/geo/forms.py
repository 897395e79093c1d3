"""Area forms; each area choice names its level, since names repeat across levels."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from barzan.access import policy
from barzan.access.actions import MANAGE
from barzan.core import untrusted
from barzan.core.forms import FloatField, Form, JalaliDateField, VersionField
from barzan.core.models import name_order
from barzan.core.text import format_number, localize_digits
from barzan.core.widgets import SearchSelect

from . import importing
from .models import Area, AreaImport, AreaLevel, AreaName


def area_label(area) -> str:
    """Return how an area reads in a list of choices: «استان تهران», level first."""
    return area.titled_name


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, area):
        return area_label(area)


class AreaMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, area):
        return area_label(area)


# -- Forms of the area pages ------------------------------------------------------------------


MAX_PARTS = 8
LTR = {"dir": "ltr"}
# Codes are text so that leading zeros survive; letters, digits, dots, dashes, underscores.
CODE_VALIDATOR = RegexValidator(
    r"^[0-9A-Za-z][0-9A-Za-z._-]*$",
    _("Use Latin letters, digits, dots, dashes or underscores, starting with a letter or digit."),
)


def _population_field():
    return forms.IntegerField(label=_("Population"), required=False, min_value=0, max_value=10**10)


class AreaForm(Form):
    """An area's names, code, population and start date (new or changed)."""

    level = forms.ModelChoiceField(label=_("Level"), queryset=AreaLevel.objects.none())
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(attrs=LTR),
        validators=[CODE_VALIDATOR],
        help_text=_("The national statistical code where one exists; kept as text."),
    )
    name_fa = forms.CharField(label=_("Persian name"), max_length=200)
    name_en = forms.CharField(
        label=_("English name"), max_length=200, required=False, widget=forms.TextInput(attrs=LTR)
    )
    population = _population_field()
    valid_from = JalaliDateField(label=_("Valid from"), required=False)
    version = VersionField()

    def __init__(self, *args, parent: Area | None = None, instance: Area | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is not None:
            del self.fields["level"]
            for name in ("code", "name_fa", "name_en", "population", "valid_from", "version"):
                self.initial.setdefault(name, getattr(instance, name))
        else:
            del self.fields["version"]
            levels = AreaLevel.objects.filter(rank__gt=parent.level.rank)
            self.fields["level"].queryset = levels
            self.initial.setdefault("level", levels.first())


class AreaNameForm(Form):
    """Another name of an area: a former name, a colloquial one, another spelling."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=AreaName.Kind.choices)
    language = forms.ChoiceField(
        label=_("Language"), choices=AreaName.Language.choices, initial=AreaName.Language.PERSIAN
    )
    valid_from = JalaliDateField(label=_("Used from"), required=False)
    valid_to = JalaliDateField(label=_("Used until"), required=False)
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        help_text=_("Where the name comes from: a law, a census table, a map."),
    )

    def __init__(self, *args, instance: Area | None = None, **kwargs):
        # The update view passes the area as `instance`; a new name starts empty.
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end comes before the start."))
        return data


class MoveForm(Form):
    parent = AreaChoiceField(
        label=_("New parent"),
        queryset=Area.objects.none(),
        widget=SearchSelect("geo:area_options", params={"action": MANAGE}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    version = VersionField()

    def __init__(self, *args, instance: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = (
            policy.areas(self.actor, MANAGE)
            .filter(valid_to__isnull=True, level__rank__lt=instance.level.rank)
            .exclude(path__startswith=instance.path)
            .select_related("level", "parent")
        )
        self.initial.setdefault("version", instance.version)


class SplitForm(Form):
    """The parts an area splits into: code, names, share of the population, and which of
    the areas below go to each."""

    date = JalaliDateField(label=_("Date of the split"))
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    version = VersionField()

    def __init__(self, *args, instance: Area, parts: int = 2, **kwargs):
        super().__init__(*args, **kwargs)
        self.parts = max(2, min(parts, MAX_PARTS))
        self.children = list(
            instance.children.filter(valid_to__isnull=True)
            .select_related("level")
            .order_by(*name_order())
        )
        choices = [(child.pk, area_label(child)) for child in self.children]
        for number in range(1, self.parts + 1):
            prefix = f"part_{number}_"
            self.fields[prefix + "code"] = forms.CharField(
                label=_("Code"),
                max_length=32,
                widget=forms.TextInput(attrs=LTR),
                validators=[CODE_VALIDATOR],
            )
            self.fields[prefix + "name_fa"] = forms.CharField(
                label=_("Persian name"), max_length=200
            )
            self.fields[prefix + "name_en"] = forms.CharField(
                label=_("English name"),
                max_length=200,
                required=False,
                widget=forms.TextInput(attrs=LTR),
            )
            self.fields[prefix + "share"] = forms.DecimalField(
                label=_("Share of the population (%)"),
                min_value=Decimal("0.0001"),
                max_value=100,
                decimal_places=4,
            )
            if choices:
                self.fields[prefix + "children"] = forms.TypedMultipleChoiceField(
                    label=_("Areas below that go to this part"),
                    choices=choices,
                    coerce=int,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )
        self.initial.setdefault("version", instance.version)

    def part_fields(self):
        """Bound fields grouped by part, for the template."""
        return [
            [self[name] for name in self.fields if name.startswith(f"part_{number}_")]
            for number in range(1, self.parts + 1)
        ]

    def common_fields(self):
        return [self[name] for name in ("date", "reason")]

    def clean(self):
        data = super().clean()
        total = sum(data.get(f"part_{n}_share") or 0 for n in range(1, self.parts + 1))
        if not self.errors and total != 100:
            raise forms.ValidationError(
                _("The shares add up to %(total)s%%; they must add up to 100%%.")
                % {"total": format_number(total.normalize())}
            )
        return data

    def split_parts(self):
        from .actions import Part

        by_id = {child.pk: child for child in self.children}
        data = self.cleaned_data
        return [
            Part(
                code=data[f"part_{n}_code"],
                name_fa=data[f"part_{n}_name_fa"],
                name_en=data[f"part_{n}_name_en"],
                share=data[f"part_{n}_share"] / 100,
                children=[by_id[pk] for pk in data.get(f"part_{n}_children", [])],
            )
            for n in range(1, self.parts + 1)
        ]


class MergeForm(Form):
    others = AreaMultipleChoiceField(
        label=_("Merge with"),
        queryset=Area.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Areas of the same level under the same parent."),
    )
    code = forms.CharField(
        label=_("Code of the merged area"), max_length=32, widget=forms.TextInput(attrs=LTR)
    )
    name_fa = forms.CharField(label=_("Persian name"), max_length=200)
    name_en = forms.CharField(
        label=_("English name"), max_length=200, required=False, widget=forms.TextInput(attrs=LTR)
    )
    date = JalaliDateField(label=_("Date of the merge"))
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args, instance: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["others"].queryset = (
            Area.objects.filter(
                parent=instance.parent_id, level=instance.level_id, valid_to__isnull=True
            )
            .exclude(pk=instance.pk)
            .select_related("level")
            .order_by(*name_order())
        )
        self.initial.setdefault("name_fa", instance.name_fa)
        self.initial.setdefault("name_en", instance.name_en)
        self.initial.setdefault("code", instance.code)


class EndForm(Form):
    """When an area ends, why, and, if areas below it end too, a confirmation of how many."""

    date = JalaliDateField(label=_("Date it ends"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("For example: replaced by the real districts from the municipality's file."),
    )
    confirm = forms.BooleanField(label=_("I understand"), required=True)
    version = VersionField()

    def __init__(self, *args, instance: Area, below_count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", instance.version)
        if below_count:
            self.fields["confirm"].label = ngettext(
                "End %(area)s and the %(count)s current area below it.",
                "End %(area)s and the %(count)s current areas below it.",
                below_count,
            ) % {"area": instance, "count": localize_digits(below_count)}
        else:
            self.fields["confirm"].label = _("End %(area)s.") % {"area": instance}


class ImportForm(Form):
    format = forms.ChoiceField(label=_("Format"), choices=list(importing.FORMATS.items()))
    file = forms.FileField(label=_("File"))
    level = forms.ModelChoiceField(
        label=_("Level of the areas in the file"),
        queryset=AreaLevel.objects.exclude(code="country"),
        required=False,
        help_text=_("For GeoJSON and CSV files."),
    )
    parent = AreaChoiceField(
        label=_("Under the area"),
        queryset=Area.objects.none(),
        required=False,
        widget=SearchSelect("geo:area_options", params={"action": MANAGE}),
        help_text=_(
            "Names are matched, and new areas created, under this area (or under the area "
            "whose code is in each feature's “parent_code”)."
        ),
    )
    code_property = forms.CharField(
        label=_("Property holding the code"), initial="code", widget=forms.TextInput(attrs=LTR)
    )
    name_property = forms.CharField(
        label=_("Property holding the Persian name"),
        initial="name_fa",
        widget=forms.TextInput(attrs=LTR),
    )
    source_label = forms.CharField(
        label=_("Source of the boundaries"), max_length=200, required=False
    )
    attribution = forms.CharField(
        label=_("Credit every map must show"),
        max_length=200,
        required=False,
        help_text=_(
            "What the boundaries' license asks maps to show, e.g. “© OpenStreetMap "
            "contributors”; leave empty if it asks for nothing."
        ),
    )
    updates = forms.MultipleChoiceField(
        label=_("What the file may change"),
        choices=AreaImport.Update.choices,
        initial=sorted(importing.default_updates(importing.GEOJSON)),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "For GeoJSON and CSV files. Names and populations of existing areas are kept "
            "unless ticked; areas not found are created only if “New areas” is ticked. The "
            "official divisions change everything."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = (
            policy.areas(self.actor, MANAGE)
            .filter(valid_to__isnull=True)
            .select_related("level", "parent")
        )

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
        if data.get("format") in (importing.GEOJSON, importing.CSV) and not data.get("level"):
            self.add_error("level", _("Choose the level of the areas in a GeoJSON or CSV file."))
        if data.get("format") in (importing.GEOJSON, importing.CSV) and not data.get("updates"):
            self.add_error("updates", _("Choose at least one thing the file may change."))
        if data.get("format") == importing.DIVISIONS and data.get("file"):
            # Refuse a ZIP bomb from its directory, before the file is stored.
            upload = data["file"]
            try:
                untrusted.open_zip(upload).close()
            except untrusted.UnreadableFile as error:
                self.add_error("file", str(error))
            except untrusted.Malformed:
                pass  # the import's report says what is wrong with it
            finally:
                upload.seek(0)
        return data

    def settings(self) -> dict:
        """What the import needs besides the file, as plain values to keep between the
        dry run and applying it."""
        data = self.cleaned_data
        return {
            "format": data["format"],
            "level": data["level"].pk if data.get("level") else None,
            "parent": data["parent"].pk if data.get("parent") else None,
            "code_property": data["code_property"] or "code",
            "name_property": data["name_property"] or "name_fa",
            "source_label": data.get("source_label", ""),
            "attribution": data.get("attribution", ""),
            "updates": (
                None if data["format"] == importing.DIVISIONS else list(data.get("updates") or [])
            ),
        }


class LocateForm(Form):
    # Persian digits and «٫» are read (core.forms.FloatField): «۳۵٫۷» as typed on a phone.
    latitude = FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    longitude = FloatField(label=_("Longitude"), min_value=-180, max_value=180)


class BoundaryForm(Form):
    """One area's boundary from a GeoJSON file (a geometry, a feature, or one feature)."""

    file = forms.FileField(
        label=_("GeoJSON file"),
        help_text=_(
            "WGS84 longitude/latitude: a Polygon or MultiPolygon (a neighborhood may be a "
            "Point), alone, as a Feature, or as a FeatureCollection of one feature."
        ),
    )
    source = forms.CharField(
        label=_("Source of the boundary"),
        max_length=200,
        help_text=_("Who drew it and when, e.g. the municipality's GIS unit, 1403."),
    )
    version = VersionField()

    MAX_BYTES = 20 * 1024 * 1024

    def __init__(self, *args, instance: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", instance.version)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.")
                % {"size": format_number(self.MAX_BYTES // 2**20)}
            )
        upload.seek(0)
        try:
            # Parsed in a child process with limits of memory and time (core.untrusted).
            return next(importing.read_json(upload))
        except importing.UnreadableFile as error:
            raise forms.ValidationError(str(error)) from error
        except untrusted.Malformed as error:
            raise forms.ValidationError(_("The file is not GeoJSON (JSON) text.")) from error
