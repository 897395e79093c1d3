"""
Writes to the organization registry.

Each action runs in one transaction, checks the access policy before and after the
write (so an organization cannot be moved out of the actor's own areas), validates, and
records an audit event.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from barzan import audit
from barzan.access import policy
from barzan.access.actions import MANAGE
from barzan.core.concurrency import check_version, field_values, unchanged
from barzan.core.text import clean, search_key

from .models import Organization

ORGANIZATION_CREATED = audit.verb("organization.created", _("Organization created"))
ORGANIZATION_CHANGED = audit.verb("organization.changed", _("Organization changed"))
ORGANIZATIONS_IMPORTED = audit.verb("organization.imported", _("Organizations imported"))

EDITABLE_FIELDS = ("code", "name_fa", "name_en", "kind", "parent", "area", "is_active")
AUDITED_FIELDS = (*EDITABLE_FIELDS, "covered_areas")


def organization_search_text(organization: Organization) -> str:
    return " ".join(
        filter(
            None,
            (
                search_key(organization.name_fa),
                search_key(organization.name_en),
                organization.code.lower(),
            ),
        )
    )


def _check_parent(organization: Organization) -> None:
    parent = organization.parent
    seen = set()
    while parent is not None:
        if parent.pk == organization.pk or parent.pk in seen:
            raise ValidationError(
                {
                    "parent": _(
                        "An organization cannot sit under itself or under one of its own units."
                    )
                }
            )
        seen.add(parent.pk)
        parent = parent.parent


def _check_covered_areas(actor, covered_areas) -> None:
    if actor is None:
        return
    for area in covered_areas:
        if not policy.can(actor, MANAGE, area):
            raise ValidationError({"covered_areas": _("You can only add areas you manage.")})


@transaction.atomic
def create_organization(
    *,
    actor,
    code: str,
    name_fa: str,
    kind: str,
    area,
    name_en: str = "",
    parent=None,
    covered_areas=(),
    is_active: bool = True,
) -> Organization:
    """Register an organization seated in `area`."""
    organization = Organization(
        code=clean(code),
        name_fa=clean(name_fa),
        name_en=clean(name_en),
        kind=kind,
        area=area,
        parent=parent,
        is_active=is_active,
    )
    if actor is not None:
        policy.require(actor, MANAGE, organization)
    organization.search_text = organization_search_text(organization)
    organization.full_clean()
    organization.save()
    covered_areas = list(covered_areas)
    _check_covered_areas(actor, covered_areas)
    organization.covered_areas.set(covered_areas)
    audit.record(
        actor=actor,
        verb=ORGANIZATION_CREATED,
        target=organization,
        after=audit.snapshot(organization, AUDITED_FIELDS),
    )
    return organization


@transaction.atomic
def update_organization(
    *, actor, organization: Organization, version: int | None, **changes
) -> Organization:
    """Change an organization; refuses a stale `version` and a move outside the actor's areas."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if actor is not None:
        policy.require(actor, MANAGE, organization)
    before = audit.snapshot(organization, AUDITED_FIELDS)
    original = field_values(organization, AUDITED_FIELDS)
    check_version(organization, version)
    covered_areas = changes.pop("covered_areas", None)
    if covered_areas is not None:
        covered_areas = list(covered_areas)
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} cannot be changed here")
        setattr(
            organization, name, clean(value) if isinstance(value, str) and name != "kind" else value
        )
    organization.search_text = organization_search_text(organization)
    organization.full_clean()
    _check_parent(organization)
    if actor is not None:
        # Checked again after the change: moving it out of one's own areas is refused.
        policy.require(actor, MANAGE, organization)
    if unchanged(organization, original, covered_areas=covered_areas):
        return organization
    organization.save()
    if covered_areas is not None:
        added = set(covered_areas) - set(organization.covered_areas.all())
        _check_covered_areas(actor, added)
        organization.covered_areas.set(covered_areas)
    audit.record(
        actor=actor,
        verb=ORGANIZATION_CHANGED,
        target=organization,
        before=before,
        after=audit.snapshot(organization, AUDITED_FIELDS),
    )
    return organization


def import_organizations(*, actor, stream, source: str, dry_run: bool):
    """Check a CSV or XLSX list of organizations and, unless `dry_run` or it has a
    problem, create and change them (each through the actions above) in bounded steps,
    recording one audit event for the import besides each organization's own."""
    from barzan.core.importing import import_file

    from .importing import OrganizationImporter

    if actor is not None:
        policy.require(actor, MANAGE, Organization)
    return import_file(OrganizationImporter(actor), stream, source=source, dry_run=dry_run)
