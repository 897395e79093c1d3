"""
Demo geography: the whole official hierarchy from the project's copy of Iran's divisions,
county and province populations from the 1395 census, the real outlines of provinces and
counties from OpenStreetMap (`data/iran-boundaries`, ODbL), the country as their union,
and synthetic boundaries below the county (see `synthetic`): sectors, and one demo city
(Tehran) cut into made-up districts and neighborhoods.

Everything goes through `actions.import_areas`, exactly as an administrator's upload does:
the real outlines through a boundaries-only GeoJSON import.
"""

import csv
import json
from pathlib import Path

import shapely

from . import geometry, importing, synthetic
from .actions import import_areas
from .models import Area, AreaLevel
from .readers import OSM_ATTRIBUTION

DATA_DIR = Path(__file__).parent / "data"
DIVISIONS_DIR = DATA_DIR / "iran-divisions"
BOUNDARIES_DIR = DATA_DIR / "iran-boundaries"
OSM_SOURCE = "OpenStreetMap (ODbL 1.0), coastline from Natural Earth"
CENSUS_FILE = DATA_DIR / "census-1395" / "iran2016census.csv"

COUNTRY_CODE = importing.COUNTRY_CODE
DEMO_CITY_CODE = "2301021576"  # Tehran
DEMO_NEIGHBORHOODS = 400


class DemoDataError(RuntimeError):
    pass


def _read_rows(name: str) -> list[dict]:
    with (DIVISIONS_DIR / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def division_files() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in DIVISIONS_DIR.glob("*.csv")}


def _check(report) -> None:
    if not report.ok:
        raise DemoDataError("; ".join(str(problem) for problem in report.problems[:10]))


def census_populations() -> dict[tuple[str, str], int]:
    """Return the 1395 census population by (level, code) for counties, provinces, country."""
    totals: dict[tuple[str, str], int] = {}
    with CENSUS_FILE.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            people = int(row["male"]) + int(row["female"])
            for key in (
                ("county", row["county_code"].zfill(4)),
                ("province", row["province_code"].zfill(2)),
                ("country", COUNTRY_CODE),
            ):
                totals[key] = totals.get(key, 0) + people
    return totals


def _set_populations() -> None:
    """Load the census populations through the CSV import, one level at a time."""
    levels = {level.code: level for level in AreaLevel.objects.all()}
    totals = census_populations()
    for level in ("country", "province", "county"):
        lines = ["code,population"] + [
            f"{code},{people}" for (at, code), people in sorted(totals.items()) if at == level
        ]
        report = import_areas(
            actor=None,
            format=importing.CSV,
            content="\n".join(lines).encode(),
            source=f"census-1395-{level}.csv",
            options=importing.Options(
                level=levels[level], updates=frozenset({importing.Update.POPULATION})
            ),
        )
        _check(report)


def _city_points() -> tuple[dict, dict]:
    """Return each city's location and its sector, county and province codes."""
    codes = {
        level: {row["id"]: importing.code_of(row["code"], width) for row in _read_rows(name)}
        for name, level, width in (
            ("provinces.csv", "province", 2),
            ("counties.csv", "county", 4),
            ("sectors.csv", "sector", 6),
        )
    }
    points = {row["city_id"]: row for row in _read_rows("city_coordinates.csv")}
    cities, parents = {}, {"sector": {}, "county": {}, "province": {}}
    for row in _read_rows("cities.csv"):
        if row["id"] not in points:
            continue
        cities[row["id"]] = (float(points[row["id"]]["lon"]), float(points[row["id"]]["lat"]))
        parents["sector"][row["id"]] = codes["sector"][row["sector_id"]]
        parents["county"][row["id"]] = codes["county"][row["county_id"]]
        parents["province"][row["id"]] = codes["province"][row["province_id"]]
    return cities, parents


def country_outline(provinces: bytes) -> dict:
    """Return a FeatureCollection of the country: the union of the provinces' outlines,
    which share their borders exactly, so that it has no hole."""
    collection = json.loads(provinces)
    shape = shapely.union_all(
        [geometry.from_geojson(feature["geometry"]) for feature in collection["features"]]
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": geometry.to_geojson(shape, geometry.STORED_DECIMALS),
                "properties": {"code": COUNTRY_CODE},
            }
        ],
    }


def _real_outlines(levels: dict) -> None:
    """Load the OpenStreetMap outlines as any user would: a GeoJSON import that may change
    boundaries only, credited as their license asks."""
    provinces = (BOUNDARIES_DIR / "province.geojson").read_bytes()
    files = (
        ("country", json.dumps(country_outline(provinces)).encode(), "parent_code"),
        ("province", provinces, "parent_code"),
        # Markazi's county codes lost their leading zero in the divisions data (001 for
        # 0001), and the outlines keep the data's codes: match those by name within the
        # province instead.
        ("county", (BOUNDARIES_DIR / "county.geojson").read_bytes(), "province_code"),
    )
    for level, content, parent_property in files:
        report = import_areas(
            actor=None,
            format=importing.GEOJSON,
            content=content,
            source=f"iran-boundaries/{level}.geojson",
            options=importing.Options(
                level=levels[level],
                parent_property=parent_property,
                source_label=OSM_SOURCE,
                attribution=OSM_ATTRIBUTION,
                updates=frozenset({importing.Update.BOUNDARIES}),
            ),
        )
        _check(report)


def _boundaries() -> None:
    levels = {level.code: level for level in AreaLevel.objects.all()}
    _real_outlines(levels)
    cities, parents = _city_points()
    counties = {
        code: geometry.from_geojson(boundary)
        for code, boundary in Area.objects.filter(
            level=levels["county"], valid_to__isnull=True, boundary__isnull=False
        ).values_list("code", "boundary")
    }
    _load_geojson(
        synthetic.sectors_within(counties, cities, parents), levels["sector"], synthetic.SOURCE
    )
    city = Area.objects.get(level=levels["city"], code=DEMO_CITY_CODE, valid_to__isnull=True)
    county = city.parent.parent
    made = synthetic.city_collections(
        center=(city.longitude, city.latitude),
        city_code=city.code,
        within=counties.get(county.code),
        district_codes=list(
            city.children.filter(valid_to__isnull=True)
            .order_by("code")
            .values_list("code", flat=True)
        ),
        neighborhoods=DEMO_NEIGHBORHOODS,
        population=8_700_000,
    )
    _load_geojson(made["city"], levels["city"], synthetic.NEIGHBORHOOD_SOURCE)
    _load_geojson(made["district"], levels["district"], synthetic.NEIGHBORHOOD_SOURCE)
    _load_geojson(made["neighborhood"], levels["neighborhood"], synthetic.NEIGHBORHOOD_SOURCE)


def _load_geojson(collection: dict, level: AreaLevel, label: str) -> None:
    report = import_areas(
        actor=None,
        format=importing.GEOJSON,
        content=json.dumps(collection, ensure_ascii=False).encode(),
        source=f"demo-{level.code}.geojson",
        # The demo's own shapes and figures: they may change everything.
        options=importing.Options(level=level, source_label=label, updates=importing.ALL_UPDATES),
        synthetic=True,
    )
    _check(report)


def load() -> Area:
    """Create the demo tree and return the country."""
    report = import_areas(
        actor=None,
        format=importing.DIVISIONS,
        content=division_files(),
        source="iran-divisions (project copy)",
    )
    _check(report)
    _set_populations()
    _boundaries()
    return Area.objects.get(level__code="country", code=COUNTRY_CODE, valid_to__isnull=True)
