"""
Stored script payloads never run: issue 9, finding 1 (an area manager renamed an area to
«محله <img src=x onerror=…>» and the national administrator's map tooltip ran it).

Script payloads (an <img onerror>, a <script>, an attribute break-out, a <svg onload>, with
Latin, Persian and no digits, inside Persian text, a `javascript:` link) are stored in every
text field an actor can type: areas' names in both languages, organizations, indicators'
names, descriptions and units, categories, data sets, validation rules, a figure's comment,
a boundary's source, area levels' and roles' names, an uploaded file's name and its
problems, users' full names, an API token's name and an audit reason. The national
administrator then opens every page reachable from the menu and from those records, hovers
and clicks the maps, types into a picker, downloads the exports and the PDF, in Persian and
in English, with the Content-Security-Policy and again with the header stripped: the second
pass proves the pages escape the data, not only that the policy blocks it.

A payload that runs calls `__xss()`, a binding to this test; an alert() would open a
dialog, and an element a payload would inject (<img src=x>, an on… attribute, a
javascript: link) must not be in the page.
"""

import re
from urllib.parse import urljoin, urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each payload calls __xss with its number, so a failure names the one that ran.
PAYLOADS = [
    "محله <img src=x onerror=__xss(1)>",
    # No digit at all: pages show digits in Persian, which would make a call invalid.
    "محله <img src=x onerror=__xss()>",
    "<script>__xss(2)</script>",
    '"><svg onload=__xss(3)>',
    "'><img src=x onerror=__xss()>",
    # Persian digits: the text normaliser turns them into Latin ones, a call that would run.
    "منطقه <img src=x onerror=__xss(۵)>",
    "javascript:__xss(6)",
    '" autofocus onfocus=__xss(7) x="',
    "</script><script>__xss(8)</script>",
]

# Elements and attributes a payload would bring into the page. None of Barzan's own pages
# has any of them.
INJECTED = """() => {
  const found = [];
  const selector = 'img[src="x"], svg[onload], [onerror], [onload], [onfocus], [autofocus][x], '
    + 'a[href^="javascript:" i], iframe, object, embed';
  const show = (element) => found.push(element.outerHTML.slice(0, 160));
  document.querySelectorAll(selector).forEach(show);
  document.querySelectorAll("script").forEach((script) => {
    if (!script.src && script.type !== "application/json") show(script);
  });
  return found;
}"""

# Paths never opened by the crawl: they change state, leave, or are downloads (those are
# fetched separately).
SKIPPED = re.compile(
    r"/logout/|/language/|/two-factor/|/password|/api/|/static/|/media/|\.xlsx$|/pdf/$|"
    r"/users/\d+/(?!edit/|grants/)[a-z-]+/$|/revoke/|/apply/|\.csv$"
)
MAX_PER_PATTERN = 2
MAX_PAGES = 90

