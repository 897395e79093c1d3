"""The catalogue pages: indicators, data sets and validation rules, for the right people."""

import csv
import io

import pytest
from django.utils import translation
from python_calamine import CalamineWorkbook

from barzan.audit.models import AuditEvent
from barzan.indicators import actions, display
from barzan.indicators.actions import INDICATOR_CHANGED, INDICATOR_CREATED
from barzan.indicators.models import Category, DataSet, Indicator, Period, ValidationRule

pytestmark = pytest.mark.django_db

ARABIC_YEH = "\u064a"
ARABIC_KAF = "\u0643"


def listed(response) -> set[str]:
    """Return the codes a list page shows (every page of it)."""
    assert response.status_code == 200
    return {row.code for row in response.context["object_list"]}


def enter(areas, catalogue, *rows):
    lines = ["indicator,area,period,breakdown,value"] + [",".join(row) for row in rows]
    outcome = actions.import_values(
        actor=None,
        stream=io.BytesIO(("\n".join(lines) + "\n").encode()),
        format="csv",
        area=areas.tehran,
        source=catalogue.owner,
    )
    assert outcome.problems == []


EVERY_CODE = {
    "population", "households", "active", "unemployed", "unemployment_rate", "literacy",
    "satisfaction", "has_park",
}  # fmt: skip


