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

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        method="by_status",
        empty_label=_("Current areas"),
        choices=[("ended", _("Ended (split or merged)")), ("all", _("Current and ended"))],
    )

    class Meta:
        model = Area
        fields = ["q", "level", "status"]

    @property
    def qs(self):
        queryset = super().qs
        # Current areas unless the status filter asks otherwise (an empty choice filters nothing).
        if not (self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("status")):
            queryset = queryset.filter(valid_to__isnull=True)
        return queryset

    def by_status(self, queryset, name, value):
        if value == "ended":
            return queryset.filter(valid_to__isnull=False)
        return queryset

    def search(self, queryset, name, value):
        return queryset.search(value)
