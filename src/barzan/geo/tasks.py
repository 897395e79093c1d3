"""Background tasks of geo, run by `barzan worker`."""

from django.contrib.auth import get_user_model
from django_tasks import task

from barzan.core import jobs


@task()
def run_area_import(import_id: int, actor_id: int | None, apply: bool, attempt: int = 0) -> None:
    """Check or apply an uploaded file of areas; a busy database is tried again later."""
    from .actions import run_area_import as run
    from .models import AreaImport

    area_import = AreaImport.objects.filter(pk=import_id).first()
    if area_import is None:
        return
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    jobs.run_or_retry(
        lambda: run(actor=actor, area_import=area_import, apply=apply),
        job_queryset=AreaImport.objects.filter(pk=import_id),
        attempt=attempt,
        requeue=lambda run_after: run_area_import.using(run_after=run_after).enqueue(
            import_id, actor_id, apply, attempt + 1
        ),
    )
