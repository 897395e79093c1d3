"""A map of an area shows its surroundings (the areas beside it, faint), says how many
children lack a shape and exactly which shapes are synthetic, and credits the source its
license asks to be credited («© مشارکت‌کنندگان OpenStreetMap»)."""

import json

import pytest
from django.utils import translation

from barzan.geo import importing, readers
from barzan.geo.actions import create_area, import_areas
from barzan.geo.models import Area

from .shapes import feature_collection, square

pytestmark = pytest.mark.django_db


def load(level, *features, parent=None, attribution="", synthetic=False):
    report = import_areas(
        actor=None,
        format=importing.GEOJSON,
        content=feature_collection(*features),
        source="test.geojson",
        options=importing.Options(level=level, parent=parent, attribution=attribution),
        synthetic=synthetic,
    )
    assert report.ok, report.problems


@pytest.fixture
def outlined(areas, levels):
    """Tehran's counties with real (credited) outlines, and Tehran county with three
    sectors of which only one has a (synthetic) shape."""
    load(
        levels["county"],
        (square(51.0, 35.5, 0.5), {"code": "2301"}),
        (square(51.5, 35.5, 0.5), {"code": "2302"}),
        parent=areas.tehran,
        attribution=readers.OSM_ATTRIBUTION,
    )
    for code, name in (("230101", "مرکزی"), ("230102", "آفتاب"), ("230103", "کن")):
        create_area(
            actor=None, level=levels["sector"], code=code, name_fa=name, parent=areas.tehran_county
        )
    load(
        levels["sector"],
        (square(51.1, 35.6, 0.2), {"code": "230101"}),
        parent=areas.tehran_county,
        synthetic=True,
    )
    return areas


def features_of(client, area) -> dict:
    response = client.get(f"/api/v1/areas/{area.pk}/children.geojson")
    assert response.status_code == 200
    return {
        feature["properties"]["id"]: feature["properties"]
        for feature in json.loads(response.content)["features"]
    }


def notices(content: str) -> list[str]:
    found = []
    for chunk in content.split("data-map-notice>")[1:]:
        text = chunk.split("</p>")[0].split("</i>")[-1]
        found.append(" ".join(text.split()))
    return found


def test_the_map_of_a_county_draws_the_counties_around_it(client, login, people, outlined):
    login(people.tehran_manager)
    features = features_of(client, outlined.tehran_county)
    assert features[outlined.tehran_county.pk]["role"] == "self"
    assert features[outlined.shemiranat.pk]["role"] == "sibling"
    assert features[outlined.shemiranat.pk]["name_fa"] == "شمیرانات"
    sector = Area.objects.get(code="230101")
    assert features[sector.pk]["role"] == "child"
    assert features[sector.pk]["synthetic"] is True


def test_the_surroundings_are_only_the_areas_the_user_may_see(client, login, people, areas, levels):
    load(
        levels["province"],
        (square(51.0, 35.0, 1), {"code": "23"}),
        (square(50.0, 32.0, 1), {"code": "10"}),
        parent=areas.country,
    )
    login(people.tehran_manager)
    assert areas.isfahan.pk not in features_of(client, areas.tehran)
    login(people.admin)
    assert features_of(client, areas.tehran)[areas.isfahan.pk]["role"] == "sibling"


def test_the_area_page_says_how_many_children_lack_a_shape(client, login, people, outlined):
    login(people.tehran_manager)
    content = client.get(outlined.tehran_county.get_absolute_url()).content.decode()
    said = notices(content)
    assert "۲ از ۳ بخش شکل ندارند." in said


def test_the_area_page_says_exactly_which_shapes_are_synthetic(client, login, people, outlined):
    login(people.tehran_manager)
    content = client.get(outlined.tehran_county.get_absolute_url()).content.decode()
    synthetic = [notice for notice in notices(content) if "ساختگی" in notice]
    assert synthetic == ["شکل‌های ساختگی (ساخته‌شده برای نمایش، نه رسمی): ۱ شکلِ بخش در درون آن."]


def test_a_map_drawing_openstreetmap_shapes_credits_them(client, login, people, outlined):
    login(people.tehran_manager)
    content = client.get(outlined.tehran_county.get_absolute_url()).content.decode()
    assert "© مشارکت‌کنندگان OpenStreetMap" in content
    client.cookies["barzan_language"] = "en"
    content = client.get(outlined.tehran_county.get_absolute_url()).content.decode()
    assert "© OpenStreetMap contributors" in content


def test_a_map_without_credited_shapes_credits_no_one(client, login, people, outlined):
    login(people.tehran_manager)
    sector = Area.objects.get(code="230101")
    content = client.get(sector.get_absolute_url()).content.decode()
    assert "data-map-attribution" not in content
    assert "مرز مرکزی" in " ".join(notices(content))


def test_a_boundary_set_by_hand_drops_the_imported_credit(outlined):
    from barzan.geo.actions import set_boundary

    county = Area.objects.get(pk=outlined.tehran_county.pk)
    assert county.boundary_attribution == readers.OSM_ATTRIBUTION
    set_boundary(
        actor=None, area=county, data=square(51.0, 35.5, 0.4), source="drawn", version=None
    )
    county.refresh_from_db()
    assert county.boundary_attribution == ""


def test_the_notes_cost_three_queries_whatever_the_number_of_children(
    outlined, levels, django_assert_num_queries
):
    county = Area.objects.get(pk=outlined.tehran_county.pk)
    children = Area.objects.filter(parent=county)
    siblings = readers.siblings_of(county)
    with django_assert_num_queries(3):
        readers.map_notes(county, children, siblings)
    for number in range(4, 30):
        create_area(
            actor=None,
            level=levels["sector"],
            code=f"2301{number:02d}",
            name_fa=f"بخش {number}",
            parent=county,
        )
    with django_assert_num_queries(3), translation.override("en"):
        notes = readers.map_notes(county, children, siblings)
    assert notes.attributions == ["© OpenStreetMap contributors"]
    assert "28 of 29 Sector areas have no shape." in notes.notices
