"""
Jalali reporting periods: their codes, their Gregorian bounds and their ADX form.

A period is a Jalali year (`1402`), half (`1402H1`), quarter (`1402Q3`) or month
(`1402-07`). Codes are parsed here and nowhere else; the `Period` rows that values point
to are seeded for every year from FIRST_YEAR to LAST_YEAR, so an unknown code in a file
is a mistake to report, never a period to create.

Gregorian periods (DHIS2's `202001`, `2020Q1`, `2020S1`, `2020`, and ADX's ISO forms such
as `2020-01-01/P1M`) name a Barzan period only where their first and last days are the
Jalali period's own (`from_gregorian`); no Gregorian month, quarter, half or year does,
so `explain` says why such a code is refused and which Jalali period is nearest. Four
digits are a Jalali year from 1380 to 1420 and a Gregorian one from 1900 to 2100.
"""

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.dates import MONTHS
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from barzan.core import jalali
from barzan.core.text import clean, localize_digits

from .choices import PeriodType

FIRST_YEAR = 1380
LAST_YEAR = 1420

_CODE = re.compile(r"^(\d{4})(?:(?P<half>[Hh][12])|(?P<quarter>[Qq][1-4])|-(?P<month>\d{1,2}))?$")

# ADX writes a period as its first day and an ISO 8601 duration.
ADX_DURATIONS = {
    PeriodType.YEAR: "P1Y",
    PeriodType.HALF: "P6M",
    PeriodType.QUARTER: "P3M",
    PeriodType.MONTH: "P1M",
}


@dataclass(frozen=True)
class PeriodSpec:
    """What a period code means, before it is looked up."""

    code: str
    period_type: str
    year: int
    number: int  # the half, quarter or month; 0 for a year
    start: date
    end: date

    @property
    def adx(self) -> str:
        return f"{self.start.isoformat()}/{ADX_DURATIONS[self.period_type]}"


def parse(text: str) -> PeriodSpec | None:
    """Return the period `text` names (Persian digits allowed), or None if it names none."""
    match = _CODE.match(clean(text).replace(" ", ""))
    if not match:
        return None
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    if match.group("half"):
        return spec(PeriodType.HALF, year, int(match.group("half")[1]))
    if match.group("quarter"):
        return spec(PeriodType.QUARTER, year, int(match.group("quarter")[1]))
    if match.group("month"):
        month = int(match.group("month"))
        if not 1 <= month <= 12:
            return None
        return spec(PeriodType.MONTH, year, month)
    return spec(PeriodType.YEAR, year, 0)


def spec(period_type: str, year: int, number: int = 0) -> PeriodSpec:
    """Return the period of `period_type` numbered `number` in Jalali `year`."""
    if period_type == PeriodType.YEAR:
        code, (start, end) = str(year), jalali.year_bounds(year)
    elif period_type == PeriodType.HALF:
        code, (start, end) = f"{year}H{number}", jalali.half_bounds(year, number)
    elif period_type == PeriodType.QUARTER:
        code, (start, end) = f"{year}Q{number}", jalali.quarter_bounds(year, number)
    else:
        code, (start, end) = f"{year}-{number:02d}", jalali.month_bounds(year, number)
    return PeriodSpec(code, str(period_type), year, number, start, end)


def all_specs(first: int = FIRST_YEAR, last: int = LAST_YEAR):
    """Yield every period from Jalali year `first` to `last`, year by year."""
    for year in range(first, last + 1):
        yield spec(PeriodType.YEAR, year)
        for half in (1, 2):
            yield spec(PeriodType.HALF, year, half)
        for quarter in range(1, 5):
            yield spec(PeriodType.QUARTER, year, quarter)
        for month in range(1, 13):
            yield spec(PeriodType.MONTH, year, month)


