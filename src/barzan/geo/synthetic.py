"""
Synthetic boundaries, so that demo and benchmark maps have something to show.

Real outlines ship for provinces and counties only (`data/iran-boundaries`). Below the
county the demo draws approximate ones: each real county is cut into the Voronoi cells of
its cities, joined by sector (`sectors_within`). Without any real outline (the benchmarks),
each city's cell, clipped to the land near some city, is joined into its sector, county and
province (`divisions_collections`). One demo city gets made-up urban districts and
neighborhoods. Everything made here is marked synthetic (`Area.is_synthetic`) and says so
on the map.

Pure functions: they return GeoJSON FeatureCollections that `actions.import_areas` loads
like any uploaded file.
"""

import random

import shapely
from shapely.geometry import MultiPoint, Point

from . import geometry

SOURCE = "Synthetic (Barzan demo): Voronoi cells of city locations"
NEIGHBORHOOD_SOURCE = "Synthetic (Barzan demo): generated neighborhoods"


def _collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _feature(shape, **properties) -> dict:
    return {
        "type": "Feature",
        "geometry": geometry.to_geojson(shape, geometry.MAP_DECIMALS),
        "properties": properties,
    }


def _clean(shape):
    """Round and re-validate a generated shape, as an import will read it."""
    shape = shapely.set_precision(shape, 10**-geometry.MAP_DECIMALS)
    shape = shapely.make_valid(shape)
    if shape.geom_type not in geometry.POLYGONAL:
        shape = shapely.union_all(
            [part for part in getattr(shape, "geoms", []) if part.geom_type in geometry.POLYGONAL]
        )
    return shape


def city_cells(cities: dict[str, tuple[float, float]], *, reach: float = 0.6) -> dict:
    """Return each city's Voronoi cell, clipped to `reach` degrees around all cities.

    `cities` maps a key to (longitude, latitude); cities at the same spot share a cell.
    """
    points = {key: Point(lon, lat) for key, (lon, lat) in cities.items()}
    land = shapely.union_all([point.buffer(reach, quad_segs=4) for point in points.values()])
    land = land.simplify(0.02)
    cells = shapely.voronoi_polygons(MultiPoint(list(points.values())), extend_to=land)
    tree = shapely.STRtree(list(cells.geoms))
    result, taken = {}, set()
    for key, point in points.items():
        hits = tree.query(point, predicate="intersects")
        # Cities at the same spot share one cell: it goes to the first, so that no two
        # counties claim the same ground.
        if len(hits) and int(hits[0]) not in taken:
            taken.add(int(hits[0]))
            result[key] = cells.geoms[int(hits[0])].intersection(land)
    return result


def union_by(cells: dict, groups: dict[str, str]) -> dict:
    """Join cells into groups: `groups` maps a cell's key to its group's key."""
    members: dict[str, list] = {}
    for key, cell in cells.items():
        if key in groups:
            members.setdefault(groups[key], []).append(cell)
    return {group: _clean(shapely.union_all(parts)) for group, parts in members.items()}


def _absorb_strays(cells: dict, parents: dict[str, dict[str, str]]) -> dict:
    """Give each cell cut off from the rest of its county to the neighbouring county that
    shares most of its edge.

    Some cities' recorded locations lie inside another county; their cells would draw
    islands on the map. A moved cell leaves its sector (its sector keeps the rest).
    """
    parents = {level: dict(mapping) for level, mapping in parents.items()}
    province_of = {county: parents["province"][key] for key, county in parents["county"].items()}
    for _round in range(3):
        shapes = union_by(cells, parents["county"])
        codes = list(shapes)
        tree = shapely.STRtree([shapes[code] for code in codes])
        moved = 0
        sizes: dict[str, int] = {}
        for key in cells:
            sizes[parents["county"].get(key)] = sizes.get(parents["county"].get(key), 0) + 1
        for key, cell in cells.items():
            county = parents["county"].get(key)
            shape = shapes.get(county)
            if shape is None or shape.geom_type != "MultiPolygon" or sizes[county] < 2:
                continue
            largest = max(shape.geoms, key=lambda part: part.area)
            if largest.intersection(cell).area > cell.area / 2:
                continue
            edge = cell.boundary
            neighbours = [
                (edge.intersection(shapes[codes[int(i)]]).length, codes[int(i)])
                for i in tree.query(cell, predicate="intersects")
                if codes[int(i)] != county
            ]
            best = max(neighbours, default=(0, None))
            if best[0] <= 0:
                continue
            sizes[county] -= 1
            parents["county"][key] = best[1]
            parents["province"][key] = province_of[best[1]]
            parents["sector"].pop(key, None)
            moved += 1
        if not moved:
            break
    return parents


