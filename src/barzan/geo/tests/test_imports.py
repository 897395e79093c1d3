"""Importing areas: every problem is listed with where it is, and a file with any problem
writes nothing; a clean file creates or updates areas, and importing it again changes
nothing."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from barzan.access import policy
from barzan.access.actions import MANAGE
from barzan.audit.models import AuditEvent
from barzan.geo import importing
from barzan.geo.actions import AREAS_IMPORTED, import_areas
from barzan.geo.demo import division_files
from barzan.geo.models import Area, AreaCell

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def english():
    """Compare messages in English, whatever the default language is."""
    with translation.override("en"):
        yield


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    """A square polygon with its south-west corner at (lon, lat)."""
    ring = [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def feature(geometry: dict, **properties) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def collection(*features: dict, **members) -> bytes:
    return json.dumps(
        {"type": "FeatureCollection", "features": list(features), **members}, ensure_ascii=False
    ).encode()


BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [[51.40, 35.70], [51.42, 35.72], [51.42, 35.70], [51.40, 35.72], [51.40, 35.70]]
    ],
}
SWAPPED = {
    "type": "Polygon",
    "coordinates": [[[lat, lon] for lon, lat in square(51.43, 35.70)["coordinates"][0]]],
}


def import_geojson(content: bytes, level, parent=None, *, actor=None, dry_run=False):
    return import_areas(
        actor=actor,
        format=importing.GEOJSON,
        content=content,
        source="areas.geojson",
        options=importing.Options(level=level, parent=parent),
        dry_run=dry_run,
    )


def import_csv(content: str, level, parent=None, *, actor=None, dry_run=False):
    return import_areas(
        actor=actor,
        format=importing.CSV,
        content=content.encode(),
        source="areas.csv",
        options=importing.Options(level=level, parent=parent),
        dry_run=dry_run,
    )


def import_divisions(files, *, dry_run=False):
    return import_areas(
        actor=None,
        format=importing.DIVISIONS,
        content=files,
        source="iran-divisions",
        dry_run=dry_run,
    )


def stored() -> tuple:
    """What an import may write: the areas as they are, the spatial index and the audit log."""
    return (
        list(
            Area.objects.order_by("pk").values_list(
                "pk", "code", "name_fa", "parent", "path", "version", "boundary", "latitude"
            )
        ),
        AreaCell.objects.count(),
        AuditEvent.objects.filter(verb=AREAS_IMPORTED).count(),
    )


def problems_of(report) -> dict[str, str]:
    return {problem.where: problem.message for problem in report.problems}


# -- A GeoJSON file with problems -----------------------------------------------------------

BROKEN_NEIGHBORHOODS = (
    feature(square(51.40, 35.70), code="N1", name_fa="محله یکم"),
    feature(BOWTIE, code="N2", name_fa="محله دوم"),
    feature(SWAPPED, code="N3", name_fa="محله سوم"),
    feature(square(51.44, 35.70), code="N4", name_fa="محله چهارم", parent_code="9999999999"),
    feature(square(51.45, 35.70), code="N5", name_fa="محله بهار"),
    feature(square(51.46, 35.70), code="N6", name_fa="محله بهار"),
)


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry run", "for real"])
def test_every_problem_in_a_geojson_file_is_listed_by_feature_and_nothing_is_written(
    areas, levels, dry_run
):
    before = stored()

    report = import_geojson(
        collection(*BROKEN_NEIGHBORHOODS),
        levels["neighborhood"],
        areas.district6,
        dry_run=dry_run,
    )

    problems = problems_of(report)
    assert list(problems) == ["feature 2", "feature 3", "feature 4", "feature 6"]
    assert "cannot be repaired safely" in problems["feature 2"]
    assert "swapped" in problems["feature 3"]
    assert "No area has the parent code 9999999999" in problems["feature 4"]
    assert "“محله بهار” is also at feature 5 under the same parent" in problems["feature 6"]
    assert report.ok is False
    assert report.applied is False
    assert stored() == before


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (BROKEN_NEIGHBORHOODS[1], "Invalid polygon that cannot be repaired safely"),
        (BROKEN_NEIGHBORHOODS[2], "The coordinates look swapped"),
        (BROKEN_NEIGHBORHOODS[3], "No area has the parent code 9999999999."),
        (BROKEN_NEIGHBORHOODS[5], "“محله بهار” is also at feature 1 under the same parent."),
    ],
    ids=["invalid polygon", "swapped coordinates", "unknown parent", "duplicate name"],
)
def test_each_problem_alone_is_named_and_stops_the_whole_file(areas, levels, bad, reason):
    first = BROKEN_NEIGHBORHOODS[4] if bad is BROKEN_NEIGHBORHOODS[5] else BROKEN_NEIGHBORHOODS[0]
    before = stored()

    report = import_geojson(collection(first, bad), levels["neighborhood"], areas.district6)

    assert [problem.where for problem in report.problems] == ["feature 2"]
    assert report.problems[0].message.startswith(reason)
    assert len(report.created) == 1  # the good feature was planned, and still not written
    assert report.applied is False
    assert stored() == before


def test_a_duplicate_name_is_found_however_its_letters_were_typed(areas, levels):
    content = collection(
        feature(square(51.40, 35.70), code="N1", name_fa="محله کوی یاس"),
        feature(square(51.41, 35.70), code="N2", name_fa="محله كوي ياس"),  # Arabic kaf and yeh
    )

    report = import_geojson(content, levels["neighborhood"], areas.district6)

    assert list(problems_of(report)) == ["feature 2"]
    assert "also at feature 1" in problems_of(report)["feature 2"]


def test_a_duplicate_code_is_listed_with_the_feature_that_had_it_first(areas, levels):
    content = collection(
        feature(square(51.40, 35.70), code="N1", name_fa="محله یکم"),
        feature(square(51.41, 35.70), code="N1", name_fa="محله دوم"),
    )

    report = import_geojson(content, levels["neighborhood"], areas.district6)

    assert problems_of(report) == {"feature 2": "The code N1 is also at feature 1."}


# -- A clean GeoJSON file -------------------------------------------------------------------

NEIGHBORHOODS = collection(
    feature(square(51.40, 35.70), name_fa="محله یکم", population=12000),
    feature(square(51.41, 35.70), code="2301021606002", name_fa="محله دوم"),
    feature(point(51.425, 35.705), name_fa="محله سوم"),
)


def test_neighborhoods_as_polygons_and_points_are_created_under_the_district(areas, levels):
    report = import_geojson(NEIGHBORHOODS, levels["neighborhood"], areas.district6)

    assert report.ok, report.problems
    assert report.counts() == {"created": 3, "changed": 0, "unchanged": 0, "problems": 0}
    assert report.applied is True
    first, second, third = Area.objects.filter(parent=areas.district6).order_by("name_fa")
    assert [area.name_fa for area in (first, second, third)] == ["محله دوم", "محله سوم", "محله یکم"]
    # Areas without a code get one made from their parent's.
    assert {area.code for area in (first, second, third)} == {
        "2301021606002",
        "2301021606-001",
        "2301021606-002",
    }
    first_polygon = Area.objects.get(name_fa="محله یکم")
    assert first_polygon.population == 12000
    assert first_polygon.boundary["type"] == "Polygon"
    assert first_polygon.path == f"{areas.district6.path}{first_polygon.pk}/"
    assert first_polygon.depth == areas.district6.depth + 1
    assert first_polygon.boundary_source == "areas.geojson"
    point_only = Area.objects.get(name_fa="محله سوم")
    assert point_only.boundary is None
    assert (point_only.latitude, point_only.longitude) == (35.705, 51.425)
    # Only the polygons are in the spatial index.
    assert set(AreaCell.objects.values_list("area", flat=True)) == {first.pk, third.pk}
    event = AuditEvent.objects.get(verb=AREAS_IMPORTED)
    assert event.after["created"] == 3


def test_an_import_is_audited_with_its_counts_and_codes(areas, levels):
    content = collection(feature(square(51.40, 35.70), code="2301021606001", name_fa="محله یکم"))

    import_geojson(content, levels["neighborhood"], areas.district6)

    event = AuditEvent.objects.get(verb="area.imported")
    assert event.actor is None
    assert event.actor_label == "system"
    assert event.target_id == str(areas.district6.pk)
    assert event.after == {
        "source": "areas.geojson",
        "format": "geojson",
        "created": 1,
        "changed": 0,
        "unchanged": 0,
        "problems": 0,
        "updates": "boundaries,new",
        "warnings": 0,
        "codes": ["2301021606001"],
    }


def test_importing_the_same_file_again_changes_nothing(areas, levels):
    import_geojson(NEIGHBORHOODS, levels["neighborhood"], areas.district6)
    before = stored()

    again = import_geojson(NEIGHBORHOODS, levels["neighborhood"], areas.district6)

    assert again.ok, again.problems
    assert again.counts() == {"created": 0, "changed": 0, "unchanged": 3, "problems": 0}
    assert again.applied is False
    assert stored() == before


def test_a_dry_run_reports_what_it_would_create_and_writes_nothing(areas, levels):
    before = stored()

    report = import_geojson(NEIGHBORHOODS, levels["neighborhood"], areas.district6, dry_run=True)

    assert report.ok
    assert report.dry_run is True
    assert report.applied is False
    assert report.counts()["created"] == 3
    assert stored() == before


def test_a_changed_boundary_is_reported_changed_and_stored(areas, levels):
    import_geojson(NEIGHBORHOODS, levels["neighborhood"], areas.district6)
    moved = collection(feature(square(51.50, 35.70), code="2301021606002", name_fa="محله دوم"))

    report = import_geojson(moved, levels["neighborhood"], areas.district6)

    assert [row.changes for row in report.changed] == [["boundary"]]
    area = Area.objects.get(code="2301021606002")
    assert area.boundary["coordinates"][0][0][0] == pytest.approx(51.50)
    assert area.version == 2
    assert area.min_lon == pytest.approx(51.50)


# -- Matching boundaries to existing areas --------------------------------------------------


def test_boundaries_match_existing_areas_by_code(areas, levels):
    content = collection(feature(square(51.3, 35.6, 0.2), code="2301"))

    report = import_geojson(content, levels["county"])

    assert report.ok, report.problems
    assert [row.area for row in report.changed] == [areas.tehran_county]
    assert Area.objects.filter(level=levels["county"]).count() == 3
    assert Area.objects.get(pk=areas.tehran_county.pk).boundary is not None


def test_boundaries_match_existing_areas_by_normalised_name_under_the_parent(areas, levels):
    # «شميرانات» with an Arabic yeh is the stored «شمیرانات».
    content = collection(feature(square(51.4, 35.8, 0.2), name_fa="شميرانات"))

    report = import_geojson(content, levels["county"], areas.tehran)

    assert report.ok, report.problems
    assert [row.area for row in report.changed] == [areas.shemiranat]
    assert report.changed[0].changes == ["boundary"]
    shemiranat = Area.objects.get(pk=areas.shemiranat.pk)
    assert shemiranat.name_fa == "شمیرانات"
    assert shemiranat.code == "2302"
    assert shemiranat.boundary is not None
    assert Area.objects.filter(level=levels["county"]).count() == 3


def test_a_name_is_matched_only_under_the_given_parent(areas, levels):
    # Isfahan has a county named «اصفهان»; under Tehran the name is new.
    content = collection(feature(square(51.6, 35.6, 0.1), name_fa="اصفهان"))

    report = import_geojson(content, levels["county"], areas.tehran)

    assert report.counts()["created"] == 1
    assert report.created[0].parent == areas.tehran
    assert Area.objects.get(pk=areas.isfahan_county.pk).boundary is None


def test_a_code_wins_over_a_name(areas, levels):
    # The name is Tehran county's, the code Shemiranat's: the code decides.
    content = collection(feature(square(51.4, 35.8, 0.2), code="2302", name_fa="تهران"))

    report = import_geojson(content, levels["county"], areas.tehran)

    assert report.ok, report.problems
    assert [row.area for row in report.changed] == [areas.shemiranat]
    assert Area.objects.get(pk=areas.shemiranat.pk).boundary is not None
    assert Area.objects.get(pk=areas.tehran_county.pk).boundary is None


# -- Files that cannot be read --------------------------------------------------------------


def test_invalid_json_is_reported_with_its_line_and_column(areas, levels):
    content = b'{"type": "FeatureCollection",\n  "features": [,]}'

    report = import_geojson(content, levels["neighborhood"], areas.district6)

    assert problems_of(report) == {
        "line 2, column 16": "The file is not valid JSON: Expecting value."
    }


def test_json_that_is_not_a_feature_collection_is_refused(areas, levels):
    content = json.dumps(feature(square(51.40, 35.70), name_fa="محله یکم")).encode()

    report = import_geojson(content, levels["neighborhood"], areas.district6)

    assert [problem.message for problem in report.problems] == [
        "The file must be a GeoJSON FeatureCollection."
    ]


def test_a_projected_coordinate_system_is_refused_before_any_feature_is_read(areas, levels):
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32639"}}
    content = collection(feature(square(51.40, 35.70), name_fa="محله یکم"), crs=crs)
    before = stored()

    report = import_geojson(content, levels["neighborhood"], areas.district6)

    assert list(problems_of(report)) == ["crs"]
    assert "EPSG::32639" in report.problems[0].message
    assert "EPSG:4326" in report.problems[0].message
    assert report.rows == []
    assert stored() == before


def test_a_wgs84_declaration_is_accepted(areas, levels):
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    content = collection(feature(square(51.40, 35.70), name_fa="محله یکم"), crs=crs)

    report = import_geojson(content, levels["neighborhood"], areas.district6)

    assert report.ok, report.problems
    assert report.applied


def test_a_feature_that_is_not_a_feature_is_named(areas, levels):
    content = collection(
        feature(square(51.40, 35.70), name_fa="محله یکم"), {"type": "Polygon"}, "text"
    )

    report = import_geojson(content, levels["neighborhood"], areas.district6)

    assert problems_of(report) == {
        "feature 2": "This is not a GeoJSON Feature.",
        "feature 3": "This is not a GeoJSON Feature.",
    }


# -- CSV ------------------------------------------------------------------------------------


def test_neighborhoods_from_csv_are_created_with_their_points(areas, levels):
    content = (
        "code,name_fa,parent_code,latitude,longitude,population\n"
        "2301021606101,محله الف,2301021606,35.701,51.401,5000\n"
        "2301021606102,محله ب,2301021606,,,\n"
    )

    report = import_csv(content, levels["neighborhood"])

    assert report.ok, report.problems
    assert report.counts()["created"] == 2
    first = Area.objects.get(code="2301021606101")
    assert first.parent == areas.district6
    assert (first.latitude, first.longitude) == (35.701, 51.401)
    assert first.population == 5000
    assert Area.objects.get(code="2301021606102").latitude is None
    assert import_csv(content, levels["neighborhood"]).counts()["unchanged"] == 2


def test_a_bad_latitude_in_csv_is_reported_with_its_line_and_column(areas, levels):
    content = (
        "code,name_fa,parent_code,latitude,longitude\n"
        "2301021606101,محله الف,2301021606,35.701,51.401\n"
        "2301021606102,محله ب,2301021606,35.7x,51.402\n"
    )
    before = stored()

    report = import_csv(content, levels["neighborhood"])

    assert problems_of(report) == {
        "line 3, column “latitude”": "Latitude and longitude must be numbers."
    }
    assert stored() == before


def test_a_latitude_outside_the_country_is_reported_in_the_latitude_column(areas, levels):
    content = (
        "code,name_fa,parent_code,latitude,longitude\n2301021606101,محله الف,2301021606,95,51.4\n"
    )

    report = import_csv(content, levels["neighborhood"])

    assert list(problems_of(report)) == ["line 2, column “latitude”"]


def test_a_csv_without_a_code_column_is_refused(areas, levels):
    report = import_csv("name_fa,parent_code\nمحله الف,2301021606\n", levels["neighborhood"])

    assert problems_of(report) == {"line 1": "The header lacks the columns: code."}


def test_an_unknown_parent_code_in_csv_is_reported_in_its_column(areas, levels):
    content = "code,name_fa,parent_code\n2301021606101,محله الف,404\n"

    report = import_csv(content, levels["neighborhood"])

    assert problems_of(report) == {
        "line 2, column “parent_code”": "No area has the parent code 404."
    }


# -- The official divisions -----------------------------------------------------------------


def level_counts() -> dict[str, int]:
    counts = {}
    for code in ("country", "province", "county", "sector", "city", "district"):
        counts[code] = Area.objects.filter(level__code=code, valid_to__isnull=True).count()
    return counts


def test_the_official_divisions_fill_an_empty_tree_and_a_second_import_changes_nothing(roles):
    report = import_divisions(division_files())

    assert report.ok, report.problems[:5]
    assert level_counts() == {
        "country": 1,
        "province": 31,
        "county": 448,
        "sector": 1099,
        "city": 1354,
        "district": 200,
    }
    # Markazi's codes lost a leading zero in the data; they are stored at full width.
    markazi = Area.objects.get(level__code="province", code="00")
    assert markazi.name_fa == "مرکزی"
    assert markazi.name_en == "Markazi"
    arak = Area.objects.get(level__code="county", code="0001")
    assert arak.name_fa == "اراک"
    assert arak.parent == markazi
    assert Area.objects.filter(level__code="sector", code="000703").exists()
    country = Area.objects.get(level__code="country")
    assert country.code == "IR"
    # Every path runs from the country and has one id per level.
    assert country.path == f"/{country.pk}/"
    for path, depth in Area.objects.values_list("path", "depth"):
        assert path.startswith(country.path)
        assert path.count("/") - 2 == depth
    # Cities carry their location, without a boundary.
    abadan_city = Area.objects.get(level__code="city", name_fa="آبادان")
    assert abadan_city.latitude is not None
    assert abadan_city.boundary is None
    before = stored()

    again = import_divisions(division_files())

    assert again.ok, again.problems[:5]
    assert again.created == []
    assert again.changed == []
    assert len(again.unchanged) == 31 + 448 + 1099 + 1354 + 200
    assert stored() == before


def broken_divisions() -> dict[str, bytes]:
    """The official files with three bad rows added at the end of two of them."""
    files = division_files()

    def append(name: str, *lines: str) -> None:
        text = files[name].decode("utf-8").rstrip("\r\n")
        files[name] = (text + "".join(f"\r\n{line}" for line in lines) + "\r\n").encode("utf-8")

    append(
        "counties.csv",
        '"9001","بدکد","13","06x1","99"',  # line 450: a code with a letter
        '"9002","دوباره","13","0601","98"',  # line 451: Abadan's code again
    )
    append("cities.csv", '"9003","بی‌بخش","13","1","99999","0601029999","9999"')  # line 1356
    return files


def test_a_broken_copy_of_the_divisions_lists_every_problem_and_writes_nothing(roles):
    before = stored()

    report = import_divisions(broken_divisions())

    problems = problems_of(report)
    assert problems["counties.csv, line 450, column “code”"] == (
        "“06x1” is not a code of 4 digits."
    )
    assert problems["counties.csv, line 451, column “code”"] == ("The code 0601 is also on line 2.")
    assert problems["cities.csv, line 1356, column “sector_id”"] == (
        "No row of sectors.csv has the id “99999”."
    )
    assert len(problems) == 3
    assert report.applied is False
    assert stored() == before


SMALL_DIVISIONS = {
    "provinces.csv": [
        '"id","name","code","short_code"',
        '"1","تهران","23","23"',
        '"2","اصفهان","10","10"',
    ],
    "counties.csv": [
        '"id","name","province_id","code","short_code"',
        '"1","تهران","1","2301","01"',
        '"2","اصفهان","2","1001","01"',
    ],
    "sectors.csv": ['"id","name","province_id","county_id","code","short_code"'],
    "cities.csv": ['"id","name","province_id","county_id","sector_id","code","short_code"'],
    "city_districts.csv": [
        '"id","name","district","province_id","county_id","sector_id","city_id","code","short_code"'
    ],
}


def small_divisions() -> dict[str, bytes]:
    """Two provinces with a county each, in the official files' shape."""
    return {name: "\n".join(lines).encode() + b"\n" for name, lines in SMALL_DIVISIONS.items()}