# A point of `path` that the path itself receives the mouse at (as in test_areas: the map
# is scrolled into view, not the path, which would scroll Leaflet's container).
POINT_ON = """(path) => {
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
# The children; the areas around (faint, path.map-sibling) take the mouse too.
SHAPES = ".area-map path.map-child"


def payload(index: int) -> str:
    return PAYLOADS[index % len(PAYLOADS)]


@pytest.fixture
def stored_payloads(transactional_db):
    """Load the demo and type a payload into every text field an actor can write."""
    from conftest import seed_reference_data
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from barzan import demo
    from barzan.access.models import Grant, Role
    from barzan.accounts.actions import (
        create_api_token,
        create_user,
        grant_role,
        revoke_grant,
        update_profile,
    )
    from barzan.accounts.models import User
    from barzan.geo.actions import update_area
    from barzan.geo.models import Area, AreaLevel
    from barzan.indicators import actions as indicator_actions
    from barzan.indicators.models import (
        Category,
        DataSet,
        Indicator,
        IndicatorValue,
        ValidationRule,
        ValueImport,
    )
    from barzan.registry.actions import create_organization, update_organization
    from barzan.registry.models import Organization

    seed_reference_data()
    demo.load()
    admin = User.objects.get(username="admin")
    country = Area.objects.get(level__code="country", valid_to__isnull=True)
    district = Area.objects.get(level__code="district", code="2301021606")

    # Areas: every province (the country map), the demo district and its neighborhoods.
    renamed = [
        *Area.objects.filter(parent=country, valid_to__isnull=True).order_by("code"),
        district,
        *Area.objects.filter(parent=district, valid_to__isnull=True).order_by("code")[:8],
    ]
    for index, area in enumerate(renamed):
        update_area(
            actor=admin,
            area=area,
            version=area.version,
            name_fa=payload(index),
            name_en=payload(index + 1),
        )
    neighborhood = Area.objects.filter(parent=district, valid_to__isnull=True).order_by("code")[0]
    # The source typed with a boundary import, and the reference names an administrator
    # could edit (levels and roles label areas and grants on many pages).
    Area.objects.filter(parent=country).update(boundary_source=payload(3))
    for index, level in enumerate(AreaLevel.objects.all()):
        AreaLevel.objects.filter(pk=level.pk).update(
            name_fa=payload(index + 4), name_en=payload(index + 5)
        )
    for index, role in enumerate(Role.objects.all()):
        Role.objects.filter(pk=role.pk).update(
            name_fa=payload(index), description_fa=payload(index + 1)
        )

    for index, organization in enumerate(Organization.objects.order_by("code")):
        update_organization(
            actor=admin,
            organization=organization,
            version=organization.version,
            name_fa=payload(index),
            name_en=payload(index + 3),
        )
    tehran = Area.objects.get(level__code="province", code="23")
    create_organization(
        actor=admin,
        code="xss-org",
        name_fa=" ".join(PAYLOADS[:4]),
        name_en=" ".join(PAYLOADS[4:]),
        kind=Organization._meta.get_field("kind").choices[0][0],
        area=tehran,
    )

    for index, category in enumerate(Category.objects.all()):
        Category.objects.filter(pk=category.pk).update(
            name_fa=payload(index), name_en=payload(index + 2)
        )
    for index, indicator in enumerate(Indicator.objects.order_by("code")):
        indicator_actions.update_indicator(
            actor=admin,
            indicator=indicator,
            version=indicator.version,
            name_fa=payload(index),
            name_en=payload(index + 1),
            description_fa=" ".join(PAYLOADS),
            description_en=payload(index + 2),
            unit_fa=payload(index + 3),
            unit_en=payload(index + 4),
        )
    for index, data_set in enumerate(DataSet.objects.order_by("code")):
        indicator_actions.update_data_set(
            actor=admin,
            data_set=data_set,
            version=data_set.version,
            name_fa=payload(index),
            name_en=payload(index + 5),
            description=" ".join(PAYLOADS),
        )
    for index, rule in enumerate(ValidationRule.objects.order_by("code")):
        indicator_actions.update_validation_rule(
            actor=admin,
            rule=rule,
            version=rule.version,
            name_fa=payload(index + 6),
            name_en=payload(index + 7),
        )

    # A figure's comment, on a figure the entry grid and the profile show.
    figure = (
        IndicatorValue.objects.filter(area=neighborhood, indicator__kind="measured")
        .select_related("indicator", "period", "breakdown")
        .order_by("-period__start", "indicator__code")
        .first()
    )
    indicator_actions.set_value(
        actor=admin,
        indicator=figure.indicator,
        area=neighborhood,
        period=figure.period,
        value=figure.value,
        breakdown=figure.breakdown,
        source=figure.source,
        comment=" ".join(PAYLOADS),
        version=figure.version,
    )

    # An uploaded file's name and the problems read from its cells.
    ValueImport.objects.create(
        area=tehran,
        source=Organization.objects.get(code="xss-org"),
        created_by=admin,
        file_name=payload(0) + ".csv",
        stored_name="missing.csv",
        format="csv",
        status="failed",
        problem_count=len(PAYLOADS),
        problems=[
            {"line": line, "column": text, "message": text}
            for line, text in enumerate(PAYLOADS, start=2)
        ],
    )

    # People: a user's full name, the viewer's own, an API token's name, an audit reason.
    victim = create_user(
        actor=admin,
        username="xss-user",
        first_name=payload(0),
        last_name=payload(2),
        email="xss@barzan.example",
        role=Role.objects.get(code="analyst"),
        area=tehran,
    )
    update_profile(
        actor=admin,
        user=admin,
        version=admin.version,
        first_name=payload(1),
        last_name=payload(6),
    )
    # A national administrator needs two-factor before a token (a token skips the second factor).
    TOTPDevice.objects.get_or_create(user=admin, name="phone", defaults={"confirmed": True})
    create_api_token(actor=admin, name=payload(4))
    grant = grant_role(
        actor=admin, user=victim, role=Role.objects.get(code="analyst"), area=country
    )
    revoke_grant(actor=admin, grant=Grant.objects.get(pk=grant.pk), reason=" ".join(PAYLOADS))

    admin.refresh_from_db()
    return {
        "admin": admin,
        "country": country,
        "province": tehran,
        "district": district,
        "neighborhood": neighborhood,
        "figure": figure,
        "victim": victim,
    }


class Visitor:
    """A logged-in browser page that records every payload that runs."""

    def __init__(self, chromium, live_server, user, *, strip_csp: bool, language: str):
        from conftest import verified_login
        from django.conf import settings
        from django.test import Client

        self.base = live_server.url
        self.ran: list[str] = []
        self.injected: list[str] = []
        self.context = chromium.new_context(
            viewport={"width": 1280, "height": 1000}, accept_downloads=True
        )
        self.context.expose_binding(
            "__xss", lambda source, *args: self.ran.append(f"{source['frame'].url}: {args}")
        )
        if strip_csp:
            self.context.route("**/*", _without_csp)
        client = verified_login(Client(), user)
        self.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": self.base,
                },
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": self.base},
            ]
        )
        self.page = self.context.new_page()
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog):
        self.ran.append(f"{self.page.url}: dialog {dialog.message!r}")
        dialog.dismiss()

    def open(self, path: str) -> int:
        """Open `path`, wait until it settles and check it for injected elements."""
        # goto waits for the load event, which comes after every image has loaded or
        # failed: an <img onerror> has had its chance to run by then.
        response = self.page.goto(urljoin(self.base, path))
        self.check()
        return response.status if response else 0

    def check(self):
        found = self.page.evaluate(INJECTED)
        self.injected.extend(f"{self.page.url}: {element}" for element in found)

    def links(self) -> list[str]:
        hrefs = self.page.eval_on_selector_all("a[href]", "(links) => links.map((a) => a.href)")
        own = []
        for href in hrefs:
            parts = urlsplit(href)
            if (
                parts.netloc == urlsplit(self.base).netloc
                and not SKIPPED.search(parts.path)
                and "export=" not in parts.query
            ):
                own.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        return own

    def close(self):
        # A request still in flight (the favicon) must not fail the route handler while the
        # context closes under it.
        self.context.unroute_all(behavior="ignoreErrors")
        self.context.close()


def _without_csp(route):
    """Serve the response without its Content-Security-Policy, as a site without one would."""
    response = route.fetch(max_redirects=0)
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() != "content-security-policy"
    }
    route.fulfill(response=response, headers=headers)


def pattern(path: str) -> str:
    """Return `path` with its numbers and query values blanked: one page kind per pattern."""
    path, _, query = path.partition("?")
    keys = sorted(part.split("=")[0] for part in query.split("&") if part) if query else []
    return re.sub(r"\d+", "N", path) + ("?" + "&".join(keys) if keys else "")


def crawl(visitor: Visitor, seeds: list[str]) -> list[str]:
    """Open `seeds`, then every own link they lead to, a couple of pages per page kind."""
    queue = list(seeds)
    seen_paths: set[str] = set()
    per_pattern: dict[str, int] = {}
    opened = []
    while queue and len(opened) < MAX_PAGES:
        path = queue.pop(0)
        kind = pattern(path)
        if path in seen_paths or (
            path not in seeds and per_pattern.get(kind, 0) >= MAX_PER_PATTERN
        ):
            continue
        seen_paths.add(path)
        per_pattern[kind] = per_pattern.get(kind, 0) + 1
        status = visitor.open(path)
        assert status < 500, f"{path} answered {status}"
        opened.append(path)
        queue.extend(visitor.links())
    return opened


def hover_and_click_map(visitor: Visitor, area, screenshot=None) -> str:
    """Open `area`'s map, hover several shapes (tooltips show payloads as text), click one."""
    page = visitor.page
    visitor.open(f"/areas/{area.pk}/")
    page.wait_for_selector('.area-map[data-geojson][data-loaded="1"]')
    shapes = page.locator(SHAPES)
    count = shapes.count()
    assert count, f"no shapes on the map of {area.pk}"
    shown = []
    # Shapes are drawn in Persian order of their names; payload names are Latin, so they
    # come last: hover from the end.
    for index in reversed(range(max(0, count - len(PAYLOADS) - 1), count)):
        point = shapes.nth(index).evaluate(POINT_ON)
        if point is None:
            continue
        page.mouse.move(point["x"], point["y"])
        tooltip = page.locator(".leaflet-tooltip").last
        tooltip.wait_for(state="visible")
        shown.append(tooltip.text_content())
        visitor.check()
    # Names are shown with the page's digits, so look for the call, not the whole payload.
    assert any("__xss" in text for text in shown), shown
    if screenshot:
        page.screenshot(path=screenshot)
    # Click the last hovered shape: it opens that area's page.
    with page.expect_navigation():
        page.mouse.click(point["x"], point["y"])
    page.wait_for_load_state("networkidle")
    visitor.check()
    return urlsplit(page.url).path


