"""The same list comes out in the same Persian order on SQLite and PostgreSQL.

The tree is Iran's real divisions, loaded by the import the demo uses; district 6 of Tehran
gets neighborhoods named as the demo names them («محلهٔ نمونهٔ ۶-۱۰») and some real names.
CI runs this module on both databases: the database orders by the stored key alone.
"""

import re

import pytest

from barzan.core.text import sort_key
from barzan.geo import demo, importing, readers
from barzan.geo.actions import import_areas
from barzan.geo.models import Area, AreaLevel

pytestmark = pytest.mark.django_db

DISTRICT_6 = "2301021606"
REAL_NEIGHBORHOODS = [
    "یوسف‌آباد",
    "امیرآباد",
    "گاندی",
    "جمال‌زاده",
    "کشاورز غربی",
    "ایرانشهر",
    "آرژانتین-ساعی",
    "پارک لاله",
    "قزل‌قلعه",
    "بهجت‌آباد",
    "ژاندارمری",
    "چهارراه ولیعصر",
]


@pytest.fixture
def divisions(roles):
    report = import_areas(
        actor=None,
        format=importing.DIVISIONS,
        content=demo.division_files(),
        source="iran-divisions (project copy)",
    )
    assert report.ok, report.problems[:3]
    district = Area.objects.get(code=DISTRICT_6, level__code="district")
    lines = ["code,name_fa,parent_code"]
    lines += [f"{DISTRICT_6}-{n:02d},محلهٔ نمونهٔ 6-{n},{DISTRICT_6}" for n in range(1, 13)]
    lines += [f"{DISTRICT_6}-r{n},{name},{DISTRICT_6}" for n, name in enumerate(REAL_NEIGHBORHOODS)]
    report = import_areas(
        actor=None,
        format=importing.CSV,
        content="\n".join(lines).encode(),
        source="district-6.csv",
        options=importing.Options(level=AreaLevel.objects.get(code="neighborhood")),
    )
    assert report.ok, report.problems[:3]
    return district


def area(level: str, code: str) -> Area:
    return Area.objects.get(level__code=level, code=code, valid_to__isnull=True)


LISTS = {
    "provinces": ("country", demo.COUNTRY_CODE),
    "Tehran's counties": ("province", "23"),
    "Tehran's districts": ("city", demo.DEMO_CITY_CODE),
    "district 6's neighborhoods": ("district", DISTRICT_6),
}


@pytest.mark.parametrize("parent", LISTS.values(), ids=LISTS.keys())
def test_children_come_from_the_database_in_persian_order(divisions, parent):
    names = [child.name_fa for child in readers.children_of(area(*parent))]
    assert len(names) > 10
    assert names == sorted(names, key=sort_key)


def test_the_provinces_found_out_of_order_are_in_their_place(divisions):
    names = [child.name_fa for child in readers.children_of(area("country", demo.COUNTRY_CODE))]
    assert names.index("چهارمحال و بختیاری") == names.index("تهران") + 1
    assert names[-9:] == [
        "کهگیلویه و بویراحمد",
        "گلستان",
        "گیلان",
        "لرستان",
        "مازندران",
        "مرکزی",
        "هرمزگان",
        "همدان",
        "یزد",
    ]


def test_tehrans_counties_with_p_come_after_b_not_last(divisions):
    names = [child.name_fa for child in readers.children_of(area("province", "23"))]
    assert names[:5] == ["اسلامشهر", "بهارستان", "پاکدشت", "پردیس", "پیشوا"]
    assert names[-1] == "ورامین"


def test_district_6_neighborhoods_number_in_numeric_order(divisions):
    names = [child.name_fa for child in readers.children_of(divisions)]
    samples = [name for name in names if name.startswith("محلهٔ نمونهٔ")]
    assert samples == [f"محلهٔ نمونهٔ 6-{n}" for n in range(1, 13)]
    assert names.index("پارک لاله") < names.index("جمال‌زاده") < names.index("چهارراه ولیعصر")
    assert names.index("کشاورز غربی") < names.index("گاندی")


def test_tehran_districts_number_in_numeric_order(divisions):
    names = [child.name_fa for child in readers.children_of(area("city", demo.DEMO_CITY_CODE))]
    numbers = [int(re.search(r"\d+", name).group()) for name in names if name.startswith("تهران")]
    assert numbers == sorted(numbers)
    assert numbers[:3] == [1, 2, 3]


@pytest.fixture
def admin(divisions, make_user, login):
    return login(make_user("admin", "national_admin", area("country", demo.COUNTRY_CODE)))


def test_the_area_page_lists_children_in_persian_order(admin):
    client = admin
    response = client.get(area("province", "23").get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    positions = [
        page.index(f">{name}<") for name in ("اسلامشهر", "بهارستان", "پاکدشت", "پیشوا", "ورامین")
    ]
    assert positions == sorted(positions)


def test_the_api_lists_children_in_persian_order(admin):
    client = admin
    country = area("country", demo.COUNTRY_CODE)
    response = client.get(f"/api/v1/areas/{country.pk}/children?limit=100")
    assert response.status_code == 200
    names = [item["name_fa"] for item in response.json()["items"]]
    assert names == sorted(names, key=sort_key)
    assert len(names) == 31


def test_an_imported_rename_moves_the_area_to_its_new_place(divisions):
    tehran = area("province", "23")
    report = import_areas(
        actor=None,
        format=importing.CSV,
        content="code,name_fa\n2319,آ نخستین\n".encode(),
        source="rename.csv",
        options=importing.Options(
            level=AreaLevel.objects.get(code="county"),
            updates=frozenset({importing.Update.NAMES}),
        ),
    )
    assert report.ok, report.problems[:3]
    first = readers.children_of(tehran).first()
    assert (first.code, first.sort_fa) == ("2319", sort_key("آ نخستین"))


def test_a_rename_keeps_the_key_even_when_saving_only_the_name(divisions):
    county = area("county", "2319")
    county.name_fa = "آ نخستین"
    county.save(update_fields=["name_fa"])
    county.refresh_from_db()
    assert county.sort_fa == sort_key("آ نخستین")


def test_the_migration_fills_in_the_keys_of_areas_written_before_them(areas):
    from django.apps import apps

    from barzan.core.sorting import backfill_sort_keys

    Area.objects.update(sort_fa="", sort_en="")
    backfill_sort_keys("geo.Area")(apps, None)
    district = Area.objects.get(pk=areas.district6.pk)
    assert district.sort_fa == sort_key("تهران 6")
    assert Area.objects.get(pk=areas.tehran.pk).sort_en == sort_key("Tehran")


def test_variants_of_one_name_keep_a_fixed_order_by_id(areas, levels):
    from barzan.geo.actions import create_area

    first = create_area(
        actor=None, level=levels["county"], code="9991", name_fa="كرج", parent=areas.tehran
    )
    second = create_area(
        actor=None, level=levels["county"], code="9992", name_fa="کرج", parent=areas.tehran
    )
    assert first.sort_fa == second.sort_fa
    names = [child.pk for child in readers.children_of(areas.tehran) if child.code[:3] == "999"]
    assert names == [first.pk, second.pk]
