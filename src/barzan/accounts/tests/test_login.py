"""Logging in and out through the real login form, and locking out password guessers."""

import pytest
from axes.utils import reset as reset_lockouts
from django.conf import settings
from django.test import Client
from django.utils import translation

from barzan.accounts.forms import LoginForm
from barzan.core.text import localize_digits

from .support import PASSWORD, events, page_text

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"


def log_in(client, username, password=PASSWORD, **extra):
    data = {"username": username, "password": password, **extra.pop("data", {})}
    return client.post(LOGIN_URL, data, **extra)


def session_user_id(client):
    return client.session.get("_auth_user_id")


class TestLoggingIn:
    def test_the_login_page_opens_for_anyone_in_persian(self, client, roles):
        response = client.get(LOGIN_URL)
        assert response.status_code == 200
        assert '<html lang="fa" dir="rtl">' in page_text(response)
        assert 'name="username"' in page_text(response)

    def test_the_right_password_logs_in_and_records_an_audit_event(self, client, people):
        response = log_in(client, "tehran-analyst")
        assert response.status_code == 302
        assert response.url == "/"
        assert session_user_id(client) == str(people.tehran_analyst.pk)
        event = events("user.logged_in").get()
        assert event.actor == people.tehran_analyst
        assert event.target_id == str(people.tehran_analyst.pk)

    def test_logging_in_goes_to_a_safe_local_next(self, client, people):
        response = log_in(client, "tehran-analyst", data={"next": "/areas/?level=province"})
        assert response.status_code == 302
        assert response.url == "/areas/?level=province"

    @pytest.mark.parametrize(
        "target",
        ["https://evil.example/", "//evil.example/steal", "javascript:alert(1)", "http:///evil"],
    )
    def test_logging_in_ignores_a_next_that_leaves_the_site(self, client, people, target):
        response = log_in(client, "tehran-analyst", data={"next": target})
        assert response.status_code == 302
        assert response.url == "/"

    def test_the_next_of_the_query_string_is_kept_in_the_form(self, client, roles):
        response = client.get(LOGIN_URL, {"next": "/organizations/"})
        assert 'name="next" value="/organizations/"' in page_text(response)

    def test_a_wrong_password_shows_the_persian_error_and_logs_nobody_in(self, client, people):
        response = log_in(client, "tehran-analyst", "not-the-password")
        assert response.status_code == 200
        assert session_user_id(client) is None
        with translation.override("fa"):
            expected = str(LoginForm.error_messages["invalid_login"]) % {
                "limit": localize_digits(settings.AXES_FAILURE_LIMIT)
            }
        assert response.context["form"].non_field_errors() == [expected]
        assert expected.startswith("نام کاربری یا گذرواژه درست نیست")
        # The limit is written with Persian digits on the Persian page.
        assert "۵" in expected
        assert expected in page_text(response)
        assert not events("user.logged_in").exists()

    def test_an_unknown_username_shows_the_same_error(self, client, people):
        wrong_password = log_in(client, "tehran-analyst", "not-the-password")
        unknown_user = log_in(Client(), "no-such-person", "not-the-password")
        assert (
            unknown_user.context["form"].non_field_errors()
            == wrong_password.context["form"].non_field_errors()
        )

    def test_a_deactivated_user_cannot_log_in(self, client, people):
        people.tehran_analyst.is_active = False
        people.tehran_analyst.save()
        response = log_in(client, "tehran-analyst")
        assert response.status_code == 200
        assert session_user_id(client) is None

    def test_a_logged_in_user_opening_the_login_page_is_sent_home(self, client, people, login):
        login(people.tehran_analyst)
        response = client.get(LOGIN_URL)
        assert response.status_code == 302
        assert response.url == "/"

    def test_logging_in_records_the_last_login(self, client, people):
        assert people.tehran_analyst.last_login is None
        log_in(client, "tehran-analyst")
        people.tehran_analyst.refresh_from_db()
        assert people.tehran_analyst.last_login is not None


class TestLoggingOut:
    def test_logging_out_is_post_only(self, client, people, login):
        login(people.tehran_analyst)
        response = client.get("/accounts/logout/")
        assert response.status_code == 405
        assert session_user_id(client) == str(people.tehran_analyst.pk)
        assert not events("user.logged_out").exists()

    def test_logging_out_ends_the_session_and_is_audited(self, client, people, login):
        login(people.tehran_analyst)
        response = client.post("/accounts/logout/")
        assert response.status_code == 302
        assert response.url == LOGIN_URL
        assert session_user_id(client) is None
        assert events("user.logged_out", actor=people.tehran_analyst).count() == 1
        assert client.get("/").status_code == 302

    def test_logging_out_without_a_session_records_nothing(self, client, roles):
        response = client.post("/accounts/logout/")
        assert response.status_code == 302
        assert not events("user.logged_out").exists()


class TestLockout:
    @pytest.fixture(autouse=True)
    def _no_earlier_failures(self, db):
        reset_lockouts()
        yield
        reset_lockouts()

    def fail(self, client, times, address="10.0.0.1", username="tehran-analyst"):
        return [
            log_in(client, username, "not-the-password", REMOTE_ADDR=address).status_code
            for _attempt in range(times)
        ]

    def test_a_locked_out_user_gets_429_even_with_the_right_password(self, client, people):
        statuses = self.fail(client, settings.AXES_FAILURE_LIMIT)
        assert statuses[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (
            settings.AXES_FAILURE_LIMIT - 1
        )
        response = log_in(client, "tehran-analyst", REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 429
        assert session_user_id(client) is None
        assert not events("user.logged_in").exists()

    def test_the_locked_out_page_is_persian_and_offers_a_password_reset(self, client, people):
        self.fail(client, settings.AXES_FAILURE_LIMIT)
        response = log_in(client, "tehran-analyst", REMOTE_ADDR="10.0.0.1")
        text = page_text(response)
        assert response.status_code == 429
        assert '<html lang="fa" dir="rtl">' in text
        assert "تلاش‌های بیش از حد" in text
        assert 'href="/accounts/password-reset/"' in text

    def test_the_locked_out_page_is_english_for_an_english_reader(self, client, people):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.fail(client, settings.AXES_FAILURE_LIMIT)
        response = log_in(client, "tehran-analyst", REMOTE_ADDR="10.0.0.1")
        text = page_text(response)
        assert response.status_code == 429
        assert '<html lang="en" dir="ltr">' in text
        assert "Too many attempts" in text

    def test_another_address_is_not_locked(self, client, people):
        self.fail(client, settings.AXES_FAILURE_LIMIT, address="10.0.0.1")
        other = Client()
        response = log_in(other, "tehran-analyst", REMOTE_ADDR="10.0.0.2")
        assert response.status_code == 302
        assert session_user_id(other) == str(people.tehran_analyst.pk)

    def test_another_username_from_the_same_address_is_not_locked(self, client, people):
        self.fail(client, settings.AXES_FAILURE_LIMIT, address="10.0.0.1")
        response = log_in(Client(), "focal-point", REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 302

    def test_a_successful_login_forgets_earlier_failures(self, client, people):
        self.fail(client, settings.AXES_FAILURE_LIMIT - 1)
        assert log_in(Client(), "tehran-analyst", REMOTE_ADDR="10.0.0.1").status_code == 302
        assert self.fail(client, settings.AXES_FAILURE_LIMIT - 1) == [200] * (
            settings.AXES_FAILURE_LIMIT - 1
        )
        assert log_in(Client(), "tehran-analyst", REMOTE_ADDR="10.0.0.1").status_code == 302
