"""The catalogue tables: indicators, data sets and validation rules."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from barzan.access import policy
from barzan.access.actions import MANAGE
from barzan.core.tables import DESKTOP, PHONE, Table

from .exports import left_label, right_label
from .models import DataSet, Indicator, ValidationRule

CODE_ATTRS = {"td": {"dir": "ltr", "class": "code"}}


class NameMixin:
    def render_name_fa(self, record):
        return record.name

    def value_name_fa(self, record):
        return record.name_fa


class IndicatorTable(NameMixin, Table):
    name_fa = tables.Column(verbose_name=_("Name"), linkify=True)
    code = tables.Column(verbose_name=_("Code"), attrs=CODE_ATTRS)
    category = tables.Column(verbose_name=_("Category"), order_by=("category__order",))
    value_type = tables.Column(verbose_name=_("Value type"))
    kind = tables.Column(verbose_name=_("Kind"))
    unit = tables.Column(verbose_name=_("Unit"), accessor="unit_fa", orderable=False)
    owner = tables.Column(verbose_name=_("Owning organization"), order_by=("owner__name_fa",))
    is_active = tables.Column(verbose_name=_("Active"))

    priorities = {
        "code": DESKTOP, "category": PHONE, "value_type": DESKTOP, "kind": DESKTOP,
        "unit": DESKTOP, "owner": DESKTOP, "is_active": DESKTOP,
    }  # fmt: skip

    class Meta(Table.Meta):
        model = Indicator
        fields = ["name_fa", "code", "category", "value_type", "kind", "unit", "owner", "is_active"]
        order_by = ("category", "code")
        empty_text = _("No indicator matches these filters.")

    def render_unit(self, record):
        return record.unit or "—"

    def value_unit(self, record):
        return record.unit_fa

    def render_is_active(self, value):
        return _("yes") if value else _("no")

    def value_is_active(self, value):
        return "yes" if value else "no"


class DataSetTable(NameMixin, Table):
    name_fa = tables.Column(verbose_name=_("Name"), linkify=True)
    code = tables.Column(verbose_name=_("Code"), attrs=CODE_ATTRS)
    level = tables.Column(verbose_name=_("Level"), order_by=("level__rank",))
    period_type = tables.Column(verbose_name=_("Period type"))
    owner = tables.Column(verbose_name=_("Owning organization"), order_by=("owner__name_fa",))

    priorities = {"code": DESKTOP, "level": PHONE, "period_type": PHONE, "owner": DESKTOP}

    class Meta(Table.Meta):
        model = DataSet
        fields = ["name_fa", "code", "level", "period_type", "owner"]
        order_by = ("code",)
        empty_text = _("No data set matches these filters.")


class ValidationRuleTable(NameMixin, Table):
    name_fa = tables.Column(verbose_name=_("Name"))
    code = tables.Column(verbose_name=_("Code"), attrs=CODE_ATTRS)
    left = tables.Column(verbose_name=_("Left side"), order_by=("left__code",))
    operator = tables.Column(verbose_name=_("Operator"), attrs={"td": {"class": "text-center"}})
    right = tables.Column(verbose_name=_("Right side"), order_by=("right__code",))
    is_active = tables.Column(verbose_name=_("Active"))
    edit = tables.Column(
        verbose_name="", empty_values=(), orderable=False, exclude_from_export=True
    )

    priorities = {
        "code": DESKTOP,
        "left": PHONE,
        "operator": DESKTOP,
        "right": DESKTOP,
        "is_active": DESKTOP,
    }

    class Meta(Table.Meta):
        model = ValidationRule
        fields = ["name_fa", "code", "left", "operator", "right", "is_active"]
        order_by = ("code",)
        empty_text = _("No validation rule matches these filters.")

    def render_left(self, record):
        return left_label(record)

    def value_left(self, record):
        return left_label(record)

    def render_right(self, record):
        return right_label(record)

    def value_right(self, record):
        return right_label(record)

    def render_is_active(self, value):
        return _("yes") if value else _("no")

    def value_is_active(self, value):
        return "yes" if value else "no"

    def render_edit(self, record):
        request = getattr(self, "request", None)
        if request is None or not policy.can(request.user, MANAGE, record):
            return ""
        return format_html(
            '<a class="btn btn-link btn-sm" href="{}">{}</a>',
            reverse("indicators:rule_update", args=[record.code]),
            _("Edit"),
        )
