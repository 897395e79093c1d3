"""Composed reads for the home dashboard."""

from dataclasses import dataclass, field

from django.db.models import Count

from barzan.access import policy
from barzan.access.actions import VIEW
from barzan.accounts.readers import grants_of
from barzan.audit.models import AuditEvent
from barzan.geo.models import Area
from barzan.registry.models import Organization


@dataclass
class HomeSummary:
    """What the home page shows a user: their grants, what lies in their areas, their activity."""

    grants: list = field(default_factory=list)
    area_counts: list = field(default_factory=list)
    organization_count: int = 0
    recent_events: list = field(default_factory=list)


def home_summary(user) -> HomeSummary:
    """Return the home page's figures for `user`, every count read through the policy."""
    grants = list(grants_of(user))
    area_counts = list(
        policy.scope(user, VIEW, Area.objects.all())
        .values("level__code", "level__name_fa", "level__name_en", "level__rank")
        .annotate(count=Count("id"))
        .order_by("level__rank")
    )
    organization_count = policy.scope(user, VIEW, Organization.objects.active()).count()
    recent_events = list(
        policy.scope(user, VIEW, AuditEvent.objects.filter(actor=user)).order_by("-created_at")[:8]
    )
    return HomeSummary(
        grants=grants,
        area_counts=area_counts,
        organization_count=organization_count,
        recent_events=recent_events,
    )
