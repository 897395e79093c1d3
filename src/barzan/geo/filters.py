"""Filters for the area list."""

import django_filters
from django.utils.translation import gettext_lazy as _

from barzan.core.filters import FilterSet

from .models import Area, AreaLevel


class AreaFilterSet(FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        help_text=_("A Persian or English name, or a code."),
    )
    level = django_filters.ModelChoiceFilter(
        label=_("Level"), queryset=AreaLevel.objects.all(), empty_label=_("Every level")
    )

    class Meta:
        model = Area
        fields = ["q", "level"]

    def search(self, queryset, name, value):
        return queryset.search(value)
