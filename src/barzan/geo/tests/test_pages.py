"""The area pages from a user's seat: changing the tree within one's own province (and only
there), an area with its map, parents, children and history, the list, imports, and
finding the area at a point."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from barzan.audit.models import AuditEvent
from barzan.core.text import to_latin_digits
from barzan.geo import importing
from barzan.geo.actions import Part, create_area, import_areas, merge_areas, split_area, update_area
from barzan.geo.models import Area, AreaImport, AreaSuccession
from barzan.geo.tasks import run_area_import
from barzan.geo.tests.shapes import feature_collection, square

pytestmark = pytest.mark.django_db

ARABIC_KAF = "\u0643"
NOWRUZ_1404 = datetime.date(2025, 3, 21)  # 1404/01/01


# -- Helpers ----------------------------------------------------------------------------------


def in_english(client):
    """Read the page in English (the language cookie), so the tests can quote its messages."""
    client.cookies["barzan_language"] = "en"
    return client


def events(verb: str):
    return AuditEvent.objects.filter(verb=verb)


def snapshot() -> list[tuple]:
    """Everything about the area tree a failed change must leave alone."""
    return list(
        Area.objects.order_by("pk").values_list(
            "pk", "code", "name_fa", "name_en", "parent_id", "path", "version", "valid_to"
        )
    )


def listed(response) -> set:
    assert response.status_code == 200
    return set(response.context["object_list"])


def child_rows(response) -> set:
    assert response.status_code == 200
    return {row.record for row in response.context["children"].rows}


def counts(response) -> dict[str, int]:
    """Read the numbers of the import report's cards (`data-count`), in any digits."""
    assert response.status_code == 200
    found = re.findall(r'data-count="(\w+)">([^<]*)<', response.content.decode())
    return {name: int(to_latin_digits(number)) for name, number in found}


@pytest.fixture
def imports_folder(settings, tmp_path):
    """Uploads wait for their confirmation in a storage folder of this test's own."""
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    (tmp_path / "imports").mkdir()
    return tmp_path / "imports"


# -- An area manager changes the tree of their own province ----------------------------------


def test_a_tehran_manager_creates_an_area_under_a_tehran_county(
    client, login, people, areas, levels
):
    login(people.tehran_manager)
    url = f"/areas/{areas.tehran_county.pk}/new/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "level": levels["city"].pk,
            "code": "2301999",
            "name_fa": "شهر نو",
            "name_en": "New Town",
            "population": "1200",
            "valid_from": "۱۴۰۴/۰۱/۰۱",
        },
    )
    created = Area.objects.get(level=levels["city"], code="2301999")
    assert response.status_code == 302
    assert response["Location"] == f"/areas/{created.pk}/"
    assert created.parent == areas.tehran_county
    assert created.path.startswith(areas.tehran_county.path)
    assert created.population == 1200
    assert created.valid_from == NOWRUZ_1404
    event = events("area.created").get(target_id=str(created.pk))
    assert event.actor == people.tehran_manager


def test_a_tehran_manager_edits_a_tehran_area(client, login, people, areas):
    login(people.tehran_manager)
    url = f"/areas/{areas.shemiranat.pk}/edit/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "code": "2302",
            "name_fa": "شميرانات",  # typed with an Arabic yeh
            "name_en": "Shemiranat",
            "population": "750000",
            "valid_from": "1404/01/01",
            "version": areas.shemiranat.version,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/areas/{areas.shemiranat.pk}/"
    areas.shemiranat.refresh_from_db()
    assert areas.shemiranat.name_fa == "شمیرانات"
    assert areas.shemiranat.name_en == "Shemiranat"
    assert areas.shemiranat.population == 750000
    assert areas.shemiranat.valid_from == NOWRUZ_1404
    event = events("area.changed").get(target_id=str(areas.shemiranat.pk))
    assert event.actor == people.tehran_manager
    assert event.before["name_en"] == ""
    assert event.after["name_en"] == "Shemiranat"


def test_a_tehran_manager_moves_a_city_to_another_tehran_county(client, login, people, areas):
    login(people.tehran_manager)
    url = f"/areas/{areas.tehran_city.pk}/move/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "parent": areas.shemiranat.pk,
            "reason": "تقسیمات جدید",
            "version": areas.tehran_city.version,
        },
    )
    assert response.status_code == 302
    areas.tehran_city.refresh_from_db()
    areas.district6.refresh_from_db()
    assert areas.tehran_city.parent == areas.shemiranat
    assert areas.district6.path.startswith(areas.shemiranat.path)
    event = events("area.moved").get(target_id=str(areas.tehran_city.pk))
    assert event.actor == people.tehran_manager
    assert event.reason == "تقسیمات جدید"


