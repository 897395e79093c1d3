"""Areas in the API: scoped, paginated, searchable."""

import pytest

from barzan.geo.actions import create_area
from barzan.geo.models import AreaLevel

from .support import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def caller(client, login, people):
    login(people.tehran_manager)
    return client


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_the_list_holds_only_the_callers_areas(caller, areas):
    assert ids(caller.get("/api/v1/areas/")) == {
        areas.tehran.pk,
        areas.tehran_county.pk,
        areas.shemiranat.pk,
        areas.tehran_city.pk,
        areas.district6.pk,
    }


def test_the_list_is_paginated_with_limit_offset_and_count(caller, areas):
    first = caller.get("/api/v1/areas/", {"limit": 2}).json()
    assert first["count"] == 5
    assert first["limit"] == 2
    assert first["offset"] == 0
    assert len(first["items"]) == 2
    last = caller.get("/api/v1/areas/", {"limit": 2, "offset": 4}).json()
    assert last["count"] == 5
    assert len(last["items"]) == 1
    pages = [
        caller.get("/api/v1/areas/", {"limit": 2, "offset": offset}).json()["items"]
        for offset in (0, 2, 4)
    ]
    seen = [item["id"] for page in pages for item in page]
    assert len(seen) == len(set(seen)) == 5


def test_the_default_page_is_fifty_rows(caller, areas):
    assert caller.get("/api/v1/areas/").json()["limit"] == 50


def test_an_area_reads_with_its_level_code(caller, areas):
    response = caller.get(f"/api/v1/areas/{areas.shemiranat.pk}")
    assert response.status_code == 200
    assert response.json() == {
        "id": areas.shemiranat.pk,
        "code": "2302",
        "name_fa": "شمیرانات",
        "name_en": "",
        "level": "county",
        "parent_id": areas.tehran.pk,
        "depth": 2,
        "population": None,
        "valid_from": None,
        "valid_to": None,
        "latitude": None,
        "longitude": None,
        "has_boundary": False,
        "is_synthetic": False,
        "alternative_names": [],
    }


def test_codes_keep_their_leading_zeros(client, login, people, areas):
    login(people.admin)
    response = client.get("/api/v1/areas/", {"code": "05"})
    assert [item["code"] for item in response.json()["items"]] == ["05"]


def test_children_are_listed_and_paginated(caller, areas):
    response = caller.get(f"/api/v1/areas/{areas.tehran.pk}/children")
    assert ids(response) == {areas.tehran_county.pk, areas.shemiranat.pk}
    assert response.json()["count"] == 2
    assert len(caller.get(f"/api/v1/areas/{areas.tehran.pk}/children?limit=1").json()["items"]) == 1


def test_the_search_ignores_letter_variants_and_digits(caller, areas):
    assert ids(caller.get("/api/v1/areas/", {"q": "شميرانات"})) == {areas.shemiranat.pk}
    assert ids(caller.get("/api/v1/areas/", {"q": "تهران ۶"})) == {areas.district6.pk}


def test_the_list_filters_by_level_parent_and_code(caller, areas):
    assert ids(caller.get("/api/v1/areas/", {"level": "county"})) == {
        areas.tehran_county.pk,
        areas.shemiranat.pk,
    }
    assert ids(caller.get("/api/v1/areas/", {"parent": areas.tehran_county.pk})) == {
        areas.tehran_city.pk
    }
    assert ids(caller.get("/api/v1/areas/", {"code": "2302"})) == {areas.shemiranat.pk}


def test_a_secretary_sees_only_their_district(client, login, people, areas):
    login(people.secretary)
    assert ids(client.get("/api/v1/areas/")) == {areas.district6.pk}
    assert_error(client.get(f"/api/v1/areas/{areas.tehran_city.pk}"), 404)


def test_a_user_without_a_grant_is_refused_the_list_like_the_page(client, login, people, areas):
    login(people.nobody)
    assert_error(client.get("/api/v1/areas/"), 403)
    assert client.get("/areas/").status_code == 403


def test_the_list_makes_as_many_queries_for_many_rows_as_for_few(caller, areas, count_queries):
    few = count_queries(lambda: caller.get("/api/v1/areas/", {"limit": 500}))
    county = AreaLevel.objects.get(code="county")
    for number in range(25):
        create_area(
            actor=None,
            level=county,
            code=f"23{number + 10}",
            name_fa="شهرستان",
            parent=areas.tehran,
        )
    many = count_queries(lambda: caller.get("/api/v1/areas/", {"limit": 500}))
    assert many == few


def test_the_children_make_as_many_queries_for_many_rows_as_for_few(caller, areas, count_queries):
    url = f"/api/v1/areas/{areas.tehran.pk}/children"
    few = count_queries(lambda: caller.get(url))
    county = AreaLevel.objects.get(code="county")
    for number in range(25):
        create_area(
            actor=None,
            level=county,
            code=f"23{number + 10}",
            name_fa="شهرستان",
            parent=areas.tehran,
        )
    many = count_queries(lambda: caller.get(url))
    assert many == few
