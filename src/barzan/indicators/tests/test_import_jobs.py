"""
Import jobs of values survive failures (issue 9, findings 3 and 6).

- Applying runs in bounded steps; a failure in step k leaves steps 1..k-1 written (each
  complete, with its roll-ups), says so on the import and in the audit log, and running
  the import again writes the rest, each value once.
- A job left "running" by a crash (its heartbeat stopped) is shown failed and can be run
  again from its page, by someone allowed to, audited.
- The worker's task retries "database is locked" with a bounded back-off.
"""

import datetime
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.utils import timezone

from barzan.audit.models import AuditEvent
from barzan.core import jobs
from barzan.core.models import ImportFailure, ImportStatus
from barzan.indicators import actions, formats, importing, tasks
from barzan.indicators.models import IndicatorValue, ValueChange, ValueImport

from .fixtures_core import aggregate, importer_fixture, q6  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")

# One row per neighborhood: with steps of one row each area is a step of its own.
FILE = (
    b"indicator,area,period,breakdown,value,comment\n"
    b"households,N1,1402,total,10,\n"
    b"households,N2,1402,total,20,\n"
    b"households,N3,1402,total,30,\n"
)


@pytest.fixture(autouse=True)
def small_steps(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.BARZAN_IMPORT_STEP_ROWS = 1
    settings.BARZAN_IMPORT_STEP_PAUSE_MS = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def checked(people, areas, catalogue, neighborhoods):
    """FILE uploaded by Tehran's manager and checked (the dry run)."""
    value_import = actions.upload_values(
        actor=people.tehran_manager,
        upload=SimpleUploadedFile("households.csv", FILE),
        format=formats.CSV,
        area=areas.tehran,
        source=catalogue.owner,
    )
    return actions.start_import(actor=people.tehran_manager, value_import=value_import, apply=False)


@pytest.fixture
def fail_in_step(monkeypatch):
    """Make the k-th step of writing values fail, as a crash or a full disk would."""
    state = {"calls": 0, "fail_at": None}
    write_step = importing._write_step

    def failing(*args):
        state["calls"] += 1
        if state["calls"] == state["fail_at"]:
            raise OperationalError("disk I/O error")
        return write_step(*args)

    monkeypatch.setattr(importing, "_write_step", failing)

    def arm(k: int | None) -> None:
        state["calls"], state["fail_at"] = 0, k

    return arm


def households(area=None) -> dict:
    return {
        value.area.code: int(value.value)
        for value in IndicatorValue.objects.filter(indicator__code="households").select_related(
            "area"
        )
    }


def verbs() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("verb", flat=True))


def test_an_apply_writes_in_bounded_steps_and_records_them(checked, people, areas):
    applied = actions.start_import(actor=people.tehran_manager, value_import=checked, apply=True)

    assert applied.status == ImportStatus.DONE
    assert (applied.steps_done, applied.step_count) == (3, 3)
    assert ValueChange.objects.filter(value_import=applied).count() == 3


def test_a_failure_in_step_k_leaves_earlier_steps_whole_and_running_again_finishes_once(
    checked, people, areas, neighborhoods, catalogue, period, fail_in_step
):
    fail_in_step(2)

    failed = actions.start_import(actor=people.tehran_manager, value_import=checked, apply=True)

    assert failed.status == ImportStatus.FAILED
    assert failed.failure == ImportFailure.ERROR
    assert (failed.steps_done, failed.step_count) == (1, 3)
    # Step 1 is complete: its value, its history and its roll-up up the tree.
    assert households(areas) == {"N1": 10}
    assert q6(aggregate(catalogue.households, areas.district6, period).value) == q6(10)
    stopped = AuditEvent.objects.get(verb="indicator_value.import_stopped")
    assert stopped.after == {"steps_done": 1, "steps": 3}
    assert "indicator_value.imported" not in verbs()

    fail_in_step(None)
    done = actions.rerun_import(actor=people.tehran_manager, value_import=failed)

    assert done.status == ImportStatus.DONE
    assert households(areas) == {"N1": 10, "N2": 20, "N3": 30}
    assert q6(aggregate(catalogue.households, areas.district6, period).value) == q6(60)
    # Each value written once: N1 was already there, so the second run left it alone.
    assert ValueChange.objects.filter(value_import=done).count() == 3
    assert ValueChange.objects.filter(area=neighborhoods.n1).count() == 1
    imported = AuditEvent.objects.get(verb="indicator_value.imported")
    assert (imported.after["new"], imported.after["unchanged"]) == (2, 1)
    assert imported.after["resumed_after_steps"] == 1
    assert verbs()[-2:] == ["indicator_value.import_rerun", "indicator_value.imported"]


def test_the_command_path_reports_a_stopped_apply_and_the_same_file_finishes_it(
    importer, areas, neighborhoods, fail_in_step
):
    fail_in_step(3)
    with pytest.raises(jobs.StepFailed) as stopped:
        importer(FILE)
    assert (stopped.value.done, stopped.value.total) == (2, 3)
    assert households(areas) == {"N1": 10, "N2": 20}
    assert AuditEvent.objects.filter(verb="indicator_value.import_stopped").count() == 1

    fail_in_step(None)
    outcome = importer(FILE)

    assert (outcome.new, outcome.unchanged) == (1, 2)
    assert households(areas) == {"N1": 10, "N2": 20, "N3": 30}
    assert ValueChange.objects.count() == 3


