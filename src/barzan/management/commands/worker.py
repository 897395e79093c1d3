"""
`barzan worker`: run background tasks, and keep running through database errors.

django-tasks-db's `db_worker` stops at the first database error other than "database is
locked" (a lost PostgreSQL connection, a server restart, a disk error), and when a
task's outcome cannot be saved after three quick tries, leaving the task "running". This
command runs the same worker loop, but logs such an error, waits (1 s, doubling up to a
minute) and continues; and it keeps trying to save a finished task's outcome the same way.
"""

import logging
import time
from functools import wraps

from django.db import DatabaseError, close_old_connections
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("barzan.worker")


class ResilientWorker(db_worker.Worker):
    """The database worker, surviving database errors with a growing pause between tries."""

    first_pause = 1.0
    longest_pause = 60.0
    # How long to keep trying to save one task's outcome before giving it up to the
    # stale-task check (the import heartbeat).
    outcome_patience = 600.0

    def run(self) -> None:
        pause = self.first_pause
        while True:
            started = time.monotonic()
            try:
                return super().run()
            except DatabaseError as error:
                if not self.running:
                    return None
                if time.monotonic() - started > self.longest_pause:
                    pause = self.first_pause  # it worked for a while: a new outage
                logger.warning(
                    "Database error in the worker loop (%s: %s); trying again in %g s.",
                    type(error).__name__,
                    error,
                    pause,
                )
                self.recover(pause)
                pause = min(pause * 2, self.longest_pause)

    def run_task(self, db_task_result) -> None:
        for name in ("set_successful", "set_failed"):
            setattr(db_task_result, name, self.patiently(getattr(db_task_result, name)))
        super().run_task(db_task_result)

    def patiently(self, save):
        """Return `save` retried through database errors, pausing longer each time."""

        @wraps(save)
        def patient_save(*args, **kwargs):
            deadline = time.monotonic() + self.outcome_patience
            pause = self.first_pause
            while True:
                try:
                    return save(*args, **kwargs)
                except DatabaseError as error:
                    if time.monotonic() > deadline or not self.running:
                        raise
                    logger.warning(
                        "Could not save a task's outcome (%s); trying again in %g s.", error, pause
                    )
                    self.recover(pause)
                    pause = min(pause * 2, self.longest_pause)

        return patient_save

    def recover(self, pause: float) -> None:
        """Wait `pause` seconds and drop connections a failure left unusable."""
        time.sleep(pause)
        close_old_connections()


class Command(db_worker.Command):
    help = (
        "Run background tasks (django-tasks' database worker), surviving database errors: "
        "log, wait and try again."
    )

    def handle(self, *args, **options):
        # db_worker's handle() builds its Worker by module-level name; substituting the
        # class for this call keeps every option, the signals and the autoreloader as they are.
        original, db_worker.Worker = db_worker.Worker, ResilientWorker
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original
