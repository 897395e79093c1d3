"""The OpenAPI document names every status an operation can answer, and parameters are strict.

Schemathesis found answers the document did not declare (400, 404, 414, 422) and a query
parameter documented as a date-time that took `0.5`; these checks are the cheap, permanent
form of that run.
"""

import json

import pytest

from .support import assert_error

pytestmark = pytest.mark.django_db

EVERY_OPERATION = {"400", "401", "403", "404", "414", "422"}


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json()


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_the_document_names_no_key_twice(client):
    """Swagger UI reads the document as YAML, which refuses a repeated key ("200" and 200)."""
    repeated = []

    def note_repeats(pairs):
        keys = [key for key, _value in pairs]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=note_repeats)
    assert repeated == []


def test_every_operation_declares_the_errors_any_call_may_answer(document):
    missing = {
        name: sorted(EVERY_OPERATION - set(operation["responses"]))
        for name, operation in operations(document)
        if not set(operation["responses"]) >= EVERY_OPERATION
    }
    assert missing == {}


def test_every_operation_with_a_body_declares_413(document):
    with_body = [name for name, operation in operations(document) if "requestBody" in operation]
    assert with_body
    assert [
        name
        for name, operation in operations(document)
        if "requestBody" in operation and "413" not in operation["responses"]
    ] == []


def test_every_declared_error_is_the_one_error_format(document):
    for name, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400 or status == "414":
                continue
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (name, status)
    assert "Error" in document["components"]["schemas"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/audit-events/?until=0.5", "until"),
        ("/api/v1/audit-events/?since=1700000000", "since"),
        ("/api/v1/audit-events/?limit=1.0", "limit"),
        ("/api/v1/areas/?offset=1_000", "offset"),
        ("/api/v1/areas/?parent=1.5", "parent"),
        ("/api/v1/indicators/periods?year=1402.0", "year"),
    ],
)
def test_a_number_where_a_date_or_whole_number_belongs_is_a_422(client, login, people, path, field):
    login(people.admin)
    error = assert_error(client.get(path), 422, "invalid")
    assert [detail["field"] for detail in error["details"]] == [field]


def test_dates_and_whole_numbers_in_their_documented_form_are_accepted(client, login, people):
    login(people.admin)
    response = client.get(
        "/api/v1/audit-events/",
        {"since": "2024-01-01T00:00:00+03:30", "until": "2030-01-01", "limit": " 5"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["limit"] == 5


def test_whole_numbers_in_persian_or_arabic_indic_digits_are_accepted(client, login, people):
    login(people.admin)
    response = client.get("/api/v1/indicators/periods", {"year": "۱۴۰۲", "limit": "٥"})
    assert response.status_code == 200, response.content
    assert response.json()["limit"] == 5
    assert {item["code"] for item in response.json()["items"]} >= {"1402"}


def test_a_body_field_the_operation_does_not_define_is_a_422(client, login, people, areas):
    login(people.admin)
    response = client.post(
        "/api/v1/organizations/",
        {"code": "new", "name_fa": "نهاد", "kind": "agency", "area_id": areas.tehran.pk, "x": 1},
        content_type="application/json",
    )
    error = assert_error(response, 422, "invalid")
    assert [detail["field"] for detail in error["details"]] == ["x"]


def test_true_or_false_where_a_version_belongs_is_a_422(client, login, people, organizations):
    login(people.admin)
    response = client.patch(
        "/api/v1/organizations/welfare-tehran",
        {"version": False, "name_fa": "نهاد"},
        content_type="application/json",
    )
    error = assert_error(response, 422, "invalid")
    assert [detail["field"] for detail in error["details"]] == ["version"]


def test_the_document_gives_bounds_as_json_schema_keywords(document):
    def pydantic_names(node) -> list:
        if isinstance(node, dict):
            found = [node] if {"ge", "le", "gt", "lt"} & set(node) else []
            return found + [item for value in node.values() for item in pydantic_names(value)]
        if isinstance(node, list):
            return [item for value in node for item in pydantic_names(value)]
        return []

    assert pydantic_names(document) == []
    schema = document["components"]["schemas"]["OrganizationIn"]["properties"]["area_id"]
    assert schema["minimum"] == 1


def test_a_number_where_a_boolean_belongs_in_a_body_is_a_422(client, login, people, areas):
    login(people.admin)
    response = client.post(
        "/api/v1/organizations/",
        {
            "code": "new",
            "name_fa": "نهاد",
            "kind": "agency",
            "area_id": areas.tehran.pk,
            "is_active": 0,
        },
        content_type="application/json",
    )
    error = assert_error(response, 422, "invalid")
    assert [detail["field"] for detail in error["details"]] == ["is_active"]


def test_clearing_a_value_is_a_declared_204_without_content(document):
    responses = document["paths"]["/api/v1/indicators/values"]["post"]["responses"]
    assert "204" in responses
    assert "content" not in responses["204"]
