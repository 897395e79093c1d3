"""Every failure under /api/v1/ answers in the one error format, whoever produced it."""

import pytest

from barzan.registry.models import Organization

from .support import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def caller(client, login, people):
    login(people.tehran_manager)
    return client


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here", "/api/v1/areas/not-a-number", "/api/v1/areas/1/grandchildren"]
)
def test_an_unknown_path_is_a_json_404(caller, areas, path):
    assert_error(caller.get(path), 404, "not_found")


def test_an_unknown_path_is_a_json_404_even_without_credentials(client):
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")


def test_a_missing_record_is_a_json_404(caller, areas):
    assert_error(caller.get("/api/v1/areas/999999"), 404, "not_found")
    assert_error(caller.get("/api/v1/organizations/no-such-code"), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", "/api/v1/areas/"),
        ("put", "/api/v1/organizations/"),
        ("delete", "/api/v1/organizations/welfare-tehran"),
        ("post", "/api/v1/audit-events/"),
        ("post", "/api/v1/me/"),
    ],
)
def test_a_wrong_method_is_a_json_405_that_names_the_allowed_ones(
    caller, organizations, method, path
):
    response = getattr(caller, method)(path, content_type="application/json")
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"]
    assert Organization.objects.filter(code="welfare-tehran").exists()


def test_a_missing_field_is_a_422_with_field_details(caller, areas):
    response = caller.post("/api/v1/organizations/", {"code": "x"}, content_type="application/json")
    error = assert_error(response, 422, "invalid")
    fields = {detail["field"] for detail in error["details"]}
    assert fields == {"name_fa", "kind", "area_id"}
    assert all(detail["message"] for detail in error["details"])


def test_a_wrong_type_is_a_422_naming_the_field(caller, areas):
    response = caller.post(
        "/api/v1/organizations/",
        {"code": "x", "name_fa": "نام", "kind": "cult", "area_id": "tehran"},
        content_type="application/json",
    )
    error = assert_error(response, 422)
    assert {detail["field"] for detail in error["details"]} == {"kind", "area_id"}


def test_a_malformed_body_is_a_422(caller, areas):
    response = caller.post("/api/v1/organizations/", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert_error(response, response.status_code)


def test_a_bad_query_parameter_is_a_422_naming_it(caller, areas):
    error = assert_error(caller.get("/api/v1/areas/", {"limit": 0}), 422)
    assert [detail["field"] for detail in error["details"]] == ["limit"]
    error = assert_error(caller.get("/api/v1/areas/", {"limit": 501}), 422)
    assert [detail["field"] for detail in error["details"]] == ["limit"]
    error = assert_error(caller.get("/api/v1/areas/", {"parent": "x"}), 422)
    assert [detail["field"] for detail in error["details"]] == ["parent"]


def test_a_rule_an_action_enforces_is_a_422_naming_the_field(caller, areas):
    response = caller.post(
        "/api/v1/organizations/",
        {"code": "new", "name_fa": "نام", "kind": "agency", "area_id": areas.tehran.pk},
        content_type="application/json",
    )
    error = assert_error(response, 422, "invalid")
    assert [detail["field"] for detail in error["details"]] == ["code"]
    assert not Organization.objects.filter(code="new").exists()


def test_a_stale_version_is_a_409(caller, organizations):
    caller.patch(
        "/api/v1/organizations/welfare-tehran",
        {"version": 1, "name_en": "Welfare"},
        content_type="application/json",
    )
    response = caller.patch(
        "/api/v1/organizations/welfare-tehran",
        {"version": 1, "name_fa": "تغییر"},
        content_type="application/json",
    )
    assert_error(response, 409, "conflict")


def test_an_unexpected_failure_is_a_json_500_that_hides_the_cause(caller, areas, monkeypatch):
    from barzan.geo import api as geo_api

    def broken():
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(geo_api, "_areas", broken)
    response = caller.get(f"/api/v1/areas/{areas.tehran.pk}")
    error = assert_error(response, 500, "server_error")
    assert "hunter2" not in response.content.decode()
    assert error["details"] == []
