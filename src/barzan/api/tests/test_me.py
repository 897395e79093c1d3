"""/api/v1/me/: the caller and their grants, as the access policy reads them."""

import pytest

from barzan.access.models import Role
from barzan.accounts.actions import grant_role

from .support import assert_error

pytestmark = pytest.mark.django_db


def test_me_returns_the_callers_grants(client, login, people, areas):
    login(people.tehran_manager)
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "tehran-manager"
    assert body["email"] == "tehran-manager@barzan.test"
    assert body["is_privileged"] is True
    assert body["grants"] == [
        {
            "role": "area_manager",
            "area_id": areas.tehran.pk,
            "organization_id": None,
            "actions": ["approve", "audit", "capture", "export", "manage", "view"],
        }
    ]


def test_me_names_the_organization_of_an_organization_bound_grant(
    client, login, people, areas, organizations
):
    login(people.focal_point)
    body = client.get("/api/v1/me/").json()
    assert body["is_privileged"] is False
    assert body["grants"] == [
        {
            "role": "agency_focal_point",
            "area_id": areas.tehran.pk,
            "organization_id": organizations.education_tehran.pk,
            "actions": ["capture", "export", "view"],
        }
    ]


def test_me_lists_every_grant(client, login, people, areas):
    grant_role(
        actor=None,
        user=people.tehran_analyst,
        role=Role.objects.get(code="analyst"),
        area=areas.isfahan,
    )
    login(people.tehran_analyst)
    grants = client.get("/api/v1/me/").json()["grants"]
    assert {grant["area_id"] for grant in grants} == {areas.tehran.pk, areas.isfahan.pk}


def test_a_user_without_grants_has_an_empty_list(client, login, people):
    login(people.nobody)
    assert client.get("/api/v1/me/").json()["grants"] == []


def test_me_with_a_token_is_the_tokens_user(client, people, bearer):
    body = client.get("/api/v1/me/", headers=bearer(people.secretary)).json()
    assert body["username"] == "secretary"
    assert [grant["role"] for grant in body["grants"]] == ["council_secretary"]


def test_me_without_credentials_is_401(client):
    assert_error(client.get("/api/v1/me/"), 401)