def test_a_tehran_manager_may_not_move_a_tehran_area_into_isfahan(client, login, people, areas):
    login(people.tehran_manager)
    before = snapshot()
    response = client.post(
        f"/areas/{areas.tehran_city.pk}/move/",
        {"parent": areas.isfahan_county.pk, "version": areas.tehran_city.version},
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert snapshot() == before
    assert not events("area.moved").exists()


def test_a_tehran_manager_splits_a_tehran_county(client, login, people, areas):
    login(people.tehran_manager)
    county = areas.tehran_county
    url = f"/areas/{county.pk}/split/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "date": "1404/01/01",
            "reason": "جمعیت زیاد",
            "version": county.version,
            "part_1_code": "2311",
            "part_1_name_fa": "تهران شمالی",
            "part_1_name_en": "North Tehran",
            "part_1_share": "60",
            "part_1_children": [areas.tehran_city.pk],
            "part_2_code": "2312",
            "part_2_name_fa": "تهران جنوبی",
            "part_2_name_en": "",
            "part_2_share": "40",
        },
    )
    assert response.status_code == 302
    county.refresh_from_db()
    north, south = Area.objects.get(code="2311"), Area.objects.get(code="2312")
    assert county.valid_to == NOWRUZ_1404
    assert north.parent == south.parent == areas.tehran
    assert north.valid_from == NOWRUZ_1404
    areas.tehran_city.refresh_from_db()
    assert areas.tehran_city.parent == north
    shares = dict(
        AreaSuccession.objects.filter(predecessor=county).values_list("successor__code", "share")
    )
    assert shares == {"2311": Decimal("0.6"), "2312": Decimal("0.4")}
    event = events("area.split").get(target_id=str(county.pk))
    assert event.actor == people.tehran_manager
    assert event.reason == "جمعیت زیاد"


def test_a_split_whose_shares_do_not_add_up_writes_nothing(client, login, people, areas):
    login(people.tehran_manager)
    before = snapshot()
    response = client.post(
        f"/areas/{areas.shemiranat.pk}/split/",
        {
            "date": "1404/01/01",
            "version": areas.shemiranat.version,
            "part_1_code": "2321",
            "part_1_name_fa": "الف",
            "part_1_share": "60",
            "part_2_code": "2322",
            "part_2_name_fa": "ب",
            "part_2_share": "30",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert snapshot() == before
    assert not events("area.split").exists()


def test_a_tehran_manager_merges_two_tehran_counties(client, login, people, areas):
    login(people.tehran_manager)
    url = f"/areas/{areas.tehran_county.pk}/merge/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "others": [areas.shemiranat.pk],
            "code": "2399",
            "name_fa": "تهران بزرگ",
            "name_en": "Greater Tehran",
            "date": "۱۴۰۴/۰۱/۰۱",
            "reason": "ادغام",
        },
    )
    assert response.status_code == 302
    merged = Area.objects.get(code="2399")
    assert response["Location"] == f"/areas/{merged.pk}/"
    assert merged.parent == areas.tehran
    for old in (areas.tehran_county, areas.shemiranat):
        old.refresh_from_db()
        assert old.valid_to == NOWRUZ_1404
    areas.tehran_city.refresh_from_db()
    assert areas.tehran_city.parent == merged
    event = events("area.merged").get(target_id=str(merged.pk))
    assert event.actor == people.tehran_manager
    assert event.reason == "ادغام"


def test_a_merge_offers_only_siblings_of_the_same_level(client, login, people, areas):
    login(people.tehran_manager)
    before = snapshot()
    response = client.post(
        f"/areas/{areas.tehran_county.pk}/merge/",
        {
            "others": [areas.isfahan_county.pk],
            "code": "2399",
            "name_fa": "تهران و اصفهان",
            "date": "1404/01/01",
        },
    )
    assert response.status_code == 200
    assert "others" in response.context["form"].errors
    assert snapshot() == before


