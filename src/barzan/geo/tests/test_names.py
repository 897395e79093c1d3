"""Names as people type them: alef without madda, former names and spellings, a level word
before or after a name; alternative names added and removed by those who manage the area."""

import csv
import datetime
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from barzan.audit.models import AuditEvent
from barzan.core.text import search_key
from barzan.geo import importing, names
from barzan.geo.actions import (
    add_area_name,
    add_known_area_names,
    create_area,
    import_areas,
    remove_area_name,
)
from barzan.geo.models import Area, AreaName

pytestmark = pytest.mark.django_db

DATA = Path(names.__file__).parent / "data"


@pytest.fixture
def renamed(areas, levels):
    """Real counties and cities (names and codes as in iran-divisions) that people call by
    other names, Tehran's district 16 beside district 6, and «ساری» which contains «ری»."""

    def make(level, code, name_fa, parent, name_en=""):
        return create_area(
            actor=None, level=levels[level], code=code, name_fa=name_fa, name_en=name_en,
            parent=parent,
        )  # fmt: skip

    gilan = make("province", "01", "گیلان", areas.country)
    khuzestan = make("province", "06", "خوزستان", areas.country)
    sistan = make("province", "11", "سیستان و بلوچستان", areas.country)
    mazandaran = make("province", "02", "مازندران", areas.country)
    lorestan = make("province", "15", "لرستان", areas.country)
    hormozgan = make("province", "22", "هرمزگان", areas.country)
    golestan = make("province", "27", "گلستان", areas.country)
    rey = make("county", "2303", "ری", areas.tehran)
    chabahar = make("county", "1102", "چاه بهار", sistan)
    made = SimpleNamespace(
        talesh=make("county", "0104", "طوالش", gilan),
        abadan=make("county", "0601", "آبادان", khuzestan),
        haftkel=make("county", "0622", "هفتکل", khuzestan),
        chabahar=chabahar,
        chabahar_city=make("city", "1102021446", "چابهار", chabahar),
        rey=rey,
        rey_city=make("city", "2303042115", "ری", rey),
        sari=make("county", "0207", "ساری", mazandaran),
        chegeni=make("county", "1510", "چگنی", lorestan),
        hajiabad=make("county", "2208", "حاجی اباد", hormozgan),
        aliabad=make("county", "2703", "علی آباد کتول", golestan),
        buin=make("county", "1024", "بو یین و میاندشت", areas.isfahan),
        district16=make("district", "2301021616", "تهران 16", areas.tehran_city),
    )
    add_known_area_names(actor=None)
    return made


def found(text) -> set:
    return set(Area.objects.search(text))


class TestSearch:
    def test_alef_without_madda_finds_abadan(self, renamed):
        assert found("ابادان") == {renamed.abadan}

    def test_a_former_name_finds_the_renamed_county(self, renamed):
        assert found("تالش") == {renamed.talesh}
        assert found("دوره") == {renamed.chegeni}

    def test_shahr_e_rey_finds_rey_and_not_every_name_containing_rey(self, renamed):
        assert found("شهر ری") == {renamed.rey, renamed.rey_city}
        assert found("شهرستان ری") == {renamed.rey, renamed.rey_city}
        assert renamed.sari not in found("شهرستان ری")

    @pytest.mark.parametrize(
        "typed", ["منطقه ۶ تهران", "منطقهٔ ۶ تهران", "تهران منطقه 6", "منطقه۶ تهران"]
    )
    def test_a_district_is_found_with_its_level_word_before_or_after(self, renamed, areas, typed):
        assert found(typed) == {areas.district6}

    def test_a_level_word_alone_keeps_searching_names_that_contain_it(self, renamed, areas):
        assert found("شهر") == set(Area.objects.filter(search_text__contains="شهر"))

    def test_both_spellings_of_chabahar_find_the_county_and_the_city(self, renamed):
        assert found("چابهار") == {renamed.chabahar, renamed.chabahar_city}
        assert found("چاه بهار") == {renamed.chabahar, renamed.chabahar_city}

    def test_an_english_alternative_name_is_found_with_a_level_word(self, renamed):
        assert found("Rey county") == {renamed.rey}
        assert found("talesh") == {renamed.talesh}


