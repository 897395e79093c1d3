"""No input, however malformed, produces a 500: tampered query strings, forms and API bodies."""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

TOO_LARGE = "99999999999999999999"  # past any database's integer

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
    # Indicators: the catalogue, broken rules, exports, entry, imports and profiles.
    "/indicators/?page=abc&sort=nonexistent",
    "/indicators/?category=abc&owner=zzz&value_type=zzz&kind=zzz&is_active=maybe&q=%00%ff",
    "/indicators/?export=csv&page=abc",
    "/indicators/?export=xlsx&owner=999999",
    "/indicators/no-such-indicator/",
    "/indicators/no-such-indicator/edit/",
    "/indicators/%D8%A7%D8%B5/",
    "/indicators/data-sets/?level=abc&period_type=zzz&page=-1",
    "/indicators/data-sets/no-such/",
    "/indicators/data-sets/no-such/edit/",
    "/indicators/data-sets/no-such/template.xlsx?period=garbage&area=abc",
    "/indicators/rules/?is_active=maybe&sort=zzz",
    "/indicators/rules/no-such/edit/",
    "/indicators/violations/?area=abc&period=garbage",
    f"/indicators/violations/?area={TOO_LARGE}&period=1402",
    "/indicators/violations/?area=-1&period=1402Q9&page=abc&export=csv",
    "/indicators/violations/?period=%00",
    "/indicators/export/",
    "/indicators/export/?format=zzz&area=abc",
    f"/indicators/export/?format=csv&area={TOO_LARGE}",
    "/indicators/export/?format=xlsx&area=۱&period=garbage&below=maybe&indicator=zzz",
    "/indicators/entry/?data_set=%00&area=abc&period=zz",
    "/indicators/entry/?data_set=no-such&area=1&period=1402",
    "/indicators/entry/no-such/1/1402/",
    f"/indicators/entry/no-such/{TOO_LARGE}/1402/",
    "/indicators/imports/?page=abc&sort=zzz",
    "/indicators/imports/?export=csv&sort=-zzz",
    f"/indicators/imports/{TOO_LARGE}/",
    f"/indicators/imports/{TOO_LARGE}/progress/",
    f"/indicators/imports/{TOO_LARGE}/problems.csv",
    "/indicators/imports/1/problems.csv",
    f"/indicators/profile/{TOO_LARGE}/",
    f"/indicators/profile/{TOO_LARGE}/pdf/",
    "/indicators/profile/0/",
    "/api/v1/indicators/?q=%00",
    "/api/v1/indicators/%00",
    "/api/v1/indicators/periods/zzz",
    "/api/v1/indicators/values?area=abc&period=garbage",
    f"/api/v1/indicators/values?area={TOO_LARGE}",
    "/api/v1/indicators/aggregates?indicator=zzz&area=abc&periods=garbage",
    f"/api/v1/indicators/areas/{TOO_LARGE}/profile",
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


# -- indicators: tampered grids, cells, templates and uploaded files


@pytest.fixture
def grid(areas, organizations, settings, tmp_path):
    """A Tehran data set of neighborhoods with one indicator, and the address of its grid."""
    from barzan.geo.actions import create_area
    from barzan.geo.models import AreaLevel
    from barzan.indicators.actions import create_data_set, create_indicator
    from barzan.indicators.models import Category

    settings.DATA_DIR = tmp_path  # uploaded files wait in this test's own folder
    neighborhood = create_area(
        actor=None,
        level=AreaLevel.objects.get(code="neighborhood"),
        code="2301021699",
        name_fa="محله یوسف‌آباد",
        parent=areas.district6,
    )
    indicator = create_indicator(
        actor=None,
        code="students",
        name_fa="دانش‌آموزان",
        value_type="count",
        category=Category.objects.create(code="education", name_fa="آموزش"),
        owner=organizations.education_tehran,
        dimensions=["sex"],
    )
    data_set = create_data_set(
        actor=None,
        code="schools",
        name_fa="مدارس محله",
        level=neighborhood.level,
        period_type="year",
        owner=organizations.education_tehran,
        indicators=[indicator],
    )
    return SimpleNamespace(
        neighborhood=neighborhood,
        indicator=indicator,
        data_set=data_set,
        url=f"/indicators/entry/schools/{neighborhood.pk}/1402/",
    )


