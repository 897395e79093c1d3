"""
Every rule of the Jalali (Solar Hijri) calendar that Barzan uses.

Dates are stored Gregorian. This module converts at the edges: it parses what a person
typed, formats what a page shows, and gives the Gregorian bounds of Jalali months,
quarters, halves and years. jdatetime does the arithmetic; converting is slow enough
(~10 µs a date) that callers convert what they show, never whole tables.
"""

import re
from datetime import date, datetime, timedelta

import jdatetime
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .text import clean, localize_digits, to_latin_digits, to_persian_digits

MONTH_NAMES_FA = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)  # fmt: skip
MONTH_NAMES_EN = (
    "Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
    "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
)  # fmt: skip

# Years a person could mean in this product; anything else is a typing mistake.
MIN_YEAR = 1200
MAX_YEAR = 1600

_NUMERIC = re.compile(r"^(\d{1,4})\s*[/\-.\s]\s*(\d{1,2})\s*[/\-.\s]\s*(\d{1,4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_WORDS = re.compile(r"^(\d{1,2})\s+(\S+)\s+(\d{4})$")


class JalaliDateError(ValueError):
    """Raised for text that is not a valid Jalali date; the message says why."""


def is_leap(year: int) -> bool:
    """Return whether Jalali `year` has 366 days (1399 and 1403 do, 1404 does not)."""
    return jdatetime.date(year, 1, 1).isleap()


def month_length(year: int, month: int) -> int:
    """Return the number of days in Jalali `month` of `year`."""
    if month <= 6:
        return 31
    if month <= 11:
        return 30
    return 30 if is_leap(year) else 29


def to_jalali(value: date) -> jdatetime.date:
    """Return the Jalali date of Gregorian `value` (a datetime is read as its date)."""
    if isinstance(value, datetime):
        value = value.date()
    return jdatetime.date.fromgregorian(date=value)


def to_gregorian(year: int, month: int, day: int) -> date:
    """Return the Gregorian date of Jalali `year`/`month`/`day`, or raise JalaliDateError."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        if 1900 <= year <= 2200:
            raise JalaliDateError(
                _(
                    "%(year)s looks like a Gregorian year; "
                    "enter the Jalali date, such as 1403/07/29."
                )
                % {"year": localize_digits(year)}
            )
        raise JalaliDateError(
            _("The year must be between %(min)s and %(max)s.")
            % {"min": localize_digits(MIN_YEAR), "max": localize_digits(MAX_YEAR)}
        )
    if not 1 <= month <= 12:
        raise JalaliDateError(_("The month must be between 1 and 12."))
    length = month_length(year, month)
    if not 1 <= day <= length:
        raise JalaliDateError(
            _("%(month)s %(year)s has %(days)s days.")
            % {
                "month": month_name(month),
                "year": localize_digits(year),
                "days": localize_digits(length),
            }
        )
    return jdatetime.date(year, month, day).togregorian()


def parse_date(text: str) -> date:
    """Return the Gregorian date of Jalali `text`, typed with any digits.

    Accepted: `1402/07/29`, `1402-7-29`, `۱۴۰۲/۰۷/۲۹`, `١٤٠٢.٠٧.٢٩`, `14020729` and
    `29 مهر 1402` (or `29 Mehr 1402`). Raise JalaliDateError with the reason otherwise.
    """
    value = to_latin_digits(clean(text or ""))
    if not value:
        raise JalaliDateError(_("Enter a date."))
    if match := _NUMERIC.match(value) or _COMPACT.match(value):
        first, month, last = (int(part) for part in match.groups())
        year, day = (first, last) if len(match.group(1)) >= 3 else (last, first)
        if len(str(year)) < 4:
            raise JalaliDateError(_("Write the year with four digits, such as 1403/07/29."))
        return to_gregorian(year, month, day)
    if match := _WORDS.match(value):
        day, name, year = match.groups()
        month = _month_from_name(name)
        if month is None:
            raise JalaliDateError(_("“%(name)s” is not a Jalali month.") % {"name": name})
        return to_gregorian(int(year), month, int(day))
    raise JalaliDateError(_("Enter the date as year/month/day, such as 1403/07/29."))


def _month_from_name(name: str) -> int | None:
    wanted = name.casefold()
    for number, (fa, en) in enumerate(zip(MONTH_NAMES_FA, MONTH_NAMES_EN, strict=True), start=1):
        if wanted in (fa, en.casefold()):
            return number
    return None


def _persian(language: str | None) -> bool:
    return (language or get_language() or "fa").startswith("fa")


def month_name(month: int, language: str | None = None) -> str:
    """Return the name of Jalali `month` (1-12) in the active or given language."""
    names = MONTH_NAMES_FA if _persian(language) else MONTH_NAMES_EN
    return names[month - 1]


def format_date(value: date | None, style: str = "short", language: str | None = None) -> str:
    """Return Gregorian `value` written as a Jalali date.

    `short` is `1402/07/29`; `long` is `29 Mehr 1402`. Digits follow the language.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    jalali = to_jalali(value)
    if style == "long":
        text = f"{jalali.day} {month_name(jalali.month, language)} {jalali.year}"
    else:
        text = f"{jalali.year:04d}/{jalali.month:02d}/{jalali.day:02d}"
    return to_persian_digits(text) if _persian(language) else text


def format_datetime(value: datetime | None, language: str | None = None) -> str:
    """Return `value` in local time as a Jalali date and a 24-hour time."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    text = f"{format_date(value.date(), language='en')} {value:%H:%M}"
    return to_persian_digits(text) if _persian(language) else text


def today() -> date:
    """Return today's date where Barzan runs (Asia/Tehran unless configured otherwise)."""
    return timezone.localdate()


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """Return the first and last Gregorian day of Jalali `month` of `year`."""
    start = to_gregorian(year, month, 1)
    return start, start + timedelta(days=month_length(year, month) - 1)


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """Return the first and last Gregorian day of Jalali `quarter` (1-4) of `year`."""
    if not 1 <= quarter <= 4:
        raise JalaliDateError(_("The quarter must be between 1 and 4."))
    return month_bounds(year, quarter * 3 - 2)[0], month_bounds(year, quarter * 3)[1]


def half_bounds(year: int, half: int) -> tuple[date, date]:
    """Return the first and last Gregorian day of Jalali `half` (1-2) of `year`."""
    if half not in (1, 2):
        raise JalaliDateError(_("The half must be 1 or 2."))
    return month_bounds(year, half * 6 - 5)[0], month_bounds(year, half * 6)[1]


def year_bounds(year: int) -> tuple[date, date]:
    """Return the first and last Gregorian day of Jalali `year`."""
    return month_bounds(year, 1)[0], month_bounds(year, 12)[1]


def quarter_of(value: date) -> tuple[int, int]:
    """Return the Jalali (year, quarter) that Gregorian `value` falls in."""
    jalali = to_jalali(value)
    return jalali.year, (jalali.month - 1) // 3 + 1
