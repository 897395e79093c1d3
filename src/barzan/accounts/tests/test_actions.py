"""The accounts actions against the database: who may act, what is written, what is audited."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from barzan.access import policy
from barzan.access.actions import VIEW
from barzan.access.models import Grant
from barzan.accounts import actions
from barzan.accounts.models import ApiToken, User
from barzan.audit.models import AuditEvent
from barzan.core.exceptions import ConcurrentEditError
from barzan.geo.models import Area

from .support import PASSWORD, confirmed_device, events, recovery_codes

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-passphrase-2024"


class TestCreateUser:
    def test_a_manager_creates_a_user_in_their_province_with_a_first_grant(
        self, people, roles, areas
    ):
        user = actions.create_user(
            actor=people.tehran_manager,
            username=" new-analyst ",
            first_name="علي",
            email="New@Barzan.Test",
            role=roles["analyst"],
            area=areas.tehran_county,
        )
        assert (user.username, user.first_name, user.email) == (
            "new-analyst",
            "علی",
            "new@barzan.test",
        )
        assert user.has_usable_password() is False
        assert user.grants.get().area == areas.tehran_county
        event = events("user.created").get()
        assert event.area == areas.tehran_county
        assert "password" not in event.after

    def test_a_user_in_another_province_is_refused(self, people, roles, areas):
        with pytest.raises(PermissionDenied):
            actions.create_user(
                actor=people.tehran_manager,
                username="new-analyst",
                role=roles["analyst"],
                area=areas.isfahan,
            )
        assert not User.objects.filter(username="new-analyst").exists()

    def test_a_role_above_ones_own_rank_is_refused(self, people, roles, areas):
        with pytest.raises(PermissionDenied):
            actions.create_user(
                actor=people.tehran_manager,
                username="new-admin",
                role=roles["national_admin"],
                area=areas.tehran,
            )

    def test_a_weak_password_writes_nothing(self, people, roles, areas):
        with pytest.raises(ValidationError):
            actions.create_user(
                actor=people.tehran_manager,
                username="new-analyst",
                password="12345",
                role=roles["analyst"],
                area=areas.tehran,
            )
        assert not User.objects.filter(username="new-analyst").exists()
        assert not events("user.created").exists()


class TestGrantRole:
    def test_a_grant_is_written_audited_and_read_by_the_policy_at_once(self, people, roles, areas):
        user = people.tehran_analyst
        assert policy.can(user, VIEW, areas.isfahan) is False
        grant = actions.grant_role(
            actor=people.admin, user=user, role=roles["analyst"], area=areas.isfahan
        )
        assert grant.granted_by == people.admin
        assert policy.can(user, VIEW, areas.isfahan) is True
        event = events("grant.created", actor=people.admin).get()
        assert event.area == areas.isfahan
        assert event.after == {
            "user": user.pk,
            "role": "analyst",
            "area": areas.isfahan.pk,
            "organization": None,
        }

    def test_the_same_grant_twice_is_refused(self, people, roles, areas):
        with pytest.raises(ValidationError):
            actions.grant_role(
                actor=people.admin,
                user=people.tehran_analyst,
                role=roles["analyst"],
                area=areas.tehran,
            )
        assert people.tehran_analyst.grants.count() == 1

    def test_the_same_organization_grant_twice_is_refused(
        self, people, roles, areas, organizations
    ):
        with pytest.raises(ValidationError):
            actions.grant_role(
                actor=None,
                user=people.focal_point,
                role=roles["agency_focal_point"],
                area=areas.tehran,
                organization=organizations.education_tehran,
            )

    def test_the_same_role_for_another_organization_is_allowed(
        self, people, roles, areas, organizations
    ):
        actions.grant_role(
            actor=None,
            user=people.focal_point,
            role=roles["agency_focal_point"],
            area=areas.tehran,
            organization=organizations.welfare_tehran,
        )
        assert people.focal_point.grants.count() == 2

    def test_a_manager_cannot_grant_outside_their_province(self, people, roles, areas):
        with pytest.raises(PermissionDenied):
            actions.grant_role(
                actor=people.tehran_manager,
                user=people.tehran_analyst,
                role=roles["analyst"],
                area=areas.isfahan,
            )

    def test_a_read_only_role_cannot_grant_anything(self, people, roles, areas):
        with pytest.raises(PermissionDenied):
            actions.grant_role(
                actor=people.tehran_analyst,
                user=people.secretary,
                role=roles["analyst"],
                area=areas.district6,
            )


class TestRevokeGrant:
    def test_revoking_deletes_audits_and_takes_effect_at_once(self, people, areas):
        user = people.tehran_analyst
        assert policy.can(user, VIEW, areas.tehran) is True
        actions.revoke_grant(actor=people.tehran_manager, grant=user.grants.get(), reason="left")
        assert not user.grants.exists()
        assert policy.can(user, VIEW, areas.tehran) is False
        event = events("grant.revoked").get()
        assert (event.actor, event.reason, event.area) == (
            people.tehran_manager,
            "left",
            areas.tehran,
        )

    def test_nobody_revokes_their_own_grant(self, people):
        with pytest.raises(ValidationError):
            actions.revoke_grant(actor=people.admin, grant=people.admin.grants.get())
        assert people.admin.grants.exists()

    def test_a_manager_cannot_revoke_another_provinces_grant(self, people):
        with pytest.raises(PermissionDenied):
            actions.revoke_grant(
                actor=people.tehran_manager, grant=people.isfahan_manager.grants.get()
            )
        assert Grant.objects.filter(user=people.isfahan_manager).exists()

    def test_a_manager_cannot_revoke_a_more_senior_grant(self, people):
        with pytest.raises(PermissionDenied):
            actions.revoke_grant(actor=people.tehran_manager, grant=people.admin.grants.get())


class TestSetUserActive:
    def test_deactivating_is_audited_once(self, people):
        actions.set_user_active(
            actor=people.tehran_manager, user=people.secretary, is_active=False, reason="left"
        )
        actions.set_user_active(actor=people.tehran_manager, user=people.secretary, is_active=False)
        people.secretary.refresh_from_db()
        assert people.secretary.is_active is False
        assert events("user.deactivated").get().reason == "left"

    def test_a_deactivated_user_loses_every_grant_in_the_policy(self, people, areas):
        actions.set_user_active(actor=people.admin, user=people.tehran_manager, is_active=False)
        manager = User.objects.get(pk=people.tehran_manager.pk)
        assert not policy.scope(manager, VIEW, Area.objects.all()).exists()

    def test_it_needs_the_right_to_administer_the_user(self, people, two_province_user):
        for account in (people.isfahan_manager, two_province_user, people.tehran_manager):
            with pytest.raises(PermissionDenied):
                actions.set_user_active(actor=people.tehran_manager, user=account, is_active=False)
        assert User.objects.filter(is_active=False).count() == 0

    def test_a_user_without_grants_is_administered_only_from_the_root(self, people):
        with pytest.raises(PermissionDenied):
            actions.set_user_active(
                actor=people.tehran_manager, user=people.nobody, is_active=False
            )
        actions.set_user_active(actor=people.admin, user=people.nobody, is_active=False)


class TestUpdateProfile:
    def test_a_user_updates_their_own_profile(self, people):
        user = people.secretary
        actions.update_profile(
            actor=user, user=user, version=1, first_name="  فاطمه  ", language="en"
        )
        user.refresh_from_db()
        assert (user.first_name, user.language, user.version) == ("فاطمه", "en", 2)
        assert events("user.profile_changed", actor=user).count() == 1

    def test_a_stale_version_is_refused(self, people):
        user = people.secretary
        actions.update_profile(actor=user, user=user, version=1, first_name="فاطمه")
        with pytest.raises(ConcurrentEditError):
            actions.update_profile(actor=user, user=user, version=1, first_name="زینب")
        user.refresh_from_db()
        assert user.first_name == "فاطمه"

    def test_another_users_profile_needs_the_right_to_administer_them(self, people):
        with pytest.raises(PermissionDenied):
            actions.update_profile(
                actor=people.tehran_analyst, user=people.secretary, version=None, first_name="x"
            )
        actions.update_profile(
            actor=people.tehran_manager, user=people.secretary, version=None, first_name="فاطمه"
        )
        assert events("user.changed", actor=people.tehran_manager).count() == 1

    def test_an_unknown_language_is_refused(self, people):
        with pytest.raises(ValidationError):
            actions.update_profile(
                actor=people.secretary, user=people.secretary, version=None, language="de"
            )


class TestPasswords:
    def test_changing_a_password_checks_the_rules_and_audits_without_it(self, people):
        user = people.secretary
        with pytest.raises(ValidationError):
            actions.change_password(actor=user, password="secretary")
        actions.change_password(actor=user, password=NEW_PASSWORD)
        user.refresh_from_db()
        assert user.check_password(NEW_PASSWORD)
        event = events("user.password_changed").get()
        assert (event.before, event.after) == (None, None)

    def test_a_password_link_needs_an_email_address(self, people):
        User.objects.filter(pk=people.secretary.pk).update(email="")
        people.secretary.refresh_from_db()
        with pytest.raises(ValidationError):
            actions.send_password_link(
                request=RequestFactory().get("/"), actor=people.admin, user=people.secretary
            )

    def test_a_password_link_is_sent_after_commit_in_the_users_language(
        self, people, django_capture_on_commit_callbacks
    ):
        User.objects.filter(pk=people.secretary.pk).update(language="en")
        people.secretary.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            actions.send_password_link(
                request=RequestFactory().get("/"),
                actor=people.tehran_manager,
                user=people.secretary,
            )
        assert mail.outbox == []
        for callback in callbacks:
            callback()
        assert mail.outbox[0].subject == "Barzan: set your password"
        assert "http://testserver/accounts/password-reset/" in mail.outbox[0].body

    def test_a_password_link_for_someone_else_needs_the_right_to_administer_them(self, people):
        with pytest.raises(PermissionDenied):
            actions.send_password_link(
                request=RequestFactory().get("/"),
                actor=people.isfahan_manager,
                user=people.secretary,
            )
        assert not events("user.password_link_sent").exists()


class TestTwoFactor:
    def test_starting_again_replaces_an_unconfirmed_device(self, people):
        first = actions.start_two_factor(actor=people.secretary)
        second = actions.start_two_factor(actor=people.secretary)
        assert list(TOTPDevice.objects.filter(user=people.secretary)) == [second]
        assert first.pk != second.pk
        assert second.confirmed is False

    def test_resetting_removes_every_device(self, people):
        confirmed_device(people.secretary)
        recovery_codes(people.secretary, "a1b2c3d4e5")
        actions.reset_two_factor(actor=people.tehran_manager, user=people.secretary, reason="lost")
        assert not TOTPDevice.objects.filter(user=people.secretary).exists()
        assert not StaticDevice.objects.filter(user=people.secretary).exists()
        assert events("user.two_factor_reset").get().reason == "lost"

    def test_resetting_someone_elses_devices_needs_the_right_to_administer_them(self, people):
        confirmed_device(people.secretary)
        with pytest.raises(PermissionDenied):
            actions.reset_two_factor(actor=people.tehran_analyst, user=people.secretary)
        assert TOTPDevice.objects.filter(user=people.secretary).exists()


class TestApiTokens:
    def test_a_token_is_returned_once_and_stored_as_a_hash(self, people):
        token, raw = actions.create_api_token(actor=people.secretary, name="  mobile app  ")
        assert token.name == "mobile app"
        assert token.prefix == raw[:8]
        assert ApiToken.objects.filter(key_hash=token.key_hash).count() == 1
        assert raw not in token.key_hash

    def test_a_token_needs_a_name_and_a_future_expiry(self, people):
        with pytest.raises(ValidationError):
            actions.create_api_token(actor=people.secretary, name="   ")
        with pytest.raises(ValidationError):
            actions.create_api_token(
                actor=people.secretary,
                name="mobile app",
                expires_at=timezone.now() - timedelta(seconds=1),
            )
        assert not ApiToken.objects.exists()

    def test_revoking_another_users_token_needs_the_right_to_administer_them(self, people):
        token, _raw = actions.create_api_token(actor=people.secretary, name="mobile app")
        with pytest.raises(PermissionDenied):
            actions.revoke_api_token(actor=people.isfahan_manager, token=token)
        actions.revoke_api_token(actor=people.tehran_manager, token=token)
        assert not ApiToken.objects.exists()


class TestLoggingIn:
    def test_logging_in_and_out_are_audited(self, people, client):
        client.post("/accounts/login/", {"username": "secretary", "password": PASSWORD})
        client.post("/accounts/logout/")
        recorded = AuditEvent.objects.filter(verb__in=["user.logged_in", "user.logged_out"])
        assert list(recorded.order_by("pk").values_list("verb", "actor")) == [
            ("user.logged_in", people.secretary.pk),
            ("user.logged_out", people.secretary.pk),
        ]
