"""The organization list table."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from barzan.core.tables import DESKTOP, PHONE, Table

from .models import Organization


class OrganizationTable(Table):
    name_fa = tables.Column(verbose_name=_("Name"), linkify=True)
    code = tables.Column(verbose_name=_("Code"), attrs={"td": {"dir": "ltr", "class": "code"}})
    kind = tables.Column(verbose_name=_("Kind"))
    area = tables.Column(verbose_name=_("Seat"), order_by=("area__name_fa",))
    parent = tables.Column(verbose_name=_("Parent organization"), order_by=("parent__name_fa",))
    is_active = tables.Column(verbose_name=_("Active"))

    priorities = {
        "code": DESKTOP,
        "kind": PHONE,
        "area": PHONE,
        "parent": DESKTOP,
        "is_active": DESKTOP,
    }

    class Meta(Table.Meta):
        model = Organization
        fields = ["name_fa", "code", "kind", "area", "parent", "is_active"]

    def render_name_fa(self, record):
        return record.name

    def render_is_active(self, value):
        return _("yes") if value else _("no")

    def value_is_active(self, value):
        return "yes" if value else "no"
