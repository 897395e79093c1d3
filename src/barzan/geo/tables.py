"""The area list table."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from barzan.core.tables import DESKTOP, PHONE, CodeColumn, NumberColumn, Table
from barzan.core.text import localize_digits

from .models import Area


class AreaTable(Table):
    name_fa = tables.Column(verbose_name=_("Persian name"), linkify=True)
    name_en = tables.Column(verbose_name=_("English name"))
    code = CodeColumn(verbose_name=_("Code"))
    level = tables.Column(verbose_name=_("Level"), order_by=("level__rank",))
    parent = tables.Column(verbose_name=_("Parent"), order_by=("parent__name_fa",))
    population = NumberColumn(verbose_name=_("Population"))
    valid_to = tables.Column(verbose_name=_("Ended on"), empty_values=(None,), default="")

    def render_name_fa(self, value):
        return localize_digits(value)

    def render_valid_to(self, value):
        from barzan.core.jalali import format_date

        return format_date(value)

    priorities = {
        "name_en": DESKTOP,
        "code": PHONE,
        "level": PHONE,
        "parent": DESKTOP,
        "valid_to": PHONE,
    }

    class Meta(Table.Meta):
        model = Area
        fields = ["name_fa", "name_en", "code", "level", "parent", "population", "valid_to"]
        order_by = ("path",)
