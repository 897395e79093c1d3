"""read_geometry accepts what can be used, repairs what is safe to repair, and names the rest."""

import math

import pytest
import shapely
from django.utils import translation

from barzan.geo.geometry import (
    Extent,
    GeometryError,
    cells_at,
    cells_covering,
    contains,
    place,
    read_geometry,
    simplified,
)

# A box over Tehran, longitude first as GeoJSON wants it, the ring closed.
TEHRAN_BOX = [[51.3, 35.6], [51.5, 35.6], [51.5, 35.8], [51.3, 35.8], [51.3, 35.6]]


def polygon(*rings):
    return {"type": "Polygon", "coordinates": [list(ring) for ring in rings]}


@pytest.fixture(autouse=True)
def english():
    """Compare messages in English, whatever the default language is."""
    with translation.override("en"):
        yield


def refusal(data, **options) -> str:
    with pytest.raises(GeometryError) as error:
        read_geometry(data, **options)
    return str(error.value)


def test_a_valid_polygon_is_accepted_unrepaired():
    checked = read_geometry(polygon(TEHRAN_BOX))
    assert checked.geometry.geom_type == "Polygon"
    assert checked.geometry.bounds == (51.3, 35.6, 51.5, 35.8)
    assert checked.repaired == ""


def test_a_multipolygon_is_accepted():
    east = [[x + 0.3, y] for x, y in TEHRAN_BOX]
    checked = read_geometry({"type": "MultiPolygon", "coordinates": [[TEHRAN_BOX], [east]]})
    assert checked.geometry.geom_type == "MultiPolygon"
    assert len(checked.geometry.geoms) == 2


def test_heights_are_dropped_from_3d_coordinates():
    checked = read_geometry(polygon([[x, y, 1200.0] for x, y in TEHRAN_BOX]))
    assert checked.geometry.has_z is False
    assert checked.geometry.equals(shapely.box(51.3, 35.6, 51.5, 35.8))


def test_swapped_latitude_and_longitude_are_named_as_swapped():
    message = refusal(polygon([[y, x] for x, y in TEHRAN_BOX]))
    assert "swapped" in message
    assert "longitude first" in message


def test_projected_utm_metres_are_refused_with_advice_to_reproject():
    utm = [[500000, 3950000], [510000, 3950000], [510000, 3960000], [500000, 3950000]]
    message = refusal(polygon(utm))
    assert "not WGS84" in message
    assert "projected" in message
    assert "EPSG:4326" in message


def test_a_bowtie_is_refused_as_unsafe_to_repair():
    bowtie = [[51.3, 35.6], [51.5, 35.8], [51.5, 35.6], [51.3, 35.8], [51.3, 35.6]]
    message = refusal(polygon(bowtie))
    assert "cannot be repaired safely" in message
    assert "Self-intersection" in message


def test_a_zero_area_spike_is_repaired_and_says_what_was_wrong():
    spike = [
        [51.3, 35.6],
        [51.5, 35.6],
        [51.5, 35.7],
        [51.6, 35.7],  # out and straight back: the spike encloses nothing
        [51.5, 35.7],
        [51.5, 35.8],
        [51.3, 35.8],
        [51.3, 35.6],
    ]
    checked = read_geometry(polygon(spike))
    assert checked.geometry.is_valid
    assert "Self-intersection" in checked.repaired
    assert checked.geometry.area == pytest.approx(0.04)
    assert checked.geometry.bounds == pytest.approx((51.3, 35.6, 51.5, 35.8))


def test_a_ring_wound_the_wrong_way_is_normalised_to_the_same_polygon():
    clockwise = read_geometry(polygon(list(reversed(TEHRAN_BOX))))
    counterclockwise = read_geometry(polygon(TEHRAN_BOX))
    assert clockwise.repaired == ""
    assert clockwise.geometry.equals_exact(counterclockwise.geometry, 0)