class TestIndicatorList:
    @pytest.mark.parametrize(
        "who",
        ["admin", "tehran_manager", "isfahan_manager", "tehran_analyst", "focal_point",
         "secretary"],
    )  # fmt: skip
    def test_whoever_views_anything_sees_the_whole_catalogue(
        self, client, login, people, catalogue, who
    ):
        login(getattr(people, who))
        assert listed(client.get("/indicators/")) == EVERY_CODE

    def test_a_user_without_a_grant_gets_403(self, client, login, people, catalogue):
        login(people.nobody)
        assert client.get("/indicators/").status_code == 403

    def test_an_anonymous_visitor_is_sent_to_log_in(self, client, catalogue):
        response = client.get("/indicators/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_a_search_with_arabic_letters_finds_the_persian_name(
        self, client, login, people, catalogue
    ):
        login(people.tehran_analyst)
        typed = "بیکاران".replace("ی", ARABIC_YEH).replace("ک", ARABIC_KAF)
        assert listed(client.get("/indicators/", {"q": typed})) == {"unemployed"}
        typed = "نرخ بیکاری".replace("ی", ARABIC_YEH).replace("ک", ARABIC_KAF)
        assert listed(client.get("/indicators/", {"q": typed})) == {"unemployment_rate"}

    def test_a_search_finds_codes_and_english_names(self, client, login, people, catalogue):
        login(people.tehran_analyst)
        assert listed(client.get("/indicators/", {"q": "UNEMPLOY"})) == {
            "unemployed",
            "unemployment_rate",
        }
        assert listed(client.get("/indicators/", {"q": "Has park"})) == {"has_park"}

    def test_filters_narrow_the_list(self, client, login, people, catalogue):
        login(people.tehran_analyst)
        work = Category.objects.get(code="work")
        assert listed(client.get("/indicators/", {"kind": "calculated"})) == {"unemployment_rate"}
        assert listed(client.get("/indicators/", {"value_type": "percent"})) == {
            "unemployment_rate",
            "literacy",
        }
        assert listed(client.get("/indicators/", {"category": work.pk})) == {
            "active",
            "unemployed",
            "unemployment_rate",
        }
        assert listed(client.get("/indicators/", {"owner": catalogue.owner.pk})) == EVERY_CODE

    def test_an_unknown_filter_value_shows_nothing_and_says_why(
        self, client, login, people, catalogue
    ):
        login(people.tehran_analyst)
        response = client.get("/indicators/", {"value_type": "colour", "category": "x"})
        assert listed(response) == set()
        assert 'data-testid="filter-errors"' in response.content.decode()

    def test_the_list_sorts_by_a_column(self, client, login, people, catalogue):
        login(people.tehran_analyst)
        response = client.get("/indicators/", {"sort": "-code"})
        codes = [row.record.code for row in response.context["table"].page.object_list]
        assert codes == sorted(EVERY_CODE, reverse=True)

    def test_an_empty_search_says_nothing_matches(self, client, login, people, catalogue):
        login(people.tehran_analyst)
        response = client.get("/indicators/", {"q": "هیچ‌چیز"})
        assert listed(response) == set()
        assert "empty-state" in response.content.decode()

    def test_a_manager_is_offered_to_create_an_analyst_is_not(
        self, client, login, people, catalogue
    ):
        login(people.tehran_manager)
        assert 'href="/indicators/new/"' in client.get("/indicators/").content.decode()
        login(people.tehran_analyst)
        content = client.get("/indicators/").content.decode()
        assert 'href="/indicators/new/"' not in content
        for address in ("/indicators/data-sets/", "/indicators/rules/", "/indicators/violations/"):
            assert f'href="{address}"' in content
        assert 'href="/indicators/export/"' in content
        login(people.secretary)
        assert 'href="/indicators/export/"' not in client.get("/indicators/").content.decode()

    def test_the_catalogue_downloads_as_csv_and_xlsx(self, client, login, people, catalogue):
        login(people.tehran_analyst)
        response = client.get("/indicators/", {"export": "csv", "kind": "measured"})
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert {row[1] for row in rows[1:]} == EVERY_CODE - {"unemployment_rate"}
        response = client.get("/indicators/", {"export": "xlsx"})
        sheet = CalamineWorkbook.from_filelike(
            io.BytesIO(b"".join(response.streaming_content))
        ).get_sheet_by_index(0)
        assert len(sheet.to_python()) == 1 + len(EVERY_CODE)

    def test_an_isfahan_manager_downloads_the_whole_catalogue_too(
        self, client, login, people, catalogue
    ):
        login(people.isfahan_manager)
        response = client.get("/indicators/", {"export": "csv"})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        assert {row[1] for row in list(csv.reader(io.StringIO(text)))[1:]} == EVERY_CODE

    def test_the_council_secretary_may_not_download(self, client, login, people, catalogue):
        login(people.secretary)
        assert client.get("/indicators/", {"export": "csv"}).status_code == 403

    def test_many_indicators_take_as_many_queries_as_few(
        self, client, login, people, catalogue, count_queries
    ):
        login(people.tehran_manager)
        few = count_queries(lambda: client.get("/indicators/"))
        few_export = count_queries(lambda: client.get("/indicators/", {"export": "csv"}))
        other = Category.objects.create(code="other", name_fa="دیگر", order=5)
        for number in range(20):
            actions.create_indicator(
                actor=None,
                code=f"extra-{number}",
                name_fa=f"شاخص {number}",
                value_type="number",
                category=other,
                owner=catalogue.owner,
            )
        assert count_queries(lambda: client.get("/indicators/")) == few
        assert count_queries(lambda: client.get("/indicators/", {"export": "csv"})) == few_export


