"""The organization pages: list, detail, create and edit, each through the access policy."""

import csv
import io

import pytest
from python_calamine import CalamineWorkbook

from barzan.audit.models import AuditEvent
from barzan.registry.actions import ORGANIZATION_CHANGED, ORGANIZATION_CREATED, create_organization
from barzan.registry.models import Organization

pytestmark = pytest.mark.django_db

ARABIC_YEH = "\u064a"


def listed(response) -> set[str]:
    """Return the codes a list page shows (every page of it)."""
    assert response.status_code == 200
    return {organization.code for organization in response.context["object_list"]}


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def form_data(**overrides):
    data = {
        "code": "relief-tehran",
        "name_fa": "کمیته امداد استان تهران",
        "name_en": "Relief Committee",
        "kind": "charity",
        "parent": "",
        "is_active": "on",
        "version": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def edit_data(organization, **overrides):
    data = {
        "code": organization.code,
        "name_fa": organization.name_fa,
        "name_en": organization.name_en,
        "kind": organization.kind,
        "parent": organization.parent_id or "",
        "area": organization.area_id,
        "is_active": "on" if organization.is_active else None,
        "version": organization.version,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def charity(areas):
    return create_organization(
        actor=None,
        code="relief-d6",
        name_fa="خیریه محله",
        kind="charity",
        area=areas.district6,
        is_active=False,
    )


class TestOrganizationList:
    def test_the_tehran_manager_sees_tehrans_organizations_and_not_isfahans(
        self, client, login, people, organizations
    ):
        login(people.tehran_manager)
        response = client.get("/organizations/")
        assert listed(response) == {"education-tehran", "welfare-tehran"}
        assert "آموزش و پرورش استان اصفهان" not in response.content.decode()

    def test_a_focal_point_sees_only_their_own_organization(
        self, client, login, people, organizations
    ):
        login(people.focal_point)
        assert listed(client.get("/organizations/")) == {"education-tehran"}

    def test_the_list_is_searchable_with_arabic_letters(self, client, login, people, organizations):
        login(people.tehran_manager)
        typed = "بهزیستی".replace("ی", ARABIC_YEH)
        assert typed != "بهزیستی"
        assert listed(client.get("/organizations/", {"q": typed})) == {"welfare-tehran"}

    def test_the_list_is_searchable_by_code_in_any_case(self, client, login, people, organizations):
        login(people.tehran_manager)
        assert listed(client.get("/organizations/", {"q": "WELFARE"})) == {"welfare-tehran"}

    def test_a_search_never_reaches_outside_the_users_areas(
        self, client, login, people, organizations
    ):
        login(people.tehran_manager)
        assert listed(client.get("/organizations/", {"q": "اصفهان"})) == set()

    def test_the_list_is_filtered_by_kind(self, client, login, people, organizations, charity):
        login(people.tehran_manager)
        assert listed(client.get("/organizations/", {"kind": "charity"})) == {"relief-d6"}
        assert listed(client.get("/organizations/", {"kind": "agency"})) == {
            "education-tehran",
            "welfare-tehran",
        }

    def test_the_list_is_filtered_by_active(self, client, login, people, organizations, charity):
        login(people.tehran_manager)
        assert listed(client.get("/organizations/", {"is_active": "false"})) == {"relief-d6"}
        assert listed(client.get("/organizations/", {"is_active": "true"})) == {
            "education-tehran",
            "welfare-tehran",
        }

    def test_the_list_is_filtered_by_area(
        self, client, login, people, areas, organizations, charity
    ):
        login(people.tehran_manager)
        shown = listed(client.get("/organizations/", {"area": areas.tehran_county.pk}))
        assert shown == {"relief-d6"}

    def test_the_area_filter_offers_only_the_users_areas(self, client, login, people, areas):
        login(people.tehran_manager)
        response = client.get("/organizations/")
        offered = set(response.context["filterset"].form.fields["area"].queryset)
        assert areas.tehran in offered
        assert areas.isfahan not in offered

    def test_filtering_by_another_provinces_area_shows_nothing(
        self, client, login, people, areas, organizations
    ):
        login(people.tehran_manager)
        response = client.get("/organizations/", {"area": areas.isfahan.pk})
        assert listed(response) == set()
        assert "area" in response.context["filterset"].form.errors

    def test_a_manager_sees_the_new_button_and_an_analyst_does_not(
        self, client, login, people, organizations
    ):
        login(people.tehran_manager)
        assert 'href="/organizations/new/"' in client.get("/organizations/").content.decode()
        login(people.tehran_analyst)
        assert 'href="/organizations/new/"' not in client.get("/organizations/").content.decode()


class TestOrganizationExport:
    def test_the_csv_export_has_the_scoped_rows(self, client, login, people, organizations):
        login(people.tehran_manager)
        rows = csv_rows(client.get("/organizations/", {"export": "csv"}))
        assert {row[1] for row in rows[1:]} == {"education-tehran", "welfare-tehran"}

    def test_the_csv_export_follows_the_filters(
        self, client, login, people, organizations, charity
    ):
        login(people.tehran_manager)
        rows = csv_rows(client.get("/organizations/", {"export": "csv", "kind": "charity"}))
        assert [row[1] for row in rows[1:]] == ["relief-d6"]
        assert rows[1][-1] == "no"

    def test_the_xlsx_export_is_a_workbook(self, client, login, people, organizations):
        login(people.tehran_analyst)
        response = client.get("/organizations/", {"export": "xlsx"})
        assert response.status_code == 200
        rows = CalamineWorkbook.from_filelike(
            io.BytesIO(b"".join(response.streaming_content))
        ).get_sheet_by_index(0)
        codes = {row[1] for row in rows.to_python()[1:]}
        assert codes == {"education-tehran", "welfare-tehran"}

    def test_the_council_secretary_has_no_export(self, client, login, people, organizations):
        login(people.secretary)
        assert "data-export" not in client.get("/organizations/").content.decode()
        assert client.get("/organizations/", {"export": "csv"}).status_code == 403


class TestOrganizationDetail:
    def test_a_tehran_organization_is_shown_to_the_tehran_manager_with_an_edit_link(
        self, client, login, people, organizations
    ):
        login(people.tehran_manager)
        response = client.get("/organizations/welfare-tehran/")
        assert response.status_code == 200
        assert response.context["organization"] == organizations.welfare_tehran
        assert 'href="/organizations/welfare-tehran/edit/"' in response.content.decode()

    def test_an_analyst_sees_it_without_an_edit_link(self, client, login, people, organizations):
        login(people.tehran_analyst)
        response = client.get("/organizations/welfare-tehran/")
        assert response.status_code == 200
        assert "/edit/" not in response.content.decode()

    def test_an_isfahan_organization_is_404_for_the_tehran_manager(
        self, client, login, people, organizations
    ):
        login(people.tehran_manager)
        response = client.get("/organizations/education-isfahan/")
        assert response.status_code == 404
        assert "آموزش و پرورش استان اصفهان" not in response.content.decode()

    def test_another_organization_is_404_for_a_focal_point(
        self, client, login, people, organizations
    ):
        login(people.focal_point)
        assert client.get("/organizations/education-tehran/").status_code == 200
        assert client.get("/organizations/welfare-tehran/").status_code == 404

    def test_an_unknown_code_is_404(self, client, login, people, organizations):
        login(people.admin)
        assert client.get("/organizations/no-such-code/").status_code == 404

    def test_units_outside_the_users_areas_are_not_listed(
        self, client, login, people, areas, organizations
    ):
        create_organization(
            actor=None,
            code="education-d6",
            name_fa="آموزش و پرورش منطقه ۶",
            kind="agency",
            area=areas.district6,
            parent=organizations.education_tehran,
        )
        create_organization(
            actor=None,
            code="education-isfahan-unit",
            name_fa="واحد اصفهان",
            kind="agency",
            area=areas.isfahan_county,
            parent=organizations.education_tehran,
        )
        login(people.tehran_manager)
        response = client.get("/organizations/education-tehran/")
        assert {unit.code for unit in response.context["units"]} == {"education-d6"}
        assert "واحد اصفهان" not in response.content.decode()

    def test_a_parent_outside_the_users_areas_is_named_but_not_linked(
        self, client, login, people, areas, organizations
    ):
        create_organization(
            actor=None,
            code="education-tehran-office",
            name_fa="دفتر تهران",
            kind="agency",
            area=areas.tehran,
            parent=organizations.education_isfahan,
        )
        login(people.tehran_manager)
        response = client.get("/organizations/education-tehran-office/")
        assert response.context["parent_visible"] is False
        assert 'href="/organizations/education-isfahan/"' not in response.content.decode()


class TestOrganizationCreate:
    def test_the_form_offers_only_areas_the_user_manages(self, client, login, people, areas):
        login(people.tehran_manager)
        response = client.get("/organizations/new/")
        assert response.status_code == 200
        form = response.context["form"]
        tehran = {
            areas.tehran,
            areas.tehran_county,
            areas.shemiranat,
            areas.tehran_city,
            areas.district6,
        }
        assert set(form.fields["area"].queryset) == tehran
        assert set(form.fields["covered_areas"].queryset) == tehran
        content = response.content.decode()
        assert f'value="{areas.shemiranat.pk}"' in content
        assert f'value="{areas.isfahan.pk}"' not in content

    def test_the_parent_choices_are_only_visible_organizations(
        self, client, login, people, organizations
    ):
        login(people.tehran_manager)
        form = client.get("/organizations/new/").context["form"]
        assert {o.code for o in form.fields["parent"].queryset} == {
            "education-tehran",
            "welfare-tehran",
        }

    def test_a_manager_registers_an_organization(self, client, login, people, areas):
        login(people.tehran_manager)
        response = client.post(
            "/organizations/new/",
            form_data(area=areas.tehran_county.pk, covered_areas=[areas.shemiranat.pk]),
        )
        assert response.status_code == 302
        assert response["Location"] == "/organizations/relief-tehran/"
        organization = Organization.objects.get(code="relief-tehran")
        assert organization.area == areas.tehran_county
        assert list(organization.covered_areas.all()) == [areas.shemiranat]
        event = AuditEvent.objects.get(verb=ORGANIZATION_CREATED, target_id=str(organization.pk))
        assert event.actor == people.tehran_manager

    def test_an_area_in_another_province_is_not_a_valid_choice(self, client, login, people, areas):
        login(people.tehran_manager)
        response = client.post("/organizations/new/", form_data(area=areas.isfahan.pk))
        assert response.status_code == 200
        assert "area" in response.context["form"].errors
        assert not Organization.objects.filter(code="relief-tehran").exists()

    def test_a_covered_area_in_another_province_is_not_a_valid_choice(
        self, client, login, people, areas
    ):
        login(people.tehran_manager)
        response = client.post(
            "/organizations/new/",
            form_data(area=areas.tehran.pk, covered_areas=[areas.isfahan_county.pk]),
        )
        assert "covered_areas" in response.context["form"].errors
        assert not Organization.objects.filter(code="relief-tehran").exists()

    def test_a_parent_in_another_province_is_not_a_valid_choice(
        self, client, login, people, areas, organizations
    ):
        login(people.tehran_manager)
        response = client.post(
            "/organizations/new/",
            form_data(area=areas.tehran.pk, parent=organizations.education_isfahan.pk),
        )
        assert "parent" in response.context["form"].errors
        assert not Organization.objects.filter(code="relief-tehran").exists()

    @pytest.mark.parametrize("code", ["new", "options"])
    def test_a_reserved_code_is_a_form_error(self, client, login, people, areas, code):
        login(people.tehran_manager)
        response = client.post("/organizations/new/", form_data(code=code, area=areas.tehran.pk))
        assert response.status_code == 200
        assert "code" in response.context["form"].errors
        assert not Organization.objects.filter(code=code).exists()

    def test_an_analyst_gets_403(self, client, login, people, areas):
        login(people.tehran_analyst)
        assert client.get("/organizations/new/").status_code == 403
        assert (
            client.post("/organizations/new/", form_data(area=areas.tehran.pk)).status_code == 403
        )
        assert not Organization.objects.filter(code="relief-tehran").exists()

    def test_a_focal_point_gets_403(self, client, login, people, areas):
        login(people.focal_point)
        assert client.get("/organizations/new/").status_code == 403


class TestOrganizationEdit:
    def test_the_tehran_manager_changes_a_tehran_organization(
        self, client, login, people, areas, organizations
    ):
        organization = organizations.welfare_tehran
        login(people.tehran_manager)
        assert client.get("/organizations/welfare-tehran/edit/").status_code == 200
        response = client.post(
            "/organizations/welfare-tehran/edit/",
            edit_data(organization, name_fa="اداره کل بهزیستی", area=areas.shemiranat.pk),
        )
        assert response.status_code == 302
        organization.refresh_from_db()
        assert organization.name_fa == "اداره کل بهزیستی"
        assert organization.area == areas.shemiranat
        assert organization.version == 2
        event = AuditEvent.objects.get(verb=ORGANIZATION_CHANGED, target_id=str(organization.pk))
        assert event.before["name_fa"] == "بهزیستی استان تهران"

    def test_the_form_carries_the_version_it_was_loaded_with(
        self, client, login, people, organizations
    ):
        login(people.tehran_manager)
        form = client.get("/organizations/welfare-tehran/edit/").context["form"]
        assert form.initial["version"] == 1

    def test_a_stale_version_is_a_form_error_and_changes_nothing(
        self, client, login, people, organizations
    ):
        organization = organizations.welfare_tehran
        stale = edit_data(organization, name_fa="نسخه کهنه")
        Organization.objects.filter(pk=organization.pk).update(version=2, name_fa="نسخه تازه")
        login(people.tehran_manager)
        response = client.post("/organizations/welfare-tehran/edit/", stale)
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        organization.refresh_from_db()
        assert organization.name_fa == "نسخه تازه"
        assert organization.version == 2

    def test_moving_it_to_another_province_is_refused(
        self, client, login, people, areas, organizations
    ):
        organization = organizations.welfare_tehran
        login(people.tehran_manager)
        response = client.post(
            "/organizations/welfare-tehran/edit/", edit_data(organization, area=areas.isfahan.pk)
        )
        assert response.status_code == 200
        assert "area" in response.context["form"].errors
        organization.refresh_from_db()
        assert organization.area == areas.tehran

    def test_it_cannot_be_made_its_own_parent(self, client, login, people, organizations):
        organization = organizations.welfare_tehran
        login(people.tehran_manager)
        response = client.post(
            "/organizations/welfare-tehran/edit/", edit_data(organization, parent=organization.pk)
        )
        assert response.status_code == 200
        assert "parent" in response.context["form"].errors
        organization.refresh_from_db()
        assert organization.parent is None

    def test_an_isfahan_organization_is_404_for_the_tehran_manager(
        self, client, login, people, organizations
    ):
        organization = organizations.education_isfahan
        login(people.tehran_manager)
        assert client.get("/organizations/education-isfahan/edit/").status_code == 404
        response = client.post(
            "/organizations/education-isfahan/edit/", edit_data(organization, name_fa="تغییر")
        )
        assert response.status_code == 404
        organization.refresh_from_db()
        assert organization.name_fa == "آموزش و پرورش استان اصفهان"

    def test_an_analyst_gets_403_for_a_tehran_organization(
        self, client, login, people, organizations
    ):
        organization = organizations.welfare_tehran
        login(people.tehran_analyst)
        assert client.get("/organizations/welfare-tehran/edit/").status_code == 403
        response = client.post(
            "/organizations/welfare-tehran/edit/", edit_data(organization, name_fa="تغییر")
        )
        assert response.status_code == 403
        organization.refresh_from_db()
        assert organization.name_fa == "بهزیستی استان تهران"

    def test_an_anonymous_visitor_is_sent_to_log_in(self, client, organizations):
        response = client.get("/organizations/welfare-tehran/edit/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


class TestOrganizationOptions:
    def test_options_are_the_users_active_organizations(
        self, client, login, people, organizations, charity
    ):
        login(people.tehran_manager)
        content = client.get("/organizations/options/", {"q": "ا"}).content.decode()
        assert f'value="{organizations.education_tehran.pk}"' in content
        assert f'value="{organizations.education_isfahan.pk}"' not in content
        assert f'value="{charity.pk}"' not in content


class TestQueryBudgets:
    def add_organizations(self, areas, start, count):
        for number in range(start, start + count):
            create_organization(
                actor=None,
                code=f"site-{number}",
                name_fa=f"پایگاه {number}",
                kind="community_site",
                area=areas.district6,
            )

    @pytest.mark.parametrize(
        "query", [{}, {"export": "csv"}, {"q": "پایگاه", "kind": "community_site"}]
    )
    def test_the_organization_list_makes_as_many_queries_for_many_rows_as_for_few(
        self, client, login, people, areas, organizations, count_queries, query
    ):
        login(people.tehran_manager)
        self.add_organizations(areas, 0, 2)
        few = count_queries(lambda: client.get("/organizations/", query))
        self.add_organizations(areas, 2, 20)
        many = count_queries(lambda: client.get("/organizations/", query))
        assert many == few

    def test_the_organization_detail_makes_as_many_queries_for_many_units_as_for_few(
        self, client, login, people, areas, organizations, count_queries
    ):
        def add_units(start, count):
            for number in range(start, start + count):
                create_organization(
                    actor=None,
                    code=f"unit-{number}",
                    name_fa=f"واحد {number}",
                    kind="agency",
                    area=areas.district6,
                    parent=organizations.education_tehran,
                    covered_areas=[areas.district6],
                )

        login(people.tehran_manager)
        add_units(0, 1)
        few = count_queries(lambda: client.get("/organizations/education-tehran/"))
        add_units(1, 15)
        many = count_queries(lambda: client.get("/organizations/education-tehran/"))
        assert many == few


@pytest.mark.django_db
def test_covered_areas_outside_the_viewers_scope_are_counted_not_named(
    client, login, people, areas
):
    organization = create_organization(
        actor=None, code="health-network", name_fa="شبکه بهداشت", kind="agency", area=areas.tehran,
        covered_areas=[areas.tehran_county, areas.isfahan],
    )  # fmt: skip
    login(people.tehran_manager)
    page = client.get(organization.get_absolute_url()).content.decode()
    assert "اصفهان" not in page
    assert "۱ محدوده بیرون از محدوده‌های شما" in page
