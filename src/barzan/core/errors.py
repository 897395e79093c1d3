"""
The one shape of every error Barzan's API returns, also used by the error pages for API paths.

    {"error": {"status": 404, "code": "not_found", "message": "…", "details": [...]}}

`details` lists field errors as {"field": "name", "message": "…"} where there are any.
"""

from django.http import JsonResponse
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
}


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
