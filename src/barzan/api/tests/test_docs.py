"""The API describes itself: an OpenAPI document and Swagger UI served from Barzan itself."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_the_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Barzan API"
    assert document["openapi"].startswith("3.")


def test_the_openapi_document_lists_every_route(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths) >= {
        "/api/v1/me/",
        "/api/v1/areas/",
        "/api/v1/areas/{area_id}",
        "/api/v1/areas/{area_id}/children",
        "/api/v1/organizations/",
        "/api/v1/organizations/{code}",
        "/api/v1/audit-events/",
        "/api/v1/audit-events/{event_id}",
    }
    assert set(paths["/api/v1/organizations/"]) == {"get", "post"}
    assert set(paths["/api/v1/organizations/{code}"]) == {"get", "patch"}


def test_the_openapi_document_names_both_ways_to_authenticate(client):
    document = client.get("/api/v1/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} >= {"http", "apiKey"}
    assert any(scheme.get("scheme") == "bearer" for scheme in schemes.values())


def test_the_openapi_document_describes_the_error_format(client):
    document = client.get("/api/v1/openapi.json").json()
    responses = document["paths"]["/api/v1/organizations/{code}"]["patch"]["responses"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(responses)
    error = document["components"]["schemas"]["ErrorBody"]
    assert set(error["properties"]) == {"status", "code", "message", "details"}


def test_the_openapi_document_refers_to_no_other_host(client):
    response = client.get("/api/v1/openapi.json")
    assert response.json().get("servers", []) == []
    assert not re.search(r"https?://", response.content.decode())


def test_the_docs_page_is_served(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "swagger-ui" in response.content.decode()


def test_the_docs_page_loads_nothing_from_another_host(client):
    html = client.get("/api/v1/docs").content.decode()
    assert not re.search(r"https?://", html)
    assert "//cdn" not in html
    assert not re.search(r"""(src|href)=["']//""", html)


def test_every_file_the_docs_page_loads_is_a_local_static_file(client):
    html = client.get("/api/v1/docs").content.decode()
    references = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert references
    for reference in references:
        assert reference.startswith("/static/"), reference
        assert finders.find(reference.removeprefix("/static/")), reference


def test_the_docs_page_points_swagger_at_the_local_openapi_document(client):
    html = client.get("/api/v1/docs").content.decode()
    assert '"url": "/api/v1/openapi.json"' in html
    assert '"validatorUrl": null' in html
