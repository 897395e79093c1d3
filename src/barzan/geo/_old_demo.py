"""
Demo geography: the whole official hierarchy from the project's copy of Iran's divisions,
county and province populations from the 1395 census, and synthetic boundaries (see
`synthetic`), with one demo city (Tehran) cut into made-up districts and neighborhoods.

Everything goes through `actions.import_areas`, exactly as an administrator's upload does.
"""

import csv
import json
from pathlib import Path

from . import geometry, importing, synthetic
from .actions import import_areas
from .models import Area, AreaLevel

DATA_DIR = Path(__file__).parent / "data"
DIVISIONS_DIR = DATA_DIR / "iran-divisions"
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


def _boundaries() -> None:
    levels = {level.code: level for level in AreaLevel.objects.all()}
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
    collections = synthetic.divisions_collections(cities, parents)
    for level in ("country", "province", "county", "sector"):
        _load_geojson(collections[level], levels[level], synthetic.SOURCE)
    city = Area.objects.get(level=levels["city"], code=DEMO_CITY_CODE, valid_to__isnull=True)
    county = city.parent.parent
    made = synthetic.city_collections(
        center=(city.longitude, city.latitude),
        city_code=city.code,
        within=geometry.from_geojson(county.boundary) if county.boundary else None,
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