CHANGE_PAGES = {
    "new": {"level": "city", "code": "1001999", "name_fa": "شهر نو"},
    "edit": {"code": "1001", "name_fa": "اصفهان نو", "version": 1},
    "move": {"parent": "isfahan", "version": 1},
    "split": {
        "date": "1404/01/01",
        "version": 1,
        "part_1_code": "1011",
        "part_1_name_fa": "الف",
        "part_1_share": "50",
        "part_2_code": "1012",
        "part_2_name_fa": "ب",
        "part_2_share": "50",
    },
    "merge": {"others": [], "code": "1099", "name_fa": "ادغام", "date": "1404/01/01"},
    "boundary": {"source": "آزمون", "version": "1"},
}


def change_data(page: str, areas, levels) -> dict:
    """The form a change page takes, with names of areas and levels turned into ids."""
    data = dict(CHANGE_PAGES[page])
    if "level" in data:
        data["level"] = levels[data["level"]].pk
    if "parent" in data:
        data["parent"] = getattr(areas, data["parent"]).pk
    return data


@pytest.mark.parametrize("page", CHANGE_PAGES)
def test_a_tehran_manager_gets_404_for_the_change_pages_of_an_isfahan_area(
    client, login, people, areas, levels, page
):
    create_area(
        actor=None,
        level=levels["county"],
        code="1002",
        name_fa="کاشان",
        parent=areas.isfahan,
    )
    login(people.tehran_manager)
    before = snapshot()
    url = f"/areas/{areas.isfahan_county.pk}/{page}/"
    data = change_data(page, areas, levels)
    if page == "merge":
        data["others"] = [Area.objects.get(code="1002").pk]
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    assert snapshot() == before
    assert not AuditEvent.objects.filter(actor=people.tehran_manager).exists()


@pytest.mark.parametrize("page", CHANGE_PAGES)
def test_an_analyst_gets_403_for_the_change_pages_of_a_tehran_area(
    client, login, people, areas, levels, page
):
    login(people.tehran_analyst)
    before = snapshot()
    url = f"/areas/{areas.tehran_county.pk}/{page}/"
    data = change_data(page, areas, levels)
    if page == "move":
        data["parent"] = areas.tehran.pk
    if page == "merge":
        data["others"] = [areas.shemiranat.pk]
    assert client.get(f"/areas/{areas.tehran_county.pk}/").status_code == 200
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    assert snapshot() == before
    assert not AuditEvent.objects.filter(actor=people.tehran_analyst).exists()


def edit_from_a_stale_page(client, login, people, areas):
    """Open Shemiranat's edit page, let someone else save, then submit the old page."""
    opened_at = areas.shemiranat.version
    update_area(actor=None, area=areas.shemiranat, version=None, name_en="Shemiranat")
    in_english(login(people.tehran_manager))
    return client.post(
        f"/areas/{areas.shemiranat.pk}/edit/",
        {"code": "2302", "name_fa": "شمیران", "name_en": "", "version": opened_at},
    )


def test_an_edit_from_a_stale_page_is_refused_and_changes_nothing(client, login, people, areas):
    response = edit_from_a_stale_page(client, login, people, areas)
    assert response.status_code == 200
    assert [error.code for error in response.context["form"].non_field_errors().as_data()] == [
        "conflict"
    ]
    assert "Someone else changed this" in response.content.decode()
    areas.shemiranat.refresh_from_db()
    assert areas.shemiranat.name_fa == "شمیرانات"
    assert areas.shemiranat.name_en == "Shemiranat"
    assert not events("area.changed").filter(actor=people.tehran_manager).exists()


def test_an_edit_from_a_stale_page_says_someone_else_changed_it(client, login, people, areas):
    response = edit_from_a_stale_page(client, login, people, areas)
    assert "Someone else changed this record" in response.content.decode()


# -- One area: parents, children, map and history ---------------------------------------------


def test_the_area_page_shows_the_parent_chain_and_the_children(client, login, people, areas):
    login(people.tehran_manager)
    response = client.get(f"/areas/{areas.tehran_city.pk}/")
    assert [ancestor for ancestor, _visible in response.context["ancestors"]] == [
        areas.country,
        areas.tehran,
        areas.tehran_county,
    ]
    assert child_rows(response) == {areas.district6}
    content = response.content.decode()
    breadcrumb = content[content.index('class="breadcrumb') : content.index("</ol>")]
    assert breadcrumb.index("ایران") < breadcrumb.index(f'href="/areas/{areas.tehran.pk}/"')
    assert f'href="/areas/{areas.tehran_county.pk}/"' in breadcrumb
    assert f'href="/areas/{areas.district6.pk}/"' in content


