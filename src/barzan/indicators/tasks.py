"""Background tasks of indicators, run by `barzan worker`."""

from django.contrib.auth import get_user_model
from django_tasks import task


@task()
def run_value_import(import_id: int, actor_id: int | None, apply: bool) -> None:
    """Check or apply a large uploaded file of values."""
    from .actions import run_import
    from .models import ValueImport

    value_import = ValueImport.objects.filter(pk=import_id).first()
    if value_import is None:
        return
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    run_import(actor=actor, value_import=value_import, apply=apply)
