"""The audit log in the API, for those allowed to read it."""

from datetime import datetime

from ninja import Field, Path, Query, Schema
from ninja.pagination import paginate

from barzan.access.api import ScopedRouter
from barzan.core.api import ERRORS, DateTime, Id, Pagination

from .models import AuditEvent
from .redaction import redact

router = ScopedRouter(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    created_at: datetime
    actor: str
    verb: str
    target_type: str | None
    target_id: str
    target_label: str
    area_id: int | None
    before: dict | None
    after: dict | None
    hidden_fields: list[str] = Field(
        description="Fields of `before` and `after` you may not see (such as `after.value`, "
        "a small count of another organization): they read null."
    )
    reason: str
    request_id: str
    job_id: str

    @staticmethod
    def resolve_hidden_fields(event) -> list[str]:
        return list(getattr(event, "hidden_fields", ()))

    @staticmethod
    def resolve_actor(event) -> str:
        return event.actor_label

    @staticmethod
    def resolve_target_type(event) -> str | None:
        return event.target_type.model if event.target_type_id else None


class AuditFilters(Schema):
    verb: str | None = None
    actor: str | None = None
    since: DateTime | None = None
    until: DateTime | None = None


class AuditPagination(Pagination):
    """Pages of events with the fields the reader may not see blanked (`audit.redact`)."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = redact(request.user, page["items"])
        return page


@router.get("/", response={200: list[AuditEventOut], **ERRORS}, summary="List audit events")
@paginate(AuditPagination)
def list_events(request, filters: Query[AuditFilters]):
    """Events in your areas, newest first, for roles that may read the audit log."""
    events = router.scope(request, AuditEvent.objects.select_related("target_type"))
    if filters.verb:
        events = events.filter(verb=filters.verb)
    if filters.actor:
        events = events.filter(actor_label=filters.actor)
    if filters.since:
        events = events.filter(created_at__gte=filters.since)
    if filters.until:
        events = events.filter(created_at__lt=filters.until)
    return events.order_by("-created_at", "-id")


@router.get(
    "/{int:event_id}", response={200: AuditEventOut, **ERRORS}, summary="Read an audit event"
)
def get_event(request, event_id: Path[Id]):
    events = AuditEvent.objects.select_related("target_type")
    event = router.get_object(request, events, pk=event_id)
    return redact(request.user, [event])[0]
