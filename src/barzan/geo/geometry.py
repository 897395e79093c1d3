"""
Boundaries: reading GeoJSON geometries, checking and repairing them, simplifying them for
maps, and the grid that indexes them.

Geometry lives in JSON fields and is handled with shapely, so no spatial database extension
is needed (ARCHITECTURE.md). Everything here is pure: no database, no translations beyond
the messages of `GeometryError`.
"""

import math
from dataclasses import dataclass
from itertools import pairwise

import shapely
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from shapely.geometry import mapping, shape

from barzan.core.text import localize_digits

# Decimal places kept in stored coordinates: 6 is about 0.1 m, 5 about 1 m (enough for maps).
STORED_DECIMALS = 6
MAP_DECIMALS = 5
# A repair may change a polygon's area by at most this fraction and still count as safe.
SAFE_REPAIR_TOLERANCE = 0.01
# Grid resolutions in degrees, coarse to fine; each area is indexed at the finest resolution
# where its bounding box spans a handful of cells.
RESOLUTIONS = (1.0, 0.1, 0.01)
MAX_CELLS_PER_SIDE = 4
POLYGONAL = ("Polygon", "MultiPolygon")


class GeometryError(ValueError):
    """A geometry that cannot be used, with a message people can act on."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Extent:
    """The box that the deployment's places lie in (longitude, latitude)."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, bounds) -> bool:
        min_x, min_y, max_x, max_y = bounds
        return (
            self.min_lon <= min_x
            and max_x <= self.max_lon
            and self.min_lat <= min_y
            and max_y <= self.max_lat
        )


def deployment_extent() -> Extent:
    return Extent(*settings.BARZAN_GEO_EXTENT)


@dataclass
class Checked:
    """A geometry that passed the checks, and what was repaired on the way."""

    geometry: shapely.Geometry
    repaired: str = ""


def _drop_z(coordinates):
    """Return GeoJSON coordinates with any third (height) value removed."""
    if coordinates and isinstance(coordinates[0], (int, float)):
        return list(coordinates[:2])
    return [_drop_z(part) for part in coordinates]


def _numbers_only(coordinates) -> bool:
    if isinstance(coordinates, (int, float)) and not isinstance(coordinates, bool):
        return math.isfinite(coordinates)
    if isinstance(coordinates, list) and coordinates:
        if isinstance(coordinates[0], (int, float)):
            return 2 <= len(coordinates) <= 4 and all(map(_numbers_only, coordinates))
        return all(map(_numbers_only, coordinates))
    return False


def _ring_problem(geometry_type: str, coordinates) -> str | None:
    """Name what is wrong with a polygon's rings that shapely would not survive."""
    polygons = [coordinates] if geometry_type == "Polygon" else coordinates
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return _("a polygon needs at least one ring")
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                return _("a ring needs at least four positions (the last repeats the first)")
    return None


def _shoelace_area(geometry) -> float:
    """The area a polygon's rings enclose as written, holes subtracted, before any repair."""

    def ring_area(ring) -> float:
        xy = list(ring.coords)
        return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(xy)) / 2)

    parts = getattr(geometry, "geoms", [geometry])
    total = 0.0
    for polygon in parts:
        total += ring_area(polygon.exterior) - sum(ring_area(hole) for hole in polygon.interiors)
    return total


def _polygonal_part(geometry):
    """Keep the polygons of a repaired geometry (make_valid may add stray lines or points)."""
    if geometry.geom_type in POLYGONAL:
        return geometry
    polygons = [part for part in getattr(geometry, "geoms", []) if part.geom_type in POLYGONAL]
    return shapely.union_all(polygons) if polygons else None


def read_geometry(data, *, allow_point: bool = False, extent: Extent | None = None) -> Checked:
    """Check a GeoJSON geometry and return it as shapely, repaired where that is safe.

    Raises GeometryError naming the problem: not a geometry, the wrong type, coordinates that
    are not numbers, swapped or projected coordinates, rings too short, or a polygon so
    broken that repairing it would change its shape.
    """
    extent = extent or deployment_extent()
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise GeometryError(_("The feature has no geometry."))
    geometry_type = data["type"]
    allowed = (*POLYGONAL, "Point") if allow_point else POLYGONAL
    if geometry_type not in allowed:
        if allow_point:
            raise GeometryError(
                _("A %(type)s cannot be used: give a Point, Polygon or MultiPolygon.")
                % {"type": geometry_type}
            )
        raise GeometryError(
            _("A %(type)s cannot be a boundary: give a Polygon or MultiPolygon.")
            % {"type": geometry_type}
        )
    coordinates = data.get("coordinates")
    if not _numbers_only(coordinates):
        raise GeometryError(_("The coordinates are missing or are not all numbers."))
    coordinates = _drop_z(coordinates)
    if geometry_type in POLYGONAL:
        problem = _ring_problem(geometry_type, coordinates)
        if problem:
            raise GeometryError(_("Invalid polygon: %(problem)s.") % {"problem": problem})
    try:
        geometry = shape({"type": geometry_type, "coordinates": coordinates})
    except (ValueError, TypeError, shapely.errors.GEOSException) as error:
        raise GeometryError(_("Invalid geometry: %(error)s.") % {"error": error}) from error
    if geometry.is_empty:
        raise GeometryError(_("The geometry is empty."))
    _check_coordinates(geometry, extent)
    if geometry.geom_type == "Point":
        return Checked(geometry)
    return _repair(geometry)


