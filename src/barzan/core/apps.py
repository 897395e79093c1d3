from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "barzan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django_tasks.signals import task_started

        from . import jobs

        # Whenever the worker picks up a task, imports orphaned by an earlier crash are
        # marked failed, so they can be run again.
        task_started.connect(jobs.fail_stale_everywhere, dispatch_uid="barzan.fail_stale")
