"""
Writes to the area tree. Only this module sets `path`, `depth`, boundaries and the spatial
index.

Each action runs in one transaction, checks the access policy, validates, and records an
audit event. `actor=None` means the system (a command or a migration), which the policy
does not restrict.
"""

import contextlib
import datetime
import logging
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from barzan import audit
from barzan.access import policy
from barzan.access.actions import MANAGE, VIEW
from barzan.core import identifiers, jalali, jobs
from barzan.core.concurrency import check_version, field_values, unchanged
from barzan.core.models import ImportFailure, ImportStatus
from barzan.core.text import clean, normalize, search_key

from . import geometry, import_checks, importing, names
from .models import (
    Area,
    AreaCell,
    AreaIdentifier,
    AreaImport,
    AreaLevel,
    AreaName,
    AreaSuccession,
)

logger = logging.getLogger(__name__)

AREA_CREATED = audit.verb("area.created", gettext_lazy("Area created"))
AREA_CHANGED = audit.verb("area.changed", gettext_lazy("Area changed"))
AREA_MOVED = audit.verb("area.moved", gettext_lazy("Area moved"))
AREA_SPLIT = audit.verb("area.split", gettext_lazy("Area split"))
AREAS_MERGED = audit.verb("area.merged", gettext_lazy("Areas merged"))
AREA_ENDED = audit.verb("area.ended", gettext_lazy("Area ended with the areas below it"))
AREAS_IMPORTED = audit.verb("area.imported", gettext_lazy("Areas imported"))
AREAS_IMPORT_STOPPED = audit.verb(
    "area.import_stopped", gettext_lazy("Import of areas stopped partway")
)
BOUNDARY_SET = audit.verb("area.boundary_set", gettext_lazy("Area boundary set"))
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
AUDITED_FIELDS = (
    "code",
    "name_fa",
    "name_en",
    "level",
    "parent",
    "population",
    "valid_from",
    "valid_to",
)
EDITABLE_FIELDS = ("code", "name_fa", "name_en", "population", "valid_from")
GEOMETRY_FIELDS = (
    "boundary", "boundary_simple", "latitude", "longitude", "min_lon", "min_lat", "max_lon",
    "max_lat",
)  # fmt: skip
# Imports writing at least this many areas refresh the planner's statistics.
ANALYZE_AFTER = 1000
# How many codes an import's audit event lists by name; the counts cover the rest.
AUDITED_CODES = 200


def area_search_text(area: Area, alternative_names: list[str] | None = None) -> str:
    """Return the text area search matches: the official and alternative names and the
    code, each as a search key (no spaces), separated by spaces.

    `alternative_names` defaults to the stored ones; an area not yet saved has none.
    Search matches a whole key between the spaces when it drops a level word (see
    `querysets.AreaQuerySet.search`).
    """
    if alternative_names is None:
        alternative_names = (
            list(AreaName.objects.filter(area_id=area.pk).values_list("name", flat=True))
            if area.pk
            else []
        )
    keys = (
        search_key(area.name_fa),
        search_key(area.name_en),
        *(search_key(name) for name in alternative_names),
        # The code is lower-cased like the search key: PostgreSQL's LIKE is case-sensitive.
        area.code.lower(),
    )
    return " ".join(dict.fromkeys(filter(None, keys)))


def _require_manage(actor, area: Area) -> None:
    if actor is not None:
        policy.require(actor, MANAGE, area)


def _check_level_under(level: AreaLevel, parent: Area | None) -> None:
    if parent is not None and parent.level.rank >= level.rank:
        raise ValidationError(
            {
                "parent": _("A %(level)s cannot be under a %(parent_level)s.")
                % {"level": level, "parent_level": parent.level}
            }
        )


def _check_current(area: Area) -> None:
    if area.valid_to is not None:
        raise ValidationError(
            _("%(area)s ended on %(date)s and can no longer change.")
            % {"area": area, "date": area.valid_to}
        )


def _check_code_free(level: AreaLevel, code: str, *, exclude: list[int] = ()) -> None:
    taken = (
        Area.objects.filter(level=level, code=code, valid_to__isnull=True)
        .exclude(pk__in=exclude)
        .first()
    )
    if taken is not None:
        raise ValidationError(
            {
                "code": _("%(area)s already has the code %(code)s at this level.")
                % {"area": taken, "code": code}
            }
        )


def _store_geometry(area: Area, shape, placed: geometry.Placement | None = None) -> None:
    """Set an area's boundary (or point) fields from a checked shapely geometry."""
    placed = placed or geometry.place(shape)
    area.boundary = placed.boundary
    area.boundary_simple = placed.boundary_simple
    area.latitude, area.longitude = placed.latitude, placed.longitude
    if placed.boundary is None:
        area.min_lon = area.min_lat = area.max_lon = area.max_lat = None
    else:
        area.min_lon, area.min_lat, area.max_lon, area.max_lat = placed.bounds


