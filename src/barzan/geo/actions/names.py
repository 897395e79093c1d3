"""What areas are called elsewhere: alternative names, known former names and spellings,
and identifiers from other systems."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from barzan import audit
from barzan.access import policy
from barzan.access.actions import MANAGE
from barzan.core import identifiers
from barzan.core.text import clean, normalize

from .. import names
from ..models import Area, AreaIdentifier, AreaName
from .areas import _locked, _require_manage, area_search_text

AREA_NAME_ADDED = audit.verb("area.name_added", gettext_lazy("Alternative name added"))
AREA_NAME_REMOVED = audit.verb("area.name_removed", gettext_lazy("Alternative name removed"))
KNOWN_NAMES_ADDED = audit.verb(
    "area.known_names_added", gettext_lazy("Known former names and spellings added")
)
AREA_IDENTIFIER_ADDED = audit.verb(
    "area.identifier_added", gettext_lazy("Area identifier from another system added")
)
AREA_IDENTIFIER_REMOVED = audit.verb(
    "area.identifier_removed", gettext_lazy("Area identifier from another system removed")
)

NAME_FIELDS = ("name", "language", "kind", "valid_from", "valid_to", "source")


def _refresh_search_text(area: Area) -> None:
    # Not a change people make: the version stays, so an open edit form is not made stale.
    Area.objects.filter(pk=area.pk).update(search_text=area_search_text(area))


def _check_name_is_new(area: Area, name: str, language: str) -> None:
    taken = {normalize(area.name_fa), normalize(area.name_en)}
    taken.update(
        normalize(other)
        for other in AreaName.objects.filter(area=area, language=language).values_list(
            "name", flat=True
        )
    )
    if normalize(name) in taken:
        raise ValidationError(
            {"name": _("«%(name)s» is already a name of %(area)s.") % {"name": name, "area": area}}
        )


@transaction.atomic
def add_area_name(
    *,
    actor,
    area: Area,
    name: str,
    kind: str,
    language: str = AreaName.Language.PERSIAN,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    source: str = "",
) -> AreaName:
    """Record another name `area` is known by, and let search find the area by it.

    Refuses a name the area already has (official or alternative, letters compared as
    `normalize` compares them).
    """
    area = _locked(area)
    _require_manage(actor, area)
    item = AreaName(
        area=area,
        name=clean(name),
        language=language,
        kind=kind,
        valid_from=valid_from,
        valid_to=valid_to,
        source=clean(source),
    )
    if item.name:
        _check_name_is_new(area, item.name, language)
    item.full_clean()
    item.save()
    _refresh_search_text(area)
    audit.record(
        actor=actor,
        verb=AREA_NAME_ADDED,
        target=area,
        after=audit.snapshot(item, NAME_FIELDS),
    )
    return item


@transaction.atomic
def remove_area_name(*, actor, area_name: AreaName) -> None:
    """Remove an alternative name; search no longer finds the area by it."""
    area = _locked(area_name.area)
    _require_manage(actor, area)
    before = audit.snapshot(area_name, NAME_FIELDS)
    area_name.delete()
    _refresh_search_text(area)
    audit.record(actor=actor, verb=AREA_NAME_REMOVED, target=area, before=before)


@transaction.atomic
def add_known_area_names(*, actor=None) -> int:
    """Add the former names and spellings of `names.KNOWN_NAMES_FILE` to the current areas
    they belong to, skipping those already there; return how many were added.

    The demo and the divisions import call it, so every tree built from the divisions
    data knows «تالش» for «طوالش» and «چابهار» for «چاه بهار».
    """
    if actor is not None:
        # The table spans the country: only the system, or someone managing its root, adds it.
        for root in Area.objects.roots().filter(valid_to__isnull=True):
            policy.require(actor, MANAGE, root)
    added: list[AreaName] = []
    for known in names.known_names():
        area = (
            Area.objects.filter(level__code=known.level, code=known.code, valid_to__isnull=True)
            .order_by("pk")
            .first()
        )
        if area is None:
            continue
        name = clean(known.name)
        if AreaName.objects.filter(area=area, language=known.language, name=name).exists():
            continue
        item = AreaName(
            area=area,
            name=name,
            language=known.language,
            kind=known.kind,
            source=clean(known.source),
        )
        item.full_clean()
        added.append(item)
    AreaName.objects.bulk_create(added)
    for area in {item.area for item in added}:
        _refresh_search_text(area)
    if added:
        audit.record(
            actor=actor,
            verb=KNOWN_NAMES_ADDED,
            after={"names": [f"{item.area.code}: {item.name}" for item in added]},
        )
    return len(added)


# -- identifiers from other systems


@transaction.atomic
def add_area_identifier(*, actor, area: Area, scheme: str, value: str) -> AreaIdentifier:
    """Give `area` the identifier `value` in `scheme` (a DHIS2 uid, a ministry's code).

    Adding an identifier the area already has changes nothing; one that names another
    area is refused.
    """
    if actor is not None:
        policy.require_map_identifiers(actor, area)
    identifier, is_new = identifiers.prepare(AreaIdentifier, "area", area, scheme, value)
    if is_new:
        identifier.save()
        audit.record(
            actor=actor,
            verb=AREA_IDENTIFIER_ADDED,
            target=area,
            after={"scheme": identifier.scheme, "value": identifier.value},
        )
    return identifier


@transaction.atomic
def remove_area_identifier(*, actor, identifier: AreaIdentifier) -> None:
    """Remove an identifier of an area; files that use it no longer match the area."""
    area = identifier.area
    if actor is not None:
        policy.require_map_identifiers(actor, area)
    identifier.delete()
    audit.record(
        actor=actor,
        verb=AREA_IDENTIFIER_REMOVED,
        target=area,
        before={"scheme": identifier.scheme, "value": identifier.value},
    )