def test_a_divisions_import_on_an_empty_tree_stores_paths_from_the_root(roles):
    import_divisions(small_divisions())

    country = Area.objects.get(level__code="country")
    tehran = Area.objects.get(level__code="province", code="23")
    assert country.path == f"/{country.pk}/"
    assert tehran.path == f"/{country.pk}/{tehran.pk}/"


def test_a_manager_of_an_imported_province_does_not_manage_its_neighbour(roles, make_user):
    import_divisions(small_divisions())
    tehran = Area.objects.get(level__code="province", code="23")
    isfahan = Area.objects.get(level__code="province", code="10")
    manager = make_user("tehran-manager", "area_manager", tehran)

    assert policy.can(manager, MANAGE, Area.objects.get(code="2301")) is True
    assert policy.can(manager, MANAGE, isfahan) is False


def test_a_missing_divisions_file_is_named(roles):
    files = division_files()
    del files["sectors.csv"]

    report = import_divisions(files)

    assert problems_of(report) == {"sectors.csv": "The file is missing."}
    assert Area.objects.count() == 0


def test_a_file_that_is_neither_a_zip_nor_the_csv_files_is_refused(roles):
    report = import_divisions(b"not a zip")

    assert [problem.message for problem in report.problems] == [
        "The file is not a ZIP file of the divisions' CSV files."
    ]


