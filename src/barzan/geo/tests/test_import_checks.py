"""
The checks an area import's plan gets against its neighbours in the tree, on small plans
made by hand: how much of a boundary lies outside its parent's (a warning, or a problem
when mostly outside) and in which words, and new areas named like existing ones nearby.
"""

import datetime

import pytest
from shapely.geometry import Polygon, box

from barzan.geo import import_checks
from barzan.geo.actions import create_area
from barzan.geo.geometry import read_geometry
from barzan.geo.import_checks import check_containment, check_new_names
from barzan.geo.importing import CHANGED, Report, Row, Update
from barzan.geo.models import Area

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# A parent one degree wide and half a degree high: with edges on binary fractions, the
# share of a child outside it is exact, so a share can land on a threshold.
WEST, SOUTH, EAST, NORTH = 50.0, 35.0, 51.0, 35.5


def child(outside: float, *, height: float = 0.25) -> Polygon:
    """A box one degree wide of which `outside` sticks out of the parent's east side."""
    return box(EAST - 1 + outside, SOUTH, EAST + outside, SOUTH + height)


def polygon(west, south, east, north) -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def tree(areas, levels):
    """A city with a boundary, its two districts (the first with a boundary of its own,
    east of the city), and a district without one."""

    def make(code, name, level, parent, shape=None):
        return create_area(
            actor=None,
            level=levels[level],
            code=code,
            name_fa=name,
            parent=parent,
            shape=read_geometry(shape).geometry if shape else None,
        )

    city = make("C", "شهر", "city", areas.tehran_county, polygon(WEST, SOUTH, EAST, NORTH))
    east = make("D1", "ناحیه شرق", "district", city, polygon(EAST, SOUTH, EAST + 1, NORTH))
    bare = make("D2", "ناحیه بی‌مرز", "district", city)
    return {"city": city, "east": east, "bare": bare}


def plan(*rows: Row, updates=frozenset({Update.BOUNDARIES, Update.NEW})) -> Report:
    return Report(source="test.geojson", format="geojson", rows=list(rows), updates=updates)


def new_row(where, parent, shape, levels, **fields) -> Row:
    return Row(
        where=where,
        level=levels["neighborhood"],
        code="",
        name_fa="محله",
        parent=parent,
        geometry=shape,
        **fields,
    )


def messages(found) -> list[str]:
    return [str(item) for item in found]


def contained(report: Report, **options) -> tuple[list[str], list[str]]:
    check_containment(report, **options)
    return messages(report.warnings), messages(report.problems)


# The share outside, in words


def test_shares_are_whole_percents_but_never_0_or_100_for_a_share_that_is_neither():
    percent = import_checks._percent
    assert [percent(share) for share in (0, 0.001, 0.0099, 0.01)] == ["0", "<1", "<1", "1"]
    assert [percent(share) for share in (0.126, 0.124, 0.5)] == ["13", "12", "50"]
    assert [percent(share) for share in (0.99, 0.991, 0.9999, 1)] == ["99", ">99", ">99", "100"]


def test_a_sliver_outside_reads_less_than_one_percent(tree, levels, settings):
    settings.BARZAN_AREA_OUTSIDE_WARN = 0.001
    report = plan(new_row("feature 1", tree["city"], child(0.0078125), levels))

    assert contained(report) == (["feature 1: <1% of this boundary lies outside شهر."], [])


def test_a_boundary_nearly_all_outside_reads_more_than_99_percent(tree, levels):
    report = plan(new_row("feature 1", tree["city"], child(0.9921875), levels))

    assert contained(report) == (
        [],
        [
            "feature 1: >99% of this boundary lies outside شهر, more than the 50% allowed: "
            "check the feature's parent, code and coordinates."
        ],
    )


