"""Template filters for Jalali dates, Persian digits and numbers (loaded in every template)."""

from django import template
from django.utils.html import format_html

from barzan.core import jalali
from barzan.core.text import format_number, localize_digits

register = template.Library()


@register.filter
def jdate(value, style="short"):
    """Show a date as Jalali.

    `{{ day|jdate }}` gives ۱۴۰۲/۰۷/۲۹ and `{{ day|jdate:"long" }}` gives ۲۹ مهر ۱۴۰۲.
    """
    if not value:
        return ""
    return jalali.format_date(value, style=style)


@register.filter
def jdatetime(value):
    """Show a moment as a local Jalali date and time: ۱۴۰۲/۰۷/۲۹ ۱۴:۳۰."""
    if not value:
        return ""
    return jalali.format_datetime(value)


@register.filter
def num(value, decimals=None):
    """Show a number grouped by thousands, with Persian digits on Persian pages."""
    if value is None or value == "":
        return ""
    return format_number(value, decimals=None if decimals is None else int(decimals))


@register.filter
def digits(value):
    """Show any text with the page language's digits (codes, page numbers, counts)."""
    return localize_digits(value)


@register.simple_tag
def jtime(value):
    """Render a <time> element with the machine-readable moment and the Jalali text."""
    if not value:
        return ""
    return format_html(
        '<time datetime="{}">{}</time>', value.isoformat(), jalali.format_datetime(value)
    )


@register.filter
def percent(value, decimals=0):
    """Show a fraction (0.6) as a percentage with the page's digits: ۶۰٪ or 60%."""
    if value is None or value == "":
        return ""
    text = format_number(float(value) * 100, decimals=int(decimals))
    return f"{text}٪" if text and not text[0].isascii() else f"{text}%"
