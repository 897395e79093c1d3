"""Writes to single areas: create, update, boundary, move, end; and the checks and
storage (path, geometry, spatial index) the other writes share."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from barzan import audit
from barzan.access import policy
from barzan.access.actions import MANAGE
from barzan.core import jalali
from barzan.core.concurrency import check_version, field_values, unchanged
from barzan.core.text import clean, format_number, search_key

from .. import geometry
from ..models import Area, AreaCell, AreaLevel, AreaName

AREA_CREATED = audit.verb("area.created", gettext_lazy("Area created"))
AREA_CHANGED = audit.verb("area.changed", gettext_lazy("Area changed"))
AREA_MOVED = audit.verb("area.moved", gettext_lazy("Area moved"))
AREA_ENDED = audit.verb("area.ended", gettext_lazy("Area ended with the areas below it"))
BOUNDARY_SET = audit.verb("area.boundary_set", gettext_lazy("Area boundary set"))

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
                    % {"count": format_number(len(features) if isinstance(features, list) else 0)}
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
    # A boundary drawn by hand owes nothing to the license of the one it replaces.
    area.boundary_attribution = ""
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


def _end(area: Area, date: datetime.date) -> None:
    area.valid_to = date
    area.version += 1
    area.save(update_fields=["valid_to", "version", "updated_at"])
    AreaCell.objects.filter(area=area).delete()


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
