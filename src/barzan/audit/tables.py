"""The audit log table."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from barzan.core.tables import DESKTOP, PHONE, JalaliDateTimeColumn, Table

from .models import AuditEvent


class AuditEventTable(Table):
    created_at = JalaliDateTimeColumn(verbose_name=_("Time"), linkify=True)
    actor_label = tables.Column(verbose_name=_("User"), attrs={"td": {"dir": "auto"}})
    verb = tables.Column(verbose_name=_("Action"))
    target_label = tables.Column(verbose_name=_("Record"))
    area = tables.Column(verbose_name=_("Area"), order_by=("area__name_fa",))
    request_id = tables.Column(
        verbose_name=_("Request"),
        orderable=False,
        attrs={"td": {"class": "small text-body-secondary", "dir": "ltr"}},
    )

    priorities = {"actor_label": PHONE, "area": DESKTOP, "request_id": DESKTOP}

    class Meta(Table.Meta):
        model = AuditEvent
        fields = ["created_at", "actor_label", "verb", "target_label", "area", "request_id"]
        order_by = ("-created_at",)

    def render_actor_label(self, record):
        return record.actor_display

    def render_verb(self, record):
        return record.verb_label

    def value_verb(self, record):
        return record.verb

    def render_request_id(self, value):
        return value[:8]
