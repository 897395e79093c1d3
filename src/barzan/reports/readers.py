"""Composed reads for the home page: its panels and the summary beneath them."""

from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from django.db.models import Count
from django.urls import reverse

from barzan.access import policy
from barzan.access.actions import CAPTURE, EXPORT, VIEW
from barzan.accounts.readers import grants_of
from barzan.audit.models import AuditEvent
from barzan.core import jalali
from barzan.core.models import name_order
from barzan.geo.models import Area, AreaImport
from barzan.indicators import periods
from barzan.indicators.choices import IndicatorKind
from barzan.indicators.models import DataSet, IndicatorValue, Period, ValueImport
from barzan.indicators.readers import total_breakdown_id
from barzan.registry.models import Organization

# How many areas still missing figures a panel names before it says "and N more".
MISSING_SHOWN = 5
RECENT_IMPORTS = 6


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


# -- a focal point: their organization's figures and what is missing


@dataclass
class IndicatorProgress:
    """How many of the areas an indicator is entered for have a figure this period."""

    indicator: object
    reported: int
    expected: int

    @property
    def percent(self) -> int:
        return round(100 * self.reported / self.expected) if self.expected else 0


@dataclass
class MissingArea:
    """An area that still lacks some of the organization's figures, and where to enter them."""

    area: Area
    grid_url: str
    profile_url: str


@dataclass
class DataSetProgress:
    """An organization's indicators in one data set, for the period being entered now."""

    data_set: DataSet
    period: Period
    indicators: list[IndicatorProgress]
    expected: int
    complete: int
    missing: list[MissingArea]

    @property
    def missing_count(self) -> int:
        return self.expected - self.complete

    @property
    def more_missing(self) -> int:
        return max(0, self.missing_count - len(self.missing))

    @property
    def entry_url(self) -> str:
        return reverse("indicators:entry_start") + f"?data_set={self.data_set.code}"


@dataclass
class OrganizationFigures:
    """A focal point's organization: its indicators' progress in each data set."""

    organization: Organization
    data_sets: list[DataSetProgress]

    @property
    def missing_count(self) -> int:
        return sum(progress.missing_count for progress in self.data_sets)


def current_period(period_type: str) -> Period | None:
    """Return the period of `period_type` the clock is in (the one being entered now)."""
    spec = periods.containing(jalali.today(), period_type)
    return Period.objects.filter(code=spec.code).first() if spec else None


def organization_figures(user) -> list[OrganizationFigures]:
    """Return, for each organization `user` holds a grant for, how far this period's figures
    of its indicators are in the user's areas, and the first areas still missing some.

    Everything is read through the policy: the areas are those the user may enter figures
    for, and the figures those the user may see.
    """
    organization_ids = policy.organizations_of(user)
    if not organization_ids:
        return []
    organizations = list(
        Organization.objects.filter(pk__in=organization_ids).order_by(*name_order())
    )
    data_sets = list(
        policy.scope(user, VIEW, DataSet.objects.all())
        .filter(indicators__owner__in=organization_ids)
        .select_related("level")
        .prefetch_related("indicators")
        .distinct()
        .order_by("code")
    )
    total = total_breakdown_id() if data_sets else None
    found = []
    for organization in organizations:
        progress = []
        for data_set in data_sets:
            owned = [
                indicator
                for indicator in data_set.indicators.all()
                if indicator.owner_id == organization.pk
                and indicator.is_active
                and indicator.kind == IndicatorKind.MEASURED
            ]
            if owned:
                found_progress = _data_set_progress(user, data_set, owned, total)
                if found_progress is not None:
                    progress.append(found_progress)
        found.append(OrganizationFigures(organization=organization, data_sets=progress))
    return found


def _data_set_progress(user, data_set, indicators, total) -> DataSetProgress | None:
    period = current_period(data_set.period_type)
    if period is None:
        return None
    areas = policy.areas(user, CAPTURE).filter(level=data_set.level_id, valid_to__isnull=True)
    values = policy.scope(
        user,
        CAPTURE,
        IndicatorValue.objects.filter(
            indicator__in=indicators,
            period=period,
            breakdown_id=total,
            area__in=areas,
        ),
    )
    reported = dict(
        values.values_list("indicator_id").annotate(count=Count("area_id", distinct=True))
    )
    complete = (
        values.values("area_id")
        .annotate(count=Count("indicator_id", distinct=True))
        .filter(count=len(indicators))
        .values("area_id")
    )
    expected = areas.count()
    missing = list(
        areas.exclude(pk__in=complete)
        .select_related("level")
        .only("pk", "name_fa", "name_en", "code", "level")
        .order_by(*name_order())[:MISSING_SHOWN]
    )
    return DataSetProgress(
        data_set=data_set,
        period=period,
        indicators=[
            IndicatorProgress(
                indicator=indicator, reported=reported.get(indicator.pk, 0), expected=expected
            )
            for indicator in indicators
        ],
        expected=expected,
        complete=complete.count(),
        missing=[
            MissingArea(
                area=area,
                grid_url=reverse(
                    "indicators:entry_grid", args=[data_set.code, area.pk, period.code]
                ),
                profile_url=reverse("indicators:profile", args=[area.pk]),
            )
            for area in missing
        ],
    )


# -- an officer: recent imports in their areas


@dataclass
class RecentImport:
    """A file of values or areas uploaded in the user's areas, and what became of it."""

    kind: str  # "values" or "areas"
    job: object
    url: str

    @property
    def created_at(self) -> datetime:
        return self.job.created_at


def is_officer(user) -> bool:
    """Return whether `user` reads across areas as an officer does: a grant not bound to an
    organization whose role may export (administrators, area managers, analysts), where a
    council secretary enters figures and a focal point works for one organization."""
    return any(
        grant.organization_id is None and EXPORT in grant.actions for grant in policy.grants(user)
    )


def recent_imports(user, limit: int = RECENT_IMPORTS) -> list[RecentImport]:
    """Return the latest value and area imports the user may see, newest first."""
    values = (
        policy.scope(user, VIEW, ValueImport.objects.all())
        .select_related("area__level", "source", "created_by")
        .defer("problems", "unknown_identifiers", "area__boundary", "area__boundary_simple")
        .order_by("-created_at", "-pk")[:limit]
    )
    areas = (
        policy.scope(user, VIEW, AreaImport.objects.all())
        .select_related("area__level", "created_by")
        .defer("problems", "rows", "warnings", "area__boundary", "area__boundary_simple")
        .order_by("-created_at", "-pk")[:limit]
    )
    found = [RecentImport("values", job, job.get_absolute_url()) for job in values]
    found += [RecentImport("areas", job, job.get_absolute_url()) for job in areas]
    found.sort(key=lambda item: (item.created_at, item.job.pk), reverse=True)
    return list(islice(found, limit))