def _index_cells(areas: list[Area]) -> None:
    """Rewrite the spatial index rows of `areas` from their stored bounding boxes."""
    AreaCell.objects.filter(area__in=[area.pk for area in areas]).delete()
    AreaCell.objects.bulk_create(
        [
            AreaCell(area_id=area.pk, cell=cell)
            for area in areas
            if area.boundary is not None and area.valid_to is None
            for cell in geometry.cells_covering(
                (area.min_lon, area.min_lat, area.max_lon, area.max_lat)
            )
        ],
        batch_size=2000,
    )


@transaction.atomic
def create_area(
    *,
    actor,
    level: AreaLevel,
    code: str,
    name_fa: str,
    name_en: str = "",
    parent: Area | None = None,
    population: int | None = None,
    valid_from: datetime.date | None = None,
    shape=None,
    boundary_source: str = "",
    is_synthetic: bool = False,
) -> Area:
    """Create an area under `parent` (a root when `parent` is None, for the system only).

    `shape` is a checked geometry (see `geometry.read_geometry`): a boundary, or a point.
    """
    if actor is not None:
        if parent is None:
            # A new root would sit above every grant; only the system creates one.
            raise PermissionDenied
        policy.require(actor, MANAGE, parent)
    if parent is not None:
        _check_current(parent)
    _check_level_under(level, parent)
    code = clean(code)
    _check_code_free(level, code)
    area = Area(
        level=level,
        code=code,
        name_fa=clean(name_fa),
        name_en=clean(name_en),
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        population=population,
        valid_from=valid_from,
        boundary_source=clean(boundary_source),
        is_synthetic=is_synthetic,
        # A unique placeholder until the primary key is known.
        path=f"/new-{code}-{level.pk}/",
    )
    if shape is not None:
        _store_geometry(area, shape)
    area.search_text = area_search_text(area)
    area.full_clean(exclude=["path"], validate_constraints=False)
    area.save()
    area.path = f"{parent.path if parent else '/'}{area.pk}/"
    area.save(update_fields=["path"])
    if shape is not None:
        _index_cells([area])
    audit.record(
        actor=actor, verb=AREA_CREATED, target=area, after=audit.snapshot(area, AUDITED_FIELDS)
    )
    return area


def _locked(area: Area) -> Area:
    # of=("self",): PostgreSQL cannot lock the nullable side (the parent) of an outer join.
    return (
        Area.objects.select_for_update(of=("self",))
        .select_related("level", "parent")
        .get(pk=area.pk)
    )


@transaction.atomic
def update_area(*, actor, area: Area, version: int | None, **changes) -> Area:
    """Rename an area or change its code, population or start date.

    Refuses a stale `version` (someone saved in between) and an area that has ended.
    """
    area = _locked(area)
    _require_manage(actor, area)
    _check_current(area)
    before = audit.snapshot(area, AUDITED_FIELDS)
    original = field_values(area, AUDITED_FIELDS)
    check_version(area, version)
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} cannot be changed here")
        setattr(area, name, clean(value) if isinstance(value, str) else value)
    if "code" in changes:
        _check_code_free(area.level, area.code, exclude=[area.pk])
    area.search_text = area_search_text(area)
    area.full_clean(validate_constraints=False)
    if unchanged(area, original):
        return area
    area.save()
    audit.record(
        actor=actor,
        verb=AREA_CHANGED,
        target=area,
        before=before,
        after=audit.snapshot(area, AUDITED_FIELDS),
    )
    return area


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


@transaction.atomic
def set_boundary(*, actor, area: Area, data, source: str, version: int | None) -> Area:
    """Give an area a boundary (or, for a neighborhood, a point) from a GeoJSON geometry,
    a Feature, or a FeatureCollection of one feature.

    The geometry is checked like an import's (`geometry.read_geometry`): a clear
    ValidationError for swapped, projected or broken shapes, a safe repair otherwise.
    """
    area = _locked(area)
    _require_manage(actor, area)
    _check_current(area)
    check_version(area, version)
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise ValidationError(
                {
                    "file": _("Give one feature: the file holds %(count)s.")
                    % {"count": len(features) if isinstance(features, list) else 0}
                }
            )
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    try:
        checked = geometry.read_geometry(data, allow_point=area.level.code == "neighborhood")
    except geometry.GeometryError as error:
        raise ValidationError({"file": error.message}) from error
    before = {"boundary_source": area.boundary_source, "had_boundary": area.has_boundary}
    _store_geometry(area, checked.geometry)
    area.boundary_source = clean(source)
    area.is_synthetic = False
    area.save()
    _index_cells([area])
    audit.record(
        actor=actor,
        verb=BOUNDARY_SET,
        target=area,
        before=before,
        after={
            "boundary_source": area.boundary_source,
            "repaired": checked.repaired,
            "bounds": [area.min_lon, area.min_lat, area.max_lon, area.max_lat],
        },
    )
    return area


