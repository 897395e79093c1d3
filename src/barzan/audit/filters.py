"""Filters for the audit log."""

from datetime import datetime, time, timedelta

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from barzan.core.filters import FilterSet
from barzan.core.forms import JalaliDateField
from barzan.core.text import clean

from .models import AuditEvent
from .recording import verbs


class JalaliDateFilter(django_filters.Filter):
    field_class = JalaliDateField


class AuditEventFilterSet(FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="search", help_text=_("A user, a target or a request id.")
    )
    verb = django_filters.ChoiceFilter(label=_("Action"), choices=(), empty_label=_("Every action"))
    target_type = django_filters.ModelChoiceFilter(
        label=_("Kind of record"), queryset=ContentType.objects.none(), empty_label=_("Every kind")
    )
    since = JalaliDateFilter(label=_("From"), method="filter_since")
    until = JalaliDateFilter(label=_("To"), method="filter_until")

    class Meta:
        model = AuditEvent
        fields = ["q", "verb", "target_type", "since", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["verb"].extra["choices"] = sorted(
            verbs().items(), key=lambda item: str(item[1])
        )
        audited_types = (
            AuditEvent.objects.exclude(target_type=None).values("target_type").distinct()
        )
        self.filters["target_type"].queryset = ContentType.objects.filter(pk__in=audited_types)

    def search(self, queryset, name, value):
        text = clean(value)
        if not text:
            return queryset
        return queryset.filter(
            Q(actor_label__icontains=text) | Q(target_label__icontains=text) | Q(request_id=text)
        )

    def filter_since(self, queryset, name, value):
        return queryset.filter(
            created_at__gte=timezone.make_aware(datetime.combine(value, time.min))
        )

    def filter_until(self, queryset, name, value):
        start_of_next_day = timezone.make_aware(
            datetime.combine(value + timedelta(days=1), time.min)
        )
        return queryset.filter(created_at__lt=start_of_next_day)

    @property
    def form(self):
        form = super().form
        if "target_type" in form.fields:
            form.fields["target_type"].label_from_instance = lambda content_type: str(
                content_type.model_class()._meta.verbose_name
                if content_type.model_class()
                else content_type
            )
        return form