def test_the_area_page_has_a_map_of_its_children(client, login, people, areas):
    login(people.tehran_manager)
    content = client.get(f"/areas/{areas.tehran.pk}/").content.decode()
    assert 'class="area-map"' in content
    assert f'data-geojson="/api/v1/areas/{areas.tehran.pk}/children.geojson"' in content
    assert "vendor/leaflet/leaflet.js" in content
    assert "geo/map.js" in content


@pytest.fixture
def split_county(areas):
    """Tehran county split on 1404/01/01 into north (with Tehran city) and south."""
    north, south = split_area(
        actor=None,
        area=areas.tehran_county,
        parts=[
            Part(
                code="2311",
                name_fa="تهران شمالی",
                share=Decimal("0.75"),
                children=[areas.tehran_city],
            ),
            Part(code="2312", name_fa="تهران جنوبی", share=Decimal("0.25")),
        ],
        date=NOWRUZ_1404,
        version=None,
    )
    areas.tehran_county.refresh_from_db()
    areas.north, areas.south = north, south
    return areas


def test_the_area_page_shows_its_history_after_a_split(client, login, people, split_county):
    areas = split_county
    login(people.tehran_manager)
    response = client.get(f"/areas/{areas.tehran_county.pk}/")
    assert response.status_code == 200
    history = response.context["history"]
    assert {link.successor for link in history.successors} == {areas.north, areas.south}
    content = response.content.decode()
    assert f'href="/areas/{areas.north.pk}/"' in content
    assert f'href="/areas/{areas.south.pk}/"' in content
    # An ended area is read, not changed: no buttons for it.
    assert f"/areas/{areas.tehran_county.pk}/edit/" not in content
    assert f"/areas/{areas.tehran_county.pk}/split/" not in content

    response = client.get(f"/areas/{areas.north.pk}/")
    history = response.context["history"]
    assert [link.predecessor for link in history.predecessors] == [areas.tehran_county]
    assert f'href="/areas/{areas.tehran_county.pk}/"' in response.content.decode()


def test_the_area_page_hides_ended_children_unless_asked(client, login, people, split_county):
    areas = split_county
    login(people.tehran_manager)
    url = f"/areas/{areas.tehran.pk}/"
    assert child_rows(client.get(url)) == {areas.north, areas.south, areas.shemiranat}
    assert child_rows(client.get(url, {"ended": "1"})) == {
        areas.north,
        areas.south,
        areas.shemiranat,
        areas.tehran_county,
    }


def test_the_area_page_offers_the_changes_only_to_those_who_may_make_them(
    client, login, people, areas
):
    url = f"/areas/{areas.shemiranat.pk}/"
    login(people.tehran_manager)
    content = client.get(url).content.decode()
    for page in ("new", "edit", "move", "split", "merge"):
        assert f"/areas/{areas.shemiranat.pk}/{page}/" in content
    login(people.tehran_analyst)
    content = client.get(url).content.decode()
    for page in ("new", "edit", "move", "split", "merge"):
        assert f"/areas/{areas.shemiranat.pk}/{page}/" not in content


# -- The list ----------------------------------------------------------------------------------


def test_the_list_finds_kermanshah_typed_with_an_arabic_kaf(client, login, people, areas):
    login(people.admin)
    typed = "كرمانشاه"
    assert ARABIC_KAF in typed
    assert listed(client.get("/areas/", {"q": typed})) == {areas.kermanshah}


def test_the_list_shows_current_areas_unless_ended_ones_are_asked_for(
    client, login, people, split_county
):
    areas = split_county
    login(people.tehran_manager)
    current = listed(client.get("/areas/"))
    assert areas.tehran_county not in current
    assert {areas.north, areas.south, areas.tehran_city} <= current
    assert listed(client.get("/areas/", {"status": "ended"})) == {areas.tehran_county}
    everything = listed(client.get("/areas/", {"status": "all"}))
    assert everything == current | {areas.tehran_county}