def _move_subtree(area: Area, new_parent: Area) -> None:
    """Re-root `area` and everything below it under `new_parent`, in two statements."""
    old_path = area.path
    new_path = f"{new_parent.path}{area.pk}/"
    depth_change = new_parent.depth + 1 - area.depth
    Area.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_change,
    )
    Area.objects.filter(pk=area.pk).update(parent=new_parent)
    area.path, area.parent, area.depth = new_path, new_parent, area.depth + depth_change


@transaction.atomic
def move_area(*, actor, area: Area, parent: Area, version: int | None, reason: str = "") -> Area:
    """Move an area, with everything below it, under another parent.

    The actor must manage the area and the new parent; an area cannot move under itself or
    under a level at or below its own.
    """
    area = _locked(area)
    parent = _locked(parent)
    _require_manage(actor, area)
    _require_manage(actor, parent)
    _check_current(area)
    _check_current(parent)
    if area.parent_id is None:
        raise ValidationError(_("The root of the tree cannot move."))
    if parent.path.startswith(area.path):
        raise ValidationError(
            {"parent": _("An area cannot move under itself or an area below it.")}
        )
    _check_level_under(area.level, parent)
    before = audit.snapshot(area, AUDITED_FIELDS)
    original = field_values(area, AUDITED_FIELDS)
    check_version(area, version)
    if parent.pk != area.parent_id:
        _move_subtree(area, parent)
    elif unchanged(area, original):
        return area
    Area.objects.filter(pk=area.pk).update(version=area.version, updated_at=timezone.now())
    audit.record(
        actor=actor,
        verb=AREA_MOVED,
        target=area,
        before=before,
        after=audit.snapshot(area, AUDITED_FIELDS),
        reason=clean(reason),
    )
    if actor is not None:
        # The actor's cached grants hold area paths; a moved area may be among them.
        policy.forget(actor)
    return area


@dataclass
class Part:
    """One of the areas a split creates."""

    code: str
    name_fa: str
    name_en: str = ""
    share: Decimal = Decimal(0)
    children: list[Area] = field(default_factory=list)


def _shares_of(population: int | None, shares: list[Decimal]) -> list[int | None]:
    """Divide a population by shares so that the parts add up to it exactly.

    Each part gets the whole people of its share; the people left over go one each to the
    parts with the largest remainders (the largest remainder method).
    """
    if population is None:
        return [None] * len(shares)
    # Shares are checked to add up to 1 within a millionth; dividing by their sum makes the
    # parts add up to the population exactly even then.
    total = sum(shares)
    exact = [Decimal(population) * share / total for share in shares]
    whole = [int(value.to_integral_value(rounding=ROUND_DOWN)) for value in exact]
    left = population - sum(whole)
    by_remainder = sorted(range(len(shares)), key=lambda i: exact[i] - whole[i], reverse=True)
    for index in by_remainder[:left]:
        whole[index] += 1
    return whole


def _end(area: Area, date: datetime.date) -> None:
    area.valid_to = date
    area.version += 1
    area.save(update_fields=["valid_to", "version", "updated_at"])
    AreaCell.objects.filter(area=area).delete()


