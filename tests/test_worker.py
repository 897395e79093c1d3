"""
`barzan worker` survives database errors (issue 9, finding 3): it died on "database is
locked" while an import held SQLite's write lock.
"""

import logging
import os
import sqlite3
import subprocess
import sys
import time

import pytest
from django.db import OperationalError
from django_tasks import task
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from barzan.management.commands.worker import ResilientWorker

pytestmark = pytest.mark.django_db(transaction=True)


@task()
def add(a: int, b: int) -> int:
    """Add two numbers: a task that needs nothing but the queue."""
    return a + b


@task()
def slow_add(a: int, b: int) -> int:
    """Add two numbers slowly, so that the test can lock the database while it runs."""
    time.sleep(1)
    return a + b


def worker(kind=ResilientWorker):
    return kind(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


@pytest.fixture(autouse=True)
def short_pauses(monkeypatch):
    monkeypatch.setattr(ResilientWorker, "first_pause", 0.01)
    monkeypatch.setattr(ResilientWorker, "longest_pause", 0.05)


def failing_first(monkeypatch, owner, name, times, message):
    """Make `owner.name` raise OperationalError(message) on its first `times` calls."""
    original = getattr(owner, name)
    calls = {"count": 0}

    def flaky(*args, **kwargs):
        calls["count"] += 1
        if calls["count"] <= times:
            raise OperationalError(message)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, flaky)
    return calls


def test_django_tasks_own_worker_dies_on_a_database_error(monkeypatch):
    """The failure as found: the library's loop lets the error end the process."""
    add.enqueue(1, 2)
    failing_first(monkeypatch, DBTaskResultQuerySet, "get_locked", 1, "disk I/O error")
    with pytest.raises(OperationalError):
        worker(db_worker.Worker).run()


def test_the_worker_survives_database_errors_in_its_loop_and_runs_the_task(monkeypatch, caplog):
    result = add.enqueue(1, 2)
    calls = failing_first(monkeypatch, DBTaskResultQuerySet, "get_locked", 3, "disk I/O error")
    with caplog.at_level(logging.WARNING, logger="barzan.worker"):
        worker().run()
    assert calls["count"] >= 4
    stored = DBTaskResult.objects.get(pk=result.id)
    assert stored.status == "SUCCESSFUL"
    assert stored.return_value == 3
    assert caplog.text.count("Database error in the worker loop") == 3


def test_a_lock_taken_when_claiming_a_task_is_waited_out(monkeypatch, caplog):
    """Seen under load: BEGIN EXCLUSIVE around the claim raised "database is locked"."""
    result = add.enqueue(3, 4)
    original = db_worker.exclusive_transaction
    calls = {"count": 0}

    def locked_at_first(using=None):
        calls["count"] += 1
        if calls["count"] <= 2:
            raise OperationalError("database is locked")
        return original(using)

    monkeypatch.setattr(db_worker, "exclusive_transaction", locked_at_first)
    with caplog.at_level(logging.WARNING, logger="barzan.worker"):
        worker().run()
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    assert caplog.text.count("database is locked") == 2


def test_a_locked_database_while_saving_the_outcome_is_waited_out(monkeypatch, caplog):
    """django-tasks-db tries three times in 0.3 s; a long import holds the lock far longer."""
    result = add.enqueue(2, 3)
    failing_first(monkeypatch, DBTaskResult, "save", 6, "database is locked")

    # Claiming saves too; claim without save() so that the outcome's saves are the ones failing.
    def claim_unhindered(self, worker_id):
        DBTaskResult.objects.filter(pk=self.pk).update(status="RUNNING")
        self.status = "RUNNING"
        self.worker_ids = [*self.worker_ids, worker_id]

    monkeypatch.setattr(DBTaskResult, "claim", claim_unhindered)
    with caplog.at_level(logging.WARNING, logger="barzan.worker"):
        worker().run()
    stored = DBTaskResult.objects.get(pk=result.id)
    assert stored.status == "SUCCESSFUL"
    assert stored.return_value == 5
    assert "Could not save a task's outcome" in caplog.text


def test_barzan_worker_is_the_resilient_worker():
    from django.core.management import get_commands, load_command_class

    assert get_commands()["worker"] == "barzan"
    command = load_command_class("barzan", "worker")
    assert isinstance(command, db_worker.Command)


def test_the_worker_process_outlives_a_write_lock_held_as_its_task_ends(tmp_path):
    """As found: an import held SQLite's write lock and `barzan worker` exited on it.

    The library's worker saves a task's outcome three times within a second and then
    exits; this one waits the lock out, saves the outcome and goes on working.
    """
    env = {
        **os.environ,
        "BARZAN_DATA_DIR": str(tmp_path),
        "BARZAN_DB_BUSY_SECONDS": "0.2",
        "DJANGO_SETTINGS_MODULE": "barzan.settings",
    }
    env.pop("BARZAN_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "barzan.cli", "migrate", "-v0"], env=env, check=True)
    enqueue = "import django; django.setup(); from tests.test_worker import slow_add; "
    subprocess.run([sys.executable, "-c", enqueue + "slow_add.enqueue(4, 5)"], env=env, check=True)
    database = sqlite3.connect(tmp_path / "barzan.sqlite3", isolation_level=None)

    def status():
        query = "SELECT status FROM django_tasks_database_dbtaskresult"
        return database.execute(query).fetchone()[0]

    def wait_for(wanted):
        deadline = time.monotonic() + 30
        while status() != wanted and time.monotonic() < deadline:
            time.sleep(0.05)
        return status()

    process = subprocess.Popen(
        [sys.executable, "-m", "barzan.cli", "worker", "--interval", "0.05",
         "--no-startup-delay", "--no-reload"],
        env=env,
    )  # fmt: skip
    try:
        assert wait_for("RUNNING") == "RUNNING"
        database.execute("BEGIN IMMEDIATE")
        time.sleep(3)
        assert process.poll() is None, "the worker exited while the database was locked"
        database.execute("ROLLBACK")
        assert wait_for("SUCCESSFUL") == "SUCCESSFUL"
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=30)
        database.close()