def _check_coordinates(geometry, extent: Extent) -> None:
    min_x, min_y, max_x, max_y = geometry.bounds
    if max(abs(min_x), abs(max_x)) > 180 or max(abs(min_y), abs(max_y)) > 90:
        raise GeometryError(
            _(
                "The coordinates are not WGS84 longitude/latitude (values up to %(value)s look "
                "projected, e.g. UTM metres). Re-project the file to EPSG:4326."
            )
            % {"value": f"{max(abs(min_x), abs(max_x), abs(min_y), abs(max_y)):.0f}"}
        )
    if extent.contains(geometry.bounds):
        return
    if extent.contains((min_y, min_x, max_y, max_x)):
        raise GeometryError(
            _(
                "The coordinates look swapped: GeoJSON puts longitude first, then latitude, "
                "but these read as latitude, longitude."
            )
        )
    raise GeometryError(
        _(
            "The geometry lies outside the country (longitude %(min_lon)s–%(max_lon)s, "
            "latitude %(min_lat)s–%(max_lat)s)."
        )
        % {
            "min_lon": localize_digits(extent.min_lon),
            "max_lon": localize_digits(extent.max_lon),
            "min_lat": localize_digits(extent.min_lat),
            "max_lat": localize_digits(extent.max_lat),
        }
    )


def _repair(geometry) -> Checked:
    if geometry.is_valid:
        return Checked(shapely.normalize(geometry))
    reason = shapely.is_valid_reason(geometry)
    repaired = _polygonal_part(shapely.make_valid(geometry))
    written = _shoelace_area(geometry)
    if (
        repaired is None
        or repaired.is_empty
        or written <= 0
        or abs(repaired.area - written) > SAFE_REPAIR_TOLERANCE * written
    ):
        raise GeometryError(
            _(
                "Invalid polygon that cannot be repaired safely (%(reason)s). Fix it in a GIS "
                "program, e.g. QGIS's “Fix geometries”."
            )
            % {"reason": reason}
        )
    return Checked(shapely.normalize(repaired), repaired=reason)


def _rounded(data, decimals: int):
    if isinstance(data, float):
        return round(data, decimals)
    if isinstance(data, (list, tuple)):
        return [_rounded(item, decimals) for item in data]
    if isinstance(data, dict):
        return {key: _rounded(value, decimals) for key, value in data.items()}
    return data


def to_geojson(geometry, decimals: int = STORED_DECIMALS) -> dict:
    return _rounded(mapping(geometry), decimals)


def from_geojson(data: dict):
    return shape(data)


def simplified(geometry) -> dict:
    """Return a lighter GeoJSON copy for maps: about a thousandth of the area's width."""
    min_x, min_y, max_x, max_y = geometry.bounds
    tolerance = max(max_x - min_x, max_y - min_y) / 1000
    light = geometry.simplify(tolerance, preserve_topology=True) if tolerance else geometry
    return to_geojson(light, MAP_DECIMALS)


@dataclass(frozen=True)
class Placement:
    """What the area table stores about a geometry besides the geometry itself."""

    boundary: dict | None
    boundary_simple: dict | None
    latitude: float
    longitude: float
    bounds: tuple[float, float, float, float]
    cells: tuple[int, ...]


def place(geometry) -> Placement:
    """Return the stored forms of a checked geometry: boundary, map copy, point and cells."""
    if geometry.geom_type == "Point":
        return Placement(
            boundary=None,
            boundary_simple=None,
            latitude=round(geometry.y, STORED_DECIMALS),
            longitude=round(geometry.x, STORED_DECIMALS),
            bounds=geometry.bounds,
            cells=(),
        )
    inside = geometry.representative_point()
    return Placement(
        boundary=to_geojson(geometry),
        boundary_simple=simplified(geometry),
        latitude=round(inside.y, STORED_DECIMALS),
        longitude=round(inside.x, STORED_DECIMALS),
        bounds=geometry.bounds,
        cells=tuple(cells_covering(geometry.bounds)),
    )


def _cell_key(level: int, lon: float, lat: float) -> int:
    size = RESOLUTIONS[level]
    column = math.floor((lon + 180) / size)
    row = math.floor((lat + 90) / size)
    return level * 10**12 + column * 10**6 + row


def cells_covering(bounds) -> list[int]:
    """Return the grid cells a bounding box touches, at the finest resolution that keeps
    them to a few per side (a neighborhood takes one to four cells, a province a few dozen)."""
    min_x, min_y, max_x, max_y = bounds
    level = 0
    for candidate, size in enumerate(RESOLUTIONS):
        if max(max_x - min_x, max_y - min_y) / size <= MAX_CELLS_PER_SIDE:
            level = candidate
    size = RESOLUTIONS[level]
    first_column, last_column = math.floor((min_x + 180) / size), math.floor((max_x + 180) / size)
    first_row, last_row = math.floor((min_y + 90) / size), math.floor((max_y + 90) / size)
    return [
        level * 10**12 + column * 10**6 + row
        for column in range(first_column, last_column + 1)
        for row in range(first_row, last_row + 1)
    ]


def cells_at(lon: float, lat: float) -> list[int]:
    """Return the cell that holds a point at each resolution."""
    return [_cell_key(level, lon, lat) for level in range(len(RESOLUTIONS))]


def contains(boundary: dict, lon: float, lat: float) -> bool:
    """Whether a stored boundary covers the point (its edge included)."""
    return shape(boundary).covers(shapely.Point(lon, lat))
