"""The shell every page shares: language and direction, request ids, error pages, the menu."""

import re

import pytest
from django.test import Client, override_settings
from django.utils import translation

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
MISSING = "/no-such-page/"
FAILING_URLCONF = "barzan.core.tests.failing_urls"
ERROR_KEYS = {"status", "code", "message", "details"}

PERSIAN = '<html lang="fa" dir="rtl">'
ENGLISH = '<html lang="en" dir="ltr">'


def persian(message):
    """Return `message` as a Persian page shows it (the English text until it is translated)."""
    with translation.override("fa"):
        return translation.gettext(message)


def nav_keys(response):
    """Return the menu entries on the page (the account menu is not one)."""
    keys = set(re.findall(r'data-nav="([^"]+)"', response.content.decode()))
    return keys - {"user-menu"}


class TestLanguage:
    def test_a_page_is_persian_and_right_to_left_by_default(self, client):
        response = client.get(LOGIN)
        assert response.status_code == 200
        assert PERSIAN in response.content.decode()
        assert response["Content-Language"] == "fa"

    def test_an_english_browser_still_gets_persian(self, client):
        response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        assert PERSIAN in response.content.decode()

    def test_the_language_cookie_gives_english_left_to_right(self, client):
        client.cookies["barzan_language"] = "en"
        response = client.get(LOGIN)
        assert ENGLISH in response.content.decode()
        assert response["Content-Language"] == "en"

    def test_an_unknown_language_cookie_is_ignored(self, client):
        client.cookies["barzan_language"] = "de"
        assert PERSIAN in client.get(LOGIN).content.decode()

    def test_the_page_varies_by_cookie(self, client):
        assert "Cookie" in client.get(LOGIN)["Vary"]

    @pytest.mark.parametrize(
        ("saved", "cookie", "expected"), [("en", "fa", ENGLISH), ("fa", "en", PERSIAN)]
    )
    def test_a_logged_in_users_saved_language_wins_over_the_cookie(
        self, client, people, login, saved, cookie, expected
    ):
        people.nobody.language = saved
        people.nobody.save(update_fields=["language"])
        login(people.nobody)
        client.cookies["barzan_language"] = cookie
        response = client.get("/")
        assert response.status_code == 200
        assert expected in response.content.decode()


class TestRequestId:
    def test_every_response_has_a_request_id(self, client):
        first = client.get(LOGIN)["X-Request-ID"]
        second = client.get(MISSING)["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", first)
        assert re.fullmatch(r"[0-9a-f]{32}", second)
        assert first != second

    def test_a_valid_incoming_request_id_is_kept(self, client):
        response = client.get(LOGIN, HTTP_X_REQUEST_ID="proxy-1234.abcd_EF")
        assert response["X-Request-ID"] == "proxy-1234.abcd_EF"

    @pytest.mark.parametrize("incoming", ["short", "has spaces in it", "x" * 65, "<b>12345</b>"])
    def test_an_invalid_incoming_request_id_is_replaced(self, client, incoming):
        response = client.get(LOGIN, HTTP_X_REQUEST_ID=incoming)
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])

    def test_an_api_error_keeps_its_request_id(self, client):
        response = client.get("/api/v1/no-such-endpoint/", HTTP_X_REQUEST_ID="proxy-1234.abcd")
        assert response["X-Request-ID"] == "proxy-1234.abcd"


class TestNotFound:
    def test_the_404_page_is_persian(self, client):
        response = client.get(MISSING)
        html = response.content.decode()
        assert response.status_code == 404
        assert PERSIAN in html
        assert "۴۰۴" in html
        assert persian("This page was not found") in html

    def test_the_404_page_is_english_with_the_cookie(self, client):
        client.cookies["barzan_language"] = "en"
        response = client.get(MISSING)
        html = response.content.decode()
        assert response.status_code == 404
        assert ENGLISH in html
        assert "This page was not found" in html

    @pytest.mark.parametrize("path", ["/api/v1/no-such-endpoint/", "/api/nothing-here/"])
    def test_a_404_under_the_api_is_json_in_the_one_error_format(self, client, path):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        error = response.json()["error"]
        assert set(error) == ERROR_KEYS
        assert error["status"] == 404
        assert error["code"] == "not_found"
        assert error["details"] == []
        assert error["message"]


