"""
Headless Chromium for browser tests, driven by Playwright's Python API.

Debian's /usr/bin/chromium is used (never `playwright install`); tests skip with the
reason when it is absent, and `.ci/run` installs it.

Every page runs under the site's Content-Security-Policy, and a test fails if any page it
opened reported a violation of it: a blocked inline script or style is a broken page.
"""

import contextlib
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("BARZAN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


# Report each Content-Security-Policy violation to the test, before any of the page's own
# scripts runs.
WATCH_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__barzanCspViolation(
    [event.effectiveDirective, event.blockedURI, event.sourceFile, event.lineNumber,
     (event.sample || "").slice(0, 80)].join(" | ")
  );
});
"""


class WatchedBrowser:
    """A browser whose every new context and page reports CSP violations to `violations`."""

    def __init__(self, browser):
        self._browser = browser
        self.violations: list[str] = []
        self.contexts: list = []

    def _watch(self, context):
        self.contexts.append(context)
        context.expose_binding(
            "__barzanCspViolation",
            lambda source, text: self.violations.append(f"{source['frame'].url}: {text}"),
        )
        context.add_init_script(WATCH_VIOLATIONS)
        return context

    def new_context(self, **options):
        return self._watch(self._browser.new_context(**options))

    def new_page(self, **options):
        # Playwright's browser.new_page() makes a context of its own: watch it the same way.
        context = self.new_context(**options)
        page = context.new_page()
        page.on("close", lambda _page: context.close())
        return page

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def chromium():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(
            f"Chromium is not installed at {CHROMIUM} (apt install chromium; .ci/run does)."
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are ordinary synchronous calls, not async ones.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield WatchedBrowser(browser)
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def screenshots():
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(autouse=True)
def no_csp_violations(request):
    """Fail a browser test in which a page reported a Content-Security-Policy violation."""
    if "chromium" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("chromium")
    browser.violations.clear()
    browser.contexts.clear()
    yield browser.violations
    # Closing a context delivers the reports its pages sent last.
    for context in browser.contexts:
        with contextlib.suppress(Exception):  # closed already by the test
            context.close()
    browser.contexts.clear()
    seen = list(browser.violations)
    browser.violations.clear()
    assert not seen, "Content-Security-Policy violations:\n" + "\n".join(seen)
