"""
The geography targets, measured in-process on a throwaway database (server time, no HTTP):

1. importing the whole official hierarchy (3,132 areas): under 10 s;
2. the GeoJSON of 400 neighborhood polygons (the API's children.geojson): under 150 ms;
3. locating a point among 30,000 neighborhood polygons: under 5 ms median;
4. listing every area under a province (a subtree query): under 20 ms.

The 30,000 neighborhoods are synthetic Voronoi cells over the country, each under the
county that holds its seed point, loaded with the same import action as uploaded files.

    uv run python -m benchmarks geography
    uv run python -m benchmarks geography --postgres postgres://postgres@127.0.0.1:5432/postgres
"""

import json
import os
import random
import statistics
import tempfile
import time

from .support import throwaway_database


def add_arguments(parser) -> None:
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="Use a throwaway database on this PostgreSQL server instead of SQLite.",
    )
    parser.add_argument(
        "--neighborhoods", type=int, default=30_000, help="Synthetic neighborhoods (30,000)."
    )
    parser.add_argument("--points", type=int, default=2_000, help="Points to locate (2,000).")


def _timed(call, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms, n={len(ordered)}"


def _neighborhood_collection(count: int, seed: int = 7) -> dict:
    """Voronoi cells over the synthetic country, each under the county holding its seed."""
    import shapely
    from shapely.geometry import MultiPoint, Point

    from barzan.geo import geometry
    from barzan.geo.models import Area

    counties = [
        (area.code, geometry.from_geojson(area.boundary))
        for area in Area.objects.filter(level__code="county", boundary__isnull=False)
    ]
    land = shapely.union_all([shape for _code, shape in counties])
    tree = shapely.STRtree([shape for _code, shape in counties])
    rng = random.Random(seed)
    min_x, min_y, max_x, max_y = land.bounds
    seeds, owners = [], []
    prepared = shapely.prepare(land) or land
    while len(seeds) < count:
        point = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if not prepared.contains(point):
            continue
        hits = tree.query(point, predicate="within")
        if not len(hits):
            continue
        seeds.append(point)
        owners.append(counties[int(hits[0])])
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=land)
    cell_tree = shapely.STRtree(list(cells.geoms))
    features = []
    for number, (point, (code, county)) in enumerate(zip(seeds, owners, strict=True)):
        cell = cells.geoms[int(cell_tree.query(point, predicate="intersects")[0])]
        shape = cell.intersection(county)
        if shape.is_empty or shape.geom_type not in geometry.POLYGONAL:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": geometry.to_geojson(shape, geometry.MAP_DECIMALS),
                "properties": {
                    "code": f"N{number:06d}",
                    "parent_code": code,
                    "name_fa": f"محله {number}",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def run(args) -> int:
    with throwaway_database(args.postgres) as database_url:
        data_dir = tempfile.mkdtemp(prefix="barzan-bench-geo-")
        os.environ["BARZAN_DATA_DIR"] = data_dir
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "barzan.settings")
        if database_url:
            os.environ["BARZAN_DATABASE_URL"] = database_url
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        call_command("migrate", verbosity=0)
        from barzan.access.models import Role
        from barzan.accounts.actions import create_api_token, create_user
        from barzan.geo import demo, importing
        from barzan.geo.actions import import_areas, move_area
        from barzan.geo.models import Area, AreaLevel
        from barzan.geo.readers import locate

        engine = connection.vendor
        print(f"database: {engine}")

        # 1. The official hierarchy, into an empty tree.
        start = time.perf_counter()
        report = import_areas(
            actor=None, format=importing.DIVISIONS, content=demo.division_files(), source="bench"
        )
        first = time.perf_counter() - start
        start = time.perf_counter()
        again = import_areas(
            actor=None, format=importing.DIVISIONS, content=demo.division_files(), source="bench"
        )
        second = time.perf_counter() - start
        print(
            f"1. import of the official hierarchy: {first:.2f} s for {len(report.created)} areas "
            f"(target < 10 s); running it again: {second:.2f} s, "
            f"{len(again.created)} created, {len(again.unchanged)} unchanged"
        )

        # The demo's synthetic boundaries and Tehran's 400 neighborhoods.
        demo._set_populations()
        start = time.perf_counter()
        demo._boundaries()
        print(f"   synthetic boundaries and the demo city: {time.perf_counter() - start:.2f} s")

        # 2. The GeoJSON of a district's neighborhoods, through the API, as the map asks.
        country = Area.objects.get(level__code="country")
        admin = create_user(
            actor=None,
            username="bench-admin",
            first_name="",
            last_name="",
            email="bench@example.org",
            password="bench-password-1403",
            role=Role.objects.get(code="national_admin"),
            area=country,
        )
        city = Area.objects.get(level__code="city", code=demo.DEMO_CITY_CODE)
        neighborhoods = Area.objects.filter(level__code="neighborhood", path__startswith=city.path)
        # One district holding all 400: the map of one area with 400 children.
        big = city.children.order_by("code").first()
        for neighborhood in list(neighborhoods.exclude(parent=big)):
            move_area(actor=None, area=neighborhood, parent=big, version=None)
        count = Area.objects.filter(parent=big).count()
        # A national administrator's token needs a two-factor device.
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(user=admin, name="bench", confirmed=True)
        _token, raw = create_api_token(actor=admin, name="bench")
        client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {raw}")
        url = f"/api/v1/areas/{big.pk}/children.geojson"
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        features = len(json.loads(response.content)["features"])
        times = _timed(lambda: client.get(url), 40)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(
            f"2. children.geojson of {count} neighborhood polygons ({features} features, "
            f"{len(response.content) / 1024:.0f} KiB, {len(queries)} queries): "
            f"{_summary(times)} (target < 150 ms)"
        )

        # 3. Locating points among the synthetic national neighborhoods.
        start = time.perf_counter()
        collection = _neighborhood_collection(args.neighborhoods)
        generated = time.perf_counter() - start
        start = time.perf_counter()
        report = import_areas(
            actor=None,
            format=importing.GEOJSON,
            content=json.dumps(collection, ensure_ascii=False).encode(),
            source="bench-neighborhoods.geojson",
            options=importing.Options(level=AreaLevel.objects.get(code="neighborhood")),
            synthetic=True,
        )
        assert report.ok, report.problems[:5]
        total = Area.objects.filter(level__code="neighborhood", boundary__isnull=False).count()
        print(
            f"   {len(report.created)} synthetic neighborhoods generated in {generated:.1f} s, "
            f"imported in {time.perf_counter() - start:.1f} s ({total} neighborhood polygons)"
        )
        rng = random.Random(11)
        targets = rng.sample(collection["features"], min(args.points, len(collection["features"])))
        from barzan.geo import geometry

        points = []
        for feature in targets:
            inside = geometry.from_geojson(feature["geometry"]).representative_point()
            points.append((inside.y, inside.x, feature["properties"]["code"]))
        found, times = 0, []
        for lat, lon, code in points:
            start = time.perf_counter()
            location = locate(lat, lon)
            times.append((time.perf_counter() - start) * 1000)
            found += location is not None and location.area.code == code
        print(
            f"3. locate among {total} neighborhood polygons: {_summary(times)} "
            f"(target < 5 ms median); {found}/{len(points)} found the right neighborhood"
        )

        # 4. A subtree: every area under a province (the largest one by rows).
        provinces = list(Area.objects.filter(level__code="province"))
        sizes = {p.pk: Area.objects.filter(path__startswith=p.path).count() for p in provinces}
        largest = max(provinces, key=lambda p: sizes[p.pk])
        fields = ("id", "code", "name_fa", "level_id", "parent_id", "depth", "population")

        def subtree():
            return list(Area.objects.within(largest).values_list(*fields))

        times = _timed(subtree, 50)
        print(
            f"4. every area under {largest.name_en or largest.code} ({sizes[largest.pk]} rows): "
            f"{_summary(times)} (target < 20 ms)"
        )
        tehran = Area.objects.get(level__code="province", code="23")
        times = _timed(lambda: list(Area.objects.within(tehran).values_list(*fields)), 50)
        print(f"   every area under Tehran ({sizes[tehran.pk]} rows): {_summary(times)}")
    return 0