def use_the_picker(visitor: Visitor):
    """Type into the organization form's area picker: the options are payload names."""
    page = visitor.page
    visitor.open("/organizations/new/")
    page.fill("input[name=area__search]", "img")
    page.wait_for_function("() => document.querySelectorAll('#id_area option').length > 1")
    visitor.check()
    labels = page.eval_on_selector_all("#id_area option", "(options) => options.map((o) => o.text)")
    assert any("__xss" in label for label in labels), labels


def fetch_downloads(visitor: Visitor, stored):
    """Download the exports and the PDF: they hold the payloads as plain text."""
    request = visitor.context.request
    for path in ("/areas/?export=csv", "/organizations/?export=csv", "/indicators/?export=csv"):
        response = request.get(urljoin(visitor.base, path))
        assert response.status == 200, path
        assert "attachment" in response.headers["content-disposition"]
        assert "<img src=x onerror=" in response.body().decode("utf-8-sig"), path
    for path in ("/areas/?export=xlsx", f"/indicators/profile/{stored['neighborhood'].pk}/pdf/"):
        response = request.get(urljoin(visitor.base, path))
        assert response.status == 200, path
        assert "attachment" in response.headers["content-disposition"]


def tour(visitor: Visitor, stored, screenshots=None) -> list[str]:
    """Open every page that shows the payloads, as the national administrator would."""
    figure = stored["figure"]
    data_set = figure.indicator.data_sets.first()
    seeds = [
        "/",
        "/areas/",
        "/areas/?q=img",
        f"/areas/{stored['province'].pk}/",
        f"/areas/{stored['province'].pk}/edit/",
        f"/areas/{stored['neighborhood'].pk}/",
        "/areas/options/?q=img",
        "/organizations/",
        "/organizations/xss-org/",
        "/organizations/xss-org/edit/",
        "/organizations/options/?q=img",
        "/indicators/",
        f"/indicators/{figure.indicator.code}/",
        f"/indicators/{figure.indicator.code}/edit/",
        "/indicators/data-sets/",
        "/indicators/rules/",
        "/indicators/violations/",
        "/indicators/imports/",
        f"/indicators/profile/{stored['neighborhood'].pk}/",
        f"/indicators/profile/{stored['district'].pk}/",
        f"/indicators/entry/{data_set.code}/{stored['neighborhood'].pk}/{figure.period.code}/",
        "/accounts/users/",
        f"/accounts/users/{stored['victim'].pk}/",
        "/accounts/account/",
        "/audit/",
        "/audit/?q=img",
    ]
    opened = crawl(visitor, seeds)
    opened.append(
        hover_and_click_map(
            visitor,
            stored["country"],
            screenshot=screenshots / "map-payload-tooltip.png" if screenshots else None,
        )
    )
    hover_and_click_map(visitor, stored["district"])
    use_the_picker(visitor)
    fetch_downloads(visitor, stored)
    return opened


