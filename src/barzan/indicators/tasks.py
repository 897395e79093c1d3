"""Background tasks of indicators, run by `barzan worker`."""

from django.contrib.auth import get_user_model
from django_tasks import task

from barzan.core import jobs


@task()
def run_value_import(import_id: int, actor_id: int | None, apply: bool, attempt: int = 0) -> None:
    """Check or apply a large uploaded file of values.

    A busy database ("database is locked" on SQLite) is not a failure of the file: the
    task is queued again after a growing wait, a bounded number of times. Whatever the
    earlier attempt wrote is complete step by step, and the next one writes what is left.
    """
    from .actions import run_import
    from .models import ValueImport

    value_import = ValueImport.objects.filter(pk=import_id).first()
    if value_import is None:
        return
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    jobs.run_or_retry(
        lambda: run_import(actor=actor, value_import=value_import, apply=apply),
        job_queryset=ValueImport.objects.filter(pk=import_id),
        attempt=attempt,
        requeue=lambda run_after: run_value_import.using(run_after=run_after).enqueue(
            import_id, actor_id, apply, attempt + 1
        ),
    )
