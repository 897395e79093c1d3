"""The organization form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from barzan.access import policy
from barzan.access.actions import MANAGE, VIEW
from barzan.core.forms import ModelForm, VersionField
from barzan.core.widgets import SearchSelect
from barzan.geo.forms import AreaChoiceField, AreaMultipleChoiceField

from .models import Organization


class OrganizationForm(ModelForm):
    """Create or change an organization; every choice is narrowed to what the user may use."""

    version = VersionField()

    class Meta:
        model = Organization
        fields = [
            "code",
            "name_fa",
            "name_en",
            "kind",
            "parent",
            "area",
            "covered_areas",
            "is_active",
        ]
        widgets = {
            "code": forms.TextInput(attrs={"dir": "ltr"}),
            "name_en": forms.TextInput(attrs={"dir": "ltr"}),
            "area": SearchSelect("geo:area_options", params={"action": MANAGE}),
            "parent": SearchSelect("registry:organization_options"),
            "covered_areas": forms.SelectMultiple(attrs={"size": 6}),
        }
        field_classes = {"area": AreaChoiceField, "covered_areas": AreaMultipleChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        areas = policy.areas(self.actor, MANAGE).select_related("level", "parent")
        # Assigning a queryset also refreshes the widget's choices.
        self.fields["area"].queryset = areas
        self.fields["covered_areas"].queryset = areas
        self.fields["covered_areas"].help_text = _(
            "Leave empty if it serves only its seat. Hold Ctrl to choose several."
        )
        self.fields["parent"].queryset = policy.scope(self.actor, VIEW, Organization.objects.all())
        if self.instance.pk:
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(
                pk=self.instance.pk
            )
            self.initial.setdefault("version", self.instance.version)

    def _post_clean(self):
        # The action validates and saves; the form must not touch the instance it edits.
        pass