# -- The command ----------------------------------------------------------------------------


def test_the_command_dry_run_prints_the_counts_and_writes_nothing(areas, levels, tmp_path):
    path = tmp_path / "neighborhoods.geojson"
    path.write_bytes(NEIGHBORHOODS)
    out = io.StringIO()
    before = stored()

    call_command(
        "import",
        "areas",
        str(path),
        "--level",
        "neighborhood",
        "--parent",
        "2301021606",
        "--dry-run",
        stdout=out,
    )

    assert (
        "Dry run neighborhoods.geojson: 3 to create, 0 to change, 0 unchanged, 0 problem(s)."
        in out.getvalue()
    )
    assert stored() == before


def test_the_command_imports_a_clean_file(areas, levels, tmp_path):
    path = tmp_path / "neighborhoods.geojson"
    path.write_bytes(NEIGHBORHOODS)
    out = io.StringIO()

    call_command(
        "import",
        "areas",
        str(path),
        "--level",
        "neighborhood",
        "--parent",
        "2301021606",
        stdout=out,
    )

    assert "Imported neighborhoods.geojson: 3 to create" in out.getvalue()
    assert Area.objects.filter(parent=areas.district6).count() == 3


def test_the_command_refuses_a_file_with_problems_and_lists_them(areas, levels, tmp_path):
    path = tmp_path / "neighborhoods.geojson"
    path.write_bytes(collection(*BROKEN_NEIGHBORHOODS))
    out, err = io.StringIO(), io.StringIO()
    before = stored()

    with pytest.raises(CommandError, match=r"4 problem\(s\): nothing was written"):
        call_command(
            "import",
            "areas",
            str(path),
            "--level",
            "neighborhood",
            "--parent",
            "2301021606",
            stdout=out,
            stderr=err,
        )

    assert "feature 3: The coordinates look swapped" in err.getvalue()
    assert stored() == before


