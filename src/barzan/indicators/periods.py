"""
Jalali reporting periods: their codes, their Gregorian bounds and their ADX form.

A period is a Jalali year (`1402`), half (`1402H1`), quarter (`1402Q3`) or month
(`1402-07`). Codes are parsed here and nowhere else; the `Period` rows that values point
to are seeded for every year from FIRST_YEAR to LAST_YEAR, so an unknown code in a file
is a mistake to report, never a period to create.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from barzan.core import jalali
from barzan.core.text import clean

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
