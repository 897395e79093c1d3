"""The shell's own pages: errors, in both languages, as HTML or as the API's JSON."""

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from .errors import error_response, is_api_path
from .middleware import request_too_large

logger = logging.getLogger(__name__)


def _error(request, status: int, template: str, exception=None):
    if is_api_path(request.path):
        message = None
        if status == 403 and exception is not None and str(exception):
            message = str(exception)
        return error_response(status, message)
    return render(request, template, {"status": status}, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    # Django reports a body over DATA_UPLOAD_MAX_MEMORY_SIZE as a bad request; it is too large.
    if isinstance(exception, RequestDataTooBig):
        return request_too_large(request, exception)
    return _error(request, 400, "400.html")


@requires_csrf_token
def permission_denied(request, exception=None):
    return _error(request, 403, "403.html", exception)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _error(request, 404, "404.html")


@requires_csrf_token
def server_error(request):
    if is_api_path(request.path):
        return error_response(500)
    # No request context: the context processors may need the database that just failed.
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"request_id": getattr(request, "id", "")}))


def csrf_failure(request, reason=""):
    if is_api_path(request.path):
        return error_response(403, code="csrf_failed")
    return render(request, "403_csrf.html", {"status": 403}, status=403)


for view in (bad_request, permission_denied, page_not_found, server_error, csrf_failure):
    view.access_exempt = "An error page shows no data."
