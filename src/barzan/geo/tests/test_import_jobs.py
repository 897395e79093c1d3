"""
Area import jobs survive failures (issue 9, findings 3 and 6): applying runs in bounded
steps, a failure in step k leaves the earlier steps written and recorded, and running the
import again creates the rest, nothing twice; a job orphaned by a crash is shown failed
and can be run again.
"""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.utils import timezone

from barzan.audit.models import AuditEvent
from barzan.core import jobs
from barzan.core.models import ImportFailure, ImportStatus
from barzan.geo import actions, importing
from barzan.geo.models import Area, AreaCell, AreaImport

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


# Five neighborhoods: with steps of two areas, three steps.
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


@pytest.fixture(autouse=True)
def small_steps(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.BARZAN_IMPORT_AREA_STEP_ROWS = 2
    settings.BARZAN_IMPORT_STEP_PAUSE_MS = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def checked(people, areas, levels):
    area_import = actions.upload_areas(
        actor=people.tehran_manager,
        upload=SimpleUploadedFile("neighborhoods.geojson", NEIGHBORHOODS),
        format=importing.GEOJSON,
        level=levels["neighborhood"],
        parent=areas.district6,
    )
    return actions.start_area_import(
        actor=people.tehran_manager, area_import=area_import, apply=False
    )


@pytest.fixture
def fail_in_step(monkeypatch):
    """Make the k-th step fail, as a crash or a full disk would."""
    state = {"calls": 0, "fail_at": None}
    run_steps = jobs.run_steps

    def failing(steps, **kwargs):
        def wrap(step):
            def run():
                state["calls"] += 1
                if state["calls"] == state["fail_at"]:
                    raise OperationalError("disk I/O error")
                step()

            return run

        return run_steps([wrap(step) for step in steps], **kwargs)

    monkeypatch.setattr(jobs, "run_steps", failing)

    def arm(k):
        state["calls"], state["fail_at"] = 0, k

    return arm


def neighborhoods(areas) -> list[str]:
    return sorted(Area.objects.filter(parent=areas.district6).values_list("code", flat=True))


def test_a_dry_run_of_an_area_file_is_kept_on_its_job_and_writes_nothing(checked, areas):
    assert checked.status == ImportStatus.CHECKED
    assert (checked.created_count, checked.changed_count, checked.problem_count) == (5, 0, 0)
    assert [row["code"] for row in checked.rows] == [f"N{number}" for number in range(5)]
    assert neighborhoods(areas) == []


def test_a_failure_in_step_k_leaves_earlier_steps_whole_and_running_again_creates_the_rest_once(
    checked, people, areas, fail_in_step
):
    fail_in_step(2)

    failed = actions.start_area_import(actor=people.tehran_manager, area_import=checked, apply=True)

    assert (failed.status, failed.failure) == (ImportStatus.FAILED, ImportFailure.ERROR)
    assert (failed.steps_done, failed.step_count) == (1, 3)
    written = Area.objects.filter(parent=areas.district6)
    assert sorted(area.code for area in written) == ["N0", "N1"]
    # A written step is whole: paths final and the spatial index rows there.
    assert all(area.path == f"{areas.district6.path}{area.pk}/" for area in written)
    assert AreaCell.objects.filter(area__in=written).count() >= 2
    stopped = AuditEvent.objects.get(verb="area.import_stopped")
    assert (stopped.after["steps_done"], stopped.after["steps"]) == (1, 3)
    assert not AuditEvent.objects.filter(verb="area.imported").exists()

    fail_in_step(None)
    done = actions.rerun_area_import(actor=people.tehran_manager, area_import=failed)

    assert done.status == ImportStatus.DONE
    assert neighborhoods(areas) == ["N0", "N1", "N2", "N3", "N4"]
    assert (done.created_count, done.unchanged_count) == (3, 2)
    imported = AuditEvent.objects.get(verb="area.imported")
    assert imported.after["created"] == 3
    assert AuditEvent.objects.filter(verb="area.import_rerun").count() == 1


def test_an_area_job_left_running_with_an_old_heartbeat_is_shown_failed_and_run_again_once(
    client, login, checked, people, areas
):
    AreaImport.objects.filter(pk=checked.pk).update(
        status=ImportStatus.RUNNING,
        is_applying=True,
        heartbeat_at=timezone.now() - datetime.timedelta(hours=1),
    )
    login(people.tehran_manager)

    page = client.get(checked.get_absolute_url()).content.decode()

    assert 'data-failure="stopped"' in page
    assert "data-rerun" in page
    client.post(f"/areas/import/{checked.pk}/run-again/")
    checked.refresh_from_db()
    assert checked.status == ImportStatus.DONE
    assert neighborhoods(areas) == ["N0", "N1", "N2", "N3", "N4"]


def test_an_analyst_may_not_run_an_area_import_again(client, login, checked, people):
    AreaImport.objects.filter(pk=checked.pk).update(status=ImportStatus.FAILED)
    login(people.tehran_analyst)
    assert client.post(f"/areas/import/{checked.pk}/run-again/").status_code in (403, 404)
    checked.refresh_from_db()
    assert checked.status == ImportStatus.FAILED