def test_the_command_needs_a_level_for_geojson(areas, tmp_path):
    path = tmp_path / "neighborhoods.geojson"
    path.write_bytes(NEIGHBORHOODS)

    with pytest.raises(CommandError, match="need --level"):
        call_command("import", "areas", str(path))


# -- Access ---------------------------------------------------------------------------------


def test_a_tehran_manager_may_not_import_under_isfahan(areas, levels, people):
    content = collection(
        feature(square(51.6, 32.6, 0.1), code="1090", name_fa="شهرستان تازه"),
        feature(square(51.7, 32.6, 0.1), code="1091", name_fa="شهرستان دیگر"),
    )
    before = stored()

    report = import_geojson(content, levels["county"], areas.isfahan, actor=people.tehran_manager)

    assert problems_of(report) == {
        "feature 1": "You may not manage an area outside your grants.",
        "feature 2": "You may not manage an area outside your grants.",
    }
    assert report.applied is False
    assert stored() == before


def test_a_dry_run_never_names_an_area_outside_the_importers_grants(areas, levels, people):
    content = collection(
        feature(square(51.6, 32.6, 0.1), code=areas.isfahan_county.code, name_fa="نام تازه")
    )

    report = import_geojson(
        content, levels["county"], None, actor=people.tehran_manager, dry_run=True
    )

    text = " ".join(str(problem) for problem in report.problems)
    assert "You may not manage an area outside your grants." in text
    for hidden in (areas.isfahan_county.name_fa, areas.isfahan.name_fa, areas.isfahan.code):
        assert hidden not in text
    assert all(row.is_hidden for row in report.rows)