def divisions_collections(
    cities: dict[str, tuple[float, float]],
    parents: dict[str, dict[str, str]],
    country_code: str = "IR",
) -> dict[str, dict]:
    """Return FeatureCollections of synthetic boundaries for sectors, counties, provinces
    and the country, matched by code.

    `parents[level]` maps a city's code to its sector, county and province codes.
    """
    cells = city_cells(cities)
    parents = _absorb_strays(cells, parents)
    collections = {}
    for level in ("sector", "county", "province"):
        shapes = union_by(cells, parents[level])
        collections[level] = _collection(
            [_feature(shape, code=code) for code, shape in sorted(shapes.items())]
        )
    country = _clean(shapely.union_all(list(shapes.values())))
    collections["country"] = _collection([_feature(country, code=country_code)])
    return collections


def sectors_within(
    counties: dict[str, object],
    cities: dict[str, tuple[float, float]],
    parents: dict[str, dict[str, str]],
) -> dict:
    """Return a FeatureCollection of synthetic sectors that tile each county of `counties`
    (code → shape): the county cut into its cities' Voronoi cells, joined by sector.

    `parents[level]` maps a city's key to its sector and county codes. A county with one
    city gives its whole outline to that city's sector; sectors without a city get nothing
    (the map says so).
    """
    by_county: dict[str, dict[tuple[float, float], str]] = {}
    for key, point in cities.items():
        county, sector = parents["county"].get(key), parents["sector"].get(key)
        if county in counties and sector:
            # Cities at the same spot share a cell: it goes to the first one's sector.
            by_county.setdefault(county, {}).setdefault(point, sector)
    features = []
    for county, sector_at in sorted(by_county.items()):
        outline = counties[county]
        if len(set(sector_at.values())) == 1:
            pieces = {next(iter(sector_at.values())): [outline]}
        else:
            points = MultiPoint([Point(lon, lat) for lon, lat in sector_at])
            cells = shapely.voronoi_polygons(points, extend_to=outline)
            pieces = {}
            for cell in cells.geoms:
                # voronoi_polygons does not keep the points' order: find each cell's city.
                owner = next(
                    (
                        sector
                        for (lon, lat), sector in sector_at.items()
                        if cell.covers(Point(lon, lat))
                    ),
                    None,
                )
                if owner is not None:
                    pieces.setdefault(owner, []).append(cell.intersection(outline))
        for sector, parts in sorted(pieces.items()):
            shape = _clean(shapely.union_all(parts))
            if not shape.is_empty and shape.area > 0:
                features.append(_feature(shape, code=sector))
    return _collection(features)


def _points_inside(shape, count: int, rng: random.Random) -> list[Point]:
    min_x, min_y, max_x, max_y = shape.bounds
    points: list[Point] = []
    while len(points) < count:
        point = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if shape.contains(point):
            points.append(point)
    return points


def _tessellate(shape, count: int, rng: random.Random) -> list:
    """Cut `shape` into `count` Voronoi pieces around random points, one relaxation round
    so that pieces are of similar size."""
    seeds = _points_inside(shape, count, rng)
    for _round in range(2):
        cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=shape)
        pieces = [cell.intersection(shape) for cell in cells.geoms]
        seeds = [piece.centroid for piece in pieces if not piece.is_empty]
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=shape)
    pieces = [_clean(cell.intersection(shape)) for cell in cells.geoms]
    return [piece for piece in pieces if not piece.is_empty and piece.area > 0]


def city_collections(
    *,
    center: tuple[float, float],
    city_code: str,
    within,
    district_codes: list[str],
    neighborhoods: int,
    population: int,
    radius: float = 0.12,
    seed: int = 1403,
) -> dict[str, dict]:
    """Return a synthetic city outline, its districts (matched by code) and new
    neighborhoods (created under each district), with made-up populations.
    """
    rng = random.Random(seed)
    lon, lat = center
    outline = Point(lon, lat).buffer(radius, quad_segs=12)
    # A city is wider east to west, as most of Iran's are.
    outline = shapely.affinity.scale(outline, 1.4, 0.8)
    if within is not None:
        outline = outline.intersection(within)
    outline = _clean(outline)
    districts = _tessellate(outline, len(district_codes), rng)
    districts.sort(key=lambda piece: (-round(piece.centroid.y, 2), piece.centroid.x))
    district_features, neighborhood_features = [], []
    weights = [rng.uniform(0.6, 1.4) * piece.area for piece in districts]
    total = sum(weights)
    for index, (code, piece) in enumerate(zip(district_codes, districts, strict=False)):
        district_population = round(population * weights[index] / total)
        district_features.append(_feature(piece, code=code, population=district_population))
        count = max(4, round(neighborhoods * piece.area / outline.area))
        parts = _tessellate(piece, count, rng)
        shares = [rng.uniform(0.5, 1.5) for _part in parts]
        for number, (part, share) in enumerate(zip(parts, shares, strict=True), start=1):
            neighborhood_features.append(
                _feature(
                    part,
                    code=f"{code}-{number:02d}",
                    parent_code=code,
                    name_fa=f"محلهٔ نمونهٔ {index + 1}-{number}",
                    name_en=f"Sample neighborhood {index + 1}-{number}",
                    population=round(district_population * share / sum(shares)),
                )
            )
    return {
        "city": _collection([_feature(outline, code=city_code)]),
        "district": _collection(district_features),
        "neighborhood": _collection(neighborhood_features),
    }
