"""Two-factor authentication: privileged roles must set it up, and every device holder verifies."""

from urllib.parse import unquote

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .support import PASSWORD, confirmed_device, events, page_text, recovery_codes, totp_code

pytestmark = pytest.mark.django_db

SETUP_URL = "/accounts/two-factor/setup/"
VERIFY_URL = "/accounts/two-factor/verify/"
PAGES = ["/", "/areas/", "/organizations/", "/audit/", "/accounts/account/", "/accounts/users/"]


def log_in(client, username, **data):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD, **data})


def open_setup(client, user):
    """Open the set-up page and return the response with the device it shows."""
    response = client.get(SETUP_URL)
    return response, TOTPDevice.objects.get(user=user, confirmed=False)


@pytest.fixture(params=["admin", "tehran_manager"])
def privileged(request, people):
    """A holder of a privileged role (national administrator or area manager) with no device."""
    return getattr(people, request.param)


class TestPrivilegedRolesWithoutADevice:
    @pytest.mark.parametrize("page", PAGES)
    def test_every_page_sends_them_to_set_up(self, client, privileged, page):
        client.force_login(privileged)
        response = client.get(page)
        assert response.status_code == 302
        assert response.url.startswith(SETUP_URL)
        assert client.get(response.url).status_code == 200

    def test_the_set_up_page_remembers_the_page_they_asked_for(self, client, privileged):
        client.force_login(privileged)
        response = client.get("/areas/?level=province")
        assert response.url == f"{SETUP_URL}?next=%2Fareas%2F%3Flevel%3Dprovince"

    def test_the_api_answers_401_in_the_json_error_format(self, client, privileged):
        client.force_login(privileged)
        response = client.get("/api/v1/me/")
        assert response.status_code == 401
        assert response.json()["error"]["status"] == 401
        assert response.json()["error"]["code"] == "two_factor_required"

    def test_logging_in_leads_to_the_set_up_page(self, client, privileged):
        response = log_in(client, privileged.username, next="/organizations/")
        assert response.status_code == 302
        assert response.url == f"{SETUP_URL}?next=%2Forganizations%2F"
        assert events("user.logged_in", actor=privileged).exists()

    def test_they_may_still_log_out_and_change_the_language(self, client, privileged):
        client.force_login(privileged)
        assert client.post("/accounts/language/", {"language": "en"}).status_code == 302
        assert client.post("/accounts/logout/").status_code == 302
        assert "_auth_user_id" not in client.session


class TestSettingUp:
    def test_the_page_shows_an_inline_qr_code_and_the_key(self, client, people):
        client.force_login(people.tehran_manager)
        response, device = open_setup(client, people.tehran_manager)
        text = page_text(response)
        assert response.status_code == 200
        assert "<svg" in text
        assert "<img" not in text.split('class="qr-code')[1].split("</div>")[0]
        secret = response.context["secret"]
        assert secret.replace(" ", "") in device.config_url
        assert secret in text

    def test_opening_the_page_again_shows_the_same_key(self, client, people):
        client.force_login(people.tehran_manager)
        first, device = open_setup(client, people.tehran_manager)
        second, again = open_setup(client, people.tehran_manager)
        assert device == again
        assert first.context["secret"] == second.context["secret"]

    def test_a_valid_code_confirms_the_device_and_shows_ten_recovery_codes(self, client, people):
        manager = people.tehran_manager
        client.force_login(manager)
        _page, device = open_setup(client, manager)
        response = client.post(SETUP_URL, {"token": totp_code(device), "next": "/areas/"})
        assert response.status_code == 200
        device.refresh_from_db()
        assert device.confirmed is True
        codes = response.context["codes"]
        assert len(codes) == 10
        assert len(set(codes)) == 10
        assert page_text(response).count('<li class="col">') == 10
        assert 'href="/areas/"' in page_text(response)
        stored = StaticToken.objects.filter(device__user=manager)
        assert sorted(stored.values_list("token", flat=True)) == sorted(codes)
        assert events("user.two_factor_enabled", actor=manager).count() == 1

    def test_a_confirmed_device_unlocks_the_pages(self, client, people):
        manager = people.tehran_manager
        client.force_login(manager)
        _page, device = open_setup(client, manager)
        client.post(SETUP_URL, {"token": totp_code(device)})
        for page in PAGES:
            assert client.get(page).status_code == 200, page
        assert client.get("/api/v1/me/").status_code == 200

    def test_a_code_typed_with_persian_digits_and_spaces_is_accepted(self, client, people):
        manager = people.tehran_manager
        client.force_login(manager)
        _page, device = open_setup(client, manager)
        code = totp_code(device)
        persian = code[:3].translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) + " " + code[3:]
        client.post(SETUP_URL, {"token": persian})
        device.refresh_from_db()
        assert device.confirmed is True

    def test_a_wrong_code_is_refused_and_counts_towards_throttling(self, client, people):
        manager = people.tehran_manager
        client.force_login(manager)
        _page, device = open_setup(client, manager)
        wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
        response = client.post(SETUP_URL, {"token": wrong})
        assert response.status_code == 200
        assert response.context["form"].errors["token"]
        device.refresh_from_db()
        assert device.confirmed is False
        assert device.throttling_failure_count == 1
        assert not StaticDevice.objects.filter(user=manager).exists()
        assert not events("user.two_factor_enabled").exists()
        assert client.get("/").url.startswith(SETUP_URL)

    def test_a_user_owing_a_code_is_sent_from_set_up_to_verify(self, client, people):
        confirmed_device(people.tehran_manager)
        client.force_login(people.tehran_manager)
        response = client.get(SETUP_URL)
        assert response.status_code == 302
        assert response.url.startswith(VERIFY_URL)


