"""
The profile's figures in a real browser, on the demo: Tehran province's roll-ups of the
demo city's neighborhoods are partial and say so; a neighborhood's yes/no figure is counted
among its siblings, not ranked; the period selector shows one period type at a time. The
screenshots (1366 px and 412 px) are looked at.
"""

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_content(transactional_db):
    from conftest import seed_reference_data

    from barzan import demo

    seed_reference_data()
    demo.load()
    return demo


def logged_in(chromium, live_server, demo_content, width, height):
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="fa-IR")
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", demo_content.DEMO_PASSWORD)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")
    assert urlsplit(page.url).path == "/"
    return context, page


def test_partial_roll_ups_and_counted_yes_no_figures_on_the_profile(
    chromium, front_end_assets, live_server, demo_content, screenshots
):
    from barzan.geo.models import Area

    tehran = Area.objects.get(level__code="province", code="23")
    district = Area.objects.get(level__code="district", code="2301021606")
    neighborhood = Area.objects.filter(parent=district).order_by("pk").first()

    context, page = logged_in(chromium, live_server, demo_content, 1366, 900)
    page.goto(f"{live_server.url}/indicators/profile/{tehran.pk}/")
    schools = page.locator('tr[data-indicator="schools"]')
    assert "ناقص" in schools.inner_text()
    assert "گزارش‌دهنده" in schools.inner_text()
    assert "رتبه" not in schools.inner_text()
    page.screenshot(path=screenshots / "profile-partial-1366.png", full_page=True)
    context.close()

    context, page = logged_in(chromium, live_server, demo_content, 412, 915)
    page.goto(f"{live_server.url}/indicators/profile/{neighborhood.pk}/")
    library = page.locator('tr[data-indicator="has_library"]')
    assert "بله در" in library.inner_text()
    assert "رتبه" not in library.inner_text()
    selected = page.locator("#profile-period option:checked").inner_text()
    assert selected.strip()
    page.screenshot(path=screenshots / "profile-neighborhood-412.png", full_page=True)
    context.close()