@transaction.atomic
def split_area(
    *,
    actor,
    area: Area,
    parts: list[Part],
    date: datetime.date,
    version: int | None,
    reason: str = "",
) -> list[Area]:
    """End `area` on `date` and create `parts` in its place under the same parent.

    Shares (summing to 1) divide the population and are kept on the succession links so
    that figures reported for the old area can be re-based. Every current area below the
    old one moves to exactly one part.
    """
    area = _locked(area)
    _require_manage(actor, area.parent or area)
    if area.parent is None:
        raise ValidationError(_("The root of the tree cannot be split."))
    _check_current(area)
    check_version(area, version)
    if len(parts) < 2:
        raise ValidationError(_("A split needs at least two parts."))
    shares = [Decimal(part.share) for part in parts]
    if any(share <= 0 for share in shares) or abs(sum(shares) - 1) > Decimal("0.000001"):
        raise ValidationError(
            _("Each part needs a share above zero, and the shares must add up to 100%.")
        )
    children = {child.pk: child for child in area.children.filter(valid_to__isnull=True)}
    assigned = [child.pk for part in parts for child in part.children]
    if sorted(assigned) != sorted(children) or len(set(assigned)) != len(assigned):
        raise ValidationError(
            _("Each of the %(count)s current areas below %(area)s must go to exactly one part.")
            % {"count": len(children), "area": area}
        )
    codes = [clean(part.code) for part in parts]
    if len(set(codes)) != len(codes):
        raise ValidationError(_("Each part needs its own code."))
    if date < (area.valid_from or date):
        raise ValidationError(_("The split cannot come before the area began."))
    before = audit.snapshot(area, AUDITED_FIELDS)
    _end(area, date)
    populations = _shares_of(area.population, shares)
    created = []
    for part, population in zip(parts, populations, strict=True):
        new = create_area(
            actor=actor,
            level=area.level,
            code=part.code,
            name_fa=part.name_fa,
            name_en=part.name_en,
            parent=area.parent,
            population=population,
            valid_from=date,
        )
        AreaSuccession.objects.create(
            predecessor=area,
            successor=new,
            change=AreaSuccession.Change.SPLIT,
            share=part.share,
            date=date,
        )
        for child in part.children:
            _move_subtree(Area.objects.get(pk=child.pk), new)
        created.append(new)
    audit.record(
        actor=actor,
        verb=AREA_SPLIT,
        target=area,
        before=before,
        after={
            "parts": [
                {"code": new.code, "name": new.name_fa, "share": str(part.share)}
                for new, part in zip(created, parts, strict=True)
            ]
        },
        reason=clean(reason),
    )
    return created


@transaction.atomic
def merge_areas(
    *,
    actor,
    areas: list[Area],
    code: str,
    name_fa: str,
    name_en: str = "",
    date: datetime.date,
    reason: str = "",
) -> Area:
    """End `areas` (siblings of one level) on `date` and create their union in their place.

    The new area's population is their sum; everything below them moves to it. Each link
    carries share 1: all of each old area went to the new one.
    """
    areas = [_locked(area) for area in areas]
    if len(areas) < 2:
        raise ValidationError(_("Choose at least two areas to merge."))
    parents = {area.parent_id for area in areas}
    levels = {area.level_id for area in areas}
    if len(parents) != 1 or len(levels) != 1 or None in parents:
        raise ValidationError(_("Only areas of one level under one parent can be merged."))
    parent = areas[0].parent
    _require_manage(actor, parent)
    for area in areas:
        _check_current(area)
        if date < (area.valid_from or date):
            raise ValidationError(_("The merge cannot come before an area began."))
    populations = [area.population for area in areas]
    for area in areas:
        _end(area, date)
    merged = create_area(
        actor=actor,
        level=areas[0].level,
        code=code,
        name_fa=name_fa,
        name_en=name_en,
        parent=parent,
        population=None if None in populations else sum(populations),
        valid_from=date,
    )
    for area in areas:
        AreaSuccession.objects.create(
            predecessor=area,
            successor=merged,
            change=AreaSuccession.Change.MERGE,
            share=Decimal(1),
            date=date,
        )
        for child in area.children.filter(valid_to__isnull=True):
            _move_subtree(child, merged)
    audit.record(
        actor=actor,
        verb=AREAS_MERGED,
        target=merged,
        before={"areas": [{"code": area.code, "name": area.name_fa} for area in areas]},
        after=audit.snapshot(merged, AUDITED_FIELDS),
        reason=clean(reason),
    )
    return merged


@transaction.atomic
def end_area(
    *, actor, area: Area, date: datetime.date, reason: str = "", version: int | None
) -> list[Area]:
    """End `area` and every current area below it on `date`, with nothing in their place.

    This is how made-up or obsolete areas leave the tree (the demo's synthetic districts
    once real ones are imported beside them): ended areas keep their figures and history
    but are no longer listed, offered or found at a point. Like a split, it is decided by
    whoever manages the parent. Return the areas below that ended with it.
    """
    area = _locked(area)
    _require_manage(actor, area.parent or area)
    if area.parent is None or area.level.code == "country":
        raise ValidationError(_("The root of the tree (the country) cannot end."))
    if area.valid_to is not None:
        raise ValidationError(
            _("%(area)s already ended on %(date)s.")
            % {"area": area, "date": jalali.format_date(area.valid_to)}
        )
    check_version(area, version)
    if date > timezone.localdate():
        raise ValidationError(
            {"date": _("An area ends on a day that has come: choose today or an earlier day.")}
        )
    if date < (area.valid_from or date):
        raise ValidationError(
            {
                "date": _("%(area)s began on %(start)s; it cannot end before that.")
                % {"area": area, "start": jalali.format_date(area.valid_from)}
            }
        )
    below = list(
        Area.objects.select_for_update()
        .filter(path__startswith=area.path, valid_to__isnull=True)
        .exclude(pk=area.pk)
        .defer(*GEOMETRY_FIELDS)
        .order_by("path")
    )
    later = next((child for child in below if child.valid_from and child.valid_from > date), None)
    if later is not None:
        raise ValidationError(
            {
                "date": _("%(area)s, below it, began on %(start)s, after this date.")
                % {"area": later, "start": jalali.format_date(later.valid_from)}
            }
        )
    before = audit.snapshot(area, AUDITED_FIELDS)
    _end(area, date)
    # One statement each for a subtree of thousands, as `_end` does for one area.
    ids = [child.pk for child in below]
    Area.objects.filter(pk__in=ids).update(
        valid_to=date, version=F("version") + 1, updated_at=timezone.now()
    )
    AreaCell.objects.filter(area__in=ids).delete()
    audit.record(
        actor=actor,
        verb=AREA_ENDED,
        target=area,
        before=before,
        after={
            **audit.snapshot(area, AUDITED_FIELDS),
            "ended_below_count": len(below),
            "ended_below": [child.code for child in below[:AUDITED_CODES]],
        },
        reason=clean(reason),
    )
    return below


