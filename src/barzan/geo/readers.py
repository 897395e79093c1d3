"""Composed reads of the area tree: ancestors, children, history, maps and locating points."""

import json
from dataclasses import dataclass

import shapely
from django.db import connection
from django.db.models import Count, Q, TextField
from django.db.models.functions import Cast
from django.utils.translation import get_language_bidi, gettext, gettext_noop

from barzan.core.models import name_order
from barzan.core.text import format_number

from . import geometry
from .models import Area, AreaCell, AreaLevel, AreaSuccession

# OpenStreetMap's license (ODbL) asks this of every map drawn from its data. Stored as
# written here and translated when shown (gettext of a stored credit no catalogue knows
# returns it unchanged).
OSM_ATTRIBUTION = gettext_noop("© OpenStreetMap contributors")

# Boundaries can be large: reads that do not draw or test them leave them unread.
GEOMETRY = ("boundary", "boundary_simple")


def ancestors_of(area: Area, *, include_self: bool = False) -> list[Area]:
    """Return the areas from the root down to `area`'s parent (or to `area`), in one query."""
    ids = area.ancestor_ids if include_self else area.ancestor_ids[:-1]
    by_id = Area.objects.select_related("level").defer(*GEOMETRY).in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def children_of(area: Area, queryset=None, *, include_ended: bool = False):
    """Return the direct children of `area` from `queryset` (already scoped by the caller)."""
    queryset = Area.objects.all() if queryset is None else queryset
    children = queryset.filter(parent=area)
    if not include_ended:
        children = children.filter(valid_to__isnull=True)
    return children.select_related("level").order_by(*name_order())


def current_areas_below(area: Area):
    """Return the current areas anywhere below `area` (not `area` itself)."""
    return (
        Area.objects.filter(path__startswith=area.path, valid_to__isnull=True)
        .exclude(pk=area.pk)
        .defer(*GEOMETRY)
    )


@dataclass
class History:
    """Where an area came from and what took its place."""

    predecessors: list[AreaSuccession]
    successors: list[AreaSuccession]

    def __bool__(self) -> bool:
        return bool(self.predecessors or self.successors)


def history_of(area: Area) -> History:
    links = AreaSuccession.objects.filter(Q(predecessor=area) | Q(successor=area)).select_related(
        "predecessor__level", "successor__level"
    )
    return History(
        predecessors=[link for link in links if link.successor_id == area.pk],
        successors=[link for link in links if link.predecessor_id == area.pk],
    )


def _feature(area: Area, role: str, shape_text: str | None) -> str:
    """One GeoJSON feature as text, the stored simplified geometry written as it is."""
    if shape_text is None:
        shape_text = json.dumps(
            {"type": "Point", "coordinates": [area.longitude, area.latitude]},
            separators=(",", ":"),
        )
    properties = {
        "id": area.pk,
        "code": area.code,
        "name": area.name,
        "name_fa": area.name_fa,
        "name_en": area.name_en,
        "level": area.level.code,
        "population": area.population,
        "synthetic": area.is_synthetic,
        "role": role,
        "url": area.get_absolute_url(),
    }
    return (
        '{"type":"Feature","geometry":'
        + shape_text
        + ',"properties":'
        + json.dumps(properties, ensure_ascii=False, separators=(",", ":"))
        + "}"
    )


def siblings_of(area: Area, queryset=None):
    """Return the current areas beside `area` (same parent, itself excluded) from
    `queryset` (already scoped by the caller); none for the root."""
    if area.parent_id is None:
        return Area.objects.none()
    queryset = Area.objects.all() if queryset is None else queryset
    return queryset.filter(parent_id=area.parent_id, valid_to__isnull=True).exclude(pk=area.pk)


def _drawn(queryset):
    return queryset.filter(Q(boundary_simple__isnull=False) | Q(latitude__isnull=False))


def map_of(area: Area, children, siblings=None) -> str:
    """Return a GeoJSON FeatureCollection (as text) of `area`, its `children` and its
    `siblings` that have a boundary or a point: the area's own outline first (role "self"),
    then the areas around it (role "sibling", drawn faint), then each child.

    `children` and `siblings` come scoped from the caller. The geometries are read as the
    text they are stored as and written out unparsed: decoding and re-encoding 400
    polygons would take most of the time.
    """
    features = []
    if area.boundary_simple is not None:
        features.append(
            _feature(area, "self", json.dumps(area.boundary_simple, separators=(",", ":")))
        )
    for role, queryset in (("sibling", siblings), ("child", children)):
        if queryset is None:
            continue
        shapes = (
            _drawn(queryset)
            .select_related("level")
            .annotate(shape_text=Cast("boundary_simple", output_field=TextField()))
            .defer("boundary", "boundary_simple", "search_text")
            .order_by(*name_order())
        )
        for other in shapes:
            features.append(_feature(other, role, other.shape_text))
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


@dataclass
class MapNotes:
    """What a map must say beside its shapes: which lack a shape, which are synthetic,
    and whose data it draws."""

    notices: list[str]
    attributions: list[str]


def _join(items: list[str]) -> str:
    return ("، " if get_language_bidi() else "; ").join(items)