def test_stored_payloads_never_run_with_or_without_the_policy(
    chromium, front_end_assets, live_server, stored_payloads, screenshots
):
    """One data set, three tours: Persian under the policy, then Persian and English with the
    Content-Security-Policy header stripped, where only escaping stands in the way."""
    passes = [("fa", False), ("fa", True), ("en", True)]
    for language, strip_csp in passes:
        visitor = Visitor(
            chromium,
            live_server,
            stored_payloads["admin"],
            strip_csp=strip_csp,
            language=language,
        )
        try:
            response = visitor.page.goto(live_server.url + "/")
            assert ("content-security-policy" in response.headers) is not strip_csp
            opened = tour(visitor, stored_payloads, None if strip_csp else screenshots)
            assert len(opened) > 30, opened
            # The payloads are on the page as text: neither dropped nor rendered.
            visitor.open(f"/areas/{stored_payloads['province'].pk}/")
            heading = visitor.page.locator("h1").inner_text()
            assert "__xss" in heading, heading
            context = f"{language}, {'without' if strip_csp else 'with'} the policy"
            assert visitor.ran == [], f"stored payloads ran ({context}):\n" + "\n".join(visitor.ran)
            assert visitor.injected == [], (
                f"payloads were put into pages as HTML ({context}):\n"
                + "\n".join(sorted(set(visitor.injected)))
            )
        finally:
            visitor.close()
