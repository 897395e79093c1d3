"""Who may call the API: a bearer token, or a verified browser session with its CSRF token."""

from datetime import timedelta

import pytest
from django.utils import timezone

from barzan.accounts.models import ApiToken
from barzan.registry.models import Organization

from .support import assert_error, token_for

pytestmark = pytest.mark.django_db

NEW_ORGANIZATION = {"code": "relief-tehran", "name_fa": "کمیته امداد", "kind": "charity"}


def new_organization(areas) -> dict:
    return {**NEW_ORGANIZATION, "area_id": areas.tehran.pk}


def csrf_token(client) -> str:
    """Open a page with a form so that the session's CSRF cookie is set, and return it."""
    assert client.get("/organizations/new/").status_code == 200
    return client.cookies["csrftoken"].value


class TestUnauthenticated:
    @pytest.mark.parametrize(
        "path",
        [
            "/api/v1/me/",
            "/api/v1/areas/",
            "/api/v1/areas/1",
            "/api/v1/areas/1/children",
            "/api/v1/organizations/",
            "/api/v1/organizations/anything",
            "/api/v1/audit-events/",
            "/api/v1/audit-events/1",
        ],
    )
    def test_a_call_without_credentials_gets_401_in_the_error_format(self, client, path):
        assert_error(client.get(path), 401, "not_authenticated")

    def test_a_write_without_credentials_gets_401(self, client, areas):
        response = client.post(
            "/api/v1/organizations/", new_organization(areas), content_type="application/json"
        )
        assert_error(response, 401)
        assert not Organization.objects.filter(code="relief-tehran").exists()

    def test_an_unknown_token_gets_401(self, client, areas):
        response = client.get("/api/v1/areas/", headers={"Authorization": "Bearer brz_nonsense"})
        assert_error(response, 401, "not_authenticated")

    def test_an_expired_token_gets_401(self, client, people):
        token, raw = token_for(people.tehran_manager)
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(days=1))
        response = client.get("/api/v1/me/", headers={"Authorization": f"Bearer {raw}"})
        assert_error(response, 401)

    def test_a_deactivated_users_token_gets_401(self, client, people):
        _token, raw = token_for(people.tehran_manager)
        people.tehran_manager.is_active = False
        people.tehran_manager.save()
        response = client.get("/api/v1/me/", headers={"Authorization": f"Bearer {raw}"})
        assert_error(response, 401)

    def test_a_session_still_owing_its_two_factor_step_gets_401(self, client, people):
        # A privileged role with no device yet: logged in, but not through two-factor.
        client.force_login(people.tehran_manager)
        assert_error(client.get("/api/v1/me/"), 401)


class TestBearerToken:
    def test_a_bearer_token_authenticates(self, client, people, bearer):
        response = client.get("/api/v1/me/", headers=bearer(people.tehran_manager))
        assert response.status_code == 200
        assert response.json()["username"] == "tehran-manager"

    def test_a_token_records_when_it_was_last_used(self, client, people):
        token, raw = token_for(people.tehran_manager)
        assert token.last_used_at is None
        client.get("/api/v1/me/", headers={"Authorization": f"Bearer {raw}"})
        token.refresh_from_db()
        assert token.last_used_at is not None

    def test_a_token_writes_without_a_csrf_token(self, csrf_client, people, areas, bearer):
        response = csrf_client.post(
            "/api/v1/organizations/",
            new_organization(areas),
            content_type="application/json",
            headers=bearer(people.tehran_manager),
        )
        assert response.status_code == 201
        assert Organization.objects.filter(code="relief-tehran").exists()

    def test_a_token_acts_with_its_users_grants(self, client, people, areas, bearer):
        response = client.get(
            f"/api/v1/areas/{areas.isfahan.pk}", headers=bearer(people.tehran_manager)
        )
        assert_error(response, 404)


class TestSession:
    def test_a_verified_session_reads(self, csrf_client, login, people, areas):
        login(people.tehran_manager, on=csrf_client)
        response = csrf_client.get("/api/v1/areas/")
        assert response.status_code == 200
        assert response.json()["count"] == 5

    def test_a_session_write_without_a_csrf_token_gets_403(self, csrf_client, login, people, areas):
        login(people.tehran_manager, on=csrf_client)
        response = csrf_client.post(
            "/api/v1/organizations/", new_organization(areas), content_type="application/json"
        )
        assert_error(response, 403)
        assert not Organization.objects.filter(code="relief-tehran").exists()

    def test_a_session_write_with_a_wrong_csrf_token_gets_403(
        self, csrf_client, login, people, areas
    ):
        login(people.tehran_manager, on=csrf_client)
        csrf_token(csrf_client)
        response = csrf_client.post(
            "/api/v1/organizations/",
            new_organization(areas),
            content_type="application/json",
            headers={"X-CSRFToken": "x" * 32},
        )
        assert_error(response, 403)
        assert not Organization.objects.filter(code="relief-tehran").exists()

    def test_a_session_patch_without_a_csrf_token_gets_403(
        self, csrf_client, login, people, organizations
    ):
        login(people.tehran_manager, on=csrf_client)
        response = csrf_client.patch(
            "/api/v1/organizations/welfare-tehran",
            {"version": 1, "name_fa": "تغییر"},
            content_type="application/json",
        )
        assert_error(response, 403)
        organizations.welfare_tehran.refresh_from_db()
        assert organizations.welfare_tehran.name_fa == "بهزیستی استان تهران"

    def test_a_session_write_with_its_csrf_token_succeeds(self, csrf_client, login, people, areas):
        login(people.tehran_manager, on=csrf_client)
        token = csrf_token(csrf_client)
        response = csrf_client.post(
            "/api/v1/organizations/",
            new_organization(areas),
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 201
        assert response.json()["code"] == "relief-tehran"