class TestVerifying:
    @pytest.fixture
    def manager(self, people):
        return people.tehran_manager

    def test_logging_in_with_a_device_leads_to_the_code_page(self, client, manager):
        confirmed_device(manager)
        response = log_in(client, manager.username, next="/organizations/")
        assert response.status_code == 302
        assert response.url == f"{VERIFY_URL}?next=%2Forganizations%2F"
        assert client.get("/").url.startswith(VERIFY_URL)
        assert client.get("/api/v1/me/").status_code == 401

    def test_a_valid_code_lets_them_in(self, client, manager):
        device = confirmed_device(manager)
        log_in(client, manager.username)
        response = client.post(VERIFY_URL, {"token": totp_code(device), "next": "/areas/"})
        assert response.status_code == 302
        assert response.url == "/areas/"
        assert client.get("/").status_code == 200
        assert events("user.two_factor_verified", actor=manager).count() == 1

    def test_a_next_with_its_own_query_string_survives_the_code_page(self, client, manager):
        device = confirmed_device(manager)
        response = log_in(client, manager.username, next="/areas/?level=province&q=تهران")
        page = client.get(response.url)
        assert page.context["next"] == "/areas/?level=province&q=تهران"
        response = client.post(
            VERIFY_URL, {"token": totp_code(device), "next": page.context["next"]}
        )
        assert unquote(response.url) == "/areas/?level=province&q=تهران"

    def test_a_wrong_code_is_refused(self, client, manager):
        device = confirmed_device(manager)
        log_in(client, manager.username)
        wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
        response = client.post(VERIFY_URL, {"token": wrong})
        assert response.status_code == 200
        assert response.context["form"].errors["token"]
        device.refresh_from_db()
        assert device.throttling_failure_count == 1
        assert client.get("/").url.startswith(VERIFY_URL)

    def test_a_recovery_code_lets_them_in_once_only(self, client, manager):
        confirmed_device(manager)
        recovery_codes(manager, "a1b2c3d4e5", "f6e7d8c9b0")
        log_in(client, manager.username)
        response = client.post(VERIFY_URL, {"token": "A1B2C3D4E5"})
        assert response.status_code == 302
        assert client.get("/").status_code == 200
        assert not StaticToken.objects.filter(token="a1b2c3d4e5").exists()

        again = Client()
        log_in(again, manager.username)
        response = again.post(VERIFY_URL, {"token": "a1b2c3d4e5"})
        assert response.status_code == 200
        assert again.get("/").url.startswith(VERIFY_URL)

    def test_the_code_page_sends_a_verified_user_on(self, client, manager, login):
        login(manager)
        response = client.get(VERIFY_URL)
        assert response.status_code == 302
        assert response.url == "/"

    def test_a_non_privileged_user_with_a_device_verifies_too(self, client, people):
        device = confirmed_device(people.tehran_analyst)
        response = log_in(client, people.tehran_analyst.username)
        assert response.url.startswith(VERIFY_URL)
        client.post(VERIFY_URL, {"token": totp_code(device)})
        assert client.get("/").status_code == 200