def test_a_dry_run_takes_no_write_transaction(checked, people, areas, catalogue, monkeypatch):
    """Checking never enters a transaction (on SQLite every one takes the write lock)."""
    entered = []
    monkeypatch.setattr(jobs.transaction, "atomic", lambda *a, **k: entered.append(1))
    value_import = actions.upload_values(
        actor=people.tehran_manager,
        upload=SimpleUploadedFile("households.csv", FILE),
        format=formats.CSV,
        area=areas.tehran,
        source=catalogue.owner,
    )
    checked = actions.run_import(
        actor=people.tehran_manager, value_import=value_import, apply=False
    )
    assert checked.status == ImportStatus.CHECKED
    assert checked.new_count == 3
    assert entered == []


# -- Orphaned by a crash ------------------------------------------------------------------------


def orphan(value_import: ValueImport, *, minutes: int) -> None:
    """Leave `value_import` as `kill -9` of the worker leaves it: applying, 40%, silent."""
    ValueImport.objects.filter(pk=value_import.pk).update(
        status=ImportStatus.RUNNING,
        is_applying=True,
        step_count=5,
        steps_done=2,
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=minutes),
    )


def test_a_job_left_running_with_an_old_heartbeat_is_shown_failed_and_running_it_again_applies_once(
    client, login, checked, people, areas, settings
):
    settings.BARZAN_IMPORT_STALE_SECONDS = 300
    orphan(checked, minutes=10)
    login(people.tehran_manager)

    page = client.get(checked.get_absolute_url()).content.decode()

    checked.refresh_from_db()
    assert checked.status == ImportStatus.FAILED
    assert checked.failure == ImportFailure.STOPPED
    assert 'data-failure="stopped"' in page
    assert "the process running it ended" in page
    assert "2 of 5 steps were written" in page
    assert "data-rerun" in page

    response = client.post(f"/indicators/imports/{checked.pk}/run-again/")

    assert response.status_code == 302
    checked.refresh_from_db()
    assert checked.status == ImportStatus.DONE
    assert households(areas) == {"N1": 10, "N2": 20, "N3": 30}
    assert ValueChange.objects.count() == 3
    rerun = AuditEvent.objects.get(verb="indicator_value.import_rerun")
    assert rerun.actor == people.tehran_manager


def test_a_job_with_a_recent_heartbeat_is_still_running(client, login, checked, people):
    orphan(checked, minutes=1)
    login(people.tehran_manager)

    page = client.get(checked.get_absolute_url()).content.decode()

    checked.refresh_from_db()
    assert checked.status == ImportStatus.RUNNING
    assert "data-rerun" not in page
    assert client.post(f"/indicators/imports/{checked.pk}/run-again/").status_code == 302
    checked.refresh_from_db()
    assert checked.status == ImportStatus.RUNNING


def test_the_worker_marks_orphaned_jobs_failed_when_it_starts_a_task(checked):
    orphan(checked, minutes=10)

    jobs.fail_stale_everywhere()

    checked.refresh_from_db()
    assert (checked.status, checked.failure) == (ImportStatus.FAILED, ImportFailure.STOPPED)


def test_only_someone_who_may_enter_its_figures_may_run_an_import_again(
    client, login, checked, people
):
    orphan(checked, minutes=10)
    for user, status in ((people.tehran_analyst, 403), (people.isfahan_manager, 404)):
        login(user)
        assert client.post(f"/indicators/imports/{checked.pk}/run-again/").status_code == status
    checked.refresh_from_db()
    assert checked.status in (ImportStatus.RUNNING, ImportStatus.FAILED)
    assert not AuditEvent.objects.filter(verb="indicator_value.import_rerun").exists()


# -- A busy database ----------------------------------------------------------------------------


def test_the_task_retries_a_locked_database_with_a_growing_wait_then_gives_up(
    checked, people, monkeypatch, settings
):
    from django_tasks import default_task_backend

    settings.BARZAN_IMPORT_RETRY_SECONDS = (5, 15)

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(actions, "run_import", locked)
    default_task_backend.clear()
    before = timezone.now()

    tasks.run_value_import.call(checked.pk, people.tehran_manager.pk, True)

    checked.refresh_from_db()
    assert (checked.status, checked.attempts) == (ImportStatus.QUEUED, 1)
    (retry,) = default_task_backend.results
    assert retry.args == [checked.pk, people.tehran_manager.pk, True, 1]
    assert retry.task.run_after >= before + datetime.timedelta(seconds=5)

    tasks.run_value_import.call(checked.pk, people.tehran_manager.pk, True, 1)
    assert default_task_backend.results[-1].task.run_after >= before + datetime.timedelta(
        seconds=15
    )
    with pytest.raises(OperationalError):
        tasks.run_value_import.call(checked.pk, people.tehran_manager.pk, True, 2)


def test_the_task_does_not_retry_other_errors(checked, people, monkeypatch):
    from django_tasks import default_task_backend

    def broken(**kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(actions, "run_import", broken)
    default_task_backend.clear()
    with pytest.raises(ValueError):
        tasks.run_value_import.call(checked.pk, people.tehran_manager.pk, True)
    assert default_task_backend.results == []


def test_an_uploaded_file_is_kept_in_the_default_storage(checked, tmp_path):
    assert re.fullmatch(r"imports/values-[0-9a-f]{32}", checked.stored_name)
    assert (tmp_path / checked.stored_name).is_file()


def test_the_api_answers_503_with_the_steps_written_when_an_import_stops(
    client, login, people, areas, catalogue, neighborhoods, fail_in_step
):
    fail_in_step(2)
    login(people.tehran_manager)
    body = {
        "dataValues": [
            {"dataElement": "households", "orgUnit": code, "period": "1402", "value": value}
            for code, value in (("N1", "10"), ("N2", "20"), ("N3", "30"))
        ]
    }

    response = client.post(
        "/api/v1/indicators/dataValueSets?source=education-tehran",
        json.dumps(body),
        content_type="application/json",
    )

    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "import_stopped"
    assert "1 of 3 steps" in error["message"]
    assert households() == {"N1": 10}