def test_a_ring_of_fewer_than_four_positions_is_refused():
    message = refusal(polygon(TEHRAN_BOX[:3]))
    assert "at least four positions" in message


def test_a_line_cannot_be_a_boundary():
    message = refusal({"type": "LineString", "coordinates": TEHRAN_BOX})
    assert "A LineString cannot be a boundary" in message


def test_a_point_is_refused_as_a_boundary_and_accepted_where_points_are_allowed():
    point = {"type": "Point", "coordinates": [51.4, 35.7]}
    assert "A Point cannot be a boundary" in refusal(point)
    checked = read_geometry(point, allow_point=True)
    assert (checked.geometry.x, checked.geometry.y) == (51.4, 35.7)


def test_a_line_is_refused_even_where_points_are_allowed():
    message = refusal({"type": "LineString", "coordinates": TEHRAN_BOX}, allow_point=True)
    assert "give a Point, Polygon or MultiPolygon" in message


@pytest.mark.parametrize(
    "bad",
    ["35.7", None, math.nan, math.inf, True],
    ids=["text", "null", "nan", "infinity", "boolean"],
)
def test_coordinates_that_are_not_finite_numbers_are_refused(bad):
    ring = [[51.3, 35.6], [51.5, bad], [51.5, 35.8], [51.3, 35.8], [51.3, 35.6]]
    assert "not all numbers" in refusal(polygon(ring))


def test_a_geometry_without_coordinates_or_type_is_refused():
    assert "not all numbers" in refusal({"type": "Polygon"})
    assert "no geometry" in refusal(None)
    assert "no geometry" in refusal({"coordinates": [TEHRAN_BOX]})


def test_a_place_outside_the_country_is_refused():
    paris = [[2.3, 48.8], [2.4, 48.8], [2.4, 48.9], [2.3, 48.9], [2.3, 48.8]]
    message = refusal(polygon(paris))
    assert "outside the country" in message
    assert "swapped" not in message


def test_a_small_box_takes_one_to_four_cells_and_a_point_inside_is_in_one_of_them():
    box = (51.412, 35.712, 51.418, 35.718)
    cells = cells_covering(box)
    assert 1 <= len(cells) <= 4
    assert set(cells_at(51.415, 35.715)) & set(cells)


def test_a_box_across_cell_edges_takes_the_cells_on_both_sides():
    cells = cells_covering((51.405, 35.705, 51.415, 35.715))
    assert len(cells) == 4
    for lon, lat in [(51.406, 35.706), (51.414, 35.714), (51.406, 35.714), (51.414, 35.706)]:
        assert set(cells_at(lon, lat)) & set(cells)


def test_a_point_outside_a_box_shares_none_of_its_cells():
    cells = cells_covering((51.412, 35.712, 51.418, 35.718))
    assert not set(cells_at(51.9, 35.9)) & set(cells)


def test_place_gives_a_point_inside_the_polygon_a_lighter_copy_and_its_cells():
    # An L shape: the centre of its bounding box lies outside it.
    shape = read_geometry(
        polygon(
            [
                [51.3, 35.6],
                [51.5, 35.6],
                [51.5, 35.62],
                [51.32, 35.62],
                [51.32, 35.8],
                [51.3, 35.8],
                [51.3, 35.6],
            ]
        )
    ).geometry
    placed = place(shape)
    assert shape.contains(shapely.Point(placed.longitude, placed.latitude))
    assert contains(placed.boundary, placed.longitude, placed.latitude)
    assert placed.boundary["type"] == "Polygon"
    assert placed.boundary_simple["type"] == "Polygon"
    assert placed.bounds == (51.3, 35.6, 51.5, 35.8)
    assert placed.cells == tuple(cells_covering(placed.bounds))


def test_place_keeps_a_point_as_a_location_without_a_boundary():
    placed = place(shapely.Point(51.4123456789, 35.7))
    assert placed.boundary is None
    assert placed.boundary_simple is None
    assert (placed.latitude, placed.longitude) == (35.7, 51.412346)
    assert placed.cells == ()


