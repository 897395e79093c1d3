"""
The shell in a real browser: every demo role logs in, lands on the Persian right-to-left
home page, switches to English, and the browser never talks to any host but 127.0.0.1.
"""

import base64
from urllib.parse import urlsplit

import pytest
from django_otp.oath import TOTP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRIVILEGED = {"admin", "tehran-manager"}


@pytest.fixture
def demo_content(transactional_db):
    from conftest import seed_reference_data

    from barzan import demo

    seed_reference_data()
    demo.load()
    return demo


def totp_now(secret_text: str) -> str:
    key = base64.b32decode(secret_text.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


def test_each_demo_role_logs_in_to_persian_rtl_and_switches_to_english(
    chromium, front_end_assets, live_server, demo_content, screenshots
):
    for login in demo_content.LOGINS:
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        page = context.new_page()
        requests, failures = [], []
        page.on("request", lambda request, seen=requests: seen.append(request.url))
        page.on("requestfailed", lambda request, seen=failures: seen.append(request.url))
        page.on(
            "response",
            lambda response, seen=failures: (
                seen.append(f"{response.status} {response.url}") if response.status >= 400 else None
            ),
        )

        # The browser asks for English (locale en-US); Barzan still answers in Persian.
        page.goto(live_server.url + "/")
        assert page.locator("html").get_attribute("lang") == "fa"
        assert page.locator("html").get_attribute("dir") == "rtl"
        page.fill("#id_username", login.username)
        page.fill("#id_password", demo_content.DEMO_PASSWORD)
        page.click("form button[type=submit].btn-primary")
        page.wait_for_load_state("networkidle")

        if login.username in PRIVILEGED:
            # Privileged roles must set up two-factor authentication before anything else.
            assert "/accounts/two-factor/setup/" in page.url
            page.fill("#id_token", totp_now(page.inner_text(".secret-key")))
            page.click("form button[type=submit].btn-primary")
            assert page.locator("[data-testid=recovery-codes] li").count() == 10
            page.click("a.btn-primary")
            page.wait_for_load_state("networkidle")

        assert urlsplit(page.url).path == "/"
        html = page.locator("html")
        assert html.get_attribute("lang") == "fa"
        assert html.get_attribute("dir") == "rtl"
        assert page.locator(f"[data-grant-role={login.role}]").count() == 1
        assert page.locator("[data-nav=areas]").is_visible()
        page.evaluate("document.fonts.ready")
        page.screenshot(path=screenshots / f"{login.username}-fa.png", full_page=True)

        page.click("button[data-language=en]")
        page.wait_for_load_state("networkidle")
        assert html.get_attribute("lang") == "en"
        assert html.get_attribute("dir") == "ltr"
        assert page.locator("h1").inner_text().startswith("Welcome")
        page.evaluate("document.fonts.ready")
        page.screenshot(path=screenshots / f"{login.username}-en.png", full_page=True)

        hosts = {urlsplit(url).hostname for url in requests}
        assert hosts == {"127.0.0.1"}, f"{login.username}: requests left the server: {hosts}"
        assert failures == [], f"{login.username}: failed requests: {failures}"
        context.close()
