"""Request-wide middleware: a request id for audit and logs, the language of the page (and
Persian digits in a Persian page's text), and clear answers (400, 503) where Django would
answer 500."""

import logging
import re
import sys
import uuid

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DataError
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from . import context
from .errors import busy_response, error_response, is_api_path, is_database_busy
from .text import persian_digits_in_html

logger = logging.getLogger(__name__)

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_LANGUAGES = {code for code, _name in settings.LANGUAGES}


class RequestIdMiddleware:
    """Give every request an id (or keep a proxy's X-Request-ID) that audit records carry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = context.request_id.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            context.request_id.reset(token)
        response["X-Request-ID"] = request.id
        return response


def language_for(request) -> str:
    """Return the page language: the user's choice, else the cookie, else Persian.

    The browser's Accept-Language is ignored on purpose: Barzan is Persian first, and
    most office browsers in Iran still announce English.
    """
    user = getattr(request, "user", None)
    chosen = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
    if chosen in _LANGUAGES:
        return chosen
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return cookie if cookie in _LANGUAGES else settings.LANGUAGE_CODE


class LanguageMiddleware:
    """Activate the page language for the request (after authentication, before views)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        if language == "fa":
            _persian_digits(response)
        return response


def _persian_digits(response) -> None:
    """Show the numbers of a Persian page's text in Persian digits (see `text`)."""
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return
    charset = response.charset or "utf-8"
    response.content = persian_digits_in_html(response.content.decode(charset)).encode(charset)
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))


class ApiErrorMiddleware:
    """Give every failed API response the one error format, whoever produced it.

    Django and django-ninja answer some failures themselves (405 Method Not Allowed, a
    404 before routing) with HTML or an empty body; API clients get JSON instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_api_path(request.path)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            replacement = error_response(response.status_code)
            for header in ("Allow", "WWW-Authenticate", "Retry-After", "X-Request-ID"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response


def request_too_large(request, exception=None):
    """Return the 413 answer: the API's error format under API paths, else the 413 page."""
    if is_api_path(request.path):
        return error_response(413)
    return render(request, "413.html", {"status": 413}, status=413)


class RequestSizeMiddleware:
    """Answer 413 to a body larger than any Barzan accepts, before reading a byte of it.

    The largest legitimate body is an import file plus its form fields. Django limits the
    fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but would stream a file of any size to disk before
    a form could refuse it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.BARZAN_IMPORT_MAX_BYTES + (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return request_too_large(request)
        return self.get_response(request)


def _contains_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    if any("\x00" in value for _key, values in request.GET.lists() for value in values):
        return True
    if request.method not in ("POST", "PUT", "PATCH"):
        return False
    if request.content_type == "application/json":
        return b"\x00" in request.body or b"\\u0000" in request.body
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return any("\x00" in value for _key, values in request.POST.lists() for value in values)
    return False


class BadInputMiddleware:
    """Answer 400, never 500, for input no field may hold.

    A NUL character is refused up front: no text in Barzan may contain one and PostgreSQL
    cannot store one. Any other value the database refuses (DataError) is reported the
    same way rather than as a server error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _contains_nul(request):
            return self.bad_request(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DataError):
            return self.bad_request(request)
        return None

    def bad_request(self, request):
        message = _("The request contains characters or values that cannot be stored.")
        if is_api_path(request.path):
            return error_response(400, message)
        return render(request, "400.html", {"status": 400}, status=400)


_MET_BUSY_DATABASE = "_barzan_met_busy_database"


def _remember_busy_database(sender, request=None, **kwargs):
    """Mark `request` when the exception Django is turning into a 500 is a busy database.

    Django sends this signal while it handles the exception, so sys.exc_info() holds it.
    """
    if request is not None and is_database_busy(sys.exc_info()[1]):
        setattr(request, _MET_BUSY_DATABASE, True)


got_request_exception.connect(_remember_busy_database, dispatch_uid="barzan-busy-database")


class DatabaseBusyMiddleware:
    """Answer 503 with Retry-After, never 500, when the database is busy or unreachable.

    SQLite waits BARZAN_DB_BUSY_SECONDS for the write lock (its busy timeout) and then
    raises "database is locked"; PostgreSQL raises on a lock timeout, a deadlock or a lost
    connection. A view's exception is answered here directly; one raised in another
    middleware (saving the session) has already become a 500 response, which the
    got_request_exception signal lets this middleware recognise and replace.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _MET_BUSY_DATABASE, False):
            return busy_response(request)
        return response

    def process_exception(self, request, exception):
        if not is_database_busy(exception):
            return None
        logger.warning("Database busy on %s %s: %s", request.method, request.path, exception)
        return busy_response(request)
