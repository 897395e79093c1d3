"""Form fields for choosing areas: each choice names its level, since names repeat across levels."""

from django import forms


def area_label(area) -> str:
    """Return how an area reads in a list of choices: «تهران (استان)»."""
    return f"{area.name} ({area.level.name})"


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, area):
        return area_label(area)


class AreaMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, area):
        return area_label(area)