class TestServerError:
    @pytest.fixture(autouse=True)
    def keep_failures_as_responses(self, client):
        client.raise_request_exception = False

    @override_settings(ROOT_URLCONF=FAILING_URLCONF)
    def test_the_500_page_is_persian(self, client):
        response = client.get("/failing/")
        html = response.content.decode()
        assert response.status_code == 500
        assert PERSIAN in html
        assert "۵۰۰" in html
        assert persian("Something went wrong on the server") in html
        assert "A failure the server-error page must hide" not in html

    @override_settings(ROOT_URLCONF=FAILING_URLCONF)
    def test_the_500_page_is_english_with_the_cookie(self, client):
        client.cookies["barzan_language"] = "en"
        response = client.get("/failing/")
        html = response.content.decode()
        assert response.status_code == 500
        assert ENGLISH in html
        assert "Something went wrong on the server" in html

    @override_settings(ROOT_URLCONF=FAILING_URLCONF)
    def test_the_500_page_gives_the_request_id_as_a_reference(self, client):
        response = client.get("/failing/", HTTP_X_REQUEST_ID="support-ref-0001")
        assert response["X-Request-ID"] == "support-ref-0001"
        assert "<code>support-ref-0001</code>" in response.content.decode()

    @override_settings(ROOT_URLCONF=FAILING_URLCONF)
    def test_a_500_under_the_api_is_json_in_the_one_error_format(self, client):
        response = client.get("/api/failing/")
        assert response.status_code == 500
        assert response["Content-Type"].startswith("application/json")
        error = response.json()["error"]
        assert set(error) == ERROR_KEYS
        assert error["status"] == 500
        assert error["code"] == "server_error"
        assert "A failure" not in error["message"]


class TestCsrfFailure:
    @pytest.fixture
    def strict_client(self):
        return Client(enforce_csrf_checks=True)

    def test_the_csrf_failure_page_is_persian(self, strict_client):
        response = strict_client.post(LOGIN, {"username": "x", "password": "y"})
        html = response.content.decode()
        assert response.status_code == 403
        assert PERSIAN in html
        assert "۴۰۳" in html
        assert persian("This form has expired") in html

    def test_the_csrf_failure_page_is_english_with_the_cookie(self, strict_client):
        strict_client.cookies["barzan_language"] = "en"
        response = strict_client.post(LOGIN, {"username": "x", "password": "y"})
        html = response.content.decode()
        assert response.status_code == 403
        assert ENGLISH in html
        assert "This form has expired" in html


class TestNavigation:
    def test_the_national_admin_sees_users_and_audit(self, client, people, login):
        login(people.admin)
        keys = nav_keys(client.get("/"))
        assert {"areas", "organizations", "admin", "users", "audit"} <= keys

    def test_an_analyst_sees_areas_and_organizations_but_not_users_or_audit(
        self, client, people, login
    ):
        login(people.tehran_analyst)
        keys = nav_keys(client.get("/"))
        assert {"areas", "organizations"} <= keys
        assert keys.isdisjoint({"users", "audit", "admin"})

    def test_a_user_with_no_grant_sees_no_menu_and_the_no_grants_state(self, client, people, login):
        login(people.nobody)
        response = client.get("/")
        assert response.status_code == 200
        assert nav_keys(response) == set()
        assert 'data-testid="no-grants"' in response.content.decode()

    def test_an_anonymous_visitor_sees_no_menu(self, client):
        assert nav_keys(client.get(LOGIN)) == set()
