"""
How a figure is shown: its number in the page's digits, or «کمتر از ۵» when it is a
small count the viewer may not see.

Small counts identify people. A count below BARZAN_SMALL_COUNT_THRESHOLD is shown as
such to everyone outside the organization that owns the indicator, administrators
included, and in every public view and export; who belongs to which organization is the
policy's answer (`access.policy.organizations_of`).
"""

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from barzan.core.text import format_number, localize_digits

from .choices import ValueType


def threshold() -> int:
    return settings.BARZAN_SMALL_COUNT_THRESHOLD


def is_hidden(
    indicator, value, viewer_organizations: frozenset | set | None, *, numerator=None
) -> bool:
    """Return whether `value` of `indicator` must be suppressed for this viewer.

    `viewer_organizations` is None for a public view, where nobody belongs. A calculated
    figure is hidden when its `numerator` (the summed count it divides) is: 3 unemployed
    of 400 active would otherwise show as 0.75% and give the 3 away.
    """
    if value is None:
        return False
    if indicator.is_calculated:
        part = indicator.numerator
        return (
            numerator is not None
            and part is not None
            and is_hidden(part, numerator, viewer_organizations)
        )
    if indicator.value_type != ValueType.COUNT:
        return False
    if viewer_organizations and indicator.owner_id in viewer_organizations:
        return False
    return value < threshold()


def suppressed_label() -> str:
    """«کمتر از ۵» on Persian pages, "<5" on English ones."""
    return _("<%(threshold)s") % {"threshold": localize_digits(threshold())}


def export_label() -> str:
    """What an export writes for a suppressed count: "<5", in Latin digits."""
    return f"<{threshold()}"


def decimals_for(indicator, value: Decimal) -> int:
    if indicator.value_type in (ValueType.COUNT, ValueType.BOOLEAN):
        return 0
    if indicator.value_type in (ValueType.PERCENT, ValueType.RATE):
        return 1
    # As many decimals as the figure has, up to two: 4.1 stays «۴٫۱», not «۴٫۱۰».
    return min(2, max(0, -value.normalize().as_tuple().exponent))


def show(indicator, value, viewer_organizations, *, numerator=None) -> str:
    """Return `value` of `indicator` as the viewer may see it, ready for a page."""
    if value is None:
        return "—"
    if is_hidden(indicator, value, viewer_organizations, numerator=numerator):
        return suppressed_label()
    if indicator.value_type == ValueType.BOOLEAN:
        return _("yes") if value else _("no")
    text = format_number(value, decimals=decimals_for(indicator, Decimal(value)))
    if indicator.value_type == ValueType.PERCENT:
        return f"{text}٪" if text and not text.isascii() else f"{text}%"
    return text


def export_value(indicator, value, viewer_organizations, *, numerator=None) -> str:
    """Return `value` as an export writes it: plain digits, or "<5" when suppressed."""
    if value is None:
        return ""
    if is_hidden(indicator, value, viewer_organizations, numerator=numerator):
        return export_label()
    return format(Decimal(value).normalize(), "f")