# -- Imports --------------------------------------------------------------------------------


def _check_import_access(actor, report: importing.Report) -> None:
    """Report every row the actor may not write, instead of failing on the first.

    An area the actor may not even see is not named: the report says "an area outside
    your grants", never its name or code.
    """
    if actor is None:
        return

    def label(area: Area) -> str:
        if policy.can(actor, VIEW, area):
            return area.name_fa
        return str(_("an area outside your grants"))

    for row in report.rows:
        target = row.area if row.area is not None else row.parent
        if row.area is None and row.parent is None and row.parent_row is None:
            report.add(row.where, _("Only the system can create the root of the tree."))
        elif target is not None and not policy.can(actor, MANAGE, target):
            report.add(row.where, _("You may not manage %(area)s.") % {"area": label(target)})
        elif (
            row.area is not None
            and row.parent is not None
            and "parent" in row.changes
            and not policy.can(actor, MANAGE, row.parent)
        ):
            report.add(row.where, _("You may not manage %(area)s.") % {"area": label(row.parent)})
        if actor is not None:
            for area in (row.area, row.parent):
                if area is not None and not policy.can(actor, VIEW, area):
                    row.is_hidden = True


def _create_step(rows: list, made: dict, *, boundary_source: str, synthetic: bool):
    """Return a step creating the areas of `rows` (one level, parents already made)."""

    def step() -> None:
        areas = []
        for row in rows:
            parent = row.parent if row.parent is not None else made.get(id(row.parent_row))
            area = Area(
                level=row.level,
                code=row.code,
                name_fa=row.name_fa,
                name_en=row.name_en,
                parent=parent,
                depth=parent.depth + 1 if parent else 0,
                population=row.population,
                path=f"/new-{row.level.pk}-{row.code}/",
                is_synthetic=synthetic,
            )
            if row.geometry is not None:
                _store_geometry(area, row.geometry, row.placement)
                area.boundary_source = boundary_source if area.boundary else ""
            area.search_text = area_search_text(area)
            areas.append(area)
        Area.objects.bulk_create(areas, batch_size=500)
        # Each parent's path is final by now (parents come a level, or a step, earlier):
        # one statement gives every new area of this step its path.
        parent_path = Subquery(Area.objects.filter(pk=OuterRef("parent_id")).values("path")[:1])
        for has_parent, prefix in ((True, parent_path), (False, Value("/"))):
            Area.objects.filter(
                pk__in=[area.pk for area in areas], parent__isnull=not has_parent
            ).update(
                path=Concat(
                    prefix,
                    Cast("pk", output_field=CharField()),
                    Value("/"),
                    output_field=CharField(),
                )
            )
        for row, area in zip(rows, areas, strict=True):
            area.path = f"{area.parent.path if area.parent else '/'}{area.pk}/"
            made[id(row)] = area
        _index_cells([area for area in areas if area.boundary is not None])

    return step