def map_notes(area: Area, children, siblings=None) -> MapNotes:
    """Return the notices of the map `map_of` draws for `area`: children without a shape
    (by level: «۲ از ۳ بخش شکل ندارند»), children shown only as a point, exactly which
    drawn shapes are synthetic, and the credits the drawn boundaries' licenses ask for.

    Two grouped queries, whatever the number of children.
    """
    notices: list[str] = []
    synthetic: list[str] = []
    if area.is_synthetic and area.has_boundary:
        synthetic.append(gettext("the outline of %(area)s") % {"area": area})
    credits = {area.boundary_attribution} if area.has_boundary else set()
    levels = {level.pk: level for level in AreaLevel.objects.all()}
    for role, queryset in (("child", children), ("sibling", siblings)):
        if queryset is None:
            continue
        rows = (
            queryset.order_by()
            .values("level_id", "boundary_attribution")
            .annotate(
                total=Count("pk"),
                shaped=Count("pk", filter=Q(min_lon__isnull=False)),
                points=Count("pk", filter=Q(min_lon__isnull=True, latitude__isnull=False)),
                made_up=Count("pk", filter=Q(min_lon__isnull=False, is_synthetic=True)),
            )
        )
        by_level: dict[int, dict[str, int]] = {}
        for row in rows:
            counts = by_level.setdefault(row["level_id"], dict.fromkeys(row, 0))
            for name in ("total", "shaped", "points", "made_up"):
                counts[name] += row[name]
            if row["shaped"]:
                credits.add(row["boundary_attribution"])
        for level_id in sorted(by_level, key=lambda pk: levels[pk].rank):
            counts, level = by_level[level_id], levels[level_id]
            values = {"total": format_number(counts["total"]), "level": level}
            if counts["made_up"]:
                template = (
                    gettext("%(count)s %(level)s shapes below it")
                    if role == "child"
                    else gettext("%(count)s %(level)s shapes around it")
                )
                synthetic.append(
                    template % {"count": format_number(counts["made_up"]), "level": level}
                )
            if role != "child":
                continue
            missing = counts["total"] - counts["shaped"] - counts["points"]
            if missing:
                notices.append(
                    gettext("%(missing)s of %(total)s %(level)s areas have no shape.")
                    % {**values, "missing": format_number(missing)}
                )
            if counts["points"]:
                notices.append(
                    gettext(
                        "%(count)s of %(total)s %(level)s areas are drawn as a point: they have "
                        "a location but no shape."
                    )
                    % {**values, "count": format_number(counts["points"])}
                )
    if synthetic:
        notices.append(
            gettext("Synthetic shapes, made for the demo and not official: %(shapes)s.")
            % {"shapes": _join(synthetic)}
        )
    return MapNotes(
        notices=notices,
        attributions=sorted(gettext(credit) for credit in credits if credit),
    )


@dataclass
class Location:
    """The current area of the lowest level whose boundary holds a point, and its parents."""

    area: Area
    ancestors: list[Area]


def _placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def _json(value):
    # SQLite gives JSON as text; PostgreSQL's driver may already have decoded it.
    return json.loads(value) if isinstance(value, str) else value


def locate(latitude: float, longitude: float, queryset=None) -> Location | None:
    """Return the current area of the lowest level whose boundary covers the point, or None.

    Where areas of that level overlap (real neighborhoods imported over the demo's synthetic
    ones, or a redrawn boundary over an old one), a real area wins over a synthetic one, then
    the smaller area (the more precise answer), then the one created first.

    The grid (`AreaCell`) and the bounding boxes narrow thousands of boundaries to the few
    near the point; only those are tested exactly. With `queryset` (the areas a user may
    see), an area found outside it counts as not found: scopes are subtrees, so no area
    the user may see lies deeper.

    The two lookups are plain SQL, the same on SQLite and PostgreSQL: composing them with
    the ORM took longer than running them, and this answers every resident's request.
    """
    cells = geometry.cells_at(longitude, latitude)
    sql = (
        f"SELECT a.id, l.rank FROM {AreaCell._meta.db_table} c "
        f"JOIN {Area._meta.db_table} a ON a.id = c.area_id "
        f"JOIN {AreaLevel._meta.db_table} l ON l.id = a.level_id "
        f"WHERE c.cell IN ({_placeholders(len(cells))}) AND a.valid_to IS NULL "
        "AND a.min_lon <= %s AND a.max_lon >= %s AND a.min_lat <= %s AND a.max_lat >= %s"
    )
    by_rank: dict[int, set[int]] = {}
    point = shapely.Point(longitude, latitude)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*cells, longitude, longitude, latitude, latitude])
        for pk, rank in cursor.fetchall():
            by_rank.setdefault(rank, set()).add(pk)
        # Lowest level first (a neighborhood before a sector, whether it hangs under a
        # district or right under a county): a province's boundary is read only if nothing
        # below it holds the point.
        found = None
        for rank in sorted(by_rank, reverse=True):
            ids = sorted(by_rank[rank])
            cursor.execute(
                f"SELECT id, path, is_synthetic, boundary FROM {Area._meta.db_table} "
                f"WHERE id IN ({_placeholders(len(ids))}) ORDER BY id",
                ids,
            )
            holding = []
            for pk, path, is_synthetic, boundary in cursor.fetchall():
                if boundary is None:
                    continue
                shape = geometry.from_geojson(_json(boundary))
                if shape.covers(point):
                    holding.append((bool(is_synthetic), shape.area, pk, path))
            if holding:
                _synthetic, _size, *found = min(holding)
                break
    if found is None:
        return None
    pk, path = found
    if queryset is not None and not queryset.filter(pk=pk).exists():
        return None
    chain = [int(part) for part in path.strip("/").split("/")]
    by_id = Area.objects.select_related("level").defer(*GEOMETRY).in_bulk(chain)
    return Location(area=by_id[pk], ancestors=[by_id[ancestor] for ancestor in chain[:-1]])
