"""
Every button and link a page offers can be followed: a user never sees a link that
answers 403 (the analyst's read-only grid once offered «Import a file»), and no form
offers Django's "---------" as a choice.

The pages are found by following links from the home page, so a new page and its buttons
are covered as soon as something links to them.
"""

import html
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

pytestmark = pytest.mark.django_db

HREF = re.compile(r'<a\b[^>]*\bhref="([^"#][^"]*)"', re.IGNORECASE)
# Not pages: signing out, downloads (exports, problem lists, PDFs) and the API.
SKIPPED = re.compile(r"/logout|[?&]export=|\.csv|\.xlsx|/pdf/?$|^/api/|^/static/|/language")
# Enough of each kind of page to see its buttons, few enough to stay quick.
PER_ROUTE = 2
MOST_PAGES = 150


def links_on(page_url: str, body: str) -> list[str]:
    found = []
    for href in HREF.findall(body):
        url = urljoin(page_url, html.unescape(href))
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not SKIPPED.search(path):
            found.append(path)
    return found


def route_of(url: str) -> str:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return url


def walk(client, start: list[str]):
    """Visit pages breadth-first from `start`; return {url: (status, body)} and who linked."""
    seen, linked_from, visits = {}, {}, {}
    queue = deque((url, "(start)") for url in start)
    while queue and len(seen) < MOST_PAGES:
        url, source = queue.popleft()
        if url in seen:
            continue
        route = route_of(url)
        if visits.get(route, 0) >= PER_ROUTE:
            continue
        visits[route] = visits.get(route, 0) + 1
        response = client.get(url)
        body = (
            response.content.decode()
            if response.get("Content-Type", "").startswith("text/html")
            else ""
        )
        seen[url] = (response.status_code, body)
        linked_from[url] = source
        for link in links_on(url, body) if response.status_code == 200 else ():
            if link not in seen:
                queue.append((link, url))
    return seen, linked_from


def start_pages(site, areas, neighborhoods) -> list[str]:
    return [
        "/",
        areas.district6.get_absolute_url(),
        f"/indicators/profile/{neighborhoods.n1.pk}/",
        f"/indicators/entry/{site.data_set.code}/{neighborhoods.n1.pk}/1402/",
        site.checked_import.get_absolute_url(),
    ]


@pytest.mark.parametrize("who", ["tehran_analyst", "secretary", "focal_point", "tehran_manager"])
def test_no_link_a_user_is_shown_answers_403(
    client,
    login,
    people,
    areas,
    neighborhoods,
    site,
    who,
):
    login(getattr(people, who))
    pages, linked_from = walk(client, start_pages(site, areas, neighborhoods))

    assert len(pages) > 15, "the walk should reach most of the site"
    forbidden = [
        f"{url} (linked from {linked_from[url]})" for url, (s, _) in pages.items() if s == 403
    ]
    assert not forbidden, "links that answer 403:\n" + "\n".join(forbidden)
    dashed = [url for url, (_, body) in pages.items() if "---------" in body]
    assert not dashed, "pages with Django's «---------» choice: " + ", ".join(dashed)


def test_the_read_only_analyst_is_not_offered_an_import_on_the_grid(
    client,
    login,
    people,
    neighborhoods,
    site,
):
    login(people.tehran_analyst)
    grid = client.get(f"/indicators/entry/{site.data_set.code}/{neighborhoods.n1.pk}/1402/")

    assert grid.status_code == 200
    assert "/indicators/imports/new/" not in grid.content.decode()

    login(people.tehran_manager)
    grid = client.get(f"/indicators/entry/{site.data_set.code}/{neighborhoods.n1.pk}/1402/")
    assert "/indicators/imports/new/" in grid.content.decode()
