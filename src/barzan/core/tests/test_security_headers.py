"""
Every response carries the Content-Security-Policy and the Permissions-Policy.

Pages, htmx partials, API JSON, GeoJSON, error pages, CSRF failures, static files, PDFs and
downloads: a script that slipped into any of them must find inline code refused.
"""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

FAILING_URLCONF = "barzan.core.tests.failing_urls"

DIRECTIVES = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "img-src": {"'self'", "data:"},
    "connect-src": {"'self'"},
    "font-src": {"'self'"},
}
DENIED_FEATURES = {"camera", "microphone", "geolocation", "payment", "usb"}


def policy(response) -> dict[str, set[str]]:
    """Return the response's Content-Security-Policy as {directive: set of sources}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.status_code} {response}"
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = set(sources)
    return parsed


def assert_secured(response):
    """Assert the strict policy and the denied features on `response`."""
    assert policy(response) == DIRECTIVES
    header = policy(response)
    for sources in header.values():
        assert not sources & {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"}
    features = dict(
        part.strip().split("=", 1) for part in response.headers["Permissions-Policy"].split(",")
    )
    for feature in DENIED_FEATURES:
        assert features[feature] == "()", feature


@pytest.fixture
def admin_client(client, people, login):
    login(people.admin)
    return client


def test_a_page_carries_the_policies(client):
    assert_secured(client.get("/accounts/login/"))


def test_a_logged_in_page_and_an_htmx_partial_carry_the_policies(admin_client, areas):
    assert_secured(admin_client.get(reverse("geo:area_detail", args=[areas.tehran.pk])))
    partial = admin_client.get(
        reverse("geo:area_list"),
        {"q": "تهران"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="list-results",
    )
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert_secured(partial)


def test_api_json_and_geojson_carry_the_policies(admin_client, areas):
    assert_secured(admin_client.get("/api/v1/areas/"))
    geojson = admin_client.get(f"/api/v1/areas/{areas.tehran.pk}/children.geojson")
    assert geojson.status_code == 200
    assert_secured(geojson)


def test_the_api_docs_page_carries_the_policies_and_no_inline_script(admin_client):
    response = admin_client.get("/api/v1/docs")
    html = response.content.decode()
    assert_secured(response)
    # The settings are a JSON data block, not a script; every other script is a file.
    assert html.count("<script") == html.count("<script src=") + 1
    assert '<script id="swagger-settings" type="application/json">' in html


@pytest.mark.parametrize("path", ["/no-such-page/", "/api/v1/no-such-endpoint/"])
def test_not_found_pages_carry_the_policies(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert_secured(response)


def test_forbidden_and_bad_request_pages_carry_the_policies(client, people, login):
    login(people.nobody)
    forbidden = client.get(reverse("geo:area_list") + "?export=csv")
    assert forbidden.status_code in (403, 404)
    assert_secured(forbidden)
    bad = client.get("/accounts/login/", HTTP_HOST="not-allowed.example")
    assert bad.status_code == 400
    assert_secured(bad)


@override_settings(ROOT_URLCONF=FAILING_URLCONF)
def test_the_server_error_page_carries_the_policies(client):
    client.raise_request_exception = False
    response = client.get("/failing/")
    assert response.status_code == 500
    assert_secured(response)


def test_a_csrf_failure_carries_the_policies():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x"})
    assert response.status_code == 403
    assert_secured(response)


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_a_static_file_carries_the_policies(front_end_assets):
    # A new client builds the middleware again, so WhiteNoise finds files as in development.
    response = Client().get("/static/core/barzan.js")
    assert response.status_code == 200
    assert_secured(response)


def test_a_csv_and_an_excel_download_carry_the_policies(admin_client):
    for export_format in ("csv", "xlsx"):
        response = admin_client.get(reverse("geo:area_list"), {"export": export_format})
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        assert_secured(response)


def test_the_profile_pdf_carries_the_policies(admin_client, areas, front_end_assets):
    response = admin_client.get(reverse("indicators:profile_pdf", args=[areas.tehran.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert_secured(response)