def test_the_share_is_rounded_to_the_nearest_whole_percent(tree, levels):
    report = plan(
        new_row("feature 1", tree["city"], child(0.1328125), levels),  # 13.28%
        new_row("feature 2", tree["city"], child(0.1171875), levels),  # 11.72%
        new_row("feature 3", tree["city"], child(0.0), levels),
    )

    assert contained(report) == (
        [
            "feature 1: 13% of this boundary lies outside شهر.",
            "feature 2: 12% of this boundary lies outside شهر.",
        ],
        [],
    )


def test_the_allowed_share_is_given_in_the_same_words(tree, levels, settings):
    settings.BARZAN_AREA_OUTSIDE_WARN = 0.001
    settings.BARZAN_AREA_OUTSIDE_REFUSE = 0.005
    report = plan(new_row("feature 1", tree["city"], child(0.25), levels))

    assert contained(report)[1] == [
        "feature 1: 25% of this boundary lies outside شهر, more than the <1% allowed: "
        "check the feature's parent, code and coordinates."
    ]


# The thresholds


def test_a_share_exactly_at_the_warning_setting_is_not_warned(tree, levels, settings):
    settings.BARZAN_AREA_OUTSIDE_WARN = 0.25
    report = plan(
        new_row("feature 1", tree["city"], child(0.25), levels),
        new_row("feature 2", tree["city"], child(0.2578125), levels),
    )

    assert contained(report) == (["feature 2: 26% of this boundary lies outside شهر."], [])


def test_a_share_exactly_at_the_refusing_setting_is_only_a_warning(tree, levels, settings):
    settings.BARZAN_AREA_OUTSIDE_WARN = 0.125
    settings.BARZAN_AREA_OUTSIDE_REFUSE = 0.25
    report = plan(
        new_row("feature 1", tree["city"], child(0.25), levels),
        new_row("feature 2", tree["city"], child(0.2578125), levels),
    )

    warnings, problems = contained(report)

    assert warnings == ["feature 1: 25% of this boundary lies outside شهر."]
    assert [problem.split(",")[0] for problem in problems] == [
        "feature 2: 26% of this boundary lies outside شهر"
    ]


def test_a_boundary_inside_its_parent_is_not_reported(tree, levels):
    report = plan(new_row("feature 1", tree["city"], child(0.0), levels))

    assert contained(report) == ([], [])


# Which rows are measured, and against what


def test_a_parent_without_a_boundary_is_not_checked(tree, levels):
    report = plan(new_row("feature 1", tree["bare"], child(1.0), levels))

    assert contained(report) == ([], [])


def test_points_hidden_rows_rows_without_a_shape_or_parent_and_empty_shapes_are_skipped(
    tree, levels
):
    flat = Polygon([(51.5, 35.1), (51.6, 35.1), (51.7, 35.1)])  # no area to share out
    report = plan(
        new_row("feature 1", tree["city"], child(1.0).centroid, levels),
        new_row("feature 2", tree["city"], child(1.0), levels, is_hidden=True),
        new_row("feature 3", tree["city"], None, levels),
        new_row("feature 4", None, child(1.0), levels),
        new_row("feature 5", tree["city"], flat, levels),
        new_row("feature 6", tree["city"], child(1.0), levels),
    )

    warnings, problems = contained(report)

    assert warnings == []
    assert [problem.split(":")[0] for problem in problems] == ["feature 6"]


def test_boundaries_the_import_does_not_write_are_not_checked(tree, levels):
    stored = create_area(
        actor=None, level=levels["neighborhood"], code="N1", name_fa="محله", parent=tree["city"]
    )
    kept = new_row("feature 1", tree["city"], child(1.0), levels, area=stored, status=CHANGED)
    made = new_row("feature 2", tree["city"], child(1.0), levels)

    names_only = plan(kept, made, updates=frozenset({Update.NAMES, Update.NEW}))
    assert [problem.split(":")[0] for problem in contained(names_only)[1]] == ["feature 2"]

    boundaries = plan(kept, updates=frozenset({Update.BOUNDARIES}))
    assert [problem.split(":")[0] for problem in contained(boundaries)[1]] == ["feature 1"]


