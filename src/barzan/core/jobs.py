"""
The machinery that import jobs of every app share (`core.models.ImportJob`).

- Uploaded files are kept in the default storage (`store_upload`, `open_upload`), never
  at a local path, so any web server or worker can read them.
- Checks run outside any write transaction; applying runs in bounded steps (`run_steps`),
  each a short transaction, so other writers get the SQLite write lock between them.
- A running job renews its heartbeat (`Heartbeat`); `fail_stale` marks a job orphaned
  by a crash as failed, when anyone looks at it and whenever the worker starts a task.
- A task that meets a busy database is run again later (`retry_delay`), a bounded
  number of times, instead of failing.
"""

from __future__ import annotations

import contextlib
import datetime
import time
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ImportFailure, ImportJob, ImportStatus

UPLOAD_FOLDER = "imports"

_job_models: list[type[ImportJob]] = []


def register(model: type[ImportJob]) -> type[ImportJob]:
    """Let `fail_stale_everywhere` look after the jobs of `model` (a class decorator)."""
    if model not in _job_models:
        _job_models.append(model)
    return model


# -- Stored files


def store_upload(upload, *, prefix: str) -> tuple[str, int]:
    """Save an uploaded file in the default storage; return its stored name and size."""
    name = default_storage.save(f"{UPLOAD_FOLDER}/{prefix}-{uuid.uuid4().hex}", upload)
    return name, default_storage.size(name)


def open_upload(stored_name: str):
    """Open a stored upload for reading in binary."""
    return default_storage.open(stored_name, "rb")


def upload_exists(stored_name: str) -> bool:
    return bool(stored_name) and default_storage.exists(stored_name)


def delete_upload(stored_name: str) -> None:
    if stored_name and default_storage.exists(stored_name):
        default_storage.delete(stored_name)


# -- Heartbeat and stale jobs


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.BARZAN_IMPORT_STALE_SECONDS)


class Heartbeat:
    """Renew a running job's heartbeat (and its progress) at most every few seconds.

    Each beat is one short statement of its own, outside the import's work; a beat that
    meets a busy database is skipped rather than failing the import.
    """

    def __init__(self, job: ImportJob, *, every: float | None = None):
        self.queryset = type(job).objects.filter(pk=job.pk)
        self.every = settings.BARZAN_IMPORT_HEARTBEAT_SECONDS if every is None else every
        self.last = 0.0

    def __call__(self, *, force: bool = False, **progress) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.every:
            return
        self.last = now
        with contextlib.suppress(OperationalError):
            self.queryset.update(heartbeat_at=timezone.now(), **progress)


def stale(queryset):
    """Return the running jobs of `queryset` whose heartbeat stopped."""
    return queryset.filter(
        status=ImportStatus.RUNNING, heartbeat_at__lt=timezone.now() - stale_after()
    )


def fail_stale(queryset) -> int:
    """Mark the running jobs of `queryset` whose heartbeat stopped as failed; return how many.

    Their process died (a crash, `kill -9`, a restart): no one will finish them, and
    leaving them "running" would keep them from being run again.
    """
    return stale(queryset).update(
        status=ImportStatus.FAILED, failure=ImportFailure.STOPPED, finished_at=timezone.now()
    )


def fail_stale_everywhere(**kwargs) -> None:
    """Mark every registered model's orphaned jobs as failed (connected to the worker's
    task_started signal, so a worker does it whenever it picks up a task)."""
    for model in _job_models:
        # A busy database: the next task or page view does it.
        with contextlib.suppress(OperationalError):
            fail_stale(model.objects.all())


# -- A job's life


def mark_running(job: ImportJob, *, apply: bool) -> None:
    """Mark `job` running from the start (checking, or applying when `apply`)."""
    now = timezone.now()
    type(job).objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        is_applying=apply,
        failure=ImportFailure.NONE,
        processed_bytes=0,
        step_count=0,
        steps_done=0,
    )
    job.refresh_from_db()


def mark_failed(job: ImportJob, error: BaseException) -> None:
    """Mark `job` failed because of `error`, keeping the count of steps it wrote."""
    failure = ImportFailure.BUSY if is_busy(error.__cause__ or error) else ImportFailure.ERROR
    type(job).objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, failure=failure, finished_at=timezone.now()
    )


def mark_finished(job: ImportJob, *, applied: bool) -> None:
    """Mark a job that ran to its end: applied, or checked and waiting to be applied."""
    type(job).objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
        status=ImportStatus.DONE if applied else ImportStatus.CHECKED,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    if job.status == ImportStatus.DONE:
        delete_upload(job.stored_name)


