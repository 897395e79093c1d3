"""
Figures in a real browser, on the demo: the district 6 council secretary enters figures
for a neighborhood with a Jalali period in the address and Persian digits in the boxes,
each saved as the box is left; the neighborhood's profile then shows them, and its PDF
has the figures on its first page, which is rendered to an image to be looked at.
"""

import shutil
import subprocess
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERIOD = "1404Q1"  # after the demo's synthetic quarters, so every box starts empty


@pytest.fixture
def demo_content(transactional_db):
    from conftest import seed_reference_data

    from barzan import demo

    seed_reference_data()
    demo.load()
    return demo


@pytest.fixture
def secretary_page(chromium, front_end_assets, live_server, demo_content):
    """A phone-sized page logged in as the demo's district 6 council secretary."""
    context = chromium.new_context(
        viewport={"width": 412, "height": 915}, locale="fa-IR", accept_downloads=True
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
    page.fill("#id_username", "secretary")
    page.fill("#id_password", demo_content.DEMO_PASSWORD)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")
    assert urlsplit(page.url).path == "/"
    yield page
    context.close()


def a_district6_neighborhood():
    from barzan.geo.models import Area

    district = Area.objects.get(level__code="district", code="2301021606")
    return Area.objects.filter(parent=district, level__code="neighborhood").order_by("pk").first()


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
    assert neighborhood is not None

    page.goto(
        f"{live_server.url}/indicators/entry/neighborhood-quarterly/{neighborhood.pk}/{PERIOD}/"
    )
    assert page.locator("html").get_attribute("dir") == "rtl"
    enter(page, "households", "۱۲۳۴")
    enter(page, "satisfaction", "۷٫۵")
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "indicators-entry-phone.png", full_page=True)

    stored = {
        value.indicator.code: value.value
        for value in IndicatorValue.objects.filter(
            area=neighborhood, period__code=PERIOD, breakdown__code="total"
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
        area=neighborhood, period__code=PERIOD, indicator__code="schools"
    ).exists()

    # The profile shows the new figures, with the period's Jalali name and Persian digits.
    page.goto(f"{live_server.url}/indicators/profile/{neighborhood.pk}/")
    page.wait_for_load_state("networkidle")
    body = page.inner_text("body")
    assert "۱٬۲۳۴" in body
    assert "۷٫۵" in body
    assert "فصل ۱ ۱۴۰۴" in body
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "indicators-profile-phone.png", full_page=True)

    # The PDF: downloaded from the page's button, with the figures on its first page.
    with page.expect_download() as download_info:
        page.locator('a[href$="/pdf/"]').first.click()
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
        # Extracted Persian text keeps its words but not always their marks (ۀ), so the
        # check is on the title word and the figure entered.
        assert "شناسنامه" in text
        assert "۱٬۲۳۴" in text

    hosts = {urlsplit(url).hostname for url in page.requests}
    assert hosts == {"127.0.0.1"}, f"requests left the server: {hosts}"
    assert page.failures == [], f"failed requests: {page.failures}"