def test_an_area_that_stays_is_measured_against_its_own_parent(tree, levels):
    stored = create_area(
        actor=None, level=levels["neighborhood"], code="N1", name_fa="محله", parent=tree["city"]
    )
    # The file names the eastern district as parent, but may not move the area.
    row = new_row(
        "feature 1",
        tree["east"],
        child(0.25),
        levels,
        area=stored,
        status=CHANGED,
        changes=["boundary"],
    )

    assert contained(plan(row)) == (["feature 1: 25% of this boundary lies outside شهر."], [])


def test_a_moved_area_is_measured_against_its_new_parent(tree, levels):
    stored = create_area(
        actor=None, level=levels["neighborhood"], code="N1", name_fa="محله", parent=tree["city"]
    )
    row = new_row(
        "feature 1",
        tree["east"],
        child(0.25),
        levels,
        area=stored,
        status=CHANGED,
        changes=["parent", "boundary"],
    )

    assert contained(plan(row)) == (
        [],
        [
            "feature 1: 75% of this boundary lies outside ناحیه شرق, more than the 50% "
            "allowed: check the feature's parent, code and coordinates."
        ],
    )


def test_rows_under_the_same_parent_are_each_measured(tree, levels):
    report = plan(
        new_row("feature 1", tree["city"], child(0.25), levels),
        new_row("feature 2", tree["bare"], child(0.25), levels),
        new_row("feature 3", tree["city"], child(0.375), levels),
        new_row("feature 4", tree["bare"], child(0.25), levels),
    )

    assert contained(report)[0] == [
        "feature 1: 25% of this boundary lies outside شهر.",
        "feature 3: 38% of this boundary lies outside شهر.",
    ]


def test_a_parent_the_importer_may_not_see_is_not_named(tree, levels):
    report = plan(
        new_row("feature 1", tree["city"], child(0.25), levels),
        new_row("feature 2", tree["east"], child(-0.75), levels),
    )

    warnings, problems = contained(report, visible=lambda area: area.code != "C")

    assert warnings == ["feature 1: 25% of this boundary lies outside its parent."]
    assert problems == [
        "feature 2: 100% of this boundary lies outside ناحیه شرق, more than the 50% allowed: "
        "check the feature's parent, code and coordinates."
    ]


# New areas named like existing ones nearby


@pytest.fixture
def town(tree, levels):
    """Under the city: the eastern district with «ونک» and «نارمک», the district without a
    boundary with «ونک», «پونک», «ازگل», «دزاشیب» and «نیاوران»; a neighbouring city with
    its own «ونک»."""
    city, east, bare = tree["city"], tree["east"], tree["bare"]
    other_city = create_area(
        actor=None, level=levels["city"], code="C2", name_fa="شهر دوم", parent=city.parent
    )
    other_district = create_area(
        actor=None, level=levels["district"], code="C2D", name_fa="ناحیه دور", parent=other_city
    )
    made = {}
    for code, name, parent in (
        ("E1", "ونک", east),
        ("E2", "نارمک", east),
        ("B1", "ونک", bare),
        ("B2", "پونک", bare),
        ("B3", "ازگل", bare),
        ("O1", "ونک", other_district),
    ):
        made[code] = create_area(
            actor=None, level=levels["neighborhood"], code=code, name_fa=name, parent=parent
        )
    return {**tree, **made, "other_city": other_city, "other_district": other_district}


def named(report: Report, **options) -> list[str]:
    check_new_names(report, **options)
    return messages(report.warnings)


def test_a_new_area_under_a_district_is_warned_of_its_namesake_under_a_sibling_district(
    town, levels
):
    report = plan(Row("feature 1", levels["neighborhood"], "", "ونك", parent=town["east"]))

    # «ونک» under the eastern district itself is the file's own concern (matching), and
    # the one in the other city is not nearby.
    assert named(report) == [
        "feature 1: A Neighborhood named “ونک” (code B1) is already under ناحیه بی‌مرز; "
        "this creates a second one under ناحیه شرق."
    ]


