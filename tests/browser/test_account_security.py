"""
Login lockout and API tokens in a real browser: a guesser sees when to try again, the
administrator sees the failures and unlocks, and a token shows its scope and expiry.
"""

import pytest
from axes.utils import reset as reset_lockouts
from django.conf import settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def users(transactional_db, people):
    reset_lockouts()
    yield people
    reset_lockouts()


def log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()


def test_a_guesser_sees_when_to_try_again_and_an_administrator_unlocks(
    chromium, front_end_assets, live_server, users, screenshots
):
    from conftest import PASSWORD, verified_login

    context = chromium.new_context(viewport={"width": 1100, "height": 800})
    page = context.new_page()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(page, live_server.url, "tehran-analyst", "not-the-password")
    log_in(page, live_server.url, "tehran-analyst", PASSWORD)
    text = page.inner_text("main")
    assert "دوباره تلاش کنید" in text
    assert "۱۴۰" in text
    page.screenshot(path=screenshots / "accounts-locked-out.png", full_page=True)

    # The administrator's user page, with the failures and the unlock button.
    from django.test import Client

    admin = context.new_page()
    client = verified_login(Client(), users.admin)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    admin.goto(f"{live_server.url}/accounts/users/{users.tehran_analyst.pk}/")
    admin.screenshot(path=screenshots / "accounts-user-failed-logins.png", full_page=True)
    admin.click("text=برداشتن قفل ورود")
    admin.wait_for_load_state()
    assert "برداشتن قفل ورود" not in admin.inner_text("main")
    context.close()

    fresh = chromium.new_context().new_page()
    log_in(fresh, live_server.url, "tehran-analyst", PASSWORD)
    assert "/accounts/login/" not in fresh.url


def test_the_account_page_shows_token_scope_and_expiry(
    chromium, front_end_assets, live_server, users, screenshots
):
    from conftest import verified_login
    from django.test import Client

    from barzan.accounts import actions

    actions.create_api_token(actor=users.tehran_analyst, name="داشبورد استانی")
    actions.create_api_token(actor=users.tehran_analyst, name="بارگذار", scope="read_write")
    context = chromium.new_context(viewport={"width": 1200, "height": 1000})
    client = verified_login(Client(), users.tehran_analyst)
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
    page.goto(f"{live_server.url}/accounts/account/")
    text = page.inner_text("main")
    assert "فقط خواندنی" in text
    assert "خواندن و نوشتن" in text
    page.screenshot(path=screenshots / "accounts-api-tokens.png", full_page=True)
    context.close()