def _change_step(rows: list, made: dict, *, boundary_source: str, synthetic: bool):
    """Return a step writing the changes of `rows` to their stored areas."""

    def step() -> None:
        changed = []
        stored = Area.objects.select_for_update().in_bulk([row.area.pk for row in rows])
        for row in rows:
            area = stored[row.area.pk]
            if "parent" in row.changes:
                parent = row.parent if row.parent is not None else made[id(row.parent_row)]
                _move_subtree(area, parent)
            fields = {
                name: getattr(row, name)
                for name in ("name_fa", "name_en", "code", "population")
                if name in row.changes
            }
            for name, value in fields.items():
                setattr(area, name, value)
            if "boundary" in row.changes:
                _store_geometry(area, row.geometry, row.placement)
                area.boundary_source = boundary_source if area.boundary else ""
                area.is_synthetic = synthetic
                fields.update(
                    {name: getattr(area, name) for name in GEOMETRY_FIELDS},
                    boundary_source=area.boundary_source,
                    is_synthetic=synthetic,
                )
            area.search_text = area_search_text(area)
            Area.objects.filter(pk=area.pk).update(
                **fields,
                search_text=area.search_text,
                version=F("version") + 1,
                updated_at=timezone.now(),
            )
            changed.append(area)
        _index_cells([area for area in changed if area.boundary is not None])

    return step


def _write_steps(report: importing.Report, *, boundary_source: str, synthetic: bool) -> list:
    """Split a checked plan into bounded steps: new areas level by level, then changes.

    Each step is idempotent in the sense that matters: planning the same file again
    matches the areas earlier steps created (by code, then by name under their parent)
    and finds them unchanged, so running a stopped import again writes only the rest.
    """
    # Area rows carry whole boundaries, several kilobytes each: fewer per step than values.
    size = settings.BARZAN_IMPORT_AREA_STEP_ROWS
    made: dict[int, Area] = {}
    options = {"boundary_source": boundary_source, "synthetic": synthetic}
    new_rows = sorted(report.created, key=lambda row: row.level.rank)
    steps = []
    for rank in sorted({row.level.rank for row in new_rows}):
        level_rows = [row for row in new_rows if row.level.rank == rank]
        steps += [_create_step(rows, made, **options) for rows in jobs.chunks(level_rows, size)]
    steps += [_change_step(rows, made, **options) for rows in jobs.chunks(report.changed, size)]
    return steps


def _refresh_statistics() -> None:
    """Let the query planner see a large import at once: before autovacuum gets to it,
    PostgreSQL would plan the spatial index as empty and scan it whole."""
    with connection.cursor() as cursor:
        for table in (Area._meta.db_table, AreaCell._meta.db_table):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def plan_import(
    *, actor, format: str, content, source: str, options: importing.Options | None = None
) -> importing.Report:
    """Read a file of areas into a plan and check every row, writing nothing.

    Runs outside any transaction: planning only reads, so it never takes the write lock.
    """
    try:
        if format == importing.DIVISIONS:
            report = importing.plan_divisions(content, source=source)
        elif format == importing.GEOJSON:
            report = importing.plan_geojson(content, source=source, options=options)
        elif format == importing.CSV:
            report = importing.plan_csv(content, source=source, options=options)
        else:
            raise ValueError(f"Unknown import format {format!r}")
    except importing.UnreadableFile as error:
        report = importing.Report(source=source, format=format)
        report.add("", error)
    except RecursionError:
        # A crafted file of lists within lists thousands deep.
        report = importing.Report(source=source, format=format)
        report.add("", _("The file is nested too deeply to be a real file of areas."))
    _check_import_access(actor, report)
    if format != importing.DIVISIONS:

        def visible(area: Area) -> bool:
            return actor is None or policy.can(actor, VIEW, area)

        import_checks.check_containment(report, visible=visible)
        import_checks.check_new_names(report, visible=visible)
    return report