def test_the_simplified_copy_drops_detail_smaller_than_a_thousandth_of_the_width():
    # 200 points along the south edge, wobbling by far less than a thousandth of 0.2°.
    south = [[51.3 + i * 0.001, 35.6 + (0.000001 if i % 2 else 0)] for i in range(201)]
    ring = [*south, [51.5, 35.8], [51.3, 35.8], [51.3, 35.6]]
    shape = read_geometry(polygon(ring)).geometry
    light = simplified(shape)
    assert len(light["coordinates"][0]) < 10
    assert shapely.geometry.shape(light).area == pytest.approx(shape.area, rel=0.01)


def test_contains_counts_the_edge_as_inside():
    boundary = polygon(TEHRAN_BOX)
    assert contains(boundary, 51.4, 35.7)
    assert contains(boundary, 51.5, 35.7)
    assert not contains(boundary, 51.51, 35.7)


# The messages people read, in full: each names its problem and what to do about it.
PROJECTED_MESSAGE = (
    "The coordinates are not WGS84 longitude/latitude (values up to {} look projected, e.g. "
    "UTM metres). Re-project the file to EPSG:4326."
)


@pytest.mark.parametrize(
    ("data", "options", "message"),
    [
        (None, {}, "The feature has no geometry."),
        ({"type": 7, "coordinates": []}, {}, "The feature has no geometry."),
        (
            {"type": "LineString", "coordinates": TEHRAN_BOX},
            {},
            "A LineString cannot be a boundary: give a Polygon or MultiPolygon.",
        ),
        (
            {"type": "LineString", "coordinates": TEHRAN_BOX},
            {"allow_point": True},
            "A LineString cannot be used: give a Point, Polygon or MultiPolygon.",
        ),
        (
            {"type": "Polygon", "coordinates": {"ring": TEHRAN_BOX}},
            {},
            "The coordinates are missing or are not all numbers.",
        ),
        (
            polygon(TEHRAN_BOX[:3]),
            {},
            "Invalid polygon: a ring needs at least four positions (the last repeats the first).",
        ),
        (
            {"type": "Polygon", "coordinates": [51.3, 35.6]},
            {},
            "Invalid polygon: a ring needs at least four positions (the last repeats the first).",
        ),
        (
            {"type": "MultiPolygon", "coordinates": [51.3, 35.6]},
            {},
            "Invalid polygon: a polygon needs at least one ring.",
        ),
        (
            {"type": "MultiPolygon", "coordinates": [[TEHRAN_BOX], [TEHRAN_BOX[:3]]]},
            {},
            "Invalid polygon: a ring needs at least four positions (the last repeats the first).",
        ),
        (
            polygon([[y, x] for x, y in TEHRAN_BOX]),
            {},
            "The coordinates look swapped: GeoJSON puts longitude first, then latitude, but "
            "these read as latitude, longitude.",
        ),
        (
            polygon([[2.3, 48.8], [2.4, 48.8], [2.4, 48.9], [2.3, 48.9], [2.3, 48.8]]),
            {},
            "The geometry lies outside the country (longitude 43.0–64.0, latitude 24.0–40.5).",
        ),
    ],
    ids=[
        "nothing",
        "type-not-text",
        "line",
        "line-where-points-are-allowed",
        "coordinates-in-a-dict",
        "short-ring",
        "ring-of-numbers",
        "polygon-of-numbers",
        "short-ring-in-a-multipolygon",
        "swapped",
        "outside",
    ],
)
def test_each_refusal_names_its_problem_in_full(data, options, message):
    assert refusal(data, **options) == message