@pytest.mark.django_db
def test_a_tampered_grid_address_is_a_404(client, people, areas, login, grid):
    login(people.admin)
    assert client.get(grid.url).status_code == 200
    n = grid.neighborhood.pk
    for url in (
        f"/indicators/entry/schools/{n}/1402Q9/",
        f"/indicators/entry/schools/{n}/1402-01/",  # a month, for a data set entered by year
        f"/indicators/entry/schools/{n}/99999/",
        f"/indicators/entry/schools/{n}/%00/",
        f"/indicators/entry/schools/{areas.district6.pk}/1402/",  # not a neighborhood
        f"/indicators/entry/schools/{TOO_LARGE}/1402/",
        f"/indicators/entry/schools/{n}/1402Q9/cell/",
    ):
        assert client.get(url).status_code in (400, 404, 405), url
        assert client.post(url, {"indicator": "students", "version": 0}).status_code in (
            400,
            404,
            405,
        ), url


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"indicator": "students"},
        {"indicator": "s" * 500, "version": "abc"},
        {"indicator": "students", "version": "-1"},
        {"indicator": "students", "version": TOO_LARGE},
        {"indicator": "students", "version": "0", "breakdown": "zzz"},
        {"indicator": "students", "version": "0", "breakdown": "age_0_14"},  # not by age
        {"indicator": "no-such", "version": "0"},
        {"indicator": ["students", "x"], "version": ["0", "1"]},
    ],
)
def test_a_cell_that_is_not_part_of_the_grid_is_a_400(client, people, login, grid, data):
    from barzan.indicators.models import IndicatorValue

    login(people.admin)
    response = client.post(grid.url + "cell/", {"value": "5", **data})
    assert response.status_code == 400
    assert not IndicatorValue.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "1e999999",
        "NaN",
        "Infinity",
        "-5",
        "2.5",
        "0x10",
        "9" * 200,
        "۱۲۳abc",
        "1.234,5",
        "٫",
        "1e-999999",
        "0.0000001",
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_a_malformed_figure_in_a_cell_is_answered_with_its_error(
    client, people, login, grid, value, htmx
):
    from barzan.indicators.models import IndicatorValue

    login(people.admin)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(
        grid.url + "cell/",
        {"indicator": "students", "breakdown": "", "value": value, "version": "0"},
        headers=headers,
    )
    assert response.status_code == (200 if htmx else 302)
    assert not IndicatorValue.objects.exists()


@pytest.mark.django_db
def test_a_cell_with_an_overlong_comment_or_a_nul_is_refused(client, people, login, grid):
    from barzan.indicators.models import IndicatorValue

    login(people.admin)
    cell = {"indicator": "students", "breakdown": "", "value": "5", "version": "0"}
    long_comment = client.post(grid.url + "cell/", {**cell, "comment": "x" * 5000})
    assert long_comment.status_code < 500
    nul = client.post(grid.url + "cell/", {**cell, "value": "5\x00"})
    assert nul.status_code == 400
    assert not IndicatorValue.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"period": "garbage"},
        {"period": "1402Q1"},  # a quarter, for a data set entered by year
        {"period": "99999"},
        {"area": "abc"},
        {"area": TOO_LARGE},
        {"area": "-1", "period": "۱۴۰۲"},
        {"period": ["1402", "1403"]},
    ],
)
def test_a_tampered_template_address_gets_a_clear_answer(client, people, login, grid, query):
    login(people.admin)
    response = client.get("/indicators/data-sets/schools/template.xlsx", query)
    assert response.status_code in (200, 302, 400, 404)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, content",
    [
        ("figures.xlsx", b"PK\x03\x04 not really a workbook"),
        ("figures.xlsx", b"\x00\x01\x02\x03" * 100),
        ("figures.json", b'{"dataValues": [{"dataElement": '),
        ("figures.json", b'{"dataValues": {"not": "a list"}}'),
        ("figures.json", b"[1, 2, 3]"),
        ("figures.xml", b"<adx><group orgUnit="),
        (
            "figures.xml",
            b'<?xml version="1.0"?><!DOCTYPE adx [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
            b'<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="&secret;" period="1402"'
            b' dataSet="schools"><dataValue dataElement="students" value="1"/></group></adx>',
        ),
        ("figures.csv", b"indicator,area,period,breakdown,value\n\xff\xfe\x00bad,\x00,,,"),
        ("figures.csv", b"no,header,here\n1,2,3\n"),
        ("figures.csv", b"indicator,area,period,value\nstudents,2301021699,1402,=1+1\n"),
        ("figures.csv", b"indicator,area,period,value\n" + b'"unclosed,quote\n' * 3),
        ("figures.txt", b"indicator,area,period,value\nstudents,2301021699,1402,5\n"),
    ],
)
def test_a_malformed_file_is_reported_not_a_500(
    client, people, areas, organizations, login, grid, name, content
):
    from barzan.indicators.models import IndicatorValue

    login(people.admin)
    response = client.post(
        "/indicators/imports/new/",
        {
            "file": SimpleUploadedFile(name, content),
            "format": "",
            "area": areas.tehran.pk,
            "source": organizations.education_tehran.pk,
        },
    )
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        report = client.get(response["Location"])
        assert report.status_code == 200
        assert "root:" not in report.content.decode()
    assert not IndicatorValue.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"format": "zzz", "area": "abc", "source": TOO_LARGE},
        {"format": "csv", "area": TOO_LARGE, "source": "abc"},
        {"format": "zzz", "area": "abc", "source": "-1"},
        {"format": ["csv", "xlsx"], "area": "-1", "source": ""},
    ],
)
def test_a_tampered_upload_form_is_answered_with_its_errors(client, people, login, grid, data):
    from barzan.indicators.models import ValueImport

    login(people.admin)
    response = client.post(
        "/indicators/imports/new/",
        {"file": SimpleUploadedFile("figures.csv", b"indicator,area,period,value\n"), **data},
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not ValueImport.objects.exists()


@pytest.mark.django_db
def test_an_empty_upload_is_answered_with_its_errors(client, people, login, grid):
    from barzan.indicators.models import ValueImport

    login(people.admin)
    response = client.post("/indicators/imports/new/", {"file": SimpleUploadedFile("e.csv", b"")})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not ValueImport.objects.exists()


@pytest.mark.django_db
def test_an_area_id_too_large_for_the_database_is_a_form_error(client, people, login):
    login(people.admin)
    response = client.post(
        "/organizations/new/",
        {"code": "relief", "name_fa": "امداد", "kind": "agency", "area": TOO_LARGE},
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
