"""
Area maps in a real browser, on the demo's whole tree of Iran with real province and
county outlines and synthetic shapes below: the country draws its 31 provinces, a province
its counties, a county its sectors and a Tehran district its neighborhoods, each with the
areas around it drawn faint; the notes say which children lack a shape and which shapes are
synthetic, OpenStreetMap is credited, a profile shades its children by a chosen figure,
clicking a shape opens that area's page, and nothing is fetched from any host but the
server's own.
"""

import base64
from urllib.parse import urlsplit

import pytest
from django_otp.oath import TOTP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Children are drawn as shapes that take a click; the area's own outline does not.
SHAPES = ".area-map path.map-child"
SIBLINGS = ".area-map path.map-sibling"
OUTLINE = ".area-map path.map-self"

# A point of `path` that the path itself receives a click at (a shape's centre may fall in
# a neighbour's bay), scrolled into view: a real click, as a person would make it.
# The map is scrolled into view, never the path: scrolling the path would scroll Leaflet's
# container, which Leaflet then scrolls back, and the point would fall on another shape.
CLICKABLE_POINT = """(path) => {
  path.closest(".area-map").scrollIntoView({block: "center"});
  const box = path.getBoundingClientRect();
  for (let i = 1; i < 12; i++) {
    for (let j = 1; j < 12; j++) {
      const x = box.left + (box.width * i) / 12, y = box.top + (box.height * j) / 12;
      if (document.elementFromPoint(x, y) === path) return {x, y};
    }
  }
  return null;
}"""


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


@pytest.fixture
def admin_page(chromium, front_end_assets, live_server, demo_content):
    """A page logged in as the demo's national admin, two-factor set up on the way."""
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.requests = []
    page.failures = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("requestfailed", lambda request: page.failures.append(request.url))
    page.on(
        "response",
        lambda response: (
            page.failures.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    page.goto(live_server.url + "/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", demo_content.DEMO_PASSWORD)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")
    if "/accounts/two-factor/setup/" in page.url:
        page.fill("#id_token", totp_now(page.inner_text(".secret-key")))
        page.click("form button[type=submit].btn-primary")
        page.click("a.btn-primary")
        page.wait_for_load_state("networkidle")
    assert urlsplit(page.url).path == "/"
    yield page
    context.close()


def area(level: str, code: str):
    from barzan.geo.models import Area

    return Area.objects.get(level__code=level, code=code, valid_to__isnull=True)


def open_map(page, base_url, shown):
    """Open an area's page and wait until its map has drawn; return the number of shapes."""
    page.goto(f"{base_url}/areas/{shown.pk}/")
    container = page.locator(".area-map[data-geojson]")
    assert container.get_attribute("data-geojson") == f"/api/v1/areas/{shown.pk}/children.geojson"
    page.wait_for_selector('.area-map[data-geojson][data-loaded="1"]')
    assert not page.locator("[data-map-status]").is_visible()
    return page.locator(SHAPES).count()


def click_a_shape(page, index: int) -> str:
    """Click the `index`-th child shape where it can be clicked; return the page it opened."""
    point = page.locator(SHAPES).nth(index).evaluate(CLICKABLE_POINT)
    assert point is not None, "no point of the shape takes a click"
    page.mouse.move(point["x"], point["y"])
    with page.expect_navigation():
        page.mouse.click(point["x"], point["y"])
    page.wait_for_load_state("networkidle")
    return urlsplit(page.url).path


def opened_area(path: str):
    from barzan.geo.models import Area

    parts = path.strip("/").split("/")
    assert parts[0] == "areas" and parts[1].isdigit(), path
    assert len(parts) == 2, path
    return Area.objects.select_related("parent").get(pk=int(parts[1]))


def assert_stayed_home(page):
    hosts = {urlsplit(url).hostname for url in page.requests}
    assert hosts == {"127.0.0.1"}, f"requests left the server: {hosts}"
    assert page.failures == [], f"failed requests: {page.failures}"


def test_the_country_province_and_county_maps_draw_their_children_and_open_them(
    admin_page, live_server, screenshots
):
    page = admin_page
    country = area("country", "IR")
    tehran = area("province", "23")
    tehran_county = area("county", "2301")

    # The country's outline, and a shape per province.
    assert open_map(page, live_server.url, country) == 31
    assert page.locator(OUTLINE).count() == 1
    assert page.locator(".area-map").get_attribute("data-features") == "31"
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "areas-country.png", full_page=True)
    province = opened_area(click_a_shape(page, 0))
    assert province.parent == country
    assert province.level.code == "province"

    drawn = open_map(page, live_server.url, tehran)
    counties = tehran.children.filter(valid_to__isnull=True, min_lon__isnull=False).count()
    assert counties > 1
    assert page.locator(".area-map").get_attribute("data-features") == str(counties)
    # The province's own dashed outline, and one shape per county.
    assert drawn == counties
    assert page.locator(OUTLINE).count() == 1
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "areas-province.png", full_page=True)
    county = opened_area(click_a_shape(page, 1))
    assert county.parent == tehran
    assert county.level.code == "county"

    assert open_map(page, live_server.url, tehran_county) >= 1
    assert page.locator(OUTLINE).count() == 1
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "areas-county.png", full_page=True)
    below = opened_area(click_a_shape(page, 0))
    assert below.parent == tehran_county

    assert_stayed_home(page)