def test_a_dry_run_names_an_area_the_importer_sees_but_may_not_manage(areas, levels, people):
    content = collection(feature(square(51.4, 35.7, 0.1), code="2399", name_fa="شهرستان تازه"))

    report = import_geojson(content, levels["county"], areas.tehran, actor=people.tehran_analyst)

    assert problems_of(report) == {"feature 1": f"You may not manage {areas.tehran.name_fa}."}


def test_a_tehran_manager_may_not_change_an_isfahan_boundary_by_its_code(areas, levels, people):
    content = collection(feature(square(51.6, 32.6, 0.1), code="1001"))

    report = import_geojson(content, levels["county"], actor=people.tehran_manager)

    assert problems_of(report) == {"feature 1": "You may not manage an area outside your grants."}
    assert Area.objects.get(pk=areas.isfahan_county.pk).boundary is None


def test_a_tehran_manager_imports_under_tehran(areas, levels, people):
    report = import_geojson(
        NEIGHBORHOODS, levels["neighborhood"], areas.district6, actor=people.tehran_manager
    )

    assert report.ok, report.problems
    assert report.applied
    assert Area.objects.filter(parent=areas.district6).count() == 3
    assert AuditEvent.objects.get(verb=AREAS_IMPORTED).actor == people.tehran_manager


def test_a_file_nested_thousands_deep_is_refused_with_a_message(areas, levels):
    deep = '{"type": "FeatureCollection", "features": [' + "[" * 100_000 + "]" * 100_000 + "]}"
    report = import_areas(
        actor=None,
        format="geojson",
        content=deep.encode(),
        source="deep.geojson",
        options=importing.Options(level=levels["neighborhood"], parent=areas.district6),
    )
    assert not report.ok
    assert not report.applied