def test_the_list_makes_as_many_queries_for_many_rows_as_for_few(
    client, login, people, areas, levels, count_queries
):
    def add_neighborhoods(start, count):
        for number in range(start, start + count):
            create_area(
                actor=None,
                level=levels["neighborhood"],
                code=f"N{number:03d}",
                name_fa=f"محله {number}",
                parent=areas.district6,
            )

    login(people.admin)
    add_neighborhoods(1, 5)
    few = count_queries(lambda: client.get("/areas/"))
    add_neighborhoods(6, 25)
    assert len(listed(client.get("/areas/"))) == 9 + 30
    many = count_queries(lambda: client.get("/areas/"))
    assert many == few


# -- Imports -------------------------------------------------------------------------------------


NEIGHBORHOODS = feature_collection(
    (square(51.38, 35.68, 0.01), {"code": "N1", "name_fa": "یوسف آباد"}),
    (square(51.39, 35.68, 0.01), {"code": "N2", "name_fa": "امیرآباد"}),
)


def upload(client, content: bytes, **fields):
    data = {
        "format": "geojson",
        "file": SimpleUploadedFile("neighborhoods.geojson", content, "application/geo+json"),
        "code_property": "code",
        "name_property": "name_fa",
        "updates": ["boundaries", "new"],
        **fields,
    }
    return client.post("/areas/import/", data)


def test_an_import_is_a_dry_run_first_and_is_applied_on_confirmation(
    client, login, people, areas, levels, imports_folder
):
    login(people.admin)
    assert client.get("/areas/import/").status_code == 200
    before = snapshot()
    response = upload(
        client,
        NEIGHBORHOODS,
        level=levels["neighborhood"].pk,
        parent=areas.district6.pk,
    )
    job = AreaImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    response = client.get(job.get_absolute_url())
    assert counts(response) == {"created": 2, "changed": 0, "unchanged": 0, "problems": 0}
    assert response.context["is_checked"]
    assert "data-apply" in response.content.decode()
    assert snapshot() == before

    response = client.post(f"/areas/import/{job.pk}/apply/", follow=True)
    assert response.context["is_done"]
    assert counts(response)["created"] == 2
    created = Area.objects.filter(parent=areas.district6).order_by("code")
    assert [(area.code, area.name_fa) for area in created] == [
        ("N1", "یوسف آباد"),
        ("N2", "امیرآباد"),
    ]
    assert all(area.has_boundary for area in created)
    assert events("area.imported").get().actor == people.admin
    assert list(imports_folder.iterdir()) == []


def test_a_large_area_file_is_checked_by_the_worker_while_the_page_shows_progress(
    client, login, people, areas, levels, imports_folder, settings
):
    settings.BARZAN_BACKGROUND_IMPORT_BYTES = 10
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    login(people.admin)
    upload(client, NEIGHBORHOODS, level=levels["neighborhood"].pk, parent=areas.district6.pk)
    job = AreaImport.objects.get()
    assert job.status == "queued"
    page = client.get(job.get_absolute_url()).content.decode()
    assert f'hx-get="/areas/import/{job.pk}/progress/"' in page
    assert list(imports_folder.iterdir())  # stored, for the worker to read

    run_area_import.call(job.pk, people.admin.pk, False)

    response = client.get(f"/areas/import/{job.pk}/progress/")
    assert response["HX-Refresh"] == "true"
    assert counts(client.get(job.get_absolute_url()))["created"] == 2


def test_a_file_with_swapped_coordinates_shows_the_feature_and_writes_nothing(
    client, login, people, areas, levels, imports_folder
):
    swapped = {
        "type": "Polygon",
        "coordinates": [[[lat, lon] for lon, lat in square(51.38, 35.68, 0.01)["coordinates"][0]]],
    }
    content = feature_collection(
        (swapped, {"code": "N1", "name_fa": "یوسف آباد"}),
        (square(51.39, 35.68, 0.01), {"code": "N2", "name_fa": "امیرآباد"}),
    )
    in_english(login(people.admin))
    before = snapshot()
    upload(client, content, level=levels["neighborhood"].pk, parent=areas.district6.pk)
    job = AreaImport.objects.get()
    response = client.get(job.get_absolute_url())
    assert counts(response)["problems"] == 1
    text = response.content.decode()
    assert "feature 1" in text
    assert "swapped" in text
    assert "data-apply" not in text

    # Asking to apply it anyway still writes nothing.
    client.post(f"/areas/import/{job.pk}/apply/")
    job.refresh_from_db()
    assert job.status == "checked"
    assert snapshot() == before
    assert not events("area.imported").exists()


