"""Building blocks shared by every app's API module: pagination and the error schema."""

from typing import Annotated, Any

from ninja import Field, Schema
from ninja.pagination import PaginationBase

# Keys and offsets are bounded so a huge number is a 422, not a database overflow.
MAX_ID = 2**63 - 1
MAX_OFFSET = 1_000_000_000
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


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
        limit: int = Field(50, ge=1, le=500, description="Rows per page (at most 500).")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip.")

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