def import_areas(
    *,
    actor,
    format: str,
    content,
    source: str,
    options: importing.Options | None = None,
    dry_run: bool = False,
    synthetic: bool = False,
    job=None,
    heartbeat=None,
    plan: importing.Report | None = None,
) -> importing.Report:
    """Plan an import and, unless it is a dry run or has problems, write all of it.

    Every row is checked before the first write, outside any transaction (a dry run
    takes no write lock), and a problem in any row writes nothing. The plan is then
    written in bounded steps (`BARZAN_IMPORT_STEP_ROWS` areas each), each its own short
    transaction, so other writers get in between; the audit event commits with the last
    step. If a step fails, `jobs.StepFailed` says how many were written, an audit event
    records it, and running the same file again writes only the rest (rows match by code,
    then by name under their parent, so nothing is created twice). `job`, an AreaImport,
    records the steps done; `plan`, a report `plan_import` made already, is not made again.
    """
    report = plan or plan_import(
        actor=actor, format=format, content=content, source=source, options=options
    )
    report.dry_run = dry_run
    if dry_run or not report.ok or not (report.created or report.changed):
        return report
    label = (options.source_label if options else "") or source
    for row in [*report.created, *report.changed]:
        if row.geometry is not None:
            # Simplify and place every shape now, before the write lock is taken: it is
            # the slow part of writing an area.
            row.placement  # noqa: B018
    steps = _write_steps(report, boundary_source=label, synthetic=synthetic)
    target = options.parent if options and options.parent else None

    def finish() -> None:
        changed_codes = [row.code for row in [*report.created, *report.changed]]
        audit.record(
            actor=actor,
            verb=AREAS_IMPORTED,
            target=target,
            after={
                "source": source,
                "format": format,
                **report.counts(),
                # What the importer let the file change, and what it was warned of.
                "updates": importing.updates_text(report.updates),
                "warnings": len(report.warnings),
                "codes": changed_codes[:AUDITED_CODES],
            },
        )
        if len(report.created) + len(report.changed) >= ANALYZE_AFTER:
            _refresh_statistics()
        if job is not None:
            # Done commits with the last step: no window where all is written but the
            # job still looks unfinished.
            type(job).objects.filter(pk=job.pk).update(
                status=ImportStatus.DONE, finished_at=timezone.now()
            )

    last = steps[-1]

    def last_step() -> None:
        last()
        if format == importing.DIVISIONS:
            # The shipped table of renamed counties belongs with the divisions it names;
            # the import itself was authorised, so the table is added as the system.
            add_known_area_names(actor=None)
        finish()

    steps[-1] = last_step
    try:
        jobs.run_steps(steps, job=job, heartbeat=heartbeat)
    except jobs.StepFailed as error:
        with transaction.atomic():
            audit.record(
                actor=actor,
                verb=AREAS_IMPORT_STOPPED,
                target=target,
                after={"source": source, "steps_done": error.done, "steps": error.total},
            )
        raise
    finally:
        if actor is not None:
            policy.forget(actor)
    report.applied = True
    return report


# -- Import jobs: an uploaded file checked and applied, perhaps by `barzan worker` ------------

AREA_IMPORT_RERUN = audit.verb("area.import_rerun", gettext_lazy("Import of areas run again"))
REPORTED_ROWS = 500
MAX_PROBLEMS_KEPT = 10_000


def _import_home(actor, parent: Area | None) -> Area:
    """The area an import job belongs to (who may see and run it): the chosen parent,
    else the highest area the actor manages (the root for the system)."""
    if parent is not None:
        return parent
    if actor is not None:
        home = policy.areas(actor, MANAGE).order_by("depth", "pk").first()
        if home is not None:
            return home
    return Area.objects.filter(parent__isnull=True).order_by("pk").first()


def upload_areas(
    *,
    actor,
    upload,
    format: str,
    level: AreaLevel | None = None,
    parent: Area | None = None,
    code_property: str = "code",
    name_property: str = "name_fa",
    source_label: str = "",
    updates=None,
) -> AreaImport:
    """Store an uploaded file of areas and register it for checking; nothing is read yet.

    `updates`, the `AreaImport.Update` values the file may change, defaults to the format's
    (`importing.default_updates`)."""
    home = _import_home(actor, parent)
    if home is None:
        raise ValidationError(_("There is no area tree yet; import the official divisions."))
    if actor is not None:
        policy.require(actor, MANAGE, home)
    stored_name, size = jobs.store_upload(upload, prefix="areas")
    return AreaImport.objects.create(
        area=home,
        created_by=actor if getattr(actor, "pk", None) else None,
        file_name=clean(getattr(upload, "name", "") or stored_name)[:255],
        stored_name=stored_name,
        file_size=size,
        format=format,
        level=level,
        parent=parent,
        code_property=code_property or "code",
        name_property=name_property or "name_fa",
        source_label=clean(source_label or ""),
        updates=importing.updates_text(
            importing.default_updates(format) if updates is None else updates
        ),
        status=ImportStatus.QUEUED,
    )


def _report_row(row: importing.Row) -> dict:
    """A row of the report as kept on the job; withheld names stay withheld."""
    hidden = str(_("an area outside your grants"))
    stored_name = row.area.name_fa if row.area is not None and not row.is_hidden else ""
    return {
        "status": row.status,
        "level": str(row.level),
        "code": row.code,
        "name": row.name_fa or stored_name,
        "parent": hidden if row.is_hidden else row.parent_label,
        "changes": list(row.changes),
        "repaired": str(row.repaired or ""),
    }


def _save_report(area_import: AreaImport, report: importing.Report) -> None:
    shown = [*report.created[:REPORTED_ROWS], *report.changed[:REPORTED_ROWS]]
    AreaImport.objects.filter(pk=area_import.pk).update(
        created_count=len(report.created),
        changed_count=len(report.changed),
        unchanged_count=len(report.unchanged),
        problem_count=len(report.problems),
        problems=[
            {"where": problem.where, "message": problem.message}
            for problem in report.problems[:MAX_PROBLEMS_KEPT]
        ],
        rows=[_report_row(row) for row in shown],
        warnings=[
            {"where": warning.where, "message": warning.message}
            for warning in report.warnings[:MAX_PROBLEMS_KEPT]
        ],
        processed_bytes=area_import.file_size,
        heartbeat_at=timezone.now(),
    )


