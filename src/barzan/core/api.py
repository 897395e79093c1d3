"""Building blocks shared by every app's API module: pagination, strict parameter types and
the error schema."""

import re
from datetime import date, datetime
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import PaginationBase
from pydantic import AfterValidator, BeforeValidator, ConfigDict
from pydantic import Field as SchemaField

from .text import parse_decimal, to_latin_digits

# Keys and offsets are bounded so a huge number is a 422, not a database overflow.
MAX_ID = 2**63 - 1
MAX_OFFSET = 1_000_000_000

_WHOLE_NUMBER = re.compile(r"\s*[+-]?[0-9]+\s*")
_ISO_DATE = re.compile(r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _whole_number(value):
    # Pydantic would read the text "1.0" or "1_000" as an integer; the document promises
    # an integer, so a parameter holds digits only (Persian or Arabic-Indic ones too).
    if isinstance(value, str):
        value = to_latin_digits(value)
    if isinstance(value, bool) or (isinstance(value, str) and not _WHOLE_NUMBER.fullmatch(value)):
        raise ValueError(_("Give a whole number."))
    return value


def _number(value):
    # Query parameters arrive as text: «۳۵٫۷» is read as a person typed it (core.text).
    if isinstance(value, str):
        return parse_decimal(value)
    return value


def _iso_date_time(value):
    # Pydantic would read a number such as 0.5 as seconds since 1970; the document
    # promises an ISO 8601 date-time.
    if isinstance(value, bool | int | float) or (
        isinstance(value, str) and not _ISO_DATE.match(value)
    ):
        raise ValueError(_("Give a date and time such as 2024-03-20T10:00:00+03:30."))
    return value


def _iso_date(value):
    # As for date-times: a number is not a date, and a date is written 2025-03-21.
    if isinstance(value, bool | int | float) or (
        isinstance(value, str) and not _ISO_DATE.fullmatch(value.strip())
    ):
        raise ValueError(_("Give a date such as 2025-03-21."))
    return value


def _aware(value: datetime) -> datetime:
    # A date without a time or offset is read in Barzan's time zone.
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def whole_number(*, ge: int | None = None, le: int | None = None):
    """Return the type of an integer between `ge` and `le` that is given in digits only."""
    # The bounds come before the validator: after it (as in `Integer | None = Field(ge=…)`),
    # pydantic would publish `ge` and `le`, which are not JSON Schema keywords.
    return Annotated[int, SchemaField(ge=ge, le=le), BeforeValidator(_whole_number)]


Integer = Annotated[int, BeforeValidator(_whole_number)]
# A number in Persian or Latin digits, with «٫» or «.» as the decimal point.
Number = Annotated[float, BeforeValidator(_number)]
Id = whole_number(ge=1, le=MAX_ID)
Date = Annotated[date, BeforeValidator(_iso_date)]
DateTime = Annotated[datetime, BeforeValidator(_iso_date_time), AfterValidator(_aware)]


class InputSchema(Schema):
    """A request body: a field it does not define is refused (422), not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Schema):
    field: str
    message: str


class ErrorBody(Schema):
    status: int
    code: str
    message: str
    details: list[ErrorDetail]


class Error(Schema):
    """The one error format (see core.errors)."""

    error: ErrorBody


class Pagination(PaginationBase):
    """`?limit=&offset=` paging; the answer says how many rows there are in all."""

    class Input(Schema):
        limit: Integer = Field(50, ge=1, le=500, description="Rows per page (at most 500).")
        offset: Integer = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip.")

    class Output(Schema):
        items: list[Any]
        count: int
        limit: int
        offset: int

    def paginate_queryset(self, queryset, pagination: Input, request, **params):
        offset, limit = pagination.offset, pagination.limit
        return {
            "items": list(queryset[offset : offset + limit]),
            "count": queryset.count(),
            "limit": limit,
            "offset": offset,
        }


ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Error}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: Error}
