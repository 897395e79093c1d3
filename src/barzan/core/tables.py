"""Table columns that show Jalali dates and Persian numbers, for django-tables2 tables."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from . import jalali
from .text import format_number, localize_digits


class JalaliDateTimeColumn(tables.Column):
    """A moment shown as a local Jalali date and time; exported the same way, Latin digits."""

    def __init__(self, *args, **kwargs):
        attrs = kwargs.pop("attrs", {})
        attrs.setdefault("td", {"class": "num"})
        super().__init__(*args, attrs=attrs, **kwargs)

    def render(self, value):
        return jalali.format_datetime(value)

    def value(self, value):
        return jalali.format_datetime(value, language="en")


class JalaliDateColumn(JalaliDateTimeColumn):
    """A date shown as Jalali; exported as Jalali with Latin digits."""

    def render(self, value):
        return jalali.format_date(value)

    def value(self, value):
        return jalali.format_date(value, language="en")


class NumberColumn(tables.Column):
    """A number grouped by thousands, in the page's digits; exported as a plain number."""

    def __init__(self, *args, **kwargs):
        attrs = kwargs.pop("attrs", {})
        attrs.setdefault("td", {"class": "text-end num"})
        attrs.setdefault("th", {"class": "text-end"})
        super().__init__(*args, attrs=attrs, **kwargs)

    def render(self, value):
        return format_number(value)

    def value(self, value):
        return value


class CodeColumn(tables.Column):
    """A code (kept as text, leading zeros and all) shown with the page's digits."""

    def __init__(self, *args, **kwargs):
        attrs = kwargs.pop("attrs", {})
        attrs.setdefault("td", {"class": "code"})
        super().__init__(*args, attrs=attrs, **kwargs)

    def render(self, value):
        return localize_digits(value)

    def value(self, value):
        return value


# How narrow a screen may be before a column gives way (see barzan.css): a phone keeps
# the columns without a priority, a tablet the "phone" ones too.
PHONE = 2  # hidden below 576 px
DESKTOP = 3  # hidden below 992 px


class Table(tables.Table):
    """Barzan's table: compact, responsive, with a clear empty state.

    `priorities` names the columns a narrow screen can do without ({"code": PHONE}), so
    that on a phone a list shows its names and main figures without scrolling sideways;
    the rest stay in the row's own page and in exports.
    """

    priorities: dict[str, int] = {}

    def get_column_class_names(self, classes_set, bound_column):
        classes = super().get_column_class_names(classes_set, bound_column)
        priority = self.priorities.get(bound_column.name)
        if priority:
            classes.add(f"priority-{priority}")
        return classes

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        empty_text = _("Nothing matches these filters.")
