"""Parsers from a cell's text to a value, for `tables.Column(parse=...)`.

Each takes the cleaned, non-empty text of a cell and returns the value, or raises
ValueError whose message (translated, quoting the cell) is shown with the cell's line and
column. Persian and Arabic-Indic digits and «٫» «٬» are read wherever numbers are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext as _

from barzan.core import jalali
from barzan.core.text import clean, format_number, normalize, parse_decimal, to_latin_digits

Parser = Callable[[str], object]

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def text(max_length: int | None = None) -> Parser:
    """Text as Barzan stores it (`core.text.clean`), at most `max_length` characters."""

    def parse(value: str) -> str:
        value = clean(value)
        if max_length is not None and len(value) > max_length:
            raise ValueError(
                _("This text has %(length)s characters; at most %(limit)s fit.")
                % {"length": format_number(len(value)), "limit": format_number(max_length)}
            )
        return value

    return parse


def code(max_length: int = 64) -> Parser:
    """A code of Latin letters, digits, dots, dashes and underscores (any digits typed)."""

    def parse(value: str) -> str:
        value = to_latin_digits(clean(value))
        if not _CODE.match(value):
            raise ValueError(
                _(
                    "«%(text)s» is not a code: use Latin letters, digits, dots, dashes and "
                    "underscores, starting with a letter or digit."
                )
                % {"text": value}
            )
        if len(value) > max_length:
            raise ValueError(
                _("This code has %(length)s characters; at most %(limit)s fit.")
                % {"length": format_number(len(value)), "limit": format_number(max_length)}
            )
        return value

    return parse


def decimal(value: str) -> Decimal:
    """A number as people type it, «۱۲٬۳۴۵٫۶» as well as 12345.6 (`core.text.parse_decimal`)."""
    return parse_decimal(value)


def integer(value: str) -> int:
    """A whole number («۱۲٬۰۰۰» or 12000; 12000.0 as a spreadsheet writes it)."""
    number = parse_decimal(value)
    if number != number.to_integral_value():
        raise ValueError(_("«%(text)s» is not a whole number.") % {"text": value})
    return int(number)


def jalali_date(value: str):
    """A Jalali date (1403/07/29 and the forms `core.jalali.parse_date` reads), as a
    Gregorian date."""
    try:
        return jalali.parse_date(value)
    except jalali.JalaliDateError as error:
        raise ValueError(f"«{value}»: {error}") from error


def choice(choices) -> Parser:
    """One of a TextChoices' values, or its label in English or Persian, in any case."""
    from django.utils import translation

    def labels(language: str) -> dict[str, str]:
        with translation.override(language):
            return {normalize(str(label)): value for value, label in choices.choices}

    def parse(value: str) -> str:
        key = normalize(value)
        known = {normalize(item): item for item in choices.values}
        known.update(labels("en"))
        known.update(labels("fa"))
        if key in known:
            return known[key]
        listed = "، ".join(str(label) for _value, label in choices.choices)
        raise ValueError(
            _("«%(text)s» is not one of: %(choices)s.") % {"text": value, "choices": listed}
        )

    return parse


_TRUE = {"1", "true", "yes", "y", "بله", "آری", "درست", "فعال", "active"}
_FALSE = {"0", "false", "no", "n", "خیر", "نه", "نادرست", "غیرفعال", "inactive"}


def boolean(value: str) -> bool:
    """Yes or no: true/false, yes/no, 1/0, بله/خیر, فعال/غیرفعال."""
    key = normalize(value).replace("\u200c", "").replace(" ", "")
    if key in {normalize(item).replace(" ", "") for item in _TRUE}:
        return True
    if key in {normalize(item).replace(" ", "") for item in _FALSE}:
        return False
    raise ValueError(_("«%(text)s» is neither yes nor no.") % {"text": value})
