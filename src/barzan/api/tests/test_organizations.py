"""Organizations in the API: scoped reads, writes through the actions, optimistic locking."""

import pytest

from barzan.audit.models import AuditEvent
from barzan.registry.actions import ORGANIZATION_CHANGED, ORGANIZATION_CREATED, create_organization
from barzan.registry.models import Organization

from .support import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def caller(client, login, people):
    login(people.tehran_manager)
    return client


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["code"] for item in response.json()["items"]}


def post(client, body):
    return client.post("/api/v1/organizations/", body, content_type="application/json")


def patch(client, code, body):
    return client.patch(f"/api/v1/organizations/{code}", body, content_type="application/json")


def new_organization(areas, **fields):
    return {
        "code": "relief-tehran",
        "name_fa": "کمیته امداد استان تهران",
        "kind": "charity",
        "area_id": areas.tehran_county.pk,
        **fields,
    }


class TestReading:
    def test_the_list_holds_only_the_callers_organizations(self, caller, organizations):
        response = caller.get("/api/v1/organizations/")
        assert codes(response) == {"education-tehran", "welfare-tehran"}
        assert response.json()["count"] == 2

    def test_the_list_is_paginated(self, caller, organizations):
        response = caller.get("/api/v1/organizations/", {"limit": 1, "offset": 1})
        body = response.json()
        assert body["count"] == 2
        assert [item["code"] for item in body["items"]] == ["welfare-tehran"]

    def test_a_focal_point_lists_only_their_organization(
        self, client, login, people, organizations
    ):
        login(people.focal_point)
        assert codes(client.get("/api/v1/organizations/")) == {"education-tehran"}
        assert_error(client.get("/api/v1/organizations/welfare-tehran"), 404)

    def test_the_list_filters_by_search_kind_area_and_active(self, caller, areas, organizations):
        create_organization(
            actor=None,
            code="relief-d6",
            name_fa="خیریه محله",
            kind="charity",
            area=areas.district6,
            is_active=False,
        )
        assert codes(caller.get("/api/v1/organizations/", {"q": "بهزيستي"})) == {"welfare-tehran"}
        assert codes(caller.get("/api/v1/organizations/", {"kind": "charity"})) == {"relief-d6"}
        assert codes(caller.get("/api/v1/organizations/", {"area": areas.tehran_city.pk})) == {
            "relief-d6"
        }
        assert codes(caller.get("/api/v1/organizations/", {"is_active": "false"})) == {"relief-d6"}

    def test_an_organization_reads_with_its_version(self, caller, areas, organizations):
        response = caller.get("/api/v1/organizations/welfare-tehran")
        assert response.status_code == 200
        assert response.json() == {
            "code": "welfare-tehran",
            "name_fa": "بهزیستی استان تهران",
            "name_en": "",
            "kind": "agency",
            "parent": None,
            "area_id": areas.tehran.pk,
            "covered_area_ids": [],
            "is_active": True,
            "version": 1,
        }


