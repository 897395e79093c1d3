"""Composed reads of the area tree: ancestors, children, history, maps and locating points."""

import json
from dataclasses import dataclass

from django.db.models import Q

from . import geometry
from .models import Area, AreaCell, AreaSuccession


def ancestors_of(area: Area, *, include_self: bool = False) -> list[Area]:
    """Return the areas from the root down to `area`'s parent (or to `area`), in one query."""
    ids = area.ancestor_ids if include_self else area.ancestor_ids[:-1]
    by_id = Area.objects.select_related("level").in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def children_of(area: Area, queryset=None, *, include_ended: bool = False):
    """Return the direct children of `area` from `queryset` (already scoped by the caller)."""
    queryset = Area.objects.all() if queryset is None else queryset
    children = queryset.filter(parent=area)
    if not include_ended:
        children = children.filter(valid_to__isnull=True)
    return children.select_related("level").order_by("name_fa")


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


def _feature(area: Area, role: str) -> str:
    """One GeoJSON feature as text: the stored simplified geometry is written as it is."""
    if area.boundary_simple is not None:
        shape = area.boundary_simple
    else:
        shape = {"type": "Point", "coordinates": [area.longitude, area.latitude]}
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
        + json.dumps(shape, separators=(",", ":"))
        + ',"properties":'
        + json.dumps(properties, ensure_ascii=False, separators=(",", ":"))
        + "}"
    )


MAP_FIELDS = (
    "id", "code", "name_fa", "name_en", "level__code", "population", "is_synthetic",
    "boundary_simple", "latitude", "longitude", "path", "level__rank",
)  # fmt: skip


def map_of(area: Area, children) -> str:
    """Return a GeoJSON FeatureCollection (as text) of `area` and its `children` that have a
    boundary or a point: the area's own outline first (role "self"), then each child.

    `children` comes scoped from the caller. Text is built directly because the geometries
    are stored ready for maps: parsing and re-encoding 400 polygons would double the time.
    """
    features = []
    shapes = children.filter(Q(boundary_simple__isnull=False) | Q(latitude__isnull=False))
    if area.boundary_simple is not None:
        features.append(_feature(area, "self"))
    for child in shapes.select_related("level").defer("boundary", "search_text"):
        features.append(_feature(child, "child"))
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


@dataclass
class Location:
    """The deepest current area whose boundary holds a point, and its parents."""

    area: Area
    ancestors: list[Area]


def locate(latitude: float, longitude: float, queryset=None) -> Location | None:
    """Return the deepest current area whose boundary covers the point, or None.

    The grid (`AreaCell`) and the bounding boxes narrow thousands of boundaries to the few
    near the point; only those are tested exactly.
    """
    candidates = AreaCell.objects.filter(
        cell__in=geometry.cells_at(longitude, latitude),
        area__valid_to__isnull=True,
        area__min_lon__lte=longitude,
        area__max_lon__gte=longitude,
        area__min_lat__lte=latitude,
        area__max_lat__gte=latitude,
    ).values_list("area_id", "area__level__rank", "area__depth")
    by_level: dict[tuple, list[int]] = {}
    for pk, rank, depth in candidates:
        by_level.setdefault((rank, depth), []).append(pk)
    areas = Area.objects.all() if queryset is None else queryset
    # Lowest level first (a neighborhood before a sector, though a neighborhood may hang
    # right under a county), one query each: a province's boundary is read only if no
    # neighborhood, district or county holds the point.
    for key in sorted(by_level, reverse=True):
        boundaries = areas.filter(pk__in=by_level[key]).values_list("path", "boundary")
        for path, boundary in boundaries:
            if geometry.contains(boundary, longitude, latitude):
                chain = [int(part) for part in path.strip("/").split("/")]
                by_id = Area.objects.select_related("level").in_bulk(chain)
                return Location(area=by_id[chain[-1]], ancestors=[by_id[pk] for pk in chain[:-1]])
    return None
