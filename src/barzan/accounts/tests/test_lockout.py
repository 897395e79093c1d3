"""Password guessing is slowed per username and client address, and nobody can lock out another."""

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from axes.utils import reset as reset_lockouts
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from barzan.accounts import actions
from barzan.accounts.lockout import client_address, delay_after

from .support import PASSWORD, events, page_text

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
LIMIT = settings.AXES_FAILURE_LIMIT
DELAY = settings.BARZAN_LOCKOUT_DELAY
ATTACKER = "10.0.0.66"
VICTIM = "10.0.0.7"


@pytest.fixture(autouse=True)
def _no_earlier_failures(db):
    reset_lockouts()
    yield
    reset_lockouts()


def log_in(username="tehran-analyst", password=PASSWORD, address=VICTIM, forwarded=None):
    client = Client()
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    response = client.post(LOGIN_URL, {"username": username, "password": password}, **extra)
    response.logged_in = client.session.get("_auth_user_id") is not None
    return response


def fail(times, address=ATTACKER, username="tehran-analyst", forwarded=None):
    return [
        log_in(username, "not-the-password", address, forwarded).status_code
        for _attempt in range(times)
    ]


def wait(delta):
    """Let `delta` pass for the remembered failures (move them into the past)."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - delta)


class TestAttackerElsewhere:
    def test_an_attacker_elsewhere_cannot_lock_the_victim_out(self, people):
        statuses = fail(10, address=ATTACKER)
        assert statuses[LIMIT - 1 :] == [429] * (10 - LIMIT + 1)
        response = log_in(address=VICTIM)
        assert response.status_code == 302
        assert response.logged_in

    def test_the_attacker_is_locked_even_with_the_right_password(self, people):
        fail(LIMIT, address=ATTACKER)
        response = log_in(address=ATTACKER)
        assert response.status_code == 429
        assert not response.logged_in


class TestClientAddressBehindProxies:
    def request(self, remote, forwarded=None):
        extra = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return RequestFactory().get("/", **extra)

    def test_without_trusted_proxies_the_header_is_ignored(self):
        assert client_address(self.request("10.0.0.1", "203.0.113.9")) == "10.0.0.1"

    @override_settings(BARZAN_TRUSTED_PROXIES=1)
    def test_with_one_proxy_the_rightmost_forwarded_address_is_the_client(self):
        request = self.request("127.0.0.1", "198.51.100.1, 203.0.113.9")
        assert client_address(request) == "203.0.113.9"

    @override_settings(BARZAN_TRUSTED_PROXIES=2)
    def test_with_two_proxies_the_second_address_from_the_right_is_the_client(self):
        request = self.request("127.0.0.1", "198.51.100.1, 203.0.113.9, 10.1.1.1")
        assert client_address(request) == "203.0.113.9"

    @override_settings(BARZAN_TRUSTED_PROXIES=2)
    def test_a_header_shorter_than_the_proxy_chain_is_not_trusted(self):
        assert client_address(self.request("127.0.0.1", "203.0.113.9")) == "127.0.0.1"

    @override_settings(BARZAN_TRUSTED_PROXIES=1)
    def test_a_forwarded_value_that_is_not_an_address_is_not_trusted(self):
        assert client_address(self.request("127.0.0.1", "<script>")) == "127.0.0.1"

    def test_with_no_trusted_proxy_a_forged_header_does_not_change_the_key(self, people):
        for attempt in range(LIMIT):
            log_in(password="wrong", address=ATTACKER, forwarded=f"198.51.100.{attempt}")
        response = log_in(address=ATTACKER, forwarded="203.0.113.200")
        assert response.status_code == 429
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}

    def test_with_no_trusted_proxy_a_forged_header_cannot_lock_out_someone_else(self, people):
        fail(LIMIT, address=ATTACKER, forwarded=VICTIM)
        assert log_in(address=VICTIM).logged_in

    @override_settings(BARZAN_TRUSTED_PROXIES=1)
    def test_with_one_trusted_proxy_clients_behind_it_are_told_apart(self, people):
        proxy = "127.0.0.1"
        fail(LIMIT, address=proxy, forwarded="203.0.113.66")
        locked = log_in(address=proxy, forwarded="203.0.113.66")
        assert locked.status_code == 429
        # A forged entry left of the proxy's own does not unlock the attacker.
        assert log_in(address=proxy, forwarded="203.0.113.7, 203.0.113.66").status_code == 429
        victim = log_in(address=proxy, forwarded="203.0.113.7")
        assert victim.status_code == 302
        assert victim.logged_in


class TestGrowingDelay:
    def test_the_wait_starts_at_the_limit_and_doubles_up_to_the_cap(self):
        assert delay_after(LIMIT - 1) == timedelta(0)
        assert delay_after(LIMIT) == DELAY
        assert delay_after(LIMIT + 1) == DELAY * 2
        assert delay_after(LIMIT + 2) == DELAY * 4
        assert delay_after(LIMIT + 1000) == settings.BARZAN_LOCKOUT_MAX_DELAY

    def test_after_the_wait_the_right_password_logs_in(self, people):
        fail(LIMIT)
        assert log_in(address=ATTACKER).status_code == 429
        wait(DELAY + timedelta(seconds=1))
        assert log_in(address=ATTACKER).logged_in

    def test_failures_during_the_wait_neither_restart_nor_extend_it(self, people):
        fail(LIMIT)
        wait(DELAY / 2)
        assert fail(20) == [429] * 20
        assert AccessAttempt.objects.get().failures_since_start == LIMIT
        wait(DELAY / 2 + timedelta(seconds=1))
        assert log_in(address=ATTACKER).logged_in

    def test_a_failure_after_the_wait_locks_for_twice_as_long(self, people):
        fail(LIMIT)
        wait(DELAY + timedelta(seconds=1))
        assert fail(1) == [429]
        wait(DELAY + timedelta(seconds=1))
        assert log_in(address=ATTACKER).status_code == 429
        wait(DELAY)
        assert log_in(address=ATTACKER).logged_in

    def test_failures_are_forgotten_a_day_after_the_last(self, people):
        fail(LIMIT)
        wait(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
        assert fail(1) == [200]

    def test_the_locked_out_page_says_when_to_try_again_in_persian(self, people):
        fail(LIMIT)
        response = log_in(address=ATTACKER)
        text = page_text(response)
        assert response.status_code == 429
        assert "دوباره تلاش کنید" in text
        until = AccessAttempt.objects.get().attempt_time + DELAY
        assert f'datetime="{until.isoformat()}"' in text
        time_text = text.split(f'datetime="{until.isoformat()}">')[1].split("<")[0]
        assert time_text[:4] == "۱۴۰۵" or time_text[:4] == "۱۴۰۶"
        assert not any(digit in time_text for digit in "0123456789")

    def test_the_locked_out_page_is_english_for_an_english_reader(self, people):
        fail(LIMIT)
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = client.post(
            LOGIN_URL, {"username": "tehran-analyst", "password": PASSWORD}, REMOTE_ADDR=ATTACKER
        )
        assert response.status_code == 429
        assert "You can try again at" in page_text(response)


class TestPasswordChange:
    URL = "/accounts/account/password/"

    def change(self, client, old_password):
        data = {
            "old_password": old_password,
            "new_password1": "a-much-longer-passphrase-2024",
            "new_password2": "a-much-longer-passphrase-2024",
        }
        return client.post(self.URL, data, REMOTE_ADDR=ATTACKER)

    def test_guessing_the_old_password_is_locked_out_like_a_login(self, client, people, login):
        login(people.tehran_analyst)
        statuses = [self.change(client, "wrong-guess").status_code for _ in range(LIMIT)]
        assert statuses == [200] * (LIMIT - 1) + [429]
        assert self.change(client, PASSWORD).status_code == 429
        people.tehran_analyst.refresh_from_db()
        assert people.tehran_analyst.check_password(PASSWORD)
        # The lock holds at the login page too, from that address only.
        assert log_in(address=ATTACKER).status_code == 429
        assert log_in(address=VICTIM).logged_in


class TestUnlock:
    def test_an_administrator_unlocks_from_the_user_page(self, client, people, login):
        fail(LIMIT)
        login(people.tehran_manager)
        page = client.get(f"/accounts/users/{people.tehran_analyst.pk}/")
        text = page_text(page)
        assert ATTACKER in text
        assert f"/accounts/users/{people.tehran_analyst.pk}/unlock/" in text
        response = client.post(f"/accounts/users/{people.tehran_analyst.pk}/unlock/")
        assert response.status_code == 302
        assert not AccessAttempt.objects.exists()
        event = events("user.unlocked").get()
        assert event.actor == people.tehran_manager
        assert event.before == {"failures": LIMIT}
        assert log_in(address=ATTACKER).logged_in

    def test_an_administrator_of_another_province_cannot_unlock(self, client, people, login):
        fail(LIMIT)
        login(people.isfahan_manager)
        response = client.post(f"/accounts/users/{people.tehran_analyst.pk}/unlock/")
        assert response.status_code in (403, 404)
        assert AccessAttempt.objects.exists()
        assert not events("user.unlocked").exists()

    def test_a_user_without_administration_cannot_unlock(self, client, people, login):
        fail(LIMIT, username="focal-point")
        login(people.tehran_analyst)
        response = client.post(f"/accounts/users/{people.focal_point.pk}/unlock/")
        assert response.status_code in (403, 404)
        assert AccessAttempt.objects.exists()

    def test_the_unlock_action_checks_the_policy(self, people):
        fail(LIMIT)
        with pytest.raises(actions.PermissionDenied):
            actions.unlock_user(actor=people.isfahan_manager, user=people.tehran_analyst)
        assert AccessAttempt.objects.exists()

    def test_barzan_unlock_forgets_the_failures_and_is_audited(self, people):
        fail(LIMIT)
        out = StringIO()
        call_command("unlock", "tehran-analyst", stdout=out)
        assert "tehran-analyst" in out.getvalue()
        assert not AccessAttempt.objects.exists()
        assert events("user.unlocked", actor=None).count() == 1
        assert log_in(address=ATTACKER).logged_in

    def test_barzan_unlock_names_an_unknown_user(self, db):
        with pytest.raises(CommandError, match="no-such-user"):
            call_command("unlock", "no-such-user")


def test_failed_logins_show_on_the_user_page_with_the_time_of_the_lock(client, people, login):
    fail(LIMIT)
    login(people.admin)
    response = client.get(f"/accounts/users/{people.tehran_analyst.pk}/")
    until = AccessAttempt.objects.get().attempt_time + DELAY
    assert until > timezone.now()
    assert f'datetime="{until.isoformat()}"' in page_text(response)
