"""The organization list table."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from barzan.core.tables import DESKTOP, PHONE, NameColumn, Table

from .models import Organization


class OrganizationTable(Table):
    name_fa = NameColumn(verbose_name=_("Name"), linkify=True)
    code = tables.Column(verbose_name=_("Code"), attrs={"td": {"dir": "ltr", "class": "code"}})
    kind = tables.Column(verbose_name=_("Kind"))
    area = tables.Column(verbose_name=_("Seat"), order_by=("area__sort_fa",))
    parent = tables.Column(verbose_name=_("Parent organization"), order_by=("parent__sort_fa",))
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
        order_by = ("name_fa",)

    def render_is_active(self, value):
        return _("yes") if value else _("no")

    def value_is_active(self, value):
        return "yes" if value else "no"