def test_a_new_area_under_the_city_is_warned_of_namesakes_under_its_districts(town, levels):
    report = plan(
        Row("feature 1", levels["neighborhood"], "", "ونک", parent=town["city"]),
        Row("feature 2", levels["neighborhood"], "", "نارمک", parent=town["city"]),
        Row("feature 3", levels["neighborhood"], "", "تجریش", parent=town["city"]),
    )

    assert named(report) == [
        "feature 1: A Neighborhood named “ونک” (code E1) is already under ناحیه شرق; "
        "this creates a second one under شهر.",
        "feature 1: A Neighborhood named “ونک” (code B1) is already under ناحیه بی‌مرز; "
        "this creates a second one under شهر.",
        "feature 2: A Neighborhood named “نارمک” (code E2) is already under ناحیه شرق; "
        "this creates a second one under شهر.",
    ]


def test_ended_areas_are_not_namesakes(town, levels):
    Area.objects.filter(code__in=["B1", "E2"]).update(valid_to=datetime.date(2020, 1, 1))
    report = plan(
        Row("feature 1", levels["neighborhood"], "", "ونک", parent=town["east"]),
        Row("feature 2", levels["neighborhood"], "", "نارمک", parent=town["city"]),
    )

    assert named(report) == []


def test_an_area_the_importer_may_not_see_is_not_named_as_a_namesake(town, levels):
    report = plan(Row("feature 1", levels["neighborhood"], "", "ونک", parent=town["city"]))

    assert named(report, visible=lambda area: area.code != "E1") == [
        "feature 1: A Neighborhood named “ونک” (code B1) is already under ناحیه بی‌مرز; "
        "this creates a second one under شهر."
    ]


def test_at_most_three_namesakes_are_named(town, levels):
    for code in ("E3", "E4"):
        create_area(
            actor=None, level=levels["neighborhood"], code=code, name_fa="ونک", parent=town["east"]
        )
    report = plan(Row("feature 1", levels["neighborhood"], "", "ونک", parent=town["city"]))

    assert [warning.split("(code ")[1][:2] for warning in named(report)] == ["E1", "E3", "E4"]


def test_only_new_visible_named_rows_under_a_stored_parent_are_compared(town, levels):
    neighborhood = levels["neighborhood"]
    report = plan(
        Row("feature 1", neighborhood, "", "ونک", parent=town["city"], status=CHANGED),
        Row("feature 2", neighborhood, "", "ونک", parent=town["city"], is_hidden=True),
        Row("feature 3", neighborhood, "", "", parent=town["city"]),
        Row("feature 4", neighborhood, "", "ونک", parent=None),
        Row("feature 5", neighborhood, "", "پونک", parent=town["city"]),
        Row("feature 6", neighborhood, "", "ونک", parent=town["east"]),
    )

    assert [warning.split(" A ")[0] for warning in named(report)] == [
        "feature 5:",
        "feature 6:",
    ]


def test_a_new_area_under_the_root_looks_at_its_grandchildren_only(areas, levels):
    report = plan(Row("feature 1", levels["province"], "", "تهران", parent=areas.country))

    assert named(report) == [
        "feature 1: A County named “تهران” (code 2301) is already under تهران; this creates "
        "a second one under ایران."
    ]


def test_the_nearby_names_of_a_parent_are_read_in_one_query(
    town, levels, django_assert_num_queries
):
    # A file of thousands of neighborhoods under one city must not query per warning.
    report = plan(
        *(
            Row(f"feature {n}", levels["neighborhood"], "", "ونک", parent=town["city"])
            for n in (1, 2)
        )
    )

    with django_assert_num_queries(1):
        check_new_names(report)

    assert len(report.warnings) == 4
