"""The audit log: a filterable list and one event with what it changed."""

from django.utils.translation import gettext_lazy as _

from barzan.access.views import ScopedDetailView, ScopedListView

from .filters import AuditEventFilterSet
from .models import AuditEvent
from .redaction import redact
from .tables import AuditEventTable


class AuditEventListView(ScopedListView):
    model = AuditEvent
    table_class = AuditEventTable
    filterset_class = AuditEventFilterSet
    export_name = "audit"
    page_title = _("Audit log")
    page_description = _("Every change in your areas: who made it, when, and what it replaced.")

    def get_base_queryset(self):
        return AuditEvent.objects.select_related("area")


class AuditEventDetailView(ScopedDetailView):
    model = AuditEvent
    template_name = "audit/event_detail.html"
    context_object_name = "event"

    def get_base_queryset(self):
        return AuditEvent.objects.select_related("area", "target_type", "actor")

    def get_object(self, queryset=None):
        # Fields the reader may not see (another organization's small count) are blanked.
        return redact(self.request.user, [super().get_object(queryset)])[0]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = self.object.verb_label
        return context
