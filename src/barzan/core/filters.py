"""The base filter set: its form is cleaned and styled like every Barzan form."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import BarzanFormMixin


class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter whose empty choice reads "any", not "unknown"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]),
        )
        super().__init__(*args, **kwargs)


class FilterSet(django_filters.FilterSet):
    """A django-filter FilterSet whose form normalises text and renders accessibly."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data=data, queryset=queryset, request=request, prefix=prefix)
        self.actor = getattr(request, "user", None)

    def get_form_class(self):
        form_class = super().get_form_class()
        return type(
            f"{form_class.__name__}Form",
            (BarzanFormMixin, form_class),
            {"empty_choice_label": staticmethod(any_label)},
        )


def any_label(field) -> str:
    """A filter left empty filters nothing: its empty choice reads «همه»."""
    return str(_("Any"))
