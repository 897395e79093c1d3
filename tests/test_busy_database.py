"""
A busy database answers 503 within a bound, never 500 (issue 9, finding 3).

The attack as it was made: another connection holds SQLite's write lock (as a long import
did) while someone logs in or writes through the API. The server is a real gunicorn on a
SQLite file in a throwaway data folder, since the test database is in memory and a lock
cannot be held on it from outside.
"""

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from http.client import HTTPConnection

import pytest
from django.conf import settings

from barzan.core.errors import is_database_busy
from benchmarks.support import free_port, wait_until_up

BOUND_SECONDS = 1
PASSWORD = "a-long-test-password-1403"

SETUP = f"""
import django
django.setup()
from barzan.access.models import Role
from barzan.accounts.actions import grant_role
from barzan.accounts.models import User
from barzan.geo.actions import create_area
from barzan.geo.models import AreaLevel

country = create_area(actor=None, level=AreaLevel.objects.get(code="country"), code="IR",
                      name_fa="ایران")
user = User.objects.create_user("manager", "manager@barzan.test", {PASSWORD!r})
grant_role(actor=None, user=user, role=Role.objects.get(code="area_manager"), area=country)
print(country.pk)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Serve Barzan with gunicorn on a SQLite file; yield (port, database path, country id)."""
    data_dir = tmp_path_factory.mktemp("busy")
    env = {
        **os.environ,
        "BARZAN_DATA_DIR": str(data_dir),
        "BARZAN_DB_BUSY_SECONDS": str(BOUND_SECONDS),
        "BARZAN_TWO_FACTOR": "optional",
        "DJANGO_SETTINGS_MODULE": "barzan.settings",
    }
    env.pop("BARZAN_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "barzan.cli", "migrate", "-v0"], env=env, check=True)
    country_id = int(
        subprocess.run(
            [sys.executable, "-c", SETUP], env=env, check=True, capture_output=True, text=True
        ).stdout.split()[-1]
    )
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "barzan.wsgi:application", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--no-control-socket"],
        env=env,
    )  # fmt: skip
    try:
        wait_until_up("127.0.0.1", port)
        yield port, data_dir / "barzan.sqlite3", country_id
    finally:
        process.terminate()
        process.wait(timeout=30)


class Browser:
    """A client that keeps cookies, like the one a person logs in with."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        connection = HTTPConnection("127.0.0.1", self.port, timeout=30)
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection.request(method, path, body=body, headers={"Cookie": cookie, **(headers or {})})
        response = connection.getresponse()
        content = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response, content

    def post_login(self):
        _response, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"csrfmiddlewaretoken": token, "username": "manager", "password": PASSWORD}
        return self.request(
            "POST",
            "/accounts/login/",
            body=urllib.parse.urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    def post_organization(self, country_id, code):
        payload = {"code": code, "name_fa": "سازمان آزمایشی", "kind": "agency"}
        return self.request(
            "POST",
            "/api/v1/organizations/",
            body=json.dumps({**payload, "area_id": country_id}),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
            },
        )


class HeldWriteLock:
    """Hold SQLite's write lock from another connection, as a long import did."""

    def __init__(self, path):
        self.connection = sqlite3.connect(path, isolation_level=None)

    def __enter__(self):
        self.connection.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc_info):
        self.connection.execute("ROLLBACK")
        self.connection.close()


def unlocked_seconds(port):
    """Return how long this server takes for a login page now, to allow for a busy machine."""
    return timed(lambda: Browser(port).request("GET", "/accounts/login/"))[1]


def timed(call):
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


def test_a_login_while_the_database_is_locked_answers_503_within_the_bound(server):
    port, database, _country_id = server
    allowance = 3 * unlocked_seconds(port) + 2
    with HeldWriteLock(database):
        (response, page), seconds = timed(Browser(port).post_login)
    assert response.status == 503
    assert response.getheader("Retry-After") == str(BOUND_SECONDS)
    assert seconds < BOUND_SECONDS + allowance
    assert '<html lang="fa" dir="rtl">' in page
    assert "پایگاه داده" in page


def test_the_login_works_once_the_lock_is_released(server):
    port, database, _country_id = server
    browser = Browser(port)
    with HeldWriteLock(database):
        assert browser.post_login()[0].status == 503
    response, _page = browser.post_login()
    assert response.status == 302


def test_an_api_write_while_the_database_is_locked_answers_503_in_the_api_format(server):
    port, database, country_id = server
    browser = Browser(port)
    assert browser.post_login()[0].status == 302
    allowance = 3 * unlocked_seconds(port) + 2
    with HeldWriteLock(database):
        (response, content), seconds = timed(lambda: browser.post_organization(country_id, "o-1"))
    assert response.status == 503
    assert response.getheader("Retry-After") == str(BOUND_SECONDS)
    assert seconds < BOUND_SECONDS + allowance
    error = json.loads(content)["error"]
    assert (error["status"], error["code"]) == (503, "database_busy")
    assert browser.post_organization(country_id, "o-1")[0].status == 201


class TestWhatCountsAsBusy:
    """Only a busy or unreachable database is a 503; a wrong query stays a server error."""

    def test_a_locked_sqlite_database_is_busy(self):
        from django.db import OperationalError

        assert is_database_busy(OperationalError("database is locked")) is True

    def test_a_missing_table_is_not_busy(self):
        from django.db import OperationalError

        assert is_database_busy(OperationalError("no such table: geo_area")) is False

    def test_other_errors_are_not_busy(self):
        assert is_database_busy(ValueError("database is locked")) is False

    def test_a_postgresql_lock_timeout_and_lost_connection_are_busy(self):
        psycopg = pytest.importorskip("psycopg")
        from django.db import OperationalError

        def wrapped(cause):
            error = OperationalError(str(cause))
            error.__cause__ = cause
            return error

        assert is_database_busy(wrapped(psycopg.errors.LockNotAvailable("timeout"))) is True
        assert is_database_busy(wrapped(psycopg.OperationalError("connection refused"))) is True
        assert is_database_busy(wrapped(psycopg.errors.UndefinedTable("no table"))) is False

    def test_the_sqlite_busy_timeout_follows_the_bound(self):
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
            pytest.skip("SQLite only")
        busy_ms = round(settings.BARZAN_DB_BUSY_SECONDS * 1000)
        init_command = settings.DATABASES["default"]["OPTIONS"]["init_command"]
        assert f"busy_timeout={busy_ms};" in init_command


@pytest.mark.django_db
def test_a_busy_database_met_outside_the_view_also_answers_503(monkeypatch):
    """Saving the session happens in middleware, after the view: still 503, not 500."""
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.db import OperationalError
    from django.test import Client

    def locked(self, request, response):
        raise OperationalError("database is locked")

    monkeypatch.setattr(SessionMiddleware, "process_response", locked)
    response = Client(raise_request_exception=False).get("/accounts/login/")
    assert response.status_code == 503
    assert response["Retry-After"]


@pytest.mark.django_db
def test_a_wrong_query_stays_a_server_error(monkeypatch):
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.db import OperationalError
    from django.test import Client

    def broken(self, request, response):
        raise OperationalError("no such table: django_session")

    monkeypatch.setattr(SessionMiddleware, "process_response", broken)
    assert Client(raise_request_exception=False).get("/accounts/login/").status_code == 500
