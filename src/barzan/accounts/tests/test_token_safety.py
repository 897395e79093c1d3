"""API tokens expire, carry a scope, die with the credentials they were made under, and need
two-factor for privileged roles; enrolling or removing a device is emailed to its owner."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from barzan.accounts import actions
from barzan.accounts.choices import TokenScope
from barzan.accounts.models import ApiToken
from barzan.registry.models import Organization

from .support import PASSWORD, confirmed_device, events, page_text, totp_code

pytestmark = pytest.mark.django_db

ME_URL = "/api/v1/me/"
ACCOUNT_URL = "/accounts/account/"
NEW_PASSWORD = "a-much-longer-passphrase-2024"


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def api_error(response, status):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["status"] == status
    return error


@pytest.fixture
def manager(people):
    """An area manager (a role that requires two-factor) with a confirmed device."""
    confirmed_device(people.tehran_manager)
    return people.tehran_manager


def token(user, scope=TokenScope.READ_WRITE, **fields):
    return actions.create_api_token(actor=user, name="script", scope=scope, **fields)


class TestRevokedWhenCredentialsChange:
    def test_a_password_change_revokes_every_token_of_the_user(self, client, people, login):
        _first, first = token(people.tehran_analyst)
        _second, second = token(people.tehran_analyst, TokenScope.READ)
        _other, others = token(people.focal_point)
        login(people.tehran_analyst)
        response = client.post(
            "/accounts/account/password/",
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        assert response.status_code == 302
        api_error(Client().get(ME_URL, **bearer(first)), 401)
        api_error(Client().get(ME_URL, **bearer(second)), 401)
        assert Client().get(ME_URL, **bearer(others)).status_code == 200
        revoked = events("api_token.revoked", actor=people.tehran_analyst)
        assert revoked.count() == 2
        assert {event.after["revoked_by"] for event in revoked} == {"user.password_changed"}

    def test_a_password_reset_revokes_every_token_of_the_user(self, people):
        user = people.tehran_analyst
        _token, raw = token(user)
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        link = f"/accounts/password-reset/{uid}/{default_token_generator.make_token(user)}/"
        client = Client()
        form_url = client.get(link).url
        response = client.post(
            form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        assert response.status_code == 302
        api_error(Client().get(ME_URL, **bearer(raw)), 401)
        assert not ApiToken.objects.filter(user=user).exists()

    def test_a_two_factor_reset_by_an_administrator_revokes_the_tokens(
        self, client, manager, people, login
    ):
        _token, raw = token(manager)
        login(people.admin)
        response = client.post(f"/accounts/users/{manager.pk}/reset-two-factor/")
        assert response.status_code == 302
        api_error(Client().get(ME_URL, **bearer(raw)), 401)
        assert events("api_token.revoked", actor=people.admin).count() == 1

    def test_turning_two_factor_off_oneself_revokes_the_tokens(self, client, people, login):
        user = people.tehran_analyst
        confirmed_device(user)
        _token, raw = token(user)
        login(user)
        assert client.post("/accounts/two-factor/disable/").status_code == 302
        api_error(Client().get(ME_URL, **bearer(raw)), 401)


class TestScope:
    def organization(self, areas):
        return {
            "code": "relief-tehran",
            "name_fa": "کمیته امداد",
            "kind": "charity",
            "area_id": areas.tehran.pk,
        }

    def test_a_read_token_reads(self, manager):
        _token, raw = token(manager, TokenScope.READ)
        response = Client().get(ME_URL, **bearer(raw))
        assert response.status_code == 200
        assert response.json()["token"]["scope"] == "read"

    def test_a_read_token_is_refused_on_a_post_with_403(self, manager, areas):
        _token, raw = token(manager, TokenScope.READ)
        response = Client().post(
            "/api/v1/organizations/",
            self.organization(areas),
            content_type="application/json",
            **bearer(raw),
        )
        error = api_error(response, 403)
        assert "فقط خواندنی" in error["message"]
        assert not Organization.objects.filter(code="relief-tehran").exists()

    def test_a_read_token_is_refused_on_a_patch_with_403(self, manager, organizations):
        _token, raw = token(manager, TokenScope.READ)
        organization = organizations.welfare_tehran
        response = Client().patch(
            f"/api/v1/organizations/{organization.code}",
            {"name_fa": "تغییر"},
            content_type="application/json",
            **bearer(raw),
        )
        api_error(response, 403)
        organization.refresh_from_db()
        assert organization.name_fa != "تغییر"

    @pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
    def test_the_token_check_refuses_every_writing_method(self, manager, method):
        from ninja.errors import HttpError

        from barzan.api.auth import TokenAuth

        _token, raw = token(manager, TokenScope.READ)
        request = RequestFactory().generic(method, "/api/v1/organizations/")
        with pytest.raises(HttpError) as refused:
            TokenAuth().authenticate(request, raw)
        assert refused.value.status_code == 403
        request = RequestFactory().generic(method, "/api/v1/organizations/")
        _token, raw = token(manager, TokenScope.READ_WRITE)
        assert TokenAuth().authenticate(request, raw) == manager

    def test_a_read_and_write_token_writes(self, manager, areas):
        _token, raw = token(manager, TokenScope.READ_WRITE)
        response = Client().post(
            "/api/v1/organizations/",
            self.organization(areas),
            content_type="application/json",
            **bearer(raw),
        )
        assert response.status_code == 201
        assert Organization.objects.filter(code="relief-tehran").exists()

    def test_a_token_from_the_account_page_is_read_only_unless_chosen(self, client, people, login):
        login(people.tehran_analyst)
        client.post(ACCOUNT_URL, {"form": "token", "name": "dashboard"})
        client.post(ACCOUNT_URL, {"form": "token", "name": "loader", "scope": "read_write"})
        scopes = dict(ApiToken.objects.values_list("name", "scope"))
        assert scopes == {"dashboard": "read", "loader": "read_write"}


class TestExpiry:
    def test_a_token_lasts_the_default_number_of_days_unless_chosen(self, people):
        created, _raw = token(people.tehran_analyst)
        expected = timezone.now() + timedelta(days=settings.BARZAN_API_TOKEN_DAYS)
        assert abs(created.expires_at - expected) < timedelta(minutes=1)

    def test_a_token_cannot_last_longer_than_the_maximum(self, people):
        too_late = timezone.now() + timedelta(days=settings.BARZAN_API_TOKEN_MAX_DAYS + 1)
        with pytest.raises(ValidationError):
            token(people.tehran_analyst, expires_at=too_late)
        assert not ApiToken.objects.exists()

    def test_the_account_page_refuses_an_expiry_past_the_maximum(self, client, people, login):
        from barzan.core import jalali

        login(people.tehran_analyst)
        day = timezone.localdate() + timedelta(days=settings.BARZAN_API_TOKEN_MAX_DAYS + 2)
        response = client.post(
            ACCOUNT_URL,
            {"form": "token", "name": "x", "expires_on": jalali.format_date(day, language="en")},
        )
        assert response.context["token_form"].errors["expires_on"]
        assert not ApiToken.objects.exists()

    def test_an_expired_token_gets_401_saying_it_expired(self, people):
        created, raw = token(people.tehran_analyst)
        ApiToken.objects.filter(pk=created.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        error = api_error(client.get(ME_URL, **bearer(raw)), 401)
        assert "expired" in error["message"]

    def test_the_account_page_shows_each_tokens_scope_and_expiry(self, client, people, login):
        created, _raw = token(people.tehran_analyst, TokenScope.READ)
        login(people.tehran_analyst)
        text = page_text(client.get(ACCOUNT_URL))
        assert "فقط خواندنی" in text
        from barzan.core import jalali

        assert jalali.format_date(created.expires_at) in text

    def test_the_api_shows_the_calling_tokens_scope_and_expiry(self, people):
        created, raw = token(people.tehran_analyst)
        body = Client().get(ME_URL, **bearer(raw)).json()
        assert body["token"]["scope"] == "read_write"
        assert body["token"]["prefix"] == created.prefix
        assert body["token"]["expires_at"].startswith(str(created.expires_at.year))


class TestTwoFactorForPrivilegedRoles:
    def test_a_privileged_user_without_a_device_cannot_create_a_token(self, people):
        with pytest.raises(ValidationError, match=r"two-factor|دومرحله"):
            token(people.tehran_manager)
        assert not ApiToken.objects.exists()

    def test_a_privileged_user_with_a_device_can(self, manager):
        created, _raw = token(manager)
        assert created.user == manager

    def test_when_two_factor_is_optional_no_device_is_needed(self, people, settings):
        settings.TWO_FACTOR = "optional"
        created, _raw = token(people.tehran_manager)
        assert created.pk

    def test_a_token_stops_when_its_user_gets_a_privileged_role_without_a_device(
        self, people, roles, areas
    ):
        user = people.tehran_analyst
        _token, raw = token(user)
        actions.grant_role(actor=None, user=user, role=roles["area_manager"], area=areas.tehran)
        error = api_error(Client().get(ME_URL, **bearer(raw)), 401)
        assert error["message"]
        confirmed_device(user)
        assert Client().get(ME_URL, **bearer(raw)).status_code == 200


class TestTwoFactorMail:
    def test_enrolling_a_device_emails_the_user_in_their_language(
        self, client, people, django_capture_on_commit_callbacks
    ):
        user = people.tehran_analyst
        client.force_login(user)
        client.get("/accounts/two-factor/setup/")
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/accounts/two-factor/setup/", {"token": totp_code(device)})
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [user.email]
        assert "ورود دومرحله‌ای" in message.subject
        assert "tehran-analyst" in message.body
        # The moment is written in Jalali with Persian digits.
        assert "۱۴۰" in message.body

    def test_an_english_reader_gets_it_in_english(
        self, client, people, django_capture_on_commit_callbacks
    ):
        user = people.tehran_analyst
        user.language = "en"
        user.save()
        client.force_login(user)
        client.get("/accounts/two-factor/setup/")
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/accounts/two-factor/setup/", {"token": totp_code(device)})
        assert mail.outbox[0].subject == "Barzan: two-factor authentication turned on"

    def test_an_administrator_removing_the_devices_emails_the_user(
        self, client, manager, people, login, django_capture_on_commit_callbacks
    ):
        login(people.admin)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/accounts/users/{manager.pk}/reset-two-factor/")
        assert [message.to for message in mail.outbox] == [[manager.email]]
        assert "admin" in mail.outbox[0].body

    def test_removing_ones_own_device_emails_too(
        self, client, people, login, django_capture_on_commit_callbacks
    ):
        user = people.tehran_analyst
        confirmed_device(user)
        login(user)
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/accounts/two-factor/disable/")
        assert [message.to for message in mail.outbox] == [[user.email]]

    def test_a_user_without_an_email_address_is_not_emailed(
        self, people, django_capture_on_commit_callbacks
    ):
        user = people.tehran_analyst
        user.email = ""
        user.save()
        confirmed_device(user)
        with django_capture_on_commit_callbacks(execute=True):
            actions.reset_two_factor(actor=people.admin, user=user)
        assert mail.outbox == []

    def test_a_reset_with_no_device_to_remove_sends_nothing(
        self, people, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            actions.reset_two_factor(actor=people.admin, user=people.tehran_analyst)
        assert mail.outbox == []