def test_a_tehran_manager_may_not_import_under_isfahan(
    client, login, people, areas, levels, imports_folder
):
    login(people.tehran_manager)
    before = snapshot()
    response = upload(
        client, NEIGHBORHOODS, level=levels["neighborhood"].pk, parent=areas.isfahan.pk
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert not AreaImport.objects.exists()
    assert snapshot() == before
    assert not events("area.imported").exists()


def test_a_manager_cannot_see_or_apply_another_provinces_area_import(
    client, login, people, areas, levels, imports_folder
):
    login(people.isfahan_manager)
    upload(client, NEIGHBORHOODS, level=levels["neighborhood"].pk, parent=areas.isfahan_county.pk)
    job = AreaImport.objects.get()
    login(people.tehran_manager)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.post(f"/areas/import/{job.pk}/apply/").status_code == 404
    assert client.post(f"/areas/import/{job.pk}/run-again/").status_code == 404
    job.refresh_from_db()
    assert job.status == "checked"


def test_an_analyst_gets_403_for_the_import_page(
    client, login, people, areas, levels, imports_folder
):
    login(people.tehran_analyst)
    assert client.get("/areas/import/").status_code == 403
    response = upload(
        client, NEIGHBORHOODS, level=levels["neighborhood"].pk, parent=areas.district6.pk
    )
    assert response.status_code == 403
    assert not Area.objects.filter(level=levels["neighborhood"]).exists()


# -- Finding the area at a point -----------------------------------------------------------------


@pytest.fixture
def yousef_abad(areas, levels):
    """A neighborhood of district 6 around longitude 51.38–51.40, latitude 35.68–35.70."""
    report = import_areas(
        actor=None,
        format="geojson",
        content=feature_collection(
            (square(51.38, 35.68, 0.02), {"code": "N1", "name_fa": "یوسف آباد"})
        ),
        source="t.geojson",
        options=importing.Options(level=levels["neighborhood"], parent=areas.district6),
    )
    assert report.ok, report.problems
    return Area.objects.get(code="N1")


def test_the_locate_page_finds_the_neighborhood_at_a_point(
    client, login, people, areas, yousef_abad
):
    login(people.tehran_manager)
    response = client.get("/areas/locate/", {"latitude": "35.69", "longitude": "51.39"})
    assert response.status_code == 200
    location = response.context["location"]
    assert location.area == yousef_abad
    assert location.ancestors[-2:] == [areas.tehran_city, areas.district6]
    content = response.content.decode()
    assert f'data-location="{yousef_abad.pk}"' in content
    assert f'href="/areas/{yousef_abad.pk}/"' in content


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [("۳۵٫۶۹", "۵۱٫۳۹"), ("٣٥٫٦٩", "٥١٫٣٩"), ("۳۵.۶۹", "۵۱.۳۹"), ("\u200f۳۵٫۶۹", "51.39")],
)
def test_the_locate_page_reads_coordinates_typed_the_persian_way(
    client, login, people, areas, yousef_abad, latitude, longitude
):
    login(people.tehran_manager)
    response = client.get("/areas/locate/", {"latitude": latitude, "longitude": longitude})
    assert response.status_code == 200
    assert response.context["form"].errors == {}
    assert response.context["location"].area == yousef_abad


def test_the_locate_page_says_how_to_write_a_decimal_point_typed_as_a_slash(
    client, login, people, areas, yousef_abad
):
    in_english(login(people.tehran_manager))
    response = client.get("/areas/locate/", {"latitude": "۳۵/۶۹", "longitude": "51.39"})
    assert response.status_code == 200
    assert response.context["form"].errors["latitude"] == [
        "«۳۵/۶۹»: write the decimal point as «٫» or «.», not «/»."
    ]


def test_the_locate_page_says_so_when_nothing_holds_the_point(
    client, login, people, areas, yousef_abad
):
    in_english(login(people.tehran_manager))
    response = client.get("/areas/locate/", {"latitude": "29.6", "longitude": "52.5"})
    assert response.status_code == 200
    assert response.context["searched"]
    assert response.context["location"] is None
    assert "No area you may see holds this point" in response.content.decode()


