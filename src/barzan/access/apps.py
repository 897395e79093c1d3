from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "barzan.access"
    label = "access"
    verbose_name = _("Access")

    def ready(self):
        from . import register
        from .actions import EXPORT, MANAGE, VIEW
        from .models import Grant

        register(
            Grant,
            area="area",
            organization="organization",
            owner="user",
            actions={VIEW: MANAGE, EXPORT: MANAGE},
        )