class TestWhoIsForced:
    @pytest.mark.parametrize("name", ["tehran_analyst", "focal_point", "secretary", "nobody"])
    def test_a_non_privileged_role_is_not_forced(self, client, people, name):
        user = getattr(people, name)
        response = log_in(client, user.username)
        assert response.status_code == 302
        assert response.url == "/"
        assert client.get("/").status_code == 200
        assert client.get("/accounts/account/").status_code == 200

    def test_when_two_factor_is_optional_nobody_is_forced(self, client, people, settings):
        settings.TWO_FACTOR = "optional"
        response = log_in(client, people.admin.username)
        assert response.url == "/"
        for page in PAGES:
            assert client.get(page).status_code == 200, page
        assert client.get("/api/v1/me/").status_code == 200

    def test_when_optional_the_home_page_suggests_it_to_privileged_roles(
        self, client, people, settings
    ):
        settings.TWO_FACTOR = "optional"
        client.force_login(people.tehran_manager)
        assert 'data-testid="two-factor-suggestion"' in page_text(client.get("/"))
        analyst = Client()
        analyst.force_login(people.tehran_analyst)
        assert 'data-testid="two-factor-suggestion"' not in page_text(analyst.get("/"))

    def test_when_optional_a_user_may_still_set_it_up(self, client, people, settings):
        settings.TWO_FACTOR = "optional"
        client.force_login(people.tehran_analyst)
        _page, device = open_setup(client, people.tehran_analyst)
        response = client.post(SETUP_URL, {"token": totp_code(device)})
        assert len(response.context["codes"]) == 10


class TestResettingAndTurningOff:
    def test_an_administrator_resets_another_users_devices_and_it_is_audited(
        self, client, people, login
    ):
        manager = people.tehran_manager
        confirmed_device(manager)
        recovery_codes(manager, "a1b2c3d4e5")
        login(people.admin)
        response = client.post(
            f"/accounts/users/{manager.pk}/reset-two-factor/", {"reason": "lost phone"}
        )
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=manager).exists()
        assert not StaticDevice.objects.filter(user=manager).exists()
        event = events("user.two_factor_reset").get()
        assert event.actor == people.admin
        assert event.target_id == str(manager.pk)
        assert event.reason == "lost phone"

        # At the next login the manager must set up a new device.
        again = Client()
        assert log_in(again, manager.username).url.startswith(SETUP_URL)

    def test_a_manager_cannot_reset_the_devices_of_another_provinces_user(
        self, client, people, login
    ):
        confirmed_device(people.isfahan_manager)
        login(people.tehran_manager)
        response = client.post(f"/accounts/users/{people.isfahan_manager.pk}/reset-two-factor/")
        assert response.status_code == 404
        assert TOTPDevice.objects.filter(user=people.isfahan_manager).exists()
        assert not events("user.two_factor_reset").exists()

    def test_a_user_may_turn_theirs_off_when_it_is_not_required(self, client, people, login):
        login(people.tehran_analyst)
        response = client.post("/accounts/two-factor/disable/")
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=people.tehran_analyst).exists()
        assert events("user.two_factor_reset", actor=people.tehran_analyst).count() == 1

    def test_a_privileged_user_may_not_turn_it_off_when_it_is_required(self, client, people, login):
        login(people.tehran_manager)
        response = client.post("/accounts/two-factor/disable/")
        assert response.status_code == 403
        assert TOTPDevice.objects.filter(user=people.tehran_manager).exists()

    def test_a_privileged_user_may_turn_it_off_when_it_is_optional(
        self, client, people, login, settings
    ):
        settings.TWO_FACTOR = "optional"
        login(people.tehran_manager)
        assert client.post("/accounts/two-factor/disable/").status_code == 302
        assert not TOTPDevice.objects.filter(user=people.tehran_manager).exists()

    def test_turning_it_off_is_post_only(self, client, people, login):
        login(people.tehran_analyst)
        assert client.get("/accounts/two-factor/disable/").status_code == 405