def test_the_locate_page_does_not_show_another_province_to_a_manager(
    client, login, people, areas, yousef_abad
):
    login(people.isfahan_manager)
    response = client.get("/areas/locate/", {"latitude": "35.69", "longitude": "51.39"})
    assert response.status_code == 200
    assert response.context["location"] is None


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [("200", "51.39", "latitude"), ("abc", "51.39", "latitude"), ("35.69", "", "longitude")],
)
def test_the_locate_page_answers_bad_input_with_a_form_error(
    client, login, people, areas, yousef_abad, latitude, longitude, field
):
    login(people.tehran_manager)
    response = client.get("/areas/locate/", {"latitude": latitude, "longitude": longitude})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not response.context["searched"]
    assert 'aria-invalid="true"' in response.content.decode()


def test_the_empty_locate_page_asks_for_a_point(client, login, people, areas):
    login(people.tehran_analyst)
    response = client.get("/areas/locate/")
    assert response.status_code == 200
    assert not response.context["form"].is_bound
    assert not response.context["searched"]


def test_merging_through_the_action_also_ends_the_old_areas_in_the_list(
    client, login, people, areas
):
    merged = merge_areas(
        actor=None,
        areas=[areas.tehran_county, areas.shemiranat],
        code="2399",
        name_fa="تهران بزرگ",
        date=NOWRUZ_1404,
    )
    login(people.tehran_manager)
    assert listed(client.get("/areas/", {"status": "ended"})) == {
        areas.tehran_county,
        areas.shemiranat,
    }
    assert merged in listed(client.get("/areas/"))


# -- One area's boundary ----------------------------------------------------------------------


def boundary_upload(data: dict, name: str = "boundary.geojson") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, json.dumps(data).encode(), content_type="application/json")


def test_a_tehran_manager_gives_a_district_its_boundary(client, login, people, areas):
    login(people.tehran_manager)
    district = areas.district6
    response = client.post(
        f"/areas/{district.pk}/boundary/",
        {
            "file": boundary_upload({"type": "Feature", "geometry": square(51.38, 35.70, 0.02)}),
            "source": "واحد GIS شهرداری، ۱۴۰۳",
            "version": district.version,
        },
    )
    assert response.status_code == 302
    district.refresh_from_db()
    assert district.has_boundary
    assert district.boundary_source == "واحد GIS شهرداری، 1403"
    assert not district.is_synthetic
    assert events("area.boundary_set").get().actor == people.tehran_manager
    from barzan.geo.readers import locate

    assert locate(35.71, 51.39).area == district


def test_a_boundary_with_swapped_coordinates_is_refused_with_a_clear_message(
    client, login, people, areas
):
    login(people.tehran_manager)
    district = areas.district6
    swapped = {
        "type": "Polygon",
        "coordinates": [[[35.70, 51.38], [35.70, 51.40], [35.72, 51.40], [35.70, 51.38]]],
    }
    response = in_english(client).post(
        f"/areas/{district.pk}/boundary/",
        {"file": boundary_upload(swapped), "source": "x", "version": district.version},
    )
    assert response.status_code == 200
    assert "look swapped" in response.content.decode()
    district.refresh_from_db()
    assert not district.has_boundary
    assert not events("area.boundary_set").exists()


@pytest.mark.parametrize(
    "content", [b"not json", b"\x00\xff", b'{"type": "FeatureCollection", "features": []}']
)
def test_a_boundary_file_that_is_not_one_geojson_shape_is_refused(
    client, login, people, areas, content
):
    login(people.tehran_manager)
    district = areas.district6
    upload = SimpleUploadedFile("b.geojson", content, content_type="application/json")
    response = client.post(
        f"/areas/{district.pk}/boundary/",
        {"file": upload, "source": "x", "version": district.version},
    )
    assert response.status_code == 200
    assert 'class="invalid-feedback' in response.content.decode() or "is-invalid" in (
        response.content.decode()
    )
    district.refresh_from_db()
    assert not district.has_boundary


def test_an_area_code_with_spaces_or_persian_letters_is_refused(client, login, people, areas):
    login(people.tehran_manager)
    area = areas.shemiranat
    response = client.post(
        f"/areas/{area.pk}/edit/",
        {"code": "کد ۱", "name_fa": area.name_fa, "version": area.version},
    )
    assert response.status_code == 200
    area.refresh_from_db()
    assert area.code == "2302"
