"""Areas in the API: search however the name is typed, parents, children, the map's GeoJSON,
and the area at a point — never past the caller's scope."""

import datetime
import json
from decimal import Decimal

import pytest

from barzan.geo.actions import Part, split_area
from barzan.geo.models import Area
from barzan.geo.tests.shapes import load, square

pytestmark = pytest.mark.django_db

GEOJSON_TYPE = "application/geo+json"


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    body = response.json()
    items = body["items"] if isinstance(body, dict) else body
    return {item["id"] for item in items}


def assert_error(response, status: int) -> dict:
    """The API's one error format: {"error": {"status", "code", "message", "details"}}."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == status
    assert error["message"]
    return error


@pytest.fixture
def mapped(areas, levels):
    """District 6 as a 0.1° square at 51.35–51.45, 35.65–35.75 with two neighborhoods: Yousef
    Abad drawn as a polygon (51.38–51.40, 35.68–35.70) and Amir Abad given only as a point;
    and Isfahan county as a square around the city of Isfahan."""
    load(levels["district"], (square(51.35, 35.65, 0.1), {"code": "2301021606"}))
    load(
        levels["neighborhood"],
        (square(51.38, 35.68, 0.02), {"code": "N1", "name_fa": "یوسف آباد"}),
        ({"type": "Point", "coordinates": [51.42, 35.72]}, {"code": "N2", "name_fa": "امیرآباد"}),
        parent=areas.district6,
    )
    load(levels["county"], (square(51.5, 32.5, 0.3), {"code": "1001"}))
    areas.district6.refresh_from_db()
    areas.yousef_abad = Area.objects.get(code="N1")
    areas.amir_abad = Area.objects.get(code="N2")
    return areas


@pytest.fixture
def split_county(areas):
    """Tehran county ended on 1404/01/01, split into north (with Tehran city) and south."""
    areas.north, areas.south = split_area(
        actor=None,
        area=areas.tehran_county,
        parts=[
            Part(
                code="2311",
                name_fa="تهران شمالی",
                share=Decimal("0.5"),
                children=[areas.tehran_city],
            ),
            Part(code="2312", name_fa="تهران جنوبی", share=Decimal("0.5")),
        ],
        date=datetime.date(2025, 3, 21),
        version=None,
    )
    return areas


# -- The list -------------------------------------------------------------------------------------


def test_a_search_typed_with_arabic_letters_finds_the_persian_name(client, login, people, areas):
    login(people.admin)
    assert ids(client.get("/api/v1/areas/", {"q": "كرمانشاه"})) == {areas.kermanshah.pk}


def test_a_search_with_persian_digits_finds_codes_and_names(client, login, people, areas):
    login(people.tehran_manager)
    assert ids(client.get("/api/v1/areas/", {"q": "۲۳۰۲"})) == {areas.shemiranat.pk}
    assert ids(client.get("/api/v1/areas/", {"q": "تهران ۶"})) == {areas.district6.pk}


def test_a_search_never_reaches_another_province(client, login, people, areas):
    login(people.tehran_manager)
    assert ids(client.get("/api/v1/areas/", {"q": "اصفهان"})) == set()


def test_ended_areas_are_listed_only_when_asked_for(client, login, people, split_county):
    areas = split_county
    login(people.tehran_manager)
    current = ids(client.get("/api/v1/areas/"))
    assert areas.tehran_county.pk not in current
    assert {areas.north.pk, areas.south.pk} <= current
    everything = ids(client.get("/api/v1/areas/", {"include_ended": "true"}))
    assert everything == current | {areas.tehran_county.pk}
    ended = client.get(f"/api/v1/areas/{areas.tehran_county.pk}").json()
    assert ended["valid_to"] == "2025-03-21"


# -- Parents and children -----------------------------------------------------------------------


def test_the_ancestors_run_from_the_country_down_to_the_parent(client, login, people, areas):
    login(people.tehran_manager)
    response = client.get(f"/api/v1/areas/{areas.district6.pk}/ancestors")
    assert response.status_code == 200
    assert [item["code"] for item in response.json()] == ["IR", "23", "2301", "2301021576"]
    assert [item["level"] for item in response.json()] == ["country", "province", "county", "city"]


def test_the_country_has_no_ancestors(client, login, people, areas):
    login(people.admin)
    assert client.get(f"/api/v1/areas/{areas.country.pk}/ancestors").json() == []


def test_ended_children_are_hidden_unless_asked_for(client, login, people, split_county):
    areas = split_county
    login(people.tehran_manager)
    url = f"/api/v1/areas/{areas.tehran.pk}/children"
    assert ids(client.get(url)) == {areas.north.pk, areas.south.pk, areas.shemiranat.pk}
    assert ids(client.get(url, {"include_ended": "true"})) == {
        areas.north.pk,
        areas.south.pk,
        areas.shemiranat.pk,
        areas.tehran_county.pk,
    }


# -- The map's GeoJSON ----------------------------------------------------------------------------


def test_the_map_is_the_areas_outline_and_its_childrens_shapes(client, login, people, mapped):
    areas = mapped
    login(people.tehran_manager)
    response = client.get(f"/api/v1/areas/{areas.district6.pk}/children.geojson")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(GEOJSON_TYPE)
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    features = {feature["properties"]["id"]: feature for feature in collection["features"]}
    assert set(features) == {areas.district6.pk, areas.yousef_abad.pk, areas.amir_abad.pk}

    outline = collection["features"][0]
    assert outline["properties"]["role"] == "self"
    assert outline["properties"]["id"] == areas.district6.pk
    assert outline["geometry"]["type"] in ("Polygon", "MultiPolygon")

    yousef_abad = features[areas.yousef_abad.pk]
    assert yousef_abad["properties"]["role"] == "child"
    assert yousef_abad["properties"]["name_fa"] == "یوسف آباد"
    assert yousef_abad["properties"]["level"] == "neighborhood"
    assert yousef_abad["properties"]["url"] == f"/areas/{areas.yousef_abad.pk}/"
    assert yousef_abad["geometry"]["type"] == "Polygon"

    amir_abad = features[areas.amir_abad.pk]
    assert amir_abad["properties"]["role"] == "child"
    assert amir_abad["geometry"] == {"type": "Point", "coordinates": [51.42, 35.72]}


def test_the_map_of_an_area_without_shapes_is_an_empty_collection(client, login, people, areas):
    login(people.tehran_manager)
    response = client.get(f"/api/v1/areas/{areas.shemiranat.pk}/children.geojson")
    assert response.status_code == 200
    assert json.loads(response.content) == {"type": "FeatureCollection", "features": []}


def test_the_map_leaves_out_ended_children(client, login, people, areas, levels):
    load(
        levels["neighborhood"],
        (square(51.36, 35.66, 0.01), {"code": "N1", "name_fa": "الف"}),
        (square(51.37, 35.66, 0.01), {"code": "N2", "name_fa": "ب"}),
        parent=areas.district6,
    )
    first = Area.objects.get(code="N1")
    halves = split_area(
        actor=None,
        area=first,
        parts=[
            Part(code="N3", name_fa="ج", share=Decimal("0.5")),
            Part(code="N4", name_fa="د", share=Decimal("0.5")),
        ],
        date=datetime.date(2025, 3, 21),
        version=None,
    )
    login(people.tehran_manager)
    response = client.get(f"/api/v1/areas/{areas.district6.pk}/children.geojson")
    shown = {feature["properties"]["id"] for feature in json.loads(response.content)["features"]}
    # The parts of a split have no boundary of their own until one is imported.
    assert first.pk not in shown
    assert Area.objects.get(code="N2").pk in shown
    assert not {part.pk for part in halves} & shown


# -- The area at a point --------------------------------------------------------------------------


def test_locate_finds_the_neighborhood_with_its_parents(client, login, people, mapped):
    areas = mapped
    login(people.tehran_manager)
    response = client.get("/api/v1/areas/locate", {"lat": "35.69", "lon": "51.39"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["area"]["id"] == areas.yousef_abad.pk
    assert body["area"]["has_boundary"] is True
    assert [item["id"] for item in body["ancestors"]] == [
        areas.country.pk,
        areas.tehran.pk,
        areas.tehran_county.pk,
        areas.tehran_city.pk,
        areas.district6.pk,
    ]


def test_locate_falls_back_to_the_district_outside_its_neighborhoods(client, login, people, mapped):
    areas = mapped
    login(people.tehran_manager)
    response = client.get("/api/v1/areas/locate", {"lat": "35.74", "lon": "51.44"})
    assert response.status_code == 200
    assert response.json()["area"]["id"] == areas.district6.pk


@pytest.mark.parametrize(
    "point", [{"lat": "۳۵٫۶۹", "lon": "۵۱٫۳۹"}, {"lat": "٣٥٫٦٩", "lon": "51.39"}]
)
def test_locate_reads_coordinates_in_persian_digits_and_separator(
    client, login, people, mapped, point
):
    login(people.tehran_manager)
    response = client.get("/api/v1/areas/locate", point)
    assert response.status_code == 200, response.content
    assert response.json()["area"]["id"] == mapped.yousef_abad.pk


def test_locate_is_404_where_no_area_holds_the_point(client, login, people, mapped):
    login(people.admin)
    assert_error(client.get("/api/v1/areas/locate", {"lat": "29.6", "lon": "52.5"}), 404)


@pytest.mark.parametrize(
    "point",
    [
        {"lat": "100", "lon": "51.39"},
        {"lat": "35.69", "lon": "200"},
        {"lat": "abc", "lon": "51"},
        {"lat": "۳۵/۶۹", "lon": "51"},
        {"lat": "1,5", "lon": "51"},
    ],
)
def test_locate_refuses_a_point_off_the_globe_with_422(client, login, people, mapped, point):
    login(people.admin)
    assert_error(client.get("/api/v1/areas/locate", point), 422)


# -- Scope --------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "/ancestors", "/children", "/children.geojson"])
def test_an_isfahan_area_is_404_for_the_tehran_manager(client, login, people, mapped, suffix):
    areas = mapped
    login(people.tehran_manager)
    for area in (areas.isfahan, areas.isfahan_county):
        response = client.get(f"/api/v1/areas/{area.pk}{suffix}")
        assert_error(response, 404)
        assert "اصفهان" not in response.content.decode()


def test_locate_in_isfahan_is_404_for_the_tehran_manager(client, login, people, mapped):
    areas = mapped
    isfahan_city = {"lat": "32.65", "lon": "51.67"}
    login(people.tehran_manager)
    assert_error(client.get("/api/v1/areas/locate", isfahan_city), 404)
    login(people.isfahan_manager)
    response = client.get("/api/v1/areas/locate", isfahan_city)
    assert response.status_code == 200
    assert response.json()["area"]["id"] == areas.isfahan_county.pk


def test_the_children_of_the_country_are_only_the_callers_province(client, login, people, areas):
    login(people.tehran_manager)
    assert_error(client.get(f"/api/v1/areas/{areas.country.pk}/children"), 404)
    login(people.admin)
    assert ids(client.get(f"/api/v1/areas/{areas.country.pk}/children")) == {
        areas.tehran.pk,
        areas.isfahan.pk,
        areas.kermanshah.pk,
    }


def test_an_anonymous_caller_is_refused(client, areas):
    assert_error(client.get("/api/v1/areas/"), 401)
    assert_error(client.get(f"/api/v1/areas/{areas.tehran.pk}/children.geojson"), 401)
