"""A body larger than Barzan accepts is a 413: the API error format under /api/, else a page."""

import json

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

SMALL_LIMIT = 10_000


def _big_organization() -> str:
    return json.dumps({"code": "big", "name_fa": "ب" * SMALL_LIMIT, "kind": "agency", "area_id": 1})


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=SMALL_LIMIT)
def test_an_api_body_over_the_memory_limit_is_a_413_in_the_error_format(client, people, login):
    login(people.admin)
    response = client.post(
        "/api/v1/organizations/", data=_big_organization(), content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert response.json()["error"]["status"] == 413


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=SMALL_LIMIT)
def test_an_api_body_over_the_limit_with_a_token_is_a_413(client, people):
    from barzan.api.tests.support import token_for

    _token, raw = token_for(people.admin)
    response = client.patch(
        "/api/v1/organizations/welfare-tehran",
        data=_big_organization(),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=SMALL_LIMIT)
def test_a_form_over_the_memory_limit_is_a_413_page(client, people, login):
    login(people.admin)
    response = client.post("/organizations/new/", {"code": "x", "name_fa": "ب" * SMALL_LIMIT})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "۴۱۳" in response.content.decode()


@override_settings(BARZAN_IMPORT_MAX_BYTES=SMALL_LIMIT, DATA_UPLOAD_MAX_MEMORY_SIZE=SMALL_LIMIT)
def test_a_body_over_the_import_limit_is_a_413_before_it_is_read(client, people, login):
    login(people.admin)
    # The declared length alone decides: the body is never read.
    response = client.post(
        "/indicators/imports/new/",
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(3 * SMALL_LIMIT),
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    api = client.post(
        "/api/v1/organizations/",
        data=b"",
        content_type="application/json",
        CONTENT_LENGTH=str(3 * SMALL_LIMIT),
    )
    assert api.status_code == 413
    assert api.json()["error"]["code"] == "too_large"


@override_settings(BARZAN_IMPORT_MAX_BYTES=SMALL_LIMIT, DATA_UPLOAD_MAX_MEMORY_SIZE=SMALL_LIMIT)
def test_a_body_within_the_limits_is_read_as_usual(client, people, login):
    login(people.admin)
    response = client.post("/api/v1/organizations/", data="{}", content_type="application/json")
    assert response.status_code == 422


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=SMALL_LIMIT)
def test_a_body_the_api_reads_itself_is_a_413_too(client, people, login):
    login(people.admin)
    # Not JSON nor a form: no middleware reads it before the API does.
    response = client.post(
        "/api/v1/organizations/", data=_big_organization(), content_type="text/plain"
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
