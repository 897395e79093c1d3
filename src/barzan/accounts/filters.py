"""Filters for the user administration list."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from barzan.access.models import Role
from barzan.core.filters import FilterSet, YesNoFilter
from barzan.core.text import clean

from .models import User


class UserFilterSet(FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    role = django_filters.ModelChoiceFilter(
        label=_("Role"), queryset=Role.objects.all(), method="with_role", empty_label=_("Any role")
    )
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def search(self, queryset, name, value):
        text = clean(value)
        if not text:
            return queryset
        return queryset.filter(
            Q(username__icontains=text)
            | Q(first_name__icontains=text)
            | Q(last_name__icontains=text)
            | Q(email__icontains=text)
        )

    def with_role(self, queryset, name, value):
        return queryset.filter(pk__in=value.grants.values("user_id"))