class TestLevelWords:
    def test_level_words_are_dropped_and_the_rest_tried_in_every_order(self):
        assert set(names.keys_without_level_words("منطقه ۶ تهران")) == {"6تهران", "تهران6"}

    def test_a_text_without_a_level_word_has_no_other_keys(self):
        assert names.keys_without_level_words("تهران ۶") == []

    def test_a_text_of_level_words_only_has_no_other_keys(self):
        assert names.keys_without_level_words("شهرستان شهر") == []

    def test_up_to_three_words_are_tried_in_every_order_and_more_only_as_typed(self):
        three = names.keys_without_level_words("منطقه الف ب ج")
        assert sorted(three) == sorted(["الفبج", "الفجب", "بالفج", "بجالف", "جالفب", "جبالف"])
        assert names.keys_without_level_words("منطقه الف ب ج د") == ["الفبجد"]


class TestAreaIndex:
    CENSUS = """county_name,population
چاه بهار,1
چابهار,1
تالش,1
دوره,1
هفتگل,1
حاجی آباد,1
بوئین میاندشت,1
علی آباد,1
ابادان,1
شهرستان ری,1
شمیرانات,1
"""

    def test_a_census_table_keyed_by_county_names_matches_every_county(self, renamed, areas):
        index = names.area_index(areas.country)
        counties = set(Area.objects.filter(level__code="county").values_list("pk", flat=True))
        expected = {
            "چاه بهار": renamed.chabahar, "چابهار": renamed.chabahar, "تالش": renamed.talesh,
            "دوره": renamed.chegeni, "هفتگل": renamed.haftkel, "حاجی آباد": renamed.hajiabad,
            "بوئین میاندشت": renamed.buin, "علی آباد": renamed.aliabad, "ابادان": renamed.abadan,
            "شهرستان ری": renamed.rey, "شمیرانات": areas.shemiranat,
        }  # fmt: skip
        for row in csv.DictReader(self.CENSUS.splitlines()):
            matched = [pk for pk, _ in names.match(index, row["county_name"]) if pk in counties]
            assert matched == [expected[row["county_name"]].pk], row["county_name"]

    def test_the_index_maps_to_ids_and_paths_of_current_areas_within_the_area(self, renamed, areas):
        index = names.area_index(areas.tehran)
        rey, rey_city = renamed.rey, renamed.rey_city
        assert index[search_key("شهر ری")] == [(rey.pk, rey.path), (rey_city.pk, rey_city.path)]
        assert search_key("تالش") not in index
        assert names.match(index, "منطقه ۶ تهران") == [(areas.district6.pk, areas.district6.path)]
        assert names.match(index, "نام ناشناخته") == []

    def test_the_index_holds_english_names_too(self, areas):
        index = names.area_index(areas.tehran)
        assert index[search_key("Tehran")] == [(areas.tehran.pk, areas.tehran.path)]