def test_a_tehran_district_map_draws_its_neighborhoods(admin_page, live_server, screenshots):
    page = admin_page
    district = area("district", "2301021606")
    neighborhoods = district.children.filter(valid_to__isnull=True).count()
    assert neighborhoods > 0

    drawn = open_map(page, live_server.url, district)
    assert page.locator(".area-map").get_attribute("data-features") == str(neighborhoods)
    assert drawn == neighborhoods
    assert page.locator(OUTLINE).count() == 1
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "areas-district.png", full_page=True)
    neighborhood = opened_area(click_a_shape(page, 0))
    assert neighborhood.parent == district
    assert neighborhood.level.code == "neighborhood"

    assert_stayed_home(page)


def test_ending_a_synthetic_district_from_its_page(admin_page, live_server, screenshots):
    """The admin ends the demo's synthetic district 6 and its neighborhoods: the form says
    how many areas end with it, and the district's page then says it ended."""
    from barzan.geo.models import Area
    from barzan.geo.readers import locate

    page = admin_page
    district = area("district", "2301021606")
    below = Area.objects.filter(path__startswith=district.path, valid_to__isnull=True).count() - 1
    assert below > 0
    inside = district.children.filter(valid_to__isnull=True, latitude__isnull=False).first()
    assert locate(inside.latitude, inside.longitude).area.path.startswith(district.path)

    page.goto(f"{live_server.url}/areas/{district.pk}/")
    with page.expect_navigation():
        page.click(f'a[href="/areas/{district.pk}/end/"]')
    warning = page.locator("[data-below-count]")
    assert warning.get_attribute("data-below-count") == str(below)
    page.fill("#id_reason", "جای آن را منطقهٔ واقعی شهرداری گرفت")
    page.check("#id_confirm")
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "area-end-form.png", full_page=True)
    # The date last, and the form sent from it: its picker opens over the fields below.
    page.fill("#id_date", "۱۴۰۴/۰۱/۰۱")
    with page.expect_navigation():
        page.press("#id_date", "Enter")
    page.wait_for_load_state("networkidle")

    assert urlsplit(page.url).path == f"/areas/{district.pk}/"
    assert page.locator("h1 .badge").inner_text() == "پایان‌یافته"
    assert page.locator(".alert-success").is_visible()
    page.screenshot(path=screenshots / "area-ended.png", full_page=True)
    assert not Area.objects.filter(path__startswith=district.path, valid_to__isnull=True).exists()
    found = locate(inside.latitude, inside.longitude)
    assert found is None or not found.area.path.startswith(district.path)
    assert_stayed_home(page)


def test_a_county_map_shows_the_counties_around_it_and_says_what_lacks_a_shape(
    admin_page, live_server, screenshots
):
    page = admin_page
    tehran_county = area("county", "2301")
    sectors = tehran_county.children.filter(valid_to__isnull=True)
    shaped = sectors.filter(min_lon__isnull=False).count()
    assert 0 < shaped < sectors.count()
    siblings = tehran_county.parent.children.filter(valid_to__isnull=True).count() - 1

    assert open_map(page, live_server.url, tehran_county) == shaped
    assert page.locator(SIBLINGS).count() == siblings
    notes = page.locator("[data-map-notice]").all_inner_texts()
    missing = sectors.count() - shaped
    from barzan.core.text import to_persian_digits

    expected = f"{missing} از {sectors.count()} بخش شکل ندارند."
    assert to_persian_digits(expected) in [note.strip() for note in notes]
    assert any("ساختگی" in note and "بخش" in note for note in notes)
    assert page.locator("[data-map-attribution]").inner_text() == "© مشارکت‌کنندگان OpenStreetMap"
    # A sibling names itself on hover, as text.
    sibling = page.locator(SIBLINGS).first.evaluate(CLICKABLE_POINT)
    page.mouse.move(sibling["x"], sibling["y"])
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert tooltip.inner_text().strip() != ""
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "areas-county-surroundings.png", full_page=True)
    assert_stayed_home(page)


def test_a_neighborhood_map_is_not_a_lone_outline(admin_page, live_server, screenshots):
    page = admin_page
    neighborhood = area("district", "2301021606").children.order_by("code").first()
    assert open_map(page, live_server.url, neighborhood) == 0
    assert page.locator(OUTLINE).count() == 1
    assert page.locator(SIBLINGS).count() > 1
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "areas-neighborhood-surroundings.png", full_page=True)
    assert_stayed_home(page)


def test_the_profile_map_shades_the_children_by_the_chosen_figure(
    admin_page, live_server, screenshots
):
    page = admin_page
    district = area("district", "2301021606")
    page.goto(f"{live_server.url}/indicators/profile/{district.pk}/")
    section = page.locator("[data-profile-map]")
    section.scroll_into_view_if_needed()
    container = section.locator(".area-map")
    page.wait_for_selector("[data-profile-map] .area-map[data-shaded]")
    first = container.get_attribute("data-shaded")
    legend = section.locator("[data-choropleth-items] li")
    assert legend.count() >= 2
    assert section.locator("[data-choropleth-title]").inner_text().strip() != ""
    for text in legend.all_inner_texts():
        assert not any(character in "0123456789" for character in text), text
    fills = {path.get_attribute("fill") for path in section.locator("path.map-child").all()}
    assert len(fills) >= 2, fills
    options = section.locator("[data-profile-map-indicator] option")
    assert options.count() > 1
    other = options.nth(1).get_attribute("value")
    assert other != first
    section.locator("[data-profile-map-indicator]").select_option(other)
    page.wait_for_selector(f'[data-profile-map] .area-map[data-shaded="{other}"]')
    page.evaluate("document.fonts.ready")
    section.screenshot(path=screenshots / "profile-map.png")
    assert_stayed_home(page)