@pytest.mark.parametrize(
    ("ring", "largest"),
    [
        ([[-700000, 10], [-600000, 10], [-600000, 20], [-700000, 10]], 700000),
        ([[600000, 10], [700000, 10], [700000, 20], [600000, 10]], 700000),
        ([[10, -700000], [20, -700000], [20, -600000], [10, -700000]], 700000),
        ([[10, 600000], [20, 600000], [20, 700000], [10, 600000]], 700000),
        ([[181, 10], [182, 10], [182, 20], [181, 10]], 182),
        ([[10, 91], [20, 91], [20, 92], [10, 91]], 92),
    ],
    ids=["west", "east", "south", "north", "just-past-180", "just-past-90"],
)
def test_projected_coordinates_are_refused_naming_their_largest_value(ring, largest):
    assert refusal(polygon(ring)) == PROJECTED_MESSAGE.format(largest)


def test_coordinates_at_the_ends_of_longitude_and_latitude_are_not_taken_for_projected():
    whole_world = Extent(-180.0, -90.0, 180.0, 90.0)
    for lon, lat in [(180.0, 90.0), (-180.0, -90.0)]:
        point = {"type": "Point", "coordinates": [lon, lat]}
        checked = read_geometry(point, allow_point=True, extent=whole_world)
        assert (checked.geometry.x, checked.geometry.y) == (lon, lat)


def test_the_refusal_keeps_its_message_to_be_read_in_any_language():
    with pytest.raises(GeometryError) as error:
        read_geometry(None)
    with translation.override("fa"):
        assert str(error.value.message) == "این عارضه هندسه ندارد."


def test_a_geometry_on_the_edge_of_the_extent_is_inside_it():
    checked = read_geometry(polygon(TEHRAN_BOX), extent=Extent(51.3, 35.6, 51.5, 35.8))
    assert checked.geometry.bounds == (51.3, 35.6, 51.5, 35.8)


@pytest.mark.parametrize(
    "extent",
    [
        Extent(51.31, 35.0, 52.0, 36.0),
        Extent(51.0, 35.0, 51.49, 36.0),
        Extent(51.0, 35.61, 52.0, 36.0),
        Extent(51.0, 35.0, 52.0, 35.79),
    ],
    ids=["west", "east", "south", "north"],
)
def test_a_geometry_past_any_one_side_of_the_extent_is_outside_it(extent):
    assert "lies outside the country" in refusal(polygon(TEHRAN_BOX), extent=extent)


def test_a_given_extent_replaces_the_deployments():
    paris = [[2.3, 48.8], [2.4, 48.8], [2.4, 48.9], [2.3, 48.9], [2.3, 48.8]]
    checked = read_geometry(polygon(paris), extent=Extent(2.0, 48.0, 3.0, 49.0))
    assert checked.geometry.bounds == (2.3, 48.8, 2.4, 48.9)


@pytest.mark.parametrize("size", [2, 3, 4], ids=["xy", "xyz", "xyzm"])
def test_positions_of_two_to_four_numbers_are_read_as_longitude_and_latitude(size):
    ring = [[x, y, 1200.0, 7.0][:size] for x, y in TEHRAN_BOX]
    checked = read_geometry(polygon(ring))
    assert checked.geometry.has_z is False
    assert checked.geometry.equals(shapely.box(51.3, 35.6, 51.5, 35.8))


@pytest.mark.parametrize("size", [1, 5], ids=["one", "five"])
def test_positions_of_one_or_five_numbers_are_refused(size):
    ring = [[x, y, 1200.0, 7.0, 1.0][:size] for x, y in TEHRAN_BOX]
    assert "not all numbers" in refusal(polygon(ring))


def test_a_triangle_of_four_positions_is_accepted():
    triangle = [[51.3, 35.6], [51.5, 35.6], [51.4, 35.8], [51.3, 35.6]]
    checked = read_geometry(polygon(triangle))
    assert checked.geometry.area == pytest.approx(0.02)


