"""read_geometry accepts what can be used, repairs what is safe to repair, and names the rest."""

import math

import pytest
import shapely
from django.utils import translation

from barzan.geo.geometry import (
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
