"""Filters for the catalogue lists: indicators, data sets and validation rules."""

import django_filters
from django.utils.translation import gettext_lazy as _

from barzan.access import policy
from barzan.access.actions import VIEW
from barzan.core.filters import FilterSet, YesNoFilter
from barzan.core.models import name_order
from barzan.core.text import search_key
from barzan.geo.models import AreaLevel
from barzan.registry.models import Organization

from .choices import IndicatorKind, PeriodType, ValueType
from .models import Category, DataSet, Indicator, ValidationRule


def search_by_key(queryset, text: str, fields=("code", "name_fa", "name_en")):
    """Return the rows of `queryset` with `text` in one of `fields`, however it was typed.

    Arabic ي and ك, Persian or Latin digits, spaces and half-spaces all compare alike
    (`core.text.search_key`). The catalogue is small, so the keys are computed here
    rather than stored.
    """
    key = search_key(text)
    if not key:
        return queryset
    matching = [
        row[0]
        for row in queryset.values_list("pk", *fields)
        if any(key in search_key(value) for value in row[1:])
    ]
    return queryset.filter(pk__in=matching)


class SearchFilterSet(FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        help_text=_("A code, or a Persian or English name."),
    )

    def search(self, queryset, name, value):
        return search_by_key(queryset, value)


class IndicatorFilterSet(SearchFilterSet):
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.all(), empty_label=_("Every category")
    )
    value_type = django_filters.ChoiceFilter(
        label=_("Value type"), choices=ValueType.choices, empty_label=_("Every type")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=IndicatorKind.choices, empty_label=_("Measured and calculated")
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Owning organization"),
        queryset=Organization.objects.none(),
        empty_label=_("Every organization"),
    )
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = Indicator
        fields = ["q", "category", "value_type", "kind", "owner", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The organizations that own something in the catalogue the user reads.
        owners = policy.scope(self.actor, VIEW, Indicator.objects.all()).values("owner_id")
        self.filters["owner"].queryset = Organization.objects.filter(pk__in=owners).order_by(
            *name_order()
        )


class DataSetFilterSet(SearchFilterSet):
    level = django_filters.ModelChoiceFilter(
        label=_("Level"), queryset=AreaLevel.objects.all(), empty_label=_("Every level")
    )
    period_type = django_filters.ChoiceFilter(
        label=_("Period type"), choices=PeriodType.choices, empty_label=_("Every period type")
    )

    class Meta:
        model = DataSet
        fields = ["q", "level", "period_type"]


class ValidationRuleFilterSet(SearchFilterSet):
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = ValidationRule
        fields = ["q", "is_active"]
