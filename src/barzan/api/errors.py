"""Turn every failure inside the API into the one error format (see core.errors)."""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from barzan.core.errors import busy_response, error_response, is_database_busy
from barzan.core.exceptions import ConcurrentEditError

logger = logging.getLogger("barzan.api")


def _schema_details(errors) -> list[dict]:
    details = []
    for error in errors:
        location = [
            str(part)
            for part in error.get("loc", ())
            if part not in ("body", "query", "path", "payload")
        ]
        details.append({"field": ".".join(location), "message": error.get("msg", "")})
    return details


def _django_details(error: ValidationError) -> list[dict]:
    if hasattr(error, "error_dict"):
        return [
            {"field": "" if field == "__all__" else field, "message": message}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "message": message} for message in error.messages]


def install(api) -> None:
    """Register the error handlers on the NinjaAPI `api`."""

    @api.exception_handler(NinjaValidationError)
    def schema_invalid(request, exc):
        return error_response(422, details=_schema_details(exc.errors))

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request, exc):
        return error_response(401)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return error_response(exc.status_code, exc.message if exc.message else None)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error_response(404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return error_response(403)

    @api.exception_handler(ConcurrentEditError)
    def conflict(request, exc):
        return error_response(409, exc.messages[0])

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        return error_response(422, details=_django_details(exc))

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc):
        return error_response(413)

    @api.exception_handler(DataError)
    def unstorable(request, exc):
        return error_response(
            400, _("The request contains characters or values that cannot be stored.")
        )

    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    def database_unavailable(request, exc):
        if is_database_busy(exc):
            logger.warning("Database busy on %s %s: %s", request.method, request.path, exc)
            return busy_response(request)
        return server_error(request, exc)

    @api.exception_handler(Exception)
    def server_error(request, exc):
        logger.exception("Unhandled API error on %s", request.path)
        return error_response(500)
