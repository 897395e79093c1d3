"""
The API docs page (Swagger UI) works under the Content-Security-Policy: it draws every
operation from the local OpenAPI document, runs no inline script, and (through the
autouse check in conftest) reports no violation of the policy.
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_draw_every_operation_under_the_policy(
    chromium, front_end_assets, live_server, people, screenshots
):
    from conftest import verified_login
    from django.conf import settings
    from django.test import Client

    client = verified_login(Client(), people.admin)
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    response = page.goto(live_server.url + "/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock-summary")
    assert page.locator(".opblock-summary").count() >= 8
    assert "Barzan API" in page.locator(".information-container").inner_text()
    # Expanding an operation renders its parameters and responses, still under the policy.
    page.locator(".opblock-summary").first.click()
    page.wait_for_selector(".opblock-body")
    page.screenshot(path=screenshots / "api-docs.png")
    context.close()