class TestIndicatorDetail:
    def test_a_calculated_indicator_shows_its_formula_and_data_sets(
        self, client, login, people, catalogue, areas, english
    ):
        data_set = actions.create_data_set(
            actor=None,
            code="work",
            name_fa="اشتغال",
            level=areas.district6.level,
            period_type="year",
            owner=catalogue.owner,
            indicators=[catalogue.active, catalogue.unemployed],
        )
        login(people.isfahan_manager)
        response = client.get("/indicators/unemployment_rate/")
        assert response.status_code == 200
        content = response.content.decode()
        assert 'href="/indicators/unemployed/"' in content
        assert 'href="/indicators/active/"' in content
        assert "×" in content and "÷" in content
        assert response.context["can_edit"] is False
        response = client.get("/indicators/unemployed/")
        assert list(response.context["data_sets"]) == [data_set]
        assert [label for label, _parts in response.context["breakdowns"]] == ["sex", "education"]

    def test_the_totals_of_the_top_area_for_the_last_periods(
        self, client, login, people, areas, neighborhoods, catalogue
    ):
        enter(
            areas,
            catalogue,
            *[("households", "N1", str(year), "", str(year - 1300)) for year in range(1390, 1403)],
            ("households", "N2", "1402", "", "20"),
        )
        login(people.tehran_manager)
        response = client.get("/indicators/households/")
        series = response.context["series"]
        assert response.context["root"] == areas.tehran
        assert [period.code for period, _figure, _shown, _partial in series] == [
            str(year) for year in range(1395, 1403)
        ]
        assert series[-1][1].value == 102 + 20

    def test_small_counts_are_hidden_outside_the_owning_organization(
        self, client, login, people, areas, neighborhoods, catalogue
    ):
        enter(areas, catalogue, ("households", "N1", "1402", "", "3"))
        login(people.tehran_manager)
        response = client.get("/indicators/households/")
        with translation.override("fa"):
            assert [shown for _p, _f, shown, _partial in response.context["series"]] == [
                display.suppressed_label()
            ]
        login(people.focal_point)
        response = client.get("/indicators/households/")
        assert [shown for _p, _f, shown, _partial in response.context["series"]] == ["۳"]

    def test_the_last_change_comes_from_the_audit_log(
        self, client, login, people, areas, neighborhoods, catalogue
    ):
        actions.update_indicator(
            actor=people.tehran_manager, indicator=catalogue.households, version=None, order=3
        )
        # A figure entered afterwards is no change of the indicator itself.
        enter(areas, catalogue, ("households", "N1", "1402", "", "30"))
        actions.set_value(
            actor=None,
            indicator=catalogue.households,
            area=neighborhoods.n1,
            period=Period.objects.get(code="1401"),
            value="40",
        )
        login(people.tehran_manager)
        event = client.get("/indicators/households/").context["last_change"]
        assert event.verb == INDICATOR_CHANGED
        assert event.actor == people.tehran_manager

    def test_indicator_pages_never_shadow_the_other_indicator_pages(self):
        from django.urls import Resolver404, resolve

        from barzan.indicators.views.catalogue import _other_pages

        def page_of(address):
            try:
                return resolve(address).url_name
            except Resolver404:
                return None

        for segment in _other_pages():
            assert page_of(f"/indicators/{segment}/") != "indicator_detail"
            assert page_of(f"/indicators/{segment}/edit/") != "indicator_update"

    def test_an_unknown_code_is_not_found(self, client, login, people, catalogue):
        login(people.tehran_manager)
        assert client.get("/indicators/no-such-thing/").status_code == 404

    def test_the_page_takes_as_many_queries_with_many_figures_as_with_few(
        self, client, login, people, areas, neighborhoods, catalogue, count_queries
    ):
        enter(areas, catalogue, ("population", "N1", "1402", "", "100"))
        login(people.focal_point)
        few = count_queries(lambda: client.get("/indicators/population/"))
        enter(
            areas,
            catalogue,
            *[("population", code, str(year), "", "100")
              for code in ("N1", "N2", "N3") for year in range(1390, 1402)],
        )  # fmt: skip
        assert count_queries(lambda: client.get("/indicators/population/")) == few


