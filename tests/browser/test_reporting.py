"""
Reporting in a real browser, on the demo: the district 6 secretary types households above
the residents and sees the broken rule beside both figures (the value kept), marks the form
complete and sees who and when; the analyst reads the reporting rates of Tehran's counties
and the broken rules, each linking to the grid that mends it. Screenshots at 412 and 1366 px.
"""

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


def logged_in(chromium, live_server, demo_content, username, width):
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="fa-IR")
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo_content.DEMO_PASSWORD)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")
    assert urlsplit(page.url).path == "/"
    return page


def a_district6_neighborhood():
    from barzan.geo.models import Area

    district = Area.objects.get(level__code="district", code="2301021606")
    return Area.objects.filter(parent=district, level__code="neighborhood").order_by("pk").first()


def row(page, indicator):
    return page.locator(f'.entry-row[data-indicator="{indicator}"][data-breakdown="total"]')


def enter(page, indicator: str, text: str) -> None:
    box = row(page, indicator).locator("input[name=value]")
    box.fill(text)
    box.press("Tab")
    page.wait_for_selector(
        f'.entry-row[data-indicator="{indicator}"][data-breakdown="total"][data-state="saved"]'
    )


@pytest.mark.parametrize("width", [412, 1366])
def test_the_secretary_sees_the_broken_rule_at_entry_and_completes_the_form(
    chromium, front_end_assets, live_server, demo_content, screenshots, width
):
    page = logged_in(chromium, live_server, demo_content, "secretary", width)
    neighborhood = a_district6_neighborhood()
    page.goto(
        f"{live_server.url}/indicators/entry/neighborhood-quarterly/{neighborhood.pk}/{PERIOD}/"
    )
    enter(page, "residents_registered", "۱٬۰۰۰")
    enter(page, "households", "۱۲۳۴۵")
    households = row(page, "households")
    assert households.locator("[data-saved=with-broken-rules]").is_visible()
    assert "۱۲٬۳۴۵" in households.inner_text()
    # The residents' figure, the rule's other side, shows it too without a reload.
    page.wait_for_function(
        "document.querySelector('.entry-row[data-indicator=residents_registered]"
        "[data-breakdown=total] [data-broken-rules]').dataset.brokenRules === '1'"
    )
    households.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / f"reporting-rule-at-entry-{width}.png"))
    page.click("#completion button[type=submit]")
    page.wait_for_selector('#completion[data-completed="true"]')
    assert "توسط secretary" in page.inner_text("#completion")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshots / f"reporting-completed-{width}.png"))
    if width == 412:
        overflow = page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        assert overflow is False
    page.context.close()


@pytest.mark.parametrize("width", [412, 1366])
def test_the_analyst_reads_reporting_rates_and_the_broken_rules_lead_to_the_grid(
    chromium, front_end_assets, live_server, demo_content, screenshots, width
):
    from barzan.geo.models import Area
    from barzan.indicators import actions
    from barzan.indicators.models import DataSet, Indicator, Period

    neighborhood = a_district6_neighborhood()
    period = Period.objects.get(code=PERIOD)
    data_set = DataSet.objects.get(code="neighborhood-quarterly")
    for code, value in (("residents_registered", "1000"), ("households", "12345")):
        actions.set_value(
            actor=None,
            indicator=Indicator.objects.get(code=code),
            area=neighborhood,
            period=period,
            value=value,
        )
    actions.complete_data_set(actor=None, data_set=data_set, area=neighborhood, period=period)
    page = logged_in(chromium, live_server, demo_content, "analyst", width)
    tehran = Area.objects.get(level__code="province", code="23")
    page.goto(
        f"{live_server.url}/indicators/reporting/?data_set={data_set.code}"
        f"&area={tehran.pk}&period={PERIOD}"
    )
    assert page.locator("select[name=period]").is_visible()
    page.screenshot(path=str(screenshots / f"reporting-rates-{width}.png"), full_page=True)
    page.goto(f"{live_server.url}/indicators/violations/?area={tehran.pk}&period={PERIOD}")
    links = page.locator("a[data-grid]")
    assert links.count() == 1
    page.screenshot(path=str(screenshots / f"reporting-violations-{width}.png"), full_page=True)
    links.first.click()
    page.wait_for_load_state("networkidle")
    assert f"/indicators/entry/neighborhood-quarterly/{neighborhood.pk}/{PERIOD}/" in page.url
    page.context.close()
