"""
The form that maps a file's unknown identifiers to Barzan's indicators, areas, breakdowns.

One choice per identifier an import's check did not know; the choices are narrowed by
the access policy to what the acting user may map, and the action checks again.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from barzan.access import policy
from barzan.access.actions import MANAGE
from barzan.core.forms import Form
from barzan.core.models import name_order
from barzan.core.widgets import SearchSelect
from barzan.geo.forms import AreaChoiceField
from barzan.geo.models import Area

from .choices import IndicatorKind
from .identifiers import KINDS, IdSchemes
from .models import Breakdown, Indicator


class IndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, indicator):
        return f"{indicator.name} ({indicator.code})"


class BreakdownChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, breakdown):
        return f"{breakdown.name} ({breakdown.code})"


def may_map_breakdowns(actor) -> bool:
    """Return whether `actor` may map breakdowns (shared by every indicator)."""
    return policy.can_map_identifiers(actor, Breakdown())


class MapIdentifiersForm(Form):
    """For each unknown identifier of `value_import`: the Barzan object it stands for."""

    def __init__(self, *args, value_import, **kwargs):
        super().__init__(*args, **kwargs)
        self.value_import = value_import
        self.schemes = IdSchemes.of(value_import.id_schemes)
        unknown = value_import.unknown_identifiers or {}
        self.names: dict[str, list[tuple[str, str]]] = {kind: [] for kind in KINDS}
        choices = {
            "indicator": lambda: IndicatorChoiceField(
                queryset=policy.scope(
                    self.actor,
                    MANAGE,
                    Indicator.objects.filter(is_active=True, kind=IndicatorKind.MEASURED),
                ).order_by(*name_order()),
                empty_label=_("Choose the indicator"),
            ),
            "area": lambda: AreaChoiceField(
                queryset=policy.scope(
                    self.actor,
                    MANAGE,
                    Area.objects.filter(
                        valid_to__isnull=True, path__startswith=value_import.area.path
                    ),
                )
                .select_related("level")
                .order_by("depth", *name_order()),
                empty_label=_("Choose the area"),
                widget=SearchSelect("geo:area_options", params={"action": MANAGE}),
            ),
            "breakdown": lambda: BreakdownChoiceField(
                queryset=Breakdown.objects.order_by("order"),
                empty_label=_("Choose the breakdown"),
            ),
        }
        self.unmappable: list[tuple[str, str]] = []
        for kind in KINDS:
            scheme = self.schemes.external(kind)
            values = unknown.get(kind) or []
            if scheme is None or not values:
                continue
            if kind == "breakdown" and not may_map_breakdowns(self.actor):
                self.unmappable += [(kind, value) for value in values]
                continue
            for index, value in enumerate(values):
                name = f"{kind}_{index}"
                field = choices[kind]()
                # Added after the base form styled its fields.
                field.widget.attrs["class"] = "form-select"
                field.required = False
                field.label = value
                field.help_text = _("Identifier in the scheme «%(scheme)s»") % {"scheme": scheme}
                self.fields[name] = field
                self.names[kind].append((name, value))

    def sections(self):
        """Yield (kind, bound fields) for the template, one section per kind."""
        for kind in KINDS:
            if self.names[kind]:
                yield kind, [self[name] for name, _value in self.names[kind]]

    def mappings(self) -> dict[str, dict]:
        """Return {"indicators": {identifier: Indicator}, "areas": …, "breakdowns": …}."""
        return {
            f"{kind}s": {
                value: self.cleaned_data[name]
                for name, value in self.names[kind]
                if self.cleaned_data.get(name) is not None
            }
            for kind in KINDS
        }

    def clean(self):
        data = super().clean()
        if not self.errors and not any(self.mappings().values()):
            raise forms.ValidationError(_("Choose what at least one identifier stands for."))
        return data
