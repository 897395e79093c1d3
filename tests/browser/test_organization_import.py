"""Importing a list of organizations in a real browser: upload, the dry run report with a
bad row listed by line and column, then a good file applied."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOOD = (
    "کد,نام فارسی,نام انگلیسی,نوع,سازمان بالادست,کد منطقه\n"
    "health-tehran,بهداشت استان تهران,Tehran Health,دستگاه اجرایی,,23\n"
    "health-d6,مرکز بهداشت منطقه ۶,District 6 Health,agency,health-tehran,2301021606\n"
    "relief-d6,خیریه محله,,خیریه,,2301021606\n"
)


@pytest.fixture
def manager_page(chromium, front_end_assets, live_server, people, settings, tmp_path):
    from conftest import verified_login

    settings.MEDIA_ROOT = tmp_path
    client = Client()
    verified_login(client, people.tehran_manager)
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    yield page
    context.close()


def test_a_list_is_checked_then_applied(manager_page, live_server, tmp_path, screenshots):
    from barzan.registry.models import Organization

    page = manager_page
    bad = tmp_path / "organizations-bad.csv"
    bad.write_text(GOOD + "bakery-d6,نانوایی,,نانوایی,,2301021606\n", encoding="utf-8")
    page.goto(live_server.url + "/organizations/import/")
    page.set_input_files("input[type=file]", str(bad))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-count="new"]').inner_text() == "۳"
    row = page.locator('#problems tr[data-line="5"]')
    assert row.is_visible()
    assert "نوع" in row.inner_text()
    assert page.locator("[data-apply]").count() == 0
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "organization-import-problems.png", full_page=True)

    good = tmp_path / "organizations.csv"
    good.write_text(GOOD, encoding="utf-8")
    page.goto(live_server.url + "/organizations/import/")
    page.set_input_files("input[type=file]", str(good))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#sample tr[data-status=new]").count() == 3
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "organization-import-dry-run.png", full_page=True)
    page.click("[data-apply]")
    page.wait_for_load_state("networkidle")
    assert Organization.objects.filter(code__startswith="health-").count() == 2
