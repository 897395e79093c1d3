"""No input, however malformed, produces a 500: tampered query strings, forms and API bodies."""

import pytest

PAGES = [
    "/areas/?page=abc",
    "/areas/?page=99999",
    "/areas/?sort=nonexistent",
    "/areas/?level=abc&q=%00%ff",
    "/areas/?children-page=abc",
    "/areas/?export=csv&page=abc",
    "/areas/options/?action=zzz&q=%00",
    "/audit/?since=garbage&until=۱۴۰۴/۱۲/۳۰",
    "/audit/?export=pdf",
    "/organizations/?area=999999&kind=zzz",
    "/organizations/%00/",
    "/accounts/users/?role=abc&is_active=maybe",
    "/accounts/users/99999999999999999999/",
    "/accounts/two-factor/verify/?next=//evil.example",
    "/api/v1/areas/?limit=-1",
    "/api/v1/areas/?offset=x",
    "/api/v1/areas/abc",
    "/api/v1/organizations/?kind=zzz",
    "/api/v1/organizations/%00",
    "/api/v1/audit-events/?since=yesterday",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_a_tampered_address_gets_a_clear_answer_not_a_500(client, people, login, url):
    login(people.admin)
    assert client.get(url).status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [{"language": "xx", "next": "http://evil.example/"}, {"language": ["en", "fa"]}, {}],
)
def test_a_tampered_language_switch_changes_nothing_and_stays_on_the_site(client, data):
    response = client.post("/accounts/language/", data)
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_a_tampered_form_is_answered_with_its_errors(client, people, areas, login):
    login(people.admin)
    response = client.post(
        "/organizations/new/",
        {
            "code": "a" * 500,
            "name_fa": "",
            "kind": "zzz",
            "area": "abc",
            "covered_areas": ["x"],
        },
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    response = client.post(
        "/organizations/new/",
        {"code": "ok", "name_fa": "نام", "kind": "agency", "area": areas.tehran.pk, "version": "x"},
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_broken_json_and_wrong_shapes_get_the_api_error_format(client, people, login):
    login(people.admin)
    broken = client.post(
        "/api/v1/organizations/", data="{bad json", content_type="application/json"
    )
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "bad_request"
    wrong = client.patch("/api/v1/organizations/x", data="[]", content_type="application/json")
    assert wrong.status_code in (404, 422)
    assert "error" in wrong.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/areas/106802855385209877993357312",
        "/api/v1/areas/106802855385209877993357312/children",
        "/api/v1/areas/?parent=106802855385209877993357312",
        "/api/v1/organizations/?offset=25205834811134746624",
        "/api/v1/audit-events/106802855385209877993357312",
    ],
)
def test_numbers_too_large_for_the_database_are_422_not_500(client, people, login, url):
    login(people.admin)
    response = client.get(url)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"


@pytest.mark.django_db
def test_null_in_a_patch_is_refused_field_by_field(client, people, organizations, login):
    login(people.admin)
    response = client.patch(
        f"/api/v1/organizations/{organizations.welfare_tehran.code}",
        data={"version": 1, "covered_area_ids": None, "kind": None, "parent": None},
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = {detail["field"] for detail in response.json()["error"]["details"]}
    assert fields == {"covered_area_ids", "kind"}


@pytest.mark.django_db
def test_nul_characters_are_a_400_on_pages_and_in_the_api(client, people, login):
    login(people.admin)
    assert client.get("/organizations/%00/").status_code == 400
    assert client.get("/areas/", {"q": "تهران\x00"}).status_code == 400
    api = client.get("/api/v1/organizations/%00")
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "bad_request"
    body = client.post(
        "/api/v1/organizations/",
        data='{"code": "x\\u0000", "name_fa": "a", "kind": "agency", "area_id": 1}',
        content_type="application/json",
    )
    assert body.status_code == 400


def test_control_characters_never_reach_stored_text():
    from barzan.core.text import clean

    assert clean("تهران\x00\x07 شمال\x1f") == "تهران شمال"
