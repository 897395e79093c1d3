"""
Figures in a real browser, on the demo: the district 6 council secretary enters figures
for a neighborhood with a Jalali period in the address and Persian digits in the boxes,
each saved as the box is left; the neighborhood's profile then shows them, and its PDF
has the figures on its first page, which is rendered to an image to be looked at. The
education department's focal point goes from the home page's list of areas missing
figures to a grid, and enters a school count.
"""

import shutil
import subprocess
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


def current_quarter():
    """The quarter the clock is in: the demo leaves it partly unfilled."""
    from barzan.reports import readers

    return readers.current_period("quarter")


def logged_in_page(chromium, live_server, demo_content, username, width=412):
    """A page of `width` pixels logged in as the demo's `username`."""
    context = chromium.new_context(
        viewport={"width": width, "height": 915}, locale="fa-IR", accept_downloads=True
    )
    page = context.new_page()
    page.requests = []
    page.failures = []
    page.on("request", lambda request: page.requests.append(request.url))
    # A download ends its navigation with ERR_ABORTED; that is not a failure.
    page.on(
        "requestfailed",
        lambda request: (
            None if request.failure == "net::ERR_ABORTED" else page.failures.append(request.url)
        ),
    )
    page.on(
        "response",
        lambda response: (
            page.failures.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    page.goto(live_server.url + "/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo_content.DEMO_PASSWORD)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")
    assert urlsplit(page.url).path == "/"
    return page


@pytest.fixture
def secretary_page(chromium, front_end_assets, live_server, demo_content):
    """A phone-sized page logged in as the demo's district 6 council secretary."""
    page = logged_in_page(chromium, live_server, demo_content, "secretary")
    yield page
    page.context.close()


def a_district6_neighborhood():
    """A district 6 neighborhood with nothing entered yet for the current quarter."""
    from barzan.geo.models import Area
    from barzan.indicators import demo

    district = Area.objects.get(level__code="district", code="2301021606")
    return next(
        area
        for area in Area.objects.filter(parent=district, level__code="neighborhood").order_by(
            "code"
        )
        if demo.current_state(area.code) == "empty"
    )


def enter(page, indicator: str, text: str) -> None:
    """Type `text` into the figure of `indicator` and leave the box; wait until saved."""
    row = page.locator(f'.entry-row[data-indicator="{indicator}"][data-breakdown="total"]')
    box = row.locator("input[name=value]")
    box.fill(text)
    box.press("Tab")
    page.wait_for_selector(
        f'.entry-row[data-indicator="{indicator}"][data-breakdown="total"][data-state="saved"]'
    )


def test_a_secretary_enters_figures_sees_them_on_the_profile_and_prints_it(
    secretary_page, live_server, screenshots
):
    from barzan.indicators.models import IndicatorValue

    page = secretary_page
    neighborhood = a_district6_neighborhood()
    quarter = current_quarter()
    period_code = quarter.code

    page.goto(
        f"{live_server.url}/indicators/entry/neighborhood-quarterly/{neighborhood.pk}/{period_code}/"
    )
    assert page.locator("html").get_attribute("dir") == "rtl"
    # The list of periods scrolls inside itself: the page does not overflow the phone.
    assert page.locator('[data-testid="entry-periods"] a').count() >= 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 412
    enter(page, "households", "۱۲۳۴")
    enter(page, "satisfaction", "۷٫۵")
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "indicators-entry-phone.png", full_page=True)

    stored = {
        value.indicator.code: value.value
        for value in IndicatorValue.objects.filter(
            area=neighborhood, period__code=period_code, breakdown__code="total"
        ).select_related("indicator")
    }
    assert stored["households"] == 1234
    assert float(stored["satisfaction"]) == 7.5

    # A value that is not a number is refused in place, and nothing is stored for it.
    row = page.locator('.entry-row[data-indicator="schools"][data-breakdown="total"]')
    row.locator("input[name=value]").fill("بسیار")
    row.locator("input[name=value]").press("Tab")
    page.wait_for_selector(
        '.entry-row[data-indicator="schools"][data-breakdown="total"][data-state="error"]'
    )
    assert not IndicatorValue.objects.filter(
        area=neighborhood, period__code=period_code, indicator__code="schools"
    ).exists()

    # The profile shows the new figures, with the period's Jalali name and Persian digits.
    page.goto(f"{live_server.url}/indicators/profile/{neighborhood.pk}/")
    page.wait_for_load_state("networkidle")
    body = page.inner_text("body")
    assert "۱٬۲۳۴" in body
    assert "۷٫۵" in body
    from django.utils import translation

    with translation.override("fa"):
        assert quarter.name in body
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "indicators-profile-phone.png", full_page=True)

    # The PDF: downloaded from the page's button, with the figures on its first page.
    with page.expect_download() as download_info:
        page.locator('a[href*="/pdf/"]').first.click()
    pdf_path = screenshots.parent / "profile.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf_path),
             str(screenshots / "indicators-profile-pdf-page1")],
            check=True,
        )  # fmt: skip
        assert (screenshots / "indicators-profile-pdf-page1.png").stat().st_size > 10_000
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-f", "1", "-l", "1", str(pdf_path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        # Extracted Persian text keeps its words but not always their marks: the hamza of
        # «شناسنامهٔ» may come out before its letter. Check the title word without it.
        assert "شناسنامه" in text.replace("\u0654", "")
        assert "۱٬۲۳۴" in text

    hosts = {urlsplit(url).hostname for url in page.requests}
    assert hosts == {"127.0.0.1"}, f"requests left the server: {hosts}"
    assert page.failures == [], f"failed requests: {page.failures}"


def test_a_focal_point_goes_from_the_home_page_to_a_grid_and_enters_a_school_count(
    chromium, front_end_assets, live_server, demo_content, screenshots
):
    from barzan.indicators.models import IndicatorValue

    page = logged_in_page(chromium, live_server, demo_content, "focal-point", width=1366)
    panel = page.locator('[data-panel^="organization-figures-"]')
    assert panel.count() == 1
    assert panel.locator('[data-indicator="schools"]').count() == 1
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "home-focal-point.png", full_page=True)

    first = panel.locator('[data-testid="missing-areas"] li').first
    area_pk = int(first.get_attribute("data-area"))
    first.locator('a[href*="/indicators/entry/"]').click()
    page.wait_for_load_state("networkidle")
    assert f"/{area_pk}/{current_quarter().code}/" in page.url
    assert page.locator('[data-testid="entry-periods"] a.active').count() == 1
    enter(page, "schools", "۹")
    page.screenshot(path=screenshots / "entry-focal-point.png", full_page=True)
    stored = IndicatorValue.objects.get(
        indicator__code="schools",
        area_id=area_pk,
        period=current_quarter(),
        breakdown__code="total",
    )
    assert stored.value == 9
    page.set_viewport_size({"width": 412, "height": 915})
    page.goto(live_server.url + "/")
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "home-focal-point-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 412
    page.context.close()