def test_a_spiked_polygon_keeps_its_hole_when_repaired():
    spike = [
        [51.3, 35.6],
        [51.5, 35.6],
        [51.5, 35.7],
        [51.6, 35.7],
        [51.5, 35.7],
        [51.5, 35.8],
        [51.3, 35.8],
        [51.3, 35.6],
    ]
    hole = [[51.35, 35.65], [51.45, 35.65], [51.45, 35.75], [51.35, 35.75], [51.35, 35.65]]
    checked = read_geometry(polygon(spike, hole))
    assert checked.repaired
    assert checked.geometry.area == pytest.approx(0.04 - 0.01)
    assert len(checked.geometry.interiors) == 1


def test_a_spike_in_the_second_part_of_a_multipolygon_is_repaired_keeping_both_parts():
    east = [[x + 0.3, y] for x, y in TEHRAN_BOX]
    spiked_east = [*east[:2], [51.8, 35.7], [51.9, 35.7], [51.8, 35.7], *east[2:]]
    checked = read_geometry({"type": "MultiPolygon", "coordinates": [[TEHRAN_BOX], [spiked_east]]})
    assert checked.repaired
    assert checked.geometry.area == pytest.approx(0.08)


def test_parts_that_barely_overlap_are_joined_into_one_polygon():
    # Two boxes overlapping by a sliver of 0.025% of their area: a safe repair.
    east = [[x + 0.1999, y] for x, y in TEHRAN_BOX]
    checked = read_geometry({"type": "MultiPolygon", "coordinates": [[TEHRAN_BOX], [east]]})
    assert checked.repaired
    assert checked.geometry.geom_type == "Polygon"
    assert checked.geometry.area == pytest.approx(0.08 - 0.00002)


def test_parts_that_overlap_by_more_than_one_percent_are_refused():
    east = [[x + 0.19, y] for x, y in TEHRAN_BOX]
    message = refusal({"type": "MultiPolygon", "coordinates": [[TEHRAN_BOX], [east]]})
    assert message.startswith("Invalid polygon that cannot be repaired safely (")
    assert message.endswith("). Fix it in a GIS program, e.g. QGIS's “Fix geometries”.")


def test_a_figure_eight_of_unequal_loops_is_refused():
    # Written as drawn, the loops cancel out in part; repaired, they add up: not safe.
    figure_eight = [[51.3, 35.6], [51.5, 35.8], [51.5, 35.6], [51.3, 35.7], [51.3, 35.6]]
    assert "cannot be repaired safely" in refusal(polygon(figure_eight))


def test_a_flat_ring_with_no_area_is_refused():
    flat = [[51.3, 35.6], [51.4, 35.6], [51.5, 35.6], [51.3, 35.6]]
    assert "cannot be repaired safely" in refusal(polygon(flat))


def test_stored_boundaries_keep_six_decimals_and_map_copies_five():
    box = shapely.box(51.312345678, 35.612345678, 51.5, 35.8)
    placed = place(box)
    stored = {tuple(position) for position in placed.boundary["coordinates"][0]}
    light = {tuple(position) for position in placed.boundary_simple["coordinates"][0]}
    assert (51.312346, 35.612346) in stored
    assert (51.31235, 35.61235) in light
    assert isinstance(placed.boundary["coordinates"][0][0], list)


def test_a_points_placement_is_its_own_position_and_bounds():
    placed = place(shapely.Point(51.4123456789, 35.7123456789))
    assert placed.latitude == 35.712346
    assert placed.longitude == 51.412346
    assert placed.bounds == (51.4123456789, 35.7123456789, 51.4123456789, 35.7123456789)


def test_a_polygons_placement_rounds_its_inside_point_to_six_decimals():
    placed = place(shapely.box(51.3, 35.6, 51.5, 35.8))
    assert placed.latitude == pytest.approx(35.7, abs=0.1)
    assert placed.longitude == pytest.approx(51.4, abs=0.1)
    assert placed.latitude == round(placed.latitude, 6) != round(placed.latitude)