def check_startable(job: ImportJob, *, apply: bool) -> None:
    """Raise ValidationError unless `job` may be checked now, or applied when `apply`.

    A job orphaned by a crash is marked failed first, so it can be started again.
    """
    fail_stale(type(job).objects.filter(pk=job.pk))
    job.refresh_from_db()
    if job.status in (ImportStatus.RUNNING, ImportStatus.DONE):
        raise ValidationError(_("This import is already running or applied."))
    if apply and (job.status != ImportStatus.CHECKED or job.problem_count):
        raise ValidationError(_("Only a checked file without problems can be applied."))


def check_rerunnable(job: ImportJob) -> None:
    """Raise ValidationError unless `job` failed and its uploaded file is still kept."""
    fail_stale(type(job).objects.filter(pk=job.pk))
    job.refresh_from_db()
    if job.status != ImportStatus.FAILED:
        raise ValidationError(_("Only a failed import can be run again."))
    if not upload_exists(job.stored_name):
        raise ValidationError(_("The uploaded file is gone; upload it again."))


def start(
    job: ImportJob, *, apply: bool, run: Callable[[], ImportJob], enqueue: Callable[[], object]
) -> ImportJob:
    """Check or apply `job` now when its file is small, else queue it for `barzan worker`.

    `run` runs the job here and returns it; `enqueue` hands it to its task. A job that
    fails while run here is already recorded failed (with the steps it wrote), so its page
    says so: the error is not raised again.
    """
    if job.file_size <= settings.BARZAN_BACKGROUND_IMPORT_BYTES:
        try:
            return run()
        except Exception:
            job.refresh_from_db()
            return job
    type(job).objects.filter(pk=job.pk).update(
        status=ImportStatus.QUEUED, is_applying=apply, failure=ImportFailure.NONE
    )
    enqueue()
    job.refresh_from_db()
    return job


# -- Retrying on a busy database


def is_busy(error: BaseException) -> bool:
    """Whether `error` is SQLite's "database is locked" (or "busy"): worth trying again."""
    text = str(error).lower()
    return isinstance(error, OperationalError) and ("locked" in text or "busy" in text)


def retry_delay(attempt: int) -> datetime.timedelta | None:
    """Return how long to wait before attempt `attempt + 1`, or None once out of attempts."""
    delays = settings.BARZAN_IMPORT_RETRY_SECONDS
    if attempt >= len(delays):
        return None
    return datetime.timedelta(seconds=delays[attempt])


def run_or_retry(run: Callable[[], object], *, job_queryset, attempt: int, requeue) -> None:
    """Run a job's task; on a busy database, queue it again (`requeue(run_after)`) later.

    The job is shown queued meanwhile. Out of attempts, or on any other error, the
    error is raised (the job has already recorded its failure).
    """
    try:
        run()
    except Exception as error:
        delay = retry_delay(attempt) if is_busy(error.__cause__ or error) else None
        if delay is None:
            raise
        job_queryset.update(
            status=ImportStatus.QUEUED, failure=ImportFailure.NONE, attempts=attempt + 1
        )
        requeue(timezone.now() + delay)


# -- Applying in steps


class StepFailed(Exception):
    """Applying stopped at a step; the steps before it are written, the rest are not."""

    def __init__(self, done: int, total: int):
        super().__init__(f"Applying stopped after {done} of {total} steps")
        self.done = done
        self.total = total


def chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def step_rows() -> int:
    return settings.BARZAN_IMPORT_STEP_ROWS


def run_steps(
    steps: list[Callable[[], None]],
    *,
    job: ImportJob | None = None,
    heartbeat: Heartbeat | None = None,
) -> None:
    """Run each step in its own short write transaction, recording progress on `job`.

    Every step must be idempotent: if one fails, the steps before it stay written, the
    job records how many, and running the whole import again finishes it. Raise
    StepFailed (chained to the cause) when a step fails.
    """
    total = len(steps)
    if job is not None:
        type(job).objects.filter(pk=job.pk).update(step_count=total, steps_done=0)
        job.step_count, job.steps_done = total, 0
    for number, step in enumerate(steps, start=1):
        try:
            with transaction.atomic():
                step()
                if job is not None:
                    # In the step's transaction: the count and the step commit together.
                    type(job).objects.filter(pk=job.pk).update(
                        steps_done=number, heartbeat_at=timezone.now()
                    )
        except Exception as error:
            raise StepFailed(number - 1, total) from error
        if job is not None:
            job.steps_done = number
        if heartbeat is not None:
            heartbeat()
        if number < total:
            pause_between_steps()


def pause_between_steps() -> None:
    """Leave the write lock free for a moment, so writers waiting for it get it.

    SQLite does not queue writers: one that waits polls every 100 ms at most, and an
    import that began its next step at once would take the lock back before any of them
    looked. PostgreSQL locks rows, so it needs no pause (the setting is 0 there).
    """
    pause = settings.BARZAN_IMPORT_STEP_PAUSE_MS
    if pause is None:
        pause = 120 if connection.vendor == "sqlite" else 0
    if pause:
        time.sleep(pause / 1000)
