"""Filters for the organization list."""

import django_filters
from django.utils.translation import gettext_lazy as _

from barzan.access import policy
from barzan.access.actions import VIEW
from barzan.core.filters import FilterSet, YesNoFilter
from barzan.geo.models import Area

from .choices import OrganizationKind
from .models import Organization


class OrganizationFilterSet(FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="search", help_text=_("A name or a code.")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=OrganizationKind.choices, empty_label=_("Every kind")
    )
    area = django_filters.ModelChoiceFilter(
        label=_("In area"),
        queryset=Area.objects.none(),
        method="within",
        empty_label=_("All my areas"),
    )
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = Organization
        fields = ["q", "kind", "area", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Provinces and counties only: a filter is for narrowing, the search for finding.
        self.filters["area"].queryset = (
            policy.areas(self.actor, VIEW).filter(depth__lte=2).select_related("level")
        )

    def search(self, queryset, name, value):
        return queryset.search(value)

    def within(self, queryset, name, value):
        return queryset.within(value)