def indicator_data(**changes):
    data = {
        "code": "schools",
        "name_fa": "تعداد مدارس",
        "name_en": "Schools",
        "description_fa": "",
        "description_en": "",
        "category": Category.objects.get(code="population").pk,
        "owner": "",
        "value_type": "count",
        "unit_fa": "باب",
        "unit_en": "",
        "aggregation": "last",
        "direction": "higher_better",
        "kind": "measured",
        "numerator": "",
        "denominator": "",
        "factor": "1",
        "minimum": "0",
        "maximum": "",
        "dimensions": ["education"],
        "is_key": "on",
        "order": "4",
        "is_active": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


class TestIndicatorForms:
    def test_a_manager_adds_an_indicator_typed_with_arabic_letters(
        self, client, login, people, catalogue
    ):
        login(people.tehran_manager)
        assert client.get("/indicators/new/").status_code == 200
        name = "تعداد مدارس".replace("ی", ARABIC_YEH)
        response = client.post(
            "/indicators/new/", indicator_data(name_fa=name, owner=catalogue.owner.pk)
        )
        assert response.status_code == 302
        indicator = Indicator.objects.get(code="schools")
        assert response["Location"] == "/indicators/schools/"
        assert indicator.name_fa == "تعداد مدارس"
        assert indicator.dimensions == ["education"]
        assert AuditEvent.objects.filter(
            verb=INDICATOR_CREATED, target_id=str(indicator.pk), actor=people.tehran_manager
        ).exists()

    def test_a_calculated_indicator_needs_measured_parts(self, client, login, people, catalogue):
        login(people.tehran_manager)
        form = client.get("/indicators/new/").context["form"]
        parts = set(form.fields["numerator"].queryset.values_list("code", flat=True))
        assert "unemployment_rate" not in parts
        assert "unemployed" in parts
        response = client.post(
            "/indicators/new/",
            indicator_data(
                code="active_share",
                value_type="percent",
                aggregation="none",
                kind="calculated",
                owner=catalogue.owner.pk,
                numerator=catalogue.active.pk,
                denominator=catalogue.population.pk,
                factor="100",
                dimensions=[],
            ),
        )
        assert response.status_code == 302
        share = Indicator.objects.get(code="active_share")
        assert (share.numerator, share.denominator) == (catalogue.active, catalogue.population)

    def test_an_analyst_gets_403(self, client, login, people, catalogue):
        login(people.tehran_analyst)
        assert client.get("/indicators/new/").status_code == 403
        response = client.post("/indicators/new/", indicator_data(owner=catalogue.owner.pk))
        assert response.status_code == 403
        assert not Indicator.objects.filter(code="schools").exists()

    def test_the_owner_is_one_of_the_organizations_the_user_manages(
        self, client, login, people, organizations, catalogue
    ):
        login(people.isfahan_manager)
        form = client.get("/indicators/new/").context["form"]
        assert list(form.fields["owner"].queryset) == [organizations.education_isfahan]
        response = client.post("/indicators/new/", indicator_data(owner=catalogue.owner.pk))
        assert response.status_code == 200
        assert "owner" in response.context["form"].errors
        assert not Indicator.objects.filter(code="schools").exists()

    def test_a_code_that_is_a_page_address_is_refused(self, client, login, people, catalogue):
        login(people.tehran_manager)
        response = client.post(
            "/indicators/new/", indicator_data(code="rules", owner=catalogue.owner.pk)
        )
        assert response.status_code == 200
        assert "code" in response.context["form"].errors

    def test_a_manager_changes_an_indicator(self, client, login, people, catalogue):
        indicator = catalogue.households
        login(people.tehran_manager)
        form = client.get("/indicators/households/edit/").context["form"]
        assert form.initial["version"] == indicator.version
        response = client.post(
            "/indicators/households/edit/",
            indicator_data(
                code="ignored",
                name_fa="خانوارها",
                owner=catalogue.owner.pk,
                aggregation="sum",
                dimensions=[],
                version=indicator.version,
            ),
        )
        assert response.status_code == 302
        indicator.refresh_from_db()
        assert (indicator.code, indicator.name_fa) == ("households", "خانوارها")
        assert indicator.version == 2

    def test_an_edit_from_a_stale_page_is_refused(self, client, login, people, catalogue):
        indicator = catalogue.households
        opened_at = indicator.version
        actions.update_indicator(actor=None, indicator=indicator, version=None, order=9)
        login(people.tehran_manager)
        client.cookies["barzan_language"] = "en"
        response = client.post(
            "/indicators/households/edit/",
            indicator_data(
                name_fa="کهنه",
                owner=catalogue.owner.pk,
                aggregation="sum",
                dimensions=[],
                version=opened_at,
            ),
        )
        assert response.status_code == 200
        errors = response.context["form"].non_field_errors().as_data()
        assert [error.code for error in errors] == ["conflict"]
        assert "Someone else changed this record" in response.content.decode()
        indicator.refresh_from_db()
        assert indicator.name_fa == "خانوار"

    def test_the_isfahan_manager_sees_a_tehran_indicator_but_may_not_change_it(
        self, client, login, people, catalogue
    ):
        login(people.isfahan_manager)
        assert client.get("/indicators/households/").status_code == 200
        assert client.get("/indicators/households/edit/").status_code == 403

    def test_an_unknown_indicator_has_no_edit_page(self, client, login, people, catalogue):
        login(people.tehran_manager)
        assert client.get("/indicators/nothing/edit/").status_code == 404


def data_set_data(catalogue, areas, **changes):
    data = {
        "code": "neighborhood-census",
        "name_fa": "سرشماری محله",
        "name_en": "",
        "level": areas.district6.level_id,
        "period_type": "year",
        "owner": catalogue.owner.pk,
        "description": "",
        "indicators": [catalogue.population.pk, catalogue.households.pk],
    }
    data.update(changes)
    return data


@pytest.fixture
def census(catalogue, neighborhoods):
    """A yearly data set of neighborhoods: population and households."""
    return actions.create_data_set(
        actor=None,
        code="census",
        name_fa="سرشماری محله",
        level=neighborhoods.n1.level,
        period_type="year",
        owner=catalogue.owner,
        indicators=[catalogue.population, catalogue.households],
    )


class TestDataSets:
    def test_everyone_with_a_grant_sees_the_list_and_a_data_set(
        self, client, login, people, census
    ):
        login(people.secretary)
        assert listed(client.get("/indicators/data-sets/")) == {"census"}
        response = client.get("/indicators/data-sets/census/")
        assert response.status_code == 200
        assert [i.code for i in response.context["indicators"]] == ["households", "population"]

    def test_a_manager_creates_and_changes_a_data_set(
        self, client, login, people, areas, catalogue
    ):
        login(people.tehran_manager)
        response = client.post("/indicators/data-sets/new/", data_set_data(catalogue, areas))
        assert response.status_code == 302
        data_set = DataSet.objects.get(code="neighborhood-census")
        assert set(data_set.indicators.all()) == {catalogue.population, catalogue.households}
        response = client.post(
            "/indicators/data-sets/neighborhood-census/edit/",
            data_set_data(
                catalogue, areas, indicators=[catalogue.active.pk], version=data_set.version
            ),
        )
        assert response.status_code == 302
        assert list(data_set.indicators.all()) == [catalogue.active]

    def test_a_stale_data_set_edit_is_refused(self, client, login, people, areas, census):
        login(people.tehran_manager)
        actions.update_data_set(actor=None, data_set=census, version=None, name_en="Census")
        response = client.post(
            "/indicators/data-sets/census/edit/",
            {
                "code": "census",
                "name_fa": "کهنه",
                "level": census.level_id,
                "period_type": "year",
                "owner": census.owner_id,
                "indicators": [i.pk for i in census.indicators.all()],
                "version": 1,
            },
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        census.refresh_from_db()
        assert census.name_fa == "سرشماری محله"

    def test_an_analyst_may_not_create_one(self, client, login, people, catalogue):
        login(people.tehran_analyst)
        assert client.get("/indicators/data-sets/new/").status_code == 403

    def test_the_template_has_persian_headers_and_a_row_per_indicator_and_area(
        self, client, login, people, areas, census
    ):
        login(people.tehran_manager)
        response = client.get(
            "/indicators/data-sets/census/template.xlsx",
            {"area": areas.district6.pk, "period": "1402"},
        )
        assert response.status_code == 200
        assert 'filename="census-1402.xlsx"' in response["Content-Disposition"]
        rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
        rows = rows.to_python()
        assert rows[0][:4] == ["کد شاخص", "نام شاخص", "کد محدوده", "نام محدوده"]
        assert "دوره" in rows[0] and "مقدار" in rows[0]
        assert sorted((row[0], row[2], row[4]) for row in rows[1:]) == sorted(
            (indicator, area, "1402")
            for indicator in ("population", "households")
            for area in ("N1", "N2", "N3")
        )

    def test_without_an_area_the_template_holds_the_users_own_areas(
        self, client, login, people, areas, census
    ):
        login(people.isfahan_manager)
        response = client.get("/indicators/data-sets/census/template.xlsx", {"period": "1402"})
        rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
        assert {row[2] for row in rows.to_python()[1:]} == {"I1"}

    def test_the_template_defaults_to_the_current_period(
        self, client, login, people, areas, census
    ):
        from barzan.indicators.views.catalogue import current_period_code

        login(people.tehran_manager)
        response = client.get("/indicators/data-sets/census/template.xlsx")
        assert response.status_code == 200
        assert f"census-{current_period_code('year')}.xlsx" in response["Content-Disposition"]

    def test_a_period_of_another_type_is_a_message(self, client, login, people, areas, census):
        login(people.tehran_manager)
        response = client.get("/indicators/data-sets/census/template.xlsx", {"period": "1402Q1"})
        assert response.status_code == 302
        assert response["Location"] == "/indicators/data-sets/census/"

    def test_an_isfahan_area_is_not_found_for_the_tehran_manager(
        self, client, login, people, areas, census
    ):
        login(people.tehran_manager)
        response = client.get(
            "/indicators/data-sets/census/template.xlsx", {"area": areas.isfahan.pk}
        )
        assert response.status_code == 404

    def test_an_analyst_who_enters_nothing_gets_no_template(
        self, client, login, people, areas, census
    ):
        login(people.tehran_analyst)
        assert client.get("/indicators/data-sets/census/template.xlsx").status_code == 403


class TestRules:
    def test_everyone_with_a_grant_sees_the_rules(self, client, login, people, catalogue):
        login(people.secretary)
        response = client.get("/indicators/rules/")
        assert listed(response) == {"unemployed-le-active", "population-sexes"}
        assert "/edit/" not in response.content.decode()

    def test_a_manager_creates_and_changes_a_rule(self, client, login, people, catalogue):
        login(people.tehran_manager)
        assert "/indicators/rules/population-sexes/edit/" in (
            client.get("/indicators/rules/").content.decode()
        )
        response = client.post(
            "/indicators/rules/new/",
            {
                "code": "households-le-population",
                "name_fa": "خانوار از جمعیت کمتر است",
                "left": catalogue.households.pk,
                "operator": "le",
                "right": catalogue.population.pk,
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        rule = ValidationRule.objects.get(code="households-le-population")
        response = client.post(
            "/indicators/rules/households-le-population/edit/",
            {
                "code": "households-le-population",
                "name_fa": "خانوار از جمعیت کمتر است",
                "left": catalogue.households.pk,
                "operator": "lt",
                "right": catalogue.population.pk,
                "version": rule.version,
            },
        )
        assert response.status_code == 302
        rule.refresh_from_db()
        assert (rule.operator, rule.is_active, rule.version) == ("lt", False, 2)

    def test_a_rule_on_a_breakdown_the_indicator_lacks_is_a_form_error(
        self, client, login, people, catalogue
    ):
        login(people.tehran_manager)
        response = client.post(
            "/indicators/rules/new/",
            {
                "code": "households-sexes",
                "name_fa": "خانوار",
                "left": catalogue.households.pk,
                "left_dimension": "sex",
                "operator": "le",
                "right": catalogue.households.pk,
            },
        )
        assert response.status_code == 200
        assert "left_dimension" in response.context["form"].errors

    def test_a_stale_rule_edit_is_refused(self, client, login, people, catalogue):
        rule = catalogue.unemployed_le_active
        actions.update_validation_rule(actor=None, rule=rule, version=None, name_en="Rule")
        login(people.tehran_manager)
        response = client.post(
            "/indicators/rules/unemployed-le-active/edit/",
            {
                "code": rule.code,
                "name_fa": "کهنه",
                "left": rule.left_id,
                "operator": "ge",
                "right": rule.right_id,
                "version": 1,
            },
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        rule.refresh_from_db()
        assert rule.operator == "le"

    def test_the_isfahan_manager_may_not_change_a_tehran_rule(
        self, client, login, people, catalogue
    ):
        login(people.isfahan_manager)
        assert client.get("/indicators/rules/unemployed-le-active/edit/").status_code == 403
        assert client.get("/indicators/rules/new/").status_code == 200

    def test_an_analyst_gets_403(self, client, login, people, catalogue):
        login(people.tehran_analyst)
        assert client.get("/indicators/rules/new/").status_code == 403