def _options(area_import: AreaImport) -> importing.Options | None:
    if area_import.format == importing.DIVISIONS:
        return None
    return importing.Options(
        level=area_import.level,
        parent=area_import.parent,
        code_property=area_import.code_property,
        name_property=area_import.name_property,
        source_label=area_import.source_label,
        updates=importing.parse_updates(area_import.updates),
    )


def run_area_import(*, actor, area_import: AreaImport, apply: bool) -> AreaImport:
    """Check `area_import` (and apply it when `apply` and it is clean), all or nothing.

    The same plan and steps as `import_areas`; the report is kept on the job. If applying
    stops midway the job records the steps written, and running it again plans the file
    again and writes only what is left.
    """
    if actor is not None:
        policy.require(actor, MANAGE, area_import.area)
    jobs.mark_running(area_import, apply=apply)
    heartbeat = jobs.Heartbeat(area_import)
    applied = False
    try:
        with jobs.open_upload(area_import.stored_name) as handle:
            content = handle.read()
        heartbeat(force=True, processed_bytes=len(content) // 2)
        report = plan_import(
            actor=actor,
            format=area_import.format,
            content=content,
            source=area_import.file_name,
            options=_options(area_import),
        )
        del content
        _save_report(area_import, report)
        if apply and report.ok and (report.created or report.changed):
            report = import_areas(
                actor=actor,
                format=area_import.format,
                content=None,
                source=area_import.file_name,
                options=_options(area_import),
                job=area_import,
                heartbeat=heartbeat,
                plan=report,
            )
            applied = report.applied
    except Exception as error:
        logger.exception("Area import %s failed", area_import.pk)
        with contextlib.suppress(Exception):
            jobs.mark_failed(area_import, error)
        raise
    jobs.mark_finished(area_import, applied=applied)
    return area_import


def fail_stale_area_imports(queryset=None) -> int:
    """Mark area imports orphaned by a crash (their heartbeat stopped) as failed."""
    return jobs.fail_stale(AreaImport.objects.all() if queryset is None else queryset)


def _start(actor, area_import: AreaImport, apply: bool) -> AreaImport:
    if area_import.file_size <= settings.BARZAN_BACKGROUND_IMPORT_BYTES:
        try:
            return run_area_import(actor=actor, area_import=area_import, apply=apply)
        except Exception:
            # Recorded on the job (failed, with the steps written); its page says so.
            area_import.refresh_from_db()
            return area_import
    from .tasks import run_area_import as task

    AreaImport.objects.filter(pk=area_import.pk).update(
        status=ImportStatus.QUEUED, is_applying=apply, failure=ImportFailure.NONE
    )
    task.enqueue(area_import.pk, getattr(actor, "pk", None), apply)
    area_import.refresh_from_db()
    return area_import


def start_area_import(*, actor, area_import: AreaImport, apply: bool) -> AreaImport:
    """Check or apply `area_import` now, or by `barzan worker` when the file is large."""
    if actor is not None:
        policy.require(actor, MANAGE, area_import.area)
    fail_stale_area_imports(AreaImport.objects.filter(pk=area_import.pk))
    area_import.refresh_from_db()
    if area_import.status in (ImportStatus.RUNNING, ImportStatus.DONE):
        raise ValidationError(_("This import is already running or applied."))
    if apply and (area_import.status != ImportStatus.CHECKED or area_import.problem_count):
        raise ValidationError(_("Only a checked file without problems can be applied."))
    return _start(actor, area_import, apply)


def rerun_area_import(*, actor, area_import: AreaImport) -> AreaImport:
    """Run a failed area import again, from the start of what it was doing."""
    if actor is not None:
        policy.require(actor, MANAGE, area_import.area)
    fail_stale_area_imports(AreaImport.objects.filter(pk=area_import.pk))
    area_import.refresh_from_db()
    if area_import.status != ImportStatus.FAILED:
        raise ValidationError(_("Only a failed import can be run again."))
    if not jobs.upload_exists(area_import.stored_name):
        raise ValidationError(_("The uploaded file is gone; upload it again."))
    with transaction.atomic():
        audit.record(
            actor=actor,
            verb=AREA_IMPORT_RERUN,
            target=area_import.parent,
            after={
                "file": area_import.file_name,
                "applying": area_import.is_applying,
                "steps_done": area_import.steps_done,
            },
        )
    return _start(actor, area_import, area_import.is_applying)


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