class TestShippedTable:
    def test_every_known_name_belongs_to_the_area_the_divisions_name(self):
        official = {}
        for file, level, width in (("counties.csv", "county", 4), ("cities.csv", "city", 10)):
            with (DATA / "iran-divisions" / file).open(encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    official[(level, row["code"].zfill(width))] = row["name"]
        with names.KNOWN_NAMES_FILE.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                assert official[(row["level"], row["code"])] == row["official_name"], row
                assert row["kind"] in AreaName.Kind.values
                assert row["source"]

    def test_a_table_is_read_as_written_line_breaks_and_all(self, tmp_path):
        # A spreadsheet saves CRLF lines; a source citing two documents keeps its break.
        path = tmp_path / "known-names.csv"
        path.write_bytes(
            "level,code,official_name,name,language,kind,source\r\n"
            'county,0104,طوالش,تالش,fa,official,"سرشماری ۱۳۹۵\r\nویکی‌پدیا"\r\n'.encode()
        )

        assert names.known_names(path) == [
            names.KnownName(
                level="county",
                code="0104",
                name="تالش",
                language="fa",
                kind="official",
                source="سرشماری ۱۳۹۵\r\nویکی‌پدیا",
            )
        ]

    def test_the_shipped_table_reads_the_same_on_a_server_whose_locale_is_not_utf8(self):
        # A service started with LANG=C and no UTF-8 mode reads files as ASCII by default.
        script = "from barzan.geo import names; print(len(names.known_names()))"
        environment = {
            **os.environ,
            "LC_ALL": "C",
            "LANG": "C",
            "PYTHONUTF8": "0",
            "PYTHONCOERCECLOCALE": "0",
            "PYTHONPATH": os.pathsep.join(sys.path),
        }
        read = subprocess.run(
            [sys.executable, "-c", script], env=environment, capture_output=True, text=True
        )

        assert read.returncode == 0, read.stderr
        assert int(read.stdout) == len(names.known_names())

    def test_every_county_of_the_1395_census_matches_its_county_by_name(self):
        """The census names 429 counties; without the table, 7 of them found no county."""
        index: dict = {}

        def add(name, code):
            entries = index.setdefault(search_key(name), [])
            if (code, code) not in entries:
                entries.append((code, code))

        with (DATA / "iran-divisions" / "counties.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                add(row["name"], row["code"].zfill(4))
        for known in names.known_names():
            if known.level == "county":
                add(known.name, known.code)
        census = DATA / "census-1395" / "iran2016census.csv"
        with census.open(encoding="utf-8") as handle:
            rows = {(row["county_name"], row["county_code"]) for row in csv.DictReader(handle)}
        matched = {(name, code): [pk for pk, _ in names.match(index, name)] for name, code in rows}
        assert [row for row, counties in matched.items() if len(counties) != 1] == []
        # Sarbaz was split after the census: Rask took its code, Sarbaz a new one.
        assert {row for row, counties in matched.items() if counties != [row[1].zfill(4)]} == {
            ("سرباز", "1108")
        }
        assert len(rows) == 429


class TestActions:
    def test_adding_a_name_lets_search_find_the_area_and_is_audited(self, areas, people):
        item = add_area_name(
            actor=people.tehran_manager, area=areas.shemiranat, name="شمرون",
            kind=AreaName.Kind.COLLOQUIAL, valid_from=datetime.date(1990, 3, 21), source="گفتار",
        )  # fmt: skip
        assert found("شمرون") == {areas.shemiranat}
        event = AuditEvent.objects.get(verb="area.name_added")
        assert event.after["name"] == "شمرون"
        assert item.area == areas.shemiranat

    def test_removing_a_name_stops_search_finding_the_area_by_it(self, areas, people):
        item = add_area_name(
            actor=None, area=areas.shemiranat, name="شمرون", kind=AreaName.Kind.COLLOQUIAL
        )
        remove_area_name(actor=people.tehran_manager, area_name=item)
        assert found("شمرون") == set()
        assert found("شمیرانات") == {areas.shemiranat}
        assert AuditEvent.objects.filter(verb="area.name_removed").count() == 1

    def test_a_name_the_area_already_has_is_refused(self, areas, english):
        with pytest.raises(ValidationError, match="already a name"):
            add_area_name(
                actor=None, area=areas.shemiranat, name="شميرانات", kind=AreaName.Kind.SPELLING
            )

    def test_an_end_before_the_start_is_refused(self, areas):
        with pytest.raises(ValidationError):
            add_area_name(
                actor=None, area=areas.shemiranat, name="شمرون", kind=AreaName.Kind.FORMER,
                valid_from=datetime.date(2000, 1, 1), valid_to=datetime.date(1999, 1, 1),
            )  # fmt: skip

    def test_a_manager_of_another_province_may_not_add_or_remove_names(self, areas, people):
        with pytest.raises(PermissionDenied):
            add_area_name(
                actor=people.isfahan_manager, area=areas.shemiranat, name="شمرون",
                kind=AreaName.Kind.COLLOQUIAL,
            )  # fmt: skip
        item = add_area_name(
            actor=None, area=areas.shemiranat, name="شمرون", kind=AreaName.Kind.COLLOQUIAL
        )
        with pytest.raises(PermissionDenied):
            remove_area_name(actor=people.isfahan_manager, area_name=item)
        assert AreaName.objects.filter(pk=item.pk).exists()

    def test_the_known_names_are_added_once(self, renamed):
        assert add_known_area_names(actor=None) == 0
        assert AreaName.objects.filter(area=renamed.talesh, name="تالش").count() == 1

    def test_a_divisions_import_adds_the_known_names_of_its_counties(self, roles):
        files = {
            "provinces.csv": '"id","name","code","short_code"\n"1","گیلان","01","01"\n',
            "counties.csv": '"id","name","province_id","code","short_code"\n'
            '"1","طوالش","1","0104","04"\n',
            "sectors.csv": '"id","name","province_id","county_id","code","short_code"\n',
            "cities.csv": '"id","name","province_id","county_id","sector_id","code","short_code"\n',
            "city_districts.csv": '"id","name","district","province_id","county_id",'
            '"sector_id","city_id","code","short_code"\n',
        }
        report = import_areas(
            actor=None,
            format=importing.DIVISIONS,
            content={name: text.encode() for name, text in files.items()},
            source="iran-divisions",
        )
        assert report.ok
        assert list(Area.objects.search("تالش").values_list("code", flat=True)) == ["0104"]


class TestPages:
    def test_the_area_page_shows_its_other_names(self, client, login, people, renamed):
        login(people.tehran_manager)
        page = client.get(f"/areas/{renamed.rey.pk}/").content.decode()
        assert "شهر ری" in page
        assert "Rey" in page
        assert "Colloquial name" in page or "نام رایج" in page
        assert f"/areas/{renamed.rey.pk}/names/" in page

    def test_a_reader_sees_the_names_without_the_form(self, client, login, people, renamed):
        login(people.tehran_analyst)
        page = client.get(f"/areas/{renamed.rey.pk}/").content.decode()
        assert "شهر ری" in page
        assert f"/areas/{renamed.rey.pk}/names/" not in page

    def test_a_manager_adds_a_name_with_jalali_dates(self, client, login, people, areas):
        login(people.tehran_manager)
        response = client.post(
            f"/areas/{areas.shemiranat.pk}/names/",
            {"name": "شمرون", "kind": "colloquial", "language": "fa", "valid_from": "۱۳۷۰/۰۱/۰۱"},
        )
        assert response.status_code == 302
        item = AreaName.objects.get(area=areas.shemiranat)
        assert item.valid_from == datetime.date(1991, 3, 21)
        page = client.get(f"/areas/{areas.shemiranat.pk}/").content.decode()
        assert "شمرون" in page
        assert "۱۳۷۰/۰۱/۰۱" in page

    def test_a_bad_date_is_a_message_not_an_error(self, client, login, people, areas):
        login(people.tehran_manager)
        response = client.post(
            f"/areas/{areas.shemiranat.pk}/names/",
            {"name": "شمرون", "kind": "colloquial", "language": "fa", "valid_from": "1403/13/40"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["valid_from"]
        assert not AreaName.objects.exists()

    def test_a_user_outside_the_province_gets_404_and_a_reader_403(
        self, client, login, people, areas
    ):
        data = {"name": "شمرون", "kind": "colloquial", "language": "fa"}
        login(people.isfahan_manager)
        assert client.post(f"/areas/{areas.shemiranat.pk}/names/", data).status_code == 404
        login(people.tehran_analyst)
        assert client.post(f"/areas/{areas.shemiranat.pk}/names/", data).status_code == 403
        assert not AreaName.objects.exists()

    def test_removing_a_name_needs_the_area_managed(self, client, login, people, areas):
        item = add_area_name(
            actor=None, area=areas.shemiranat, name="شمرون", kind=AreaName.Kind.COLLOQUIAL
        )
        url = f"/areas/{areas.shemiranat.pk}/names/{item.pk}/remove/"
        login(people.isfahan_manager)
        assert client.post(url).status_code == 404
        login(people.tehran_analyst)
        assert client.post(url).status_code == 403
        # A name is removed only through its own area's address.
        login(people.tehran_manager)
        assert client.post(f"/areas/{areas.tehran.pk}/names/{item.pk}/remove/").status_code == 404
        assert AreaName.objects.filter(pk=item.pk).exists()
        assert client.post(url).status_code == 302
        assert not AreaName.objects.filter(pk=item.pk).exists()

    @pytest.mark.parametrize("typed", ["ابادان", "تالش", "شهر ری", "منطقه ۶ تهران"])
    def test_the_search_page_finds_names_as_people_type_them(
        self, client, login, people, renamed, areas, typed
    ):
        login(people.admin)
        response = client.get("/areas/", {"q": typed})
        assert response.status_code == 200
        expected = {
            "ابادان": {renamed.abadan},
            "تالش": {renamed.talesh},
            "شهر ری": {renamed.rey, renamed.rey_city},
            "منطقه ۶ تهران": {areas.district6},
        }[typed]
        assert set(response.context["object_list"]) == expected


class TestApi:
    @pytest.mark.parametrize("typed", ["ابادان", "تالش", "شهر ری", "منطقه ۶ تهران"])
    def test_the_api_search_finds_names_as_people_type_them(
        self, client, login, people, renamed, areas, typed
    ):
        login(people.admin)
        response = client.get("/api/v1/areas/", {"q": typed})
        assert response.status_code == 200
        expected = {
            "ابادان": {renamed.abadan.pk},
            "تالش": {renamed.talesh.pk},
            "شهر ری": {renamed.rey.pk, renamed.rey_city.pk},
            "منطقه ۶ تهران": {areas.district6.pk},
        }[typed]
        assert {item["id"] for item in response.json()["items"]} == expected

    def test_an_areas_detail_lists_its_alternative_names_with_jalali_dates(
        self, client, login, people, areas
    ):
        add_area_name(
            actor=None, area=areas.shemiranat, name="شمرون", kind=AreaName.Kind.COLLOQUIAL,
            valid_from=datetime.date(1991, 3, 21), source="گفتار مردم",
        )  # fmt: skip
        login(people.tehran_manager)
        body = client.get(f"/api/v1/areas/{areas.shemiranat.pk}").json()
        assert body["alternative_names"] == [
            {
                "name": "شمرون", "language": "fa", "kind": "colloquial",
                "valid_from": "1991-03-21", "valid_to": None, "valid_from_jalali": "1370/01/01",
                "valid_to_jalali": None, "source": "گفتار مردم",
            }
        ]  # fmt: skip

    def test_an_areas_names_stay_hidden_outside_the_callers_scope(
        self, client, login, people, areas
    ):
        login(people.isfahan_manager)
        assert client.get(f"/api/v1/areas/{areas.shemiranat.pk}").status_code == 404


def test_the_migration_folds_alef_madda_in_stored_search_text(areas):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("barzan.geo.migrations.0005_area_names")
    Area.objects.filter(pk=areas.shemiranat.pk).update(search_text="آبادان 2302")
    migration.fold_alef_madda(apps, None)
    assert Area.objects.get(pk=areas.shemiranat.pk).search_text == "ابادان 2302"
