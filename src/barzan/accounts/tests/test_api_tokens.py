"""API tokens: shown once, stored as a hash, accepted as a bearer token until revoked."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from barzan.accounts import actions
from barzan.accounts.choices import TokenScope
from barzan.accounts.models import ApiToken
from barzan.accounts.readers import has_confirmed_device, two_factor_required
from barzan.audit.models import AuditEvent
from barzan.core import jalali

from .support import confirmed_device, events, page_text

pytestmark = pytest.mark.django_db

ACCOUNT_URL = "/accounts/account/"
ME_URL = "/api/v1/me/"


def jalali_text(day) -> str:
    return jalali.format_date(day, language="en")


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def assert_json_401(response):
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == 401
    assert error["code"] == "not_authenticated"
    assert error["message"]
    assert error["details"] == []


@pytest.fixture
def token_of(people):
    """Return a function that creates an API token for a user, with its raw value."""

    def make(user, name="dashboard", scope=TokenScope.READ_WRITE):
        if two_factor_required(user) and not has_confirmed_device(user):
            confirmed_device(user)
            user._has_confirmed_device = True
        return actions.create_api_token(actor=user, name=name, scope=scope)

    return make


class TestCreatingATokenOnTheAccountPage:
    def test_the_raw_token_is_shown_once(self, client, people, login):
        login(people.tehran_analyst)
        response = client.post(ACCOUNT_URL, {"form": "token", "name": "provincial dashboard"})
        assert response.status_code == 200
        raw = response.context["raw"]
        assert raw.startswith("brz_")
        assert raw in page_text(response)
        account_page = page_text(client.get(ACCOUNT_URL))
        assert raw not in account_page
        assert "provincial dashboard" in account_page
        assert raw[:8] in account_page

    def test_only_the_sha256_hash_is_stored(self, client, people, login):
        login(people.tehran_analyst)
        raw = client.post(ACCOUNT_URL, {"form": "token", "name": "dashboard"}).context["raw"]
        token = ApiToken.objects.get(user=people.tehran_analyst)
        assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
        stored = [getattr(token, field.attname) for field in ApiToken._meta.concrete_fields]
        assert raw not in [str(value) for value in stored]
        event = events("api_token.created").get()
        assert event.actor == people.tehran_analyst
        dumped = json.dumps([event.before, event.after, event.target_label, event.reason])
        assert raw not in dumped
        assert raw[8:] not in dumped

    def test_a_token_may_expire_on_a_jalali_date(self, client, people, login):
        login(people.tehran_analyst)
        day = timezone.localdate() + timedelta(days=30)
        client.post(
            ACCOUNT_URL, {"form": "token", "name": "dashboard", "expires_on": jalali_text(day)}
        )
        token = ApiToken.objects.get(user=people.tehran_analyst)
        assert timezone.localtime(token.expires_at).date() == day

    def test_an_expiry_in_the_past_is_refused(self, client, people, login):
        login(people.tehran_analyst)
        response = client.post(
            ACCOUNT_URL, {"form": "token", "name": "dashboard", "expires_on": "1390/01/01"}
        )
        assert response.status_code == 200
        assert response.context["token_form"].errors["expires_on"]
        assert not ApiToken.objects.exists()

    def test_a_token_needs_a_name(self, client, people, login):
        login(people.tehran_analyst)
        response = client.post(ACCOUNT_URL, {"form": "token", "name": ""})
        assert response.context["token_form"].errors["name"]
        assert not ApiToken.objects.exists()


class TestBearerAuthentication:
    def test_a_bearer_token_authenticates_the_api(self, people, token_of):
        token, raw = token_of(people.tehran_analyst)
        response = Client().get(ME_URL, **bearer(raw))
        assert response.status_code == 200
        body = response.json()
        assert body["username"] == "tehran-analyst"
        assert [grant["role"] for grant in body["grants"]] == ["analyst"]
        token.refresh_from_db()
        assert token.last_used_at is not None

    def test_a_privileged_users_token_needs_no_session_code(self, people, token_of):
        _token, raw = token_of(people.tehran_manager)
        response = Client().get(ME_URL, **bearer(raw))
        assert response.status_code == 200
        assert response.json()["is_privileged"] is True

    def test_no_credentials_get_401(self, roles):
        assert_json_401(Client().get(ME_URL))

    def test_an_unknown_token_gets_401(self, people, token_of):
        _token, raw = token_of(people.tehran_analyst)
        assert_json_401(Client().get(ME_URL, **bearer(raw + "x")))

    def test_a_revoked_token_gets_401(self, people, token_of):
        token, raw = token_of(people.tehran_analyst)
        actions.revoke_api_token(actor=people.tehran_analyst, token=token)
        assert_json_401(Client().get(ME_URL, **bearer(raw)))

    def test_an_expired_token_gets_401(self, people, token_of):
        token, raw = token_of(people.tehran_analyst)
        ApiToken.objects.filter(pk=token.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        assert_json_401(Client().get(ME_URL, **bearer(raw)))

    def test_a_token_not_yet_expired_still_works(self, people):
        _token, raw = actions.create_api_token(
            actor=people.tehran_analyst,
            name="dashboard",
            expires_at=timezone.now() + timedelta(days=1),
        )
        assert Client().get(ME_URL, **bearer(raw)).status_code == 200

    def test_a_deactivated_users_token_gets_401(self, people, token_of):
        _token, raw = token_of(people.tehran_analyst)
        actions.set_user_active(actor=people.admin, user=people.tehran_analyst, is_active=False)
        assert_json_401(Client().get(ME_URL, **bearer(raw)))


class TestRevoking:
    def url(self, token):
        return f"/accounts/api-tokens/{token.pk}/revoke/"

    def test_a_user_revokes_their_own_token_and_it_is_audited(
        self, client, people, login, token_of
    ):
        token, raw = token_of(people.tehran_analyst)
        login(people.tehran_analyst)
        response = client.post(self.url(token))
        assert response.status_code == 302
        assert response.url == ACCOUNT_URL
        assert not ApiToken.objects.filter(pk=token.pk).exists()
        event = events("api_token.revoked").get()
        assert event.actor == people.tehran_analyst
        assert event.before == {"name": "dashboard", "prefix": raw[:8]}

    def test_revoking_is_post_only(self, client, people, login, token_of):
        token, _raw = token_of(people.tehran_analyst)
        login(people.tehran_analyst)
        assert client.get(self.url(token)).status_code == 405
        assert ApiToken.objects.filter(pk=token.pk).exists()

    @pytest.mark.parametrize("revoker", ["focal_point", "secretary", "isfahan_manager"])
    def test_a_user_cannot_revoke_a_token_they_cannot_see(
        self, client, people, login, token_of, revoker
    ):
        token, _raw = token_of(people.tehran_analyst)
        login(getattr(people, revoker))
        assert client.post(self.url(token)).status_code == 404
        assert ApiToken.objects.filter(pk=token.pk).exists()
        assert not AuditEvent.objects.filter(verb="api_token.revoked").exists()

    def test_an_administrator_of_the_user_may_revoke_their_token(
        self, client, people, login, token_of
    ):
        token, _raw = token_of(people.tehran_analyst)
        login(people.tehran_manager)
        response = client.post(self.url(token), {"next": f"/accounts/users/{token.user_id}/"})
        assert response.status_code == 302
        assert response.url == f"/accounts/users/{token.user_id}/"
        assert not ApiToken.objects.filter(pk=token.pk).exists()
        assert events("api_token.revoked").get().actor == people.tehran_manager

    def test_a_manager_who_sees_but_does_not_administer_the_user_gets_403(
        self, client, people, login, token_of, two_province_user
    ):
        token, _raw = token_of(two_province_user)
        login(people.tehran_manager)
        assert client.post(self.url(token)).status_code == 403
        assert ApiToken.objects.filter(pk=token.pk).exists()

    def test_a_manager_cannot_revoke_a_more_senior_users_token(
        self, client, people, login, token_of
    ):
        token, _raw = token_of(people.admin)
        login(people.tehran_manager)
        assert client.post(self.url(token)).status_code == 404
        assert ApiToken.objects.filter(pk=token.pk).exists()
