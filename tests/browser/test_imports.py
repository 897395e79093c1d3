"""
Area imports in a real browser: an orphaned import (its worker killed) shows as failed
with how far it got and a Run again button, and running it again applies the file; a
queued import shows a progress bar that htmx polls.
"""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def square(lon, lat, size=0.01):
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


NEIGHBORHOODS = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": square(51.38 + number * 0.01, 35.68),
                "properties": {"code": f"N{number}", "name_fa": f"محله {number}"},
            }
            for number in range(5)
        ],
    },
    ensure_ascii=False,
).encode()


@pytest.fixture
def manager_page(chromium, front_end_assets, live_server, people, settings, tmp_path):
    """A browser page logged in as Tehran's area manager (two-factor done)."""
    from conftest import verified_login

    settings.MEDIA_ROOT = tmp_path
    settings.BARZAN_IMPORT_AREA_STEP_ROWS = 2
    client = Client()
    verified_login(client, people.tehran_manager)
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    yield page
    context.close()


def upload(people, areas, *, status, **fields):
    from barzan.core.models import ImportStatus
    from barzan.geo import actions, importing
    from barzan.geo.models import AreaImport, AreaLevel

    job = actions.upload_areas(
        actor=people.tehran_manager,
        upload=SimpleUploadedFile("neighborhoods.geojson", NEIGHBORHOODS),
        format=importing.GEOJSON,
        level=AreaLevel.objects.get(code="neighborhood"),
        parent=areas.district6,
    )
    if status == ImportStatus.CHECKED:
        return actions.start_area_import(actor=people.tehran_manager, area_import=job, apply=False)
    AreaImport.objects.filter(pk=job.pk).update(status=status, **fields)
    job.refresh_from_db()
    return job


def test_an_orphaned_area_import_is_shown_failed_and_run_again_from_its_page(
    manager_page, live_server, people, areas, screenshots
):
    from barzan.geo.models import Area

    job = upload(
        people,
        areas,
        status="running",
        is_applying=True,
        step_count=3,
        steps_done=1,
        heartbeat_at=timezone.now() - datetime.timedelta(hours=1),
    )
    page = manager_page
    page.goto(live_server.url + job.get_absolute_url())
    page.wait_for_load_state("networkidle")
    alert = page.locator("[data-failure=stopped]")
    assert alert.is_visible()
    assert "۱ گام از ۳ گام ثبت شد" in alert.inner_text()
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "area-import-orphaned.png", full_page=True)

    page.click("[data-rerun]")
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-status="done"]').is_visible()
    assert Area.objects.filter(parent=areas.district6).count() == 5
    page.screenshot(path=screenshots / "area-import-run-again.png", full_page=True)


def test_a_queued_area_import_shows_a_progress_bar_then_its_report(
    manager_page, live_server, people, areas, screenshots
):
    from barzan.geo.actions import run_area_import

    job = upload(people, areas, status="queued", processed_bytes=0)
    page = manager_page
    page.goto(live_server.url + job.get_absolute_url())
    page.wait_for_selector("#import-progress-label")
    assert page.locator("#import-progress").get_attribute("hx-get")
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "area-import-queued.png", full_page=True)

    run_area_import(actor=people.tehran_manager, area_import=job, apply=False)

    # htmx polls the progress every second and reloads the page once the check is done.
    page.wait_for_selector('[data-count="created"]', timeout=10_000)
    assert page.locator('[data-count="created"]').inner_text() == "۵"
    assert page.locator("[data-apply]").is_visible()
    page.screenshot(path=screenshots / "area-import-checked.png", full_page=True)


def test_the_upload_form_offers_what_a_file_may_change_and_a_report_shows_its_warnings(
    manager_page, live_server, people, areas, screenshots
):
    from barzan.geo import actions, importing
    from barzan.geo.models import AreaLevel

    page = manager_page
    page.goto(live_server.url + "/areas/import/")
    page.wait_for_load_state("networkidle")
    # A boundary file changes boundaries and adds areas unless told otherwise.
    assert page.locator("input[name=updates][value=boundaries]").is_checked()
    assert page.locator("input[name=updates][value=new]").is_checked()
    assert not page.locator("input[name=updates][value=names]").is_checked()
    assert not page.locator("input[name=updates][value=population]").is_checked()
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "area-import-upload-choices.png", full_page=True)

    actions.set_boundary(
        actor=None, area=areas.district6, data=square(51.38, 35.68, 0.02), source="test",
        version=None,
    )  # fmt: skip
    half_outside = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": square(51.393, 35.68, 0.01),
                    "properties": {"code": "N9", "name_fa": "محله لب مرز"},
                }
            ],
        },
        ensure_ascii=False,
    ).encode()
    job = actions.upload_areas(
        actor=people.tehran_manager,
        upload=SimpleUploadedFile("edge.geojson", half_outside),
        format=importing.GEOJSON,
        level=AreaLevel.objects.get(code="neighborhood"),
        parent=areas.district6,
    )
    actions.start_area_import(actor=people.tehran_manager, area_import=job, apply=False)
    page.goto(live_server.url + job.get_absolute_url())
    page.wait_for_load_state("networkidle")
    warnings = page.locator("#warnings")
    assert warnings.is_visible()
    assert "۳۰٪ این مرز بیرون از تهران ۶ است." in warnings.inner_text()
    assert page.locator("[data-apply]").is_visible()
    page.evaluate("document.fonts.ready")
    page.screenshot(path=screenshots / "area-import-warnings.png", full_page=True)
