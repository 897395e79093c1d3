"""The user administration table."""

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from barzan.core.tables import DESKTOP, PHONE, JalaliDateTimeColumn, Table

from .models import User


class UserTable(Table):
    username = tables.Column(verbose_name=_("Username"), linkify=True, attrs={"td": {"dir": "ltr"}})
    full_name = tables.Column(
        verbose_name=_("Name"), accessor="get_full_name", order_by=("last_name", "first_name")
    )
    grants = tables.Column(verbose_name=_("Roles"), accessor="pk", orderable=False)
    is_active = tables.BooleanColumn(verbose_name=_("Active"))
    last_login = JalaliDateTimeColumn(verbose_name=_("Last login"))

    priorities = {"email": DESKTOP, "grants": PHONE, "is_active": DESKTOP, "last_login": DESKTOP}

    class Meta(Table.Meta):
        model = User
        fields = ["username", "full_name", "email", "grants", "is_active", "last_login"]

    def render_grants(self, record):
        # Grants are prefetched by readers.users_for(): no query per row.
        return format_html_join(
            "",
            '<span class="d-block small">{} — {}</span>',
            ((grant.role, grant.area) for grant in record.grants.all()),
        ) or format_html('<span class="text-body-secondary">{}</span>', _("none"))

    def value_grants(self, record):
        return "; ".join(f"{grant.role} — {grant.area}" for grant in record.grants.all())

    def render_is_active(self, value):
        return _("yes") if value else _("no")

    def value_is_active(self, value):
        return "yes" if value else "no"
