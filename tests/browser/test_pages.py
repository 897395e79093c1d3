"""
Pages in a real browser: Jalali dates typed in Persian digits with the date picker, htmx
filtering, a search-as-you-type picker, Persian letters normalised on save, and the
layout on a phone.
"""

from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager(transactional_db, settings):
    """The Tehran area manager, with two-factor optional so the page flow stays in view."""
    from conftest import PASSWORD, seed_reference_data

    from barzan.access.models import Role
    from barzan.accounts.actions import create_user
    from barzan.geo.actions import create_area
    from barzan.geo.models import Area, AreaLevel

    settings.TWO_FACTOR = "optional"
    seed_reference_data()
    level = {item.code: item for item in AreaLevel.objects.all()}
    country = create_area(actor=None, level=level["country"], code="IR", name_fa="ایران")
    tehran = create_area(
        actor=None, level=level["province"], code="23", name_fa="تهران", parent=country
    )
    for code, name in (("2301", "تهران"), ("2302", "شمیرانات"), ("2303", "ری")):
        create_area(actor=None, level=level["county"], code=code, name_fa=name, parent=tehran)
    create_user(
        actor=None,
        username="tehran-manager",
        password=PASSWORD,
        role=Role.objects.get(code="area_manager"),
        area=Area.objects.get(level__code="province", code="23"),
    )
    return "tehran-manager", PASSWORD


def log_in(page, base_url, username, password):
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")


def test_a_new_organization_is_saved_with_persian_letters_and_a_picked_area(
    chromium, front_end_assets, live_server, manager, screenshots
):
    from barzan.registry.models import Organization

    page = chromium.new_page(viewport={"width": 1280, "height": 1000})
    log_in(page, live_server.url, *manager)
    page.goto(live_server.url + "/organizations/new/")
    page.fill("#id_code", "sport-tehran")
    # Typed with Arabic kaf and yeh, as old keyboards do.
    page.fill("#id_name_fa", "اداره كل ورزش و جوانان استان تهراني")
    page.select_option("#id_kind", "agency")
    # The seat picker searches as one types: «شمیران» narrows it to one county.
    page.fill("input[name=area__search]", "شمیران")
    page.wait_for_function("() => document.querySelectorAll('#id_area option').length === 1")
    page.select_option("#id_area", label="شهرستان شمیرانات")
    page.screenshot(path=screenshots / "organization-form-fa.png", full_page=True)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")

    organization = Organization.objects.get(code="sport-tehran")
    assert organization.name_fa == "اداره کل ورزش و جوانان استان تهرانی"
    assert organization.area.name_fa == "شمیرانات"
    assert page.locator("h1").inner_text().startswith("اداره کل ورزش")
    page.screenshot(path=screenshots / "organization-detail-fa.png", full_page=True)
    page.close()


def test_the_audit_log_filters_by_a_jalali_date_typed_in_persian_digits(
    chromium, front_end_assets, live_server, manager, screenshots
):
    page = chromium.new_page(viewport={"width": 1280, "height": 1000})
    log_in(page, live_server.url, *manager)
    page.goto(live_server.url + "/audit/")
    total = int(page.locator("[data-total]").get_attribute("data-total"))
    assert total > 0

    page.click("#id_since")
    assert page.locator("jdp-container").is_visible()
    page.keyboard.press("Escape")
    # A date far in the future: htmx swaps in an empty table without reloading the page.
    page.fill("#id_since", "۱۴۲۰/۰۱/۰۱")
    page.dispatch_event("#id_since", "change")
    page.wait_for_function("() => document.querySelector('[data-total]').dataset.total === '0'")
    assert parse_qs(urlsplit(page.url).query)["since"] == ["۱۴۲۰/۰۱/۰۱"]
    assert page.locator(".empty-state").is_visible()

    page.fill("#id_since", "۱۴۰۴/۱۲/۳۰")
    page.dispatch_event("#id_since", "change")
    errors = page.locator("[data-testid=filter-errors]")
    errors.wait_for()
    assert "اسفند ۱۴۰۴، ۲۹ روز دارد." in errors.inner_text()
    page.screenshot(path=screenshots / "audit-date-error-fa.png", full_page=True)
    page.close()


def test_the_menu_folds_on_a_phone_and_opens_with_its_button(
    chromium, front_end_assets, live_server, manager, screenshots
):
    page = chromium.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(page, live_server.url, *manager)
    assert not page.locator("[data-nav=areas]").is_visible()
    page.screenshot(path=screenshots / "home-phone-fa.png", full_page=True)
    page.click(".navbar-toggler")
    page.wait_for_selector("[data-nav=areas]", state="visible")
    page.screenshot(path=screenshots / "menu-phone-fa.png")
    page.close()
