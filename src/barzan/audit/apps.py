from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "barzan.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self):
        from barzan import access
        from barzan.access import policy
        from barzan.access.actions import AUDIT, EXPORT, VIEW
        from barzan.core import navigation

        from .models import AuditEvent

        # Reading the audit log is its own right; everyone may read their own entries.
        access.register(
            AuditEvent, area="area", owner="actor", actions={VIEW: AUDIT, EXPORT: AUDIT}
        )
        navigation.register(
            navigation.NavItem(
                key="audit",
                label=_("Audit log"),
                description=_("Every change: who made it, when, and what it replaced."),
                url_name="audit:event_list",
                icon="journal-text",
                order=90,
                section="admin",
                is_visible=lambda user: policy.can(user, AUDIT),
                namespaces=("audit",),
            )
        )
