"""
Every list page on a 412 px phone and a 1366 px desktop, in Persian, as a manager who sees
data: nothing scrolls sideways (neither the page nor a table inside it), rows come in
Persian alphabetical order, and no Latin digit shows in Persian text.

The list pages are found from the URL map (every page served by a `ScopedListView`), so a
new list is checked as soon as it is routed; pages whose main content is a table but that
are not list views (an area's children) are named below.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from barzan.core.text import sort_key
from barzan.reports.tests.site import catalogue, neighborhoods, site  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": 412, "desktop": 1366}

# Persian order and digits are made right on the server by the `persian` work of issue 11;
# until it is merged their checks report as an expected failure. The merger sets this True.
PERSIAN_ORDER_AND_DIGITS_LANDED = False

# Run in the page: what a reader sees that the checks below judge.
MEASURE = """
() => {
  const overflow = [];
  const page = document.scrollingElement;
  if (page.scrollWidth > window.innerWidth) {
    overflow.push(`page ${page.scrollWidth} > ${window.innerWidth}`);
  }
  for (const box of document.querySelectorAll(".table-container, .table-responsive")) {
    if (box.scrollWidth > box.clientWidth + 1) {
      overflow.push(`table ${box.scrollWidth} > ${box.clientWidth}`);
    }
  }
  const seen = (node) => {
    for (let el = node.parentElement; el; el = el.parentElement) {
      if (el.matches('[dir="ltr"], [lang="en"], code, kbd, script, style, .leaflet-container')) {
        return false;
      }
      const style = getComputedStyle(el);
      if (style.display === "none" || style.visibility === "hidden") return false;
    }
    return true;
  };
  const latin = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent;
    if (/[0-9]/.test(text) && seen(walker.currentNode)) latin.push(text.trim().slice(0, 60));
  }
  const orders = [];
  for (const table of document.querySelectorAll("main table")) {
    const headers = [...table.querySelectorAll("thead th")];
    const sorted = headers.filter((th) => th.hasAttribute("aria-sort"));
    // Sorted by several columns at once (groups, then names): their priority is not in the
    // page, so the order is judged only where one column (or the default, the names) rules.
    if (sorted.length > 1) continue;
    let index = headers.findIndex((th) => th.hasAttribute("aria-sort"));
    const descending = index >= 0 && th_desc(headers[index]);
    if (index < 0) index = 0;
    const names = [...table.querySelectorAll("tbody tr")]
      .map((tr) => tr.children[index])
      .filter((td) => td && !td.hasAttribute("colspan"))
      .map((td) => td.innerText.trim());
    const column = headers[index] ? headers[index].innerText.trim() : "";
    orders.push({ column, descending, names });
  }
  function th_desc(th) { return th.getAttribute("aria-sort") === "descending"; }
  return { overflow, latin, orders };
}
"""


def list_page_paths() -> list[str]:
    """Return the path of every list page in the URL map that takes no argument."""
    from barzan.access.views import ScopedListView

    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                view_class = getattr(pattern.callback, "view_class", None)
                if (
                    view_class is not None
                    and issubclass(view_class, ScopedListView)
                    and "<" not in route
                ):
                    found.append("/" + route.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def log_in(page, base_url, username, password):
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")


def test_every_list_fits_a_phone_in_persian_order_and_digits(
    chromium, front_end_assets, live_server, settings, screenshots, people, areas, request
):
    from conftest import PASSWORD

    settings.TWO_FACTOR = "optional"
    request.getfixturevalue("site")
    lists = list_page_paths()
    assert "/areas/" in lists and "/indicators/imports/" in lists, lists
    pages = [
        *lists,
        # Tables that are not list views: an area's children, from the province down.
        areas.tehran.get_absolute_url(),
        areas.district6.get_absolute_url(),
    ]

    page = chromium.new_page(viewport={"width": WIDTHS["desktop"], "height": 900})
    log_in(page, live_server.url, people.tehran_manager.username, PASSWORD)
    overflow, disorder, latin = [], [], []
    for width_name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        for path in pages:
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            # Maps fetch their shapes after the page loads; measure once they are drawn.
            page.wait_for_load_state("networkidle")
            page.evaluate("document.fonts.ready")
            seen = page.evaluate(MEASURE)
            where = f"{path} at {width} px"
            overflow += [f"{where}: {problem}" for problem in seen["overflow"]]
            latin += [f"{where}: «{text}»" for text in seen["latin"]]
            for table in seen["orders"]:
                names = table["names"]
                expected = sorted(names, key=sort_key, reverse=table["descending"])
                if names != expected:
                    disorder.append(f"{where}, by «{table['column']}»: {names}")
            if width_name == "phone":
                stem = path.strip("/").replace("/", "-") or "home"
                page.screenshot(path=screenshots / f"list-{stem}-412.png", full_page=True)
    page.close()

    assert len(pages) >= 9
    assert not overflow, "sideways scrolling:\n" + "\n".join(overflow)
    persian = [
        *(["rows not in Persian order:", *disorder] if disorder else []),
        *(["Latin digits in Persian text:", *sorted(set(latin))] if latin else []),
    ]
    if persian and not PERSIAN_ORDER_AND_DIGITS_LANDED:
        pytest.xfail("[persian] waiting for the persian branch:\n" + "\n".join(persian))
    assert not persian, "\n".join(persian)
