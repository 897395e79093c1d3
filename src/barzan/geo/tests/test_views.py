"""The area pages: a scoped, searchable list with exports, one area, and a picker's options."""

import csv
import io
import re

import pytest
from python_calamine import CalamineWorkbook

from barzan.geo.actions import create_area

pytestmark = pytest.mark.django_db

ARABIC_KAF = "\u0643"


def listed(response):
    """Return the areas a list page shows (every page of it)."""
    assert response.status_code == 200
    return set(response.context["object_list"])


def option_ids(response) -> set[int]:
    assert response.status_code == 200
    return {int(value) for value in re.findall(r'<option value="(\d+)"', response.content.decode())}


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


class TestAreaList:
    def test_the_tehran_manager_sees_tehrans_areas_and_not_isfahans(
        self, client, login, people, areas
    ):
        login(people.tehran_manager)
        shown = listed(client.get("/areas/"))
        assert shown == {
            areas.tehran,
            areas.tehran_county,
            areas.shemiranat,
            areas.tehran_city,
            areas.district6,
        }
        assert areas.isfahan not in shown
        assert areas.isfahan_county not in shown
        assert areas.country not in shown

    def test_the_page_renders_the_scoped_rows(self, client, login, people, areas):
        login(people.tehran_manager)
        content = client.get("/areas/").content.decode()
        assert "شمیرانات" in content
        assert f'href="/areas/{areas.shemiranat.pk}/"' in content
        assert f'href="/areas/{areas.isfahan.pk}/"' not in content

    def test_a_national_admin_sees_every_area(self, client, login, people, areas):
        login(people.admin)
        assert areas.isfahan_county in listed(client.get("/areas/"))
        assert areas.country in listed(client.get("/areas/"))

    def test_the_list_is_searchable_with_arabic_letters(self, client, login, people, areas):
        login(people.admin)
        typed = "کرمانشاه".replace("ک", ARABIC_KAF)
        assert listed(client.get("/areas/", {"q": typed})) == {areas.kermanshah}

    def test_the_list_is_searchable_with_persian_digits(self, client, login, people, areas):
        login(people.tehran_manager)
        assert listed(client.get("/areas/", {"q": "تهران ۶"})) == {areas.district6}
        assert listed(client.get("/areas/", {"q": "۲۳۰۲"})) == {areas.shemiranat}

    def test_a_search_never_reaches_outside_the_users_areas(self, client, login, people, areas):
        login(people.tehran_manager)
        assert listed(client.get("/areas/", {"q": "اصفهان"})) == set()

    def test_the_list_is_filtered_by_level(self, client, login, people, areas, levels):
        login(people.tehran_manager)
        shown = listed(client.get("/areas/", {"level": levels["county"].pk}))
        assert shown == {areas.tehran_county, areas.shemiranat}

    def test_an_unknown_level_shows_nothing_rather_than_everything(
        self, client, login, people, areas
    ):
        login(people.tehran_manager)
        assert listed(client.get("/areas/", {"level": "999999"})) == set()

    def test_a_user_without_a_grant_gets_403(self, client, login, people, areas):
        login(people.nobody)
        assert client.get("/areas/").status_code == 403

    def test_an_anonymous_visitor_is_sent_to_log_in(self, client, areas):
        response = client.get("/areas/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


class TestAreaExport:
    def test_a_manager_sees_the_export_links(self, client, login, people, areas):
        login(people.tehran_manager)
        content = client.get("/areas/").content.decode()
        assert 'data-export="csv"' in content
        assert 'data-export="xlsx"' in content

    def test_the_csv_export_has_every_scoped_row_and_keeps_codes_as_text(
        self, client, login, people, areas, levels
    ):
        create_area(
            actor=None, level=levels["county"], code="0099", name_fa="صفرها", parent=areas.tehran
        )
        login(people.tehran_manager)
        rows = csv_rows(client.get("/areas/", {"export": "csv"}))
        codes = {row[2] for row in rows[1:]}
        assert codes == {"23", "2301", "2302", "2301021576", "2301021606", "0099"}
        assert len(rows) == 7

    def test_the_csv_export_follows_the_filters(self, client, login, people, areas, levels):
        login(people.tehran_manager)
        rows = csv_rows(client.get("/areas/", {"export": "csv", "level": levels["county"].pk}))
        assert sorted(row[2] for row in rows[1:]) == ["2301", "2302"]

    def test_the_xlsx_export_is_a_workbook_of_the_scoped_rows(self, client, login, people, areas):
        login(people.tehran_manager)
        response = client.get("/areas/", {"export": "xlsx"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        assert "attachment" in response["Content-Disposition"]
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
        rows = workbook.get_sheet_by_index(0).to_python()
        codes = {str(row[2]) for row in rows[1:]}
        assert codes == {"23", "2301", "2302", "2301021576", "2301021606"}

    def test_the_council_secretary_sees_no_export_links(self, client, login, people, areas):
        login(people.secretary)
        response = client.get("/areas/")
        assert listed(response) == {areas.district6}
        assert "data-export" not in response.content.decode()
        assert "export=csv" not in response.content.decode()

    @pytest.mark.parametrize("export_format", ["csv", "xlsx"])
    def test_the_council_secretary_gets_403_for_an_export(
        self, client, login, people, areas, export_format
    ):
        login(people.secretary)
        assert client.get("/areas/", {"export": export_format}).status_code == 403


class TestAreaDetail:
    def test_an_isfahan_area_is_404_for_the_tehran_manager(self, client, login, people, areas):
        login(people.tehran_manager)
        assert client.get(f"/areas/{areas.isfahan.pk}/").status_code == 404
        assert client.get(f"/areas/{areas.isfahan_county.pk}/").status_code == 404

    def test_an_area_above_the_grant_is_404(self, client, login, people, areas):
        login(people.tehran_manager)
        assert client.get(f"/areas/{areas.country.pk}/").status_code == 404

    def test_an_unknown_area_is_404(self, client, login, people, areas):
        login(people.admin)
        assert client.get("/areas/999999/").status_code == 404

    def test_it_shows_the_parent_chain_linking_only_what_the_user_may_see(
        self, client, login, people, areas
    ):
        login(people.tehran_manager)
        response = client.get(f"/areas/{areas.tehran_city.pk}/")
        assert response.status_code == 200
        assert response.context["ancestors"] == [
            (areas.country, False),
            (areas.tehran, True),
            (areas.tehran_county, True),
        ]
        content = response.content.decode()
        assert f'href="/areas/{areas.tehran.pk}/"' in content
        assert f'href="/areas/{areas.country.pk}/"' not in content
        assert "ایران" in content

    def test_it_shows_the_children(self, client, login, people, areas):
        login(people.tehran_manager)
        response = client.get(f"/areas/{areas.tehran.pk}/")
        children = {row.record for row in response.context["children"].rows}
        assert children == {areas.tehran_county, areas.shemiranat}
        assert response.context["child_count"] == 2
        assert f'href="/areas/{areas.shemiranat.pk}/"' in response.content.decode()

    def test_a_national_admin_sees_every_province_below_the_country(
        self, client, login, people, areas
    ):
        login(people.admin)
        response = client.get(f"/areas/{areas.country.pk}/")
        children = {row.record for row in response.context["children"].rows}
        assert children == {areas.tehran, areas.isfahan, areas.kermanshah}

    def test_a_county_manager_gets_404_for_the_province_above_and_its_other_county(
        self, client, login, people, areas, make_user
    ):
        county_manager = make_user("county-manager", "area_manager", areas.shemiranat)
        login(county_manager)
        assert client.get(f"/areas/{areas.shemiranat.pk}/").status_code == 200
        assert client.get(f"/areas/{areas.tehran.pk}/").status_code == 404
        assert client.get(f"/areas/{areas.tehran_county.pk}/").status_code == 404

    def test_the_secretary_sees_their_district_but_not_the_city_above(
        self, client, login, people, areas
    ):
        login(people.secretary)
        assert client.get(f"/areas/{areas.district6.pk}/").status_code == 200
        assert client.get(f"/areas/{areas.tehran_city.pk}/").status_code == 404


class TestAreaOptions:
    def test_options_for_manage_are_only_areas_the_user_manages(self, client, login, people, areas):
        login(people.tehran_manager)
        ids = option_ids(client.get("/areas/options/", {"q": "تهران", "action": "manage"}))
        assert ids == {
            areas.tehran.pk,
            areas.tehran_county.pk,
            areas.tehran_city.pk,
            areas.district6.pk,
        }

    def test_options_never_include_another_province(self, client, login, people, areas):
        login(people.tehran_manager)
        assert (
            option_ids(client.get("/areas/options/", {"q": "اصفهان", "action": "manage"})) == set()
        )

    def test_an_analyst_may_view_but_has_no_area_to_manage(self, client, login, people, areas):
        login(people.tehran_analyst)
        assert option_ids(client.get("/areas/options/", {"q": "تهران", "action": "view"}))
        response = client.get("/areas/options/", {"q": "تهران", "action": "manage"})
        assert option_ids(response) == set()

    def test_options_may_be_limited_to_one_level(self, client, login, people, areas):
        login(people.tehran_manager)
        ids = option_ids(client.get("/areas/options/", {"q": "تهران", "level": "county"}))
        assert ids == {areas.tehran_county.pk}

    def test_an_unknown_action_falls_back_to_view(self, client, login, people, areas):
        login(people.tehran_analyst)
        ids = option_ids(client.get("/areas/options/", {"q": "شمیرانات", "action": "destroy"}))
        assert ids == {areas.shemiranat.pk}

    def test_the_search_box_of_a_widget_is_read_too(self, client, login, people, areas):
        login(people.tehran_manager)
        response = client.get("/areas/options/", {"area__search": "۲۳۰۲", "action": "manage"})
        assert option_ids(response) == {areas.shemiranat.pk}

    def test_options_name_the_level_since_names_repeat_across_levels(
        self, client, login, people, areas
    ):
        login(people.tehran_manager)
        content = client.get("/areas/options/", {"q": "شمیرانات"}).content.decode()
        assert "شهرستان شمیرانات" in content


class TestQueryBudgets:
    def add_counties(self, parent, levels, start, count):
        for number in range(start, start + count):
            create_area(
                actor=None,
                level=levels["county"],
                code=f"23{number:02d}",
                name_fa=f"شهرستان {number}",
                parent=parent,
            )

    def test_the_area_list_makes_as_many_queries_for_many_rows_as_for_few(
        self, client, login, people, areas, levels, count_queries
    ):
        login(people.tehran_manager)
        few = count_queries(lambda: client.get("/areas/"))
        self.add_counties(areas.tehran, levels, 10, 20)
        many = count_queries(lambda: client.get("/areas/"))
        assert many == few

    def test_the_area_export_makes_as_many_queries_for_many_rows_as_for_few(
        self, client, login, people, areas, levels, count_queries
    ):
        login(people.tehran_manager)
        few = count_queries(lambda: client.get("/areas/", {"export": "csv"}))
        self.add_counties(areas.tehran, levels, 10, 20)
        many = count_queries(lambda: client.get("/areas/", {"export": "csv"}))
        assert many == few

    def test_the_area_detail_makes_as_many_queries_for_many_children_as_for_few(
        self, client, login, people, areas, levels, count_queries
    ):
        login(people.tehran_manager)
        url = f"/areas/{areas.tehran.pk}/"
        few = count_queries(lambda: client.get(url))
        self.add_counties(areas.tehran, levels, 10, 20)
        many = count_queries(lambda: client.get(url))
        assert many == few
