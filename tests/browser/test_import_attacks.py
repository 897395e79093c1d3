"""
A crafted workbook uploaded in a real browser: the single cell at XFD1048576 that used to
kill the process reading it is refused with a clear message on the import's report, and
the server answers the next page. The report is saved as a screenshot to be looked at.
"""

import importlib

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_workbook_with_one_cell_at_xfd1048576_is_refused_on_the_report(
    chromium,
    front_end_assets,
    live_server,
    client,
    login,
    people,
    areas,
    organizations,
    settings,
    tmp_path,
    screenshots,
):
    attacks = importlib.import_module("barzan.indicators.tests.test_import_attacks")
    settings.DATA_DIR = tmp_path
    workbook = tmp_path / "values.xlsx"
    workbook.write_bytes(attacks.cell_at_xfd1048576())
    login(people.tehran_manager)
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="fa-IR")
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page = context.new_page()

    page.goto(f"{live_server.url}/indicators/imports/new/")
    page.set_input_files("input[type=file]", str(workbook))
    page.select_option("select[name=area]", str(areas.district6.pk))
    page.select_option("select[name=source]", str(organizations.education_tehran.pk))
    page.click("form button[type=submit].btn-primary")
    page.wait_for_load_state("networkidle")

    text = page.inner_text("main")
    page.screenshot(path=str(screenshots / "import-xfd1048576-refused.png"), full_page=True)
    assert "کاربرگ تا ۱۶٬۳۸۴ ستون و ۱٬۰۴۸٬۵۷۶ سطر می‌رسد" in text
    assert page.goto(f"{live_server.url}/indicators/imports/").status == 200
    context.close()
