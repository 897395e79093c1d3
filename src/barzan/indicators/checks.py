"""
Whether a figure typed or imported is a plausible value of its indicator.

Used alike by the data-entry grid, the import engine and the API, so that a value
refused in one is refused in all, with the same message.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from barzan.core.text import clean, format_number, parse_decimal, to_persian_digits

from .choices import ValueType
from .models import VALUE_DIGITS, VALUE_PLACES

_LARGEST = Decimal(10) ** (VALUE_DIGITS - VALUE_PLACES)
_YES = {"1", "yes", "true", "y", "بله", "بلی", "آری", "دارد"}
_NO = {"0", "no", "false", "n", "خیر", "نه", "ندارد"}


class ValueProblem(ValueError):
    """Raised with a message a person can act on."""


@dataclass(frozen=True, slots=True)
class Rule:
    """What `parse` needs to know of an indicator (read once for a whole file)."""

    value_type: str
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    @classmethod
    def of(cls, indicator) -> "Rule":
        return cls(indicator.value_type, indicator.minimum, indicator.maximum)


def _number(text: str) -> Decimal:
    try:
        return parse_decimal(text)
    except ValueError as error:
        raise ValueProblem(str(error)) from None


def _echo(text: str) -> str:
    """Return what a person typed, to quote in a message: as typed, in Persian digits on a
    Persian page («درصد باید میان ۰ و ۱۰۰ باشد، نه ۱۵۰.»)."""
    return to_persian_digits(text) if (get_language() or "fa").startswith("fa") else text


def _places(bound: Decimal) -> int:
    """Return how many decimals `bound` has once its trailing zeros go (1.500 has one)."""
    return max(0, -bound.normalize().as_tuple().exponent)


def parse(rule: Rule, text: str) -> Decimal:
    """Return the value `text` gives for an indicator with `rule`, or raise ValueProblem."""
    text = text.strip() if isinstance(text, str) else str(text)
    if rule.value_type == ValueType.BOOLEAN:
        folded = clean(text).casefold()
        if folded in _YES:
            return Decimal(1)
        if folded in _NO:
            return Decimal(0)
        raise ValueProblem(
            _("Write 1 for yes or 0 for no, not «%(text)s».") % {"text": _echo(text)}
        )
    value = _number(text)
    # Checked before rounding and again after: 99999999999999.9999999 rounds up past it.
    if abs(value) >= _LARGEST:
        raise ValueProblem(_("%(value)s is too large to store.") % {"value": _echo(text)})
    # A count is checked before rounding: 0.0000001 people is not a count of 0.
    if rule.value_type == ValueType.COUNT and value != value.to_integral_value():
        raise ValueProblem(_("A count is a whole number, not %(value)s.") % {"value": _echo(text)})
    if value.as_tuple().exponent < -VALUE_PLACES:
        value = value.quantize(Decimal(1).scaleb(-VALUE_PLACES))
        if abs(value) >= _LARGEST:
            raise ValueProblem(_("%(value)s is too large to store.") % {"value": _echo(text)})
    if rule.value_type == ValueType.COUNT:
        if value < 0:
            raise ValueProblem(_("A count cannot be negative."))
    elif rule.value_type == ValueType.PERCENT and not 0 <= value <= 100:
        raise ValueProblem(
            _("A percentage lies between 0 and 100, not %(value)s.") % {"value": _echo(text)}
        )
    elif rule.value_type == ValueType.RATE and value < 0:
        raise ValueProblem(_("A rate cannot be negative."))
    if rule.minimum is not None and value < rule.minimum:
        raise ValueProblem(
            _("%(value)s is below the smallest plausible value, %(minimum)s.")
            % {
                "value": _echo(text),
                "minimum": format_number(rule.minimum, decimals=_places(rule.minimum)),
            }
        )
    if rule.maximum is not None and value > rule.maximum:
        raise ValueProblem(
            _("%(value)s is above the largest plausible value, %(maximum)s.")
            % {
                "value": _echo(text),
                "maximum": format_number(rule.maximum, decimals=_places(rule.maximum)),
            }
        )
    return value