def test_cell_keys_are_the_level_then_the_column_then_the_row_of_the_grid():
    # Columns count from longitude -180, rows from latitude -90, in cells of the level's size.
    assert cells_at(51.415, 35.715) == [
        0 * 10**12 + 231 * 10**6 + 125,
        1 * 10**12 + 2314 * 10**6 + 1257,
        2 * 10**12 + 23141 * 10**6 + 12571,
    ]


def test_a_box_inside_one_fine_cell_takes_only_that_cell():
    assert cells_covering((51.412, 35.712, 51.418, 35.718)) == [cells_at(51.415, 35.715)[2]]


def test_a_box_a_few_tenths_wide_is_indexed_in_tenth_of_a_degree_cells():
    cells = cells_covering((51.32, 35.62, 51.48, 35.78))
    columns = range(2313, 2315)
    rows = range(1256, 1258)
    assert cells == [10**12 + column * 10**6 + row for column in columns for row in rows]


def test_a_box_wider_than_four_degrees_is_indexed_in_one_degree_cells():
    cells = cells_covering((44.5, 25.5, 50.5, 31.5))
    assert cells == [column * 10**6 + row for column in range(224, 231) for row in range(115, 122)]


def test_positions_nested_too_deep_are_refused_with_shapelys_reason():
    ring = [[[51.3, 35.6]], [[51.5, 35.6]], [[51.5, 35.8]], [[51.3, 35.6]]]
    message = refusal({"type": "Polygon", "coordinates": [ring]})
    assert message.startswith("Invalid geometry: ")
    assert "float() argument" in message
    assert message.endswith(".")


def test_a_ring_of_one_repeated_position_is_refused():
    message = refusal(polygon([[51.3, 35.6]] * 4))
    assert message.startswith("Invalid polygon that cannot be repaired safely (Too few points")


@pytest.mark.parametrize(
    "ring",
    [
        [[180.5, 10], [180.8, 10], [180.8, 20], [180.5, 10]],
        [[10, 90.5], [20, 90.5], [20, 90.8], [10, 90.5]],
    ],
    ids=["longitude", "latitude"],
)
def test_a_coordinate_less_than_a_degree_past_the_end_is_taken_for_projected(ring):
    assert "not WGS84" in refusal(polygon(ring))


def test_a_stored_boundary_reads_back_as_the_same_shape():
    from barzan.geo.geometry import from_geojson, to_geojson

    box = shapely.box(51.3, 35.6, 51.5, 35.8)
    assert from_geojson(to_geojson(box)).equals(box)


def test_the_simplified_copy_keeps_detail_larger_than_a_thousandth_of_the_width():
    # A notch 0.002° deep in a box 0.2° wide: ten times the tolerance, so it stays.
    notched = shapely.Polygon(
        [
            (51.3, 35.6),
            (51.39, 35.6),
            (51.39, 35.602),
            (51.41, 35.602),
            (51.41, 35.6),
            (51.5, 35.6),
            (51.5, 35.8),
            (51.3, 35.8),
            (51.3, 35.6),
        ]
    )
    assert len(simplified(notched)["coordinates"][0]) == 9


def test_the_simplified_copy_keeps_a_hole_smaller_than_the_tolerance():
    # Simplifying may not change the topology: a tiny courtyard stays a hole.
    hole = [(51.4, 35.7), (51.4001, 35.7), (51.4, 35.7001), (51.4, 35.7)]
    courtyard = shapely.Polygon(shapely.box(51.3, 35.6, 51.5, 35.8).exterior.coords, [hole])
    assert len(simplified(courtyard)["coordinates"]) == 2


def test_a_box_exactly_four_fine_cells_wide_is_indexed_in_fine_cells():
    # 0.04 / 0.01 is exactly 4.0 in floating point: "a few cells per side" includes four.
    cells = cells_covering((0.0, 0.0, 0.04, 0.04))
    assert {cell // 10**12 for cell in cells} == {2}
    assert len(cells) == 25