def from_adx(text: str) -> PeriodSpec | None:
    """Return the period an ADX period (`2023-03-21/P3M`) names, or None.

    The start must be the first Gregorian day of a Jalali period of that length.
    """
    start_text, _, duration = clean(text).partition("/")
    try:
        start = date.fromisoformat(start_text)
    except ValueError:
        return None
    kinds = {value: key for key, value in ADX_DURATIONS.items()}
    period_type = kinds.get(duration.upper())
    if period_type is None:
        return None
    try:
        found = jalali.to_jalali(start)
    except (ValueError, OverflowError):
        return None
    year, month = found.year, found.month
    if found.day != 1 or not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    if period_type == PeriodType.YEAR:
        candidate = spec(period_type, year) if month == 1 else None
    elif period_type == PeriodType.HALF:
        candidate = spec(period_type, year, 1 if month == 1 else 2) if month in (1, 7) else None
    elif period_type == PeriodType.QUARTER:
        candidate = spec(period_type, year, (month + 2) // 3) if month % 3 == 1 else None
    else:
        candidate = spec(period_type, year, month)
    return candidate if candidate is not None and candidate.start == start else None


def previous(period_spec: PeriodSpec) -> PeriodSpec | None:
    """Return the period just before `period_spec`, of the same type."""
    day_before = period_spec.start - timedelta(days=1)
    year = jalali.to_jalali(day_before).year
    if year < FIRST_YEAR:
        return None
    month = jalali.to_jalali(day_before).month
    number = {
        PeriodType.YEAR: 0,
        PeriodType.HALF: 1 if month <= 6 else 2,
        PeriodType.QUARTER: (month + 2) // 3,
        PeriodType.MONTH: month,
    }[PeriodType(period_spec.period_type)]
    return spec(period_spec.period_type, year, number)


# Gregorian years a DHIS2 code may name; Jalali years (FIRST_YEAR to LAST_YEAR) lie below.
GREGORIAN_FIRST_YEAR = 1900
GREGORIAN_LAST_YEAR = 2100
_MONTHS_OF = {PeriodType.YEAR: 12, PeriodType.HALF: 6, PeriodType.QUARTER: 3, PeriodType.MONTH: 1}
_DHIS2_CODE = re.compile(
    r"^(\d{4})(?:(?P<month>\d{2})|[Qq](?P<quarter>[1-4])|[Ss](?P<half>[12]))?$"
)


@dataclass(frozen=True)
class GregorianPeriod:
    """A Gregorian period a file names, with its first and last day."""

    text: str
    period_type: str
    year: int
    number: int
    start: date
    end: date
    is_adx: bool


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def gregorian(text: str) -> GregorianPeriod | None:
    """Return the Gregorian period `text` names in DHIS2's or ADX's form, or None."""
    cleaned = clean(text).replace(" ", "")
    if "/" in cleaned:
        start_text, _slash, duration = cleaned.partition("/")
        kinds = {value: key for key, value in ADX_DURATIONS.items()}
        period_type = kinds.get(duration.upper())
        try:
            start = date.fromisoformat(start_text)
        except ValueError:
            return None
        if period_type is None or not GREGORIAN_FIRST_YEAR <= start.year <= GREGORIAN_LAST_YEAR:
            return None
        end = _add_months(start, _MONTHS_OF[period_type]) - timedelta(days=1)
        number = (start.month - 1) // _MONTHS_OF[period_type] + 1 if start.day == 1 else 0
        return GregorianPeriod(text, period_type, start.year, number, start, end, True)
    match = _DHIS2_CODE.match(cleaned)
    if not match:
        return None
    year = int(match.group(1))
    if not GREGORIAN_FIRST_YEAR <= year <= GREGORIAN_LAST_YEAR:
        return None
    if match.group("month"):
        period_type, number = PeriodType.MONTH, int(match.group("month"))
        if not 1 <= number <= 12:
            return None
    elif match.group("quarter"):
        period_type, number = PeriodType.QUARTER, int(match.group("quarter"))
    elif match.group("half"):
        period_type, number = PeriodType.HALF, int(match.group("half"))
    else:
        period_type, number = PeriodType.YEAR, 0
    length = _MONTHS_OF[period_type]
    start = date(year, max(number - 1, 0) * length + 1, 1)
    end = _add_months(start, length) - timedelta(days=1)
    return GregorianPeriod(text, period_type, year, number, start, end, False)


def containing(day: date, period_type: str) -> PeriodSpec | None:
    """Return the Jalali period of `period_type` that `day` falls in, if it is kept."""
    found = jalali.to_jalali(day)
    if not FIRST_YEAR <= found.year <= LAST_YEAR:
        return None
    number = {
        PeriodType.YEAR: 0,
        PeriodType.HALF: 1 if found.month <= 6 else 2,
        PeriodType.QUARTER: (found.month + 2) // 3,
        PeriodType.MONTH: found.month,
    }[PeriodType(period_type)]
    return spec(period_type, found.year, number)


@functools.lru_cache(maxsize=256)
def from_gregorian(text: str) -> PeriodSpec | None:
    """Return the Jalali period whose first and last days are those of Gregorian `text`."""
    found = gregorian(text)
    if found is None:
        return None
    if found.is_adx:
        # An ADX length counts Jalali months from a Jalali first day.
        return from_adx(text)
    candidate = containing(found.start, found.period_type)
    if candidate is not None and (candidate.start, candidate.end) == (found.start, found.end):
        return candidate
    return None


def nearest(start: date, end: date, period_type: str) -> PeriodSpec | None:
    """Return the kept Jalali period of `period_type` sharing the most days with start..end."""
    best, best_days = None, 0
    for day in (start, start + (end - start) / 2, end):
        candidate = containing(day, period_type)
        if candidate is None:
            continue
        days = (min(end, candidate.end) - max(start, candidate.start)).days + 1
        if days > best_days:
            best, best_days = candidate, days
    return best


def name(period_spec: PeriodSpec) -> str:
    """Return the period as a person reads it: «دی ۱۳۹۸», «Dey 1398»."""
    from .models import Period

    return Period(
        period_type=period_spec.period_type, year=period_spec.year, number=period_spec.number
    ).name


def _gregorian_name(found: GregorianPeriod) -> str:
    if found.is_adx and not found.number:
        return found.text
    if found.period_type == PeriodType.MONTH:
        text = _("the Gregorian month %(month)s %(year)s") % {
            "month": MONTHS[found.number],
            "year": localize_digits(found.year),
        }
    elif found.period_type == PeriodType.QUARTER:
        text = _("the Gregorian quarter %(number)s of %(year)s") % {
            "number": localize_digits(found.number),
            "year": localize_digits(found.year),
        }
    elif found.period_type == PeriodType.HALF:
        text = _("the Gregorian half %(number)s of %(year)s") % {
            "number": localize_digits(found.number),
            "year": localize_digits(found.year),
        }
    else:
        text = _("the Gregorian year %(year)s") % {"year": localize_digits(found.year)}
    return text


def explain(text: str) -> str:
    """Return why `text` names no Barzan period and what to write instead."""
    # A file repeats its few periods on every row.
    return _explain(text, get_language())


@functools.lru_cache(maxsize=256)
def _explain(text: str, language: str | None) -> str:
    found = gregorian(text)
    if found is None and "/" in text:
        return _(
            "«%(code)s» is not an ADX period Barzan reads: write the first Gregorian day of a "
            "Jalali period and its length, such as 2023-03-21/P1M for Farvardin 1402."
        ) % {"code": localize_digits(text)}
    if found is None:
        return _(
            "«%(code)s» is not a period: write a Jalali year (1402), half (1402H1), "
            "quarter (1402Q3) or month (1402-07)."
        ) % {"code": localize_digits(text)}
    near = nearest(found.start, found.end, found.period_type)
    if near is None:
        nearest_text = _("no Jalali period Barzan keeps is near it")
    else:
        code = near.adx if found.is_adx else near.code
        nearest_text = _("the nearest is %(code)s (%(name)s)") % {
            "code": localize_digits(code),
            "name": name(near),
        }
    if found.is_adx:
        message = _(
            "«%(code)s» does not begin a Jalali period of that length: ADX periods here are the "
            "first Gregorian day of a Jalali period and its length; %(nearest)s."
        )
    else:
        message = _(
            "«%(code)s» is %(gregorian)s; Barzan keeps Jalali periods, which do not begin and "
            "end on the same days; %(nearest)s."
        )
    result = message % {
        "code": localize_digits(text),
        "gregorian": _gregorian_name(found),
        "nearest": nearest_text,
    }
    return result
