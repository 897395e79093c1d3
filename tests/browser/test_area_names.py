"""
Other names of an area in a real browser: the area page lists the names search knows it
by, a manager adds one with the small form (a Jalali date in Persian digits), and the
list's search finds the area by it.
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rey(transactional_db, settings):
    """Tehran province with Rey county and the city of Rey (codes and names as in the
    divisions data) and their known names, and the Tehran area manager."""
    from conftest import PASSWORD, seed_reference_data

    from barzan.access.models import Role
    from barzan.accounts.actions import create_user
    from barzan.geo.actions import add_known_area_names, create_area
    from barzan.geo.models import AreaLevel

    settings.TWO_FACTOR = "optional"
    seed_reference_data()
    level = {item.code: item for item in AreaLevel.objects.all()}
    country = create_area(actor=None, level=level["country"], code="IR", name_fa="ایران")
    tehran = create_area(
        actor=None, level=level["province"], code="23", name_fa="تهران", parent=country
    )
    county = create_area(
        actor=None, level=level["county"], code="2303", name_fa="ری", parent=tehran
    )
    create_area(actor=None, level=level["city"], code="2303042115", name_fa="ری", parent=county)
    add_known_area_names(actor=None)
    create_user(
        actor=None,
        username="tehran-manager",
        password=PASSWORD,
        role=Role.objects.get(code="area_manager"),
        area=tehran,
    )
    return county, ("tehran-manager", PASSWORD)


def test_a_manager_sees_and_adds_other_names_and_search_finds_them(
    chromium, front_end_assets, live_server, rey, screenshots
):
    county, (username, password) = rey
    page = chromium.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")

    page.goto(f"{live_server.url}/areas/{county.pk}/")
    names = page.locator("[data-alternative-names]")
    assert "شهر ری" in names.inner_text()
    assert "نام رایج" in names.inner_text()

    page.click("text=افزودن نام دیگر")
    page.fill("#name_name", "راغه")
    page.select_option("#name_kind", "former")
    page.fill("#name_valid_to", "۱۳۰۰/۰۱/۰۱")
    page.fill("#name_source", "نام تاریخی")
    # Let the date picker close before the picture.
    page.click("h1")
    page.wait_for_timeout(400)
    page.screenshot(path=screenshots / "area-other-names-form-fa.png", full_page=True)
    page.click("form[action$='/names/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "راغه" in names.inner_text()
    assert "تا ۱۳۰۰/۰۱/۰۱" in names.inner_text()
    page.screenshot(path=screenshots / "area-other-names-fa.png", full_page=True)

    page.goto(f"{live_server.url}/areas/?q=راغه")
    assert "ری" in page.locator("table").inner_text()
    page.close()
