"""
The one shape of every error Barzan's API returns, also used by the error pages for API paths.

    {"error": {"status": 404, "code": "not_found", "message": "…", "details": [...]}}

`details` lists field errors as {"field": "name", "message": "…"} where there are any.

A database that is busy or unreachable is not a server error: `is_database_busy()` tells it
apart, and `busy_response()` answers 503 with Retry-After, as a page or in the API's format.
"""

import math

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext_lazy as _

DEFAULT_MESSAGES = {
    400: ("bad_request", _("The request could not be read.")),
    401: ("not_authenticated", _("Log in or send a valid API token.")),
    403: ("forbidden", _("You do not have permission to do this.")),
    404: ("not_found", _("Nothing was found here.")),
    405: ("method_not_allowed", _("This method is not allowed here.")),
    409: ("conflict", _("The record changed since you read it.")),
    413: ("too_large", _("The request is too large.")),
    422: ("invalid", _("Some values are not valid.")),
    429: ("too_many_requests", _("Too many attempts; wait and try again.")),
    500: ("server_error", _("Something went wrong on the server. The error has been logged.")),
    503: ("database_busy", _("The database is busy. Nothing was saved; try again in a moment.")),
}

# SQLite's messages when its busy timeout ran out or a shared-cache table is locked.
_SQLITE_BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")
# PostgreSQL error classes that mean "not now" rather than "wrong": connection exceptions,
# insufficient resources (too many connections), operator intervention (shutdown, starting
# up, statement timeout), lock_not_available, serialization failures and deadlocks.
_POSTGRESQL_BUSY_STATES = ("08", "53", "57", "55P03", "40001", "40P01")


def error_body(status: int, message=None, *, code: str | None = None, details=None) -> dict:
    """Return the error document for `status`."""
    default_code, default_message = DEFAULT_MESSAGES.get(status, ("error", _("Request failed.")))
    return {
        "error": {
            "status": status,
            "code": code or default_code,
            "message": str(message or default_message),
            "details": details or [],
        }
    }


def error_response(status: int, message=None, *, code: str | None = None, details=None):
    """Return a JsonResponse with the error document for `status`."""
    return JsonResponse(error_body(status, message, code=code, details=details), status=status)


def is_api_path(path: str) -> bool:
    """Return whether `path` belongs to a machine-readable API rather than a page."""
    return path.startswith(("/api/", "/open311/"))


def is_database_busy(error: BaseException | None) -> bool:
    """Return whether `error` means the database is busy or unreachable, not that a query is wrong.

    Other OperationalErrors ("no such table", a syntax error) stay server errors.
    """
    if isinstance(error, InterfaceError):
        return True  # the connection was closed under the request
    if not isinstance(error, OperationalError):
        return False
    if any(message in str(error).lower() for message in _SQLITE_BUSY_MESSAGES):
        return True
    cause = error.__cause__
    if not type(cause).__module__.startswith("psycopg"):
        return False
    state = getattr(cause, "sqlstate", None)
    # psycopg gives no SQLSTATE when it could not connect or lost the connection.
    return state is None or state.startswith(_POSTGRESQL_BUSY_STATES)


def busy_retry_seconds() -> int:
    """Return the Retry-After of a busy answer: the configured wait, in whole seconds."""
    return max(1, math.ceil(settings.BARZAN_DB_BUSY_SECONDS))


def busy_response(request) -> HttpResponse:
    """Return the 503 answer to a request that met a busy database, with Retry-After."""
    if is_api_path(request.path):
        response = error_response(503)
    else:
        # No request context: its processors would query the database that is busy.
        template = loader.get_template("503.html")
        response = HttpResponse(
            template.render({"request_id": getattr(request, "id", "")}), status=503
        )
    response["Retry-After"] = str(busy_retry_seconds())
    # The caller logs a busy database as a warning; Django would log every 5xx as an error.
    response._has_been_logged = True
    return response