class TestCreating:
    def test_a_manager_registers_an_organization_in_their_province(self, caller, people, areas):
        response = post(
            caller,
            new_organization(areas, covered_area_ids=[areas.shemiranat.pk], name_en="Relief"),
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["code"] == "relief-tehran"
        assert body["area_id"] == areas.tehran_county.pk
        assert body["covered_area_ids"] == [areas.shemiranat.pk]
        assert body["version"] == 1
        organization = Organization.objects.get(code="relief-tehran")
        event = AuditEvent.objects.get(verb=ORGANIZATION_CREATED, target_id=str(organization.pk))
        assert event.actor == people.tehran_manager

    def test_a_parent_in_the_callers_areas_is_accepted(self, caller, areas, organizations):
        response = post(caller, new_organization(areas, parent="education-tehran"))
        assert response.status_code == 201
        assert response.json()["parent"] == "education-tehran"

    def test_a_seat_in_another_province_is_404(self, caller, areas):
        response = post(caller, new_organization(areas, area_id=areas.isfahan.pk))
        assert_error(response, 404)
        assert not Organization.objects.filter(code="relief-tehran").exists()

    def test_an_analyst_gets_403(self, client, login, people, areas):
        login(people.tehran_analyst)
        assert_error(post(client, new_organization(areas)), 403)
        assert not Organization.objects.filter(code="relief-tehran").exists()

    def test_a_focal_point_gets_403(self, client, login, people, areas):
        login(people.focal_point)
        assert_error(post(client, new_organization(areas)), 403)

    def test_a_reserved_code_is_422(self, caller, areas):
        error = assert_error(post(caller, new_organization(areas, code="options")), 422)
        assert [detail["field"] for detail in error["details"]] == ["code"]

    def test_a_taken_code_is_422(self, caller, areas, organizations):
        error = assert_error(post(caller, new_organization(areas, code="education-isfahan")), 422)
        assert [detail["field"] for detail in error["details"]] == ["code"]
        assert Organization.objects.get(code="education-isfahan").area == areas.isfahan

    def test_an_unknown_kind_is_422(self, caller, areas):
        error = assert_error(post(caller, new_organization(areas, kind="cult")), 422)
        assert [detail["field"] for detail in error["details"]] == ["kind"]


class TestChanging:
    def test_a_change_with_the_current_version_is_saved_and_audited(
        self, caller, areas, organizations
    ):
        response = patch(
            caller,
            "welfare-tehran",
            {"version": 1, "name_en": "Welfare", "area_id": areas.shemiranat.pk},
        )
        assert response.status_code == 200, response.content
        assert response.json()["version"] == 2
        assert response.json()["area_id"] == areas.shemiranat.pk
        organization = Organization.objects.get(code="welfare-tehran")
        assert organization.name_en == "Welfare"
        event = AuditEvent.objects.get(verb=ORGANIZATION_CHANGED, target_id=str(organization.pk))
        assert event.before["name_en"] == ""
        assert event.after["name_en"] == "Welfare"

    def test_fields_left_out_are_left_alone(self, caller, areas, organizations):
        patch(caller, "welfare-tehran", {"version": 1, "covered_area_ids": [areas.shemiranat.pk]})
        response = patch(caller, "welfare-tehran", {"version": 2, "is_active": False})
        assert response.json()["covered_area_ids"] == [areas.shemiranat.pk]
        assert response.json()["name_fa"] == "بهزیستی استان تهران"

    def test_a_stale_version_gets_409_and_nothing_changes(self, caller, organizations):
        assert (
            patch(caller, "welfare-tehran", {"version": 1, "name_en": "Welfare"}).status_code == 200
        )
        events = AuditEvent.objects.count()
        response = patch(caller, "welfare-tehran", {"version": 1, "name_fa": "نام کهنه"})
        assert_error(response, 409, "conflict")
        organization = Organization.objects.get(code="welfare-tehran")
        assert organization.name_fa == "بهزیستی استان تهران"
        assert organization.version == 2
        assert AuditEvent.objects.count() == events

    def test_a_missing_version_is_422(self, caller, organizations):
        error = assert_error(patch(caller, "welfare-tehran", {"name_fa": "بی نسخه"}), 422)
        assert [detail["field"] for detail in error["details"]] == ["version"]

    def test_becoming_its_own_parent_is_422(self, caller, organizations):
        error = assert_error(
            patch(caller, "welfare-tehran", {"version": 1, "parent": "welfare-tehran"}), 422
        )
        assert [detail["field"] for detail in error["details"]] == ["parent"]
        assert Organization.objects.get(code="welfare-tehran").parent is None

    def test_the_parent_may_be_cleared(self, caller, organizations):
        patch(caller, "welfare-tehran", {"version": 1, "parent": "education-tehran"})
        response = patch(caller, "welfare-tehran", {"version": 2, "parent": None})
        assert response.status_code == 200
        assert response.json()["parent"] is None


class TestQueryBudgets:
    def test_the_list_makes_as_many_queries_for_many_rows_as_for_few(
        self, caller, areas, organizations, count_queries
    ):
        few = count_queries(lambda: caller.get("/api/v1/organizations/", {"limit": 500}))
        for number in range(25):
            create_organization(
                actor=None,
                code=f"site-{number}",
                name_fa=f"پایگاه {number}",
                kind="community_site",
                area=areas.district6,
                parent=organizations.education_tehran,
                covered_areas=[areas.district6, areas.tehran_city],
            )
        many = count_queries(lambda: caller.get("/api/v1/organizations/", {"limit": 500}))
        assert many == few
