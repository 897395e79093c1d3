"""create_organization and update_organization: checked, validated, audited, all or nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from barzan.audit.models import AuditEvent
from barzan.core.exceptions import ConcurrentEditError
from barzan.registry.actions import (
    ORGANIZATION_CHANGED,
    ORGANIZATION_CREATED,
    create_organization,
    update_organization,
)
from barzan.registry.models import Organization

pytestmark = pytest.mark.django_db


def events_for(organization, verb):
    return AuditEvent.objects.filter(verb=verb, target_id=str(organization.pk))


class TestCreateOrganization:
    def test_an_area_manager_registers_an_organization_in_their_province(self, people, areas):
        organization = create_organization(
            actor=people.tehran_manager,
            code="relief-tehran",
            name_fa="کمیته امداد استان تهران",
            name_en="Relief Committee, Tehran",
            kind="charity",
            area=areas.tehran,
            covered_areas=[areas.tehran_county, areas.shemiranat],
        )
        organization.refresh_from_db()
        assert organization.area == areas.tehran
        assert organization.version == 1
        assert set(organization.covered_areas.all()) == {areas.tehran_county, areas.shemiranat}

    def test_creating_is_audited_with_the_values_after(self, people, areas):
        organization = create_organization(
            actor=people.tehran_manager,
            code="relief-tehran",
            name_fa="کمیته امداد استان تهران",
            kind="charity",
            area=areas.tehran,
            covered_areas=[areas.shemiranat],
        )
        event = events_for(organization, ORGANIZATION_CREATED).get()
        assert event.actor == people.tehran_manager
        assert event.actor_label == "tehran-manager"
        assert event.target_label == "کمیته امداد استان تهران"
        assert event.area == areas.tehran
        assert event.before is None
        assert event.after == {
            "code": "relief-tehran",
            "name_fa": "کمیته امداد استان تهران",
            "name_en": "",
            "kind": "charity",
            "parent": None,
            "area": areas.tehran.pk,
            "is_active": True,
            "covered_areas": [areas.shemiranat.pk],
        }

    def test_names_are_stored_cleaned(self, people, areas):
        organization = create_organization(
            actor=people.tehran_manager,
            code="  site-1 ",
            name_fa="پايگاه  فرهنگي\u200c\u200cمحله ۶",
            kind="community_site",
            area=areas.district6,
        )
        assert organization.code == "site-1"
        assert organization.name_fa == "پایگاه فرهنگی\u200cمحله 6"

    def test_an_organization_in_another_province_is_refused(self, people, areas):
        with pytest.raises(PermissionDenied):
            create_organization(
                actor=people.tehran_manager,
                code="welfare-isfahan",
                name_fa="بهزیستی استان اصفهان",
                kind="agency",
                area=areas.isfahan,
            )
        assert not Organization.objects.filter(code="welfare-isfahan").exists()

    def test_covering_an_area_the_actor_does_not_manage_is_refused_and_rolled_back(
        self, people, areas
    ):
        events_before = AuditEvent.objects.count()
        with pytest.raises(ValidationError) as raised:
            create_organization(
                actor=people.tehran_manager,
                code="relief-tehran",
                name_fa="کمیته امداد",
                kind="charity",
                area=areas.tehran,
                covered_areas=[areas.isfahan_county],
            )
        assert "covered_areas" in raised.value.message_dict
        assert not Organization.objects.filter(code="relief-tehran").exists()
        assert AuditEvent.objects.count() == events_before

    @pytest.mark.parametrize("code", ["new", "options", "NEW", "Options"])
    def test_codes_the_registrys_addresses_use_are_refused(self, people, areas, code):
        with pytest.raises(ValidationError) as raised:
            create_organization(
                actor=people.tehran_manager,
                code=code,
                name_fa="نام",
                kind="agency",
                area=areas.tehran,
            )
        assert "code" in raised.value.message_dict
        assert not Organization.objects.filter(code=code).exists()

    @pytest.mark.parametrize("code", ["آموزش", "has space", "-leading-dash"])
    def test_a_code_must_be_latin_letters_digits_dots_dashes_and_underscores(
        self, people, areas, code
    ):
        with pytest.raises(ValidationError) as raised:
            create_organization(
                actor=people.tehran_manager,
                code=code,
                name_fa="نام",
                kind="agency",
                area=areas.tehran,
            )
        assert "code" in raised.value.message_dict

    def test_a_code_is_unique(self, people, areas, organizations):
        with pytest.raises(ValidationError) as raised:
            create_organization(
                actor=people.tehran_manager,
                code="education-tehran",
                name_fa="تکراری",
                kind="agency",
                area=areas.tehran,
            )
        assert "code" in raised.value.message_dict

    def test_an_unknown_kind_is_refused(self, people, areas):
        with pytest.raises(ValidationError) as raised:
            create_organization(
                actor=people.tehran_manager, code="x", name_fa="نام", kind="cult", area=areas.tehran
            )
        assert "kind" in raised.value.message_dict

    def test_a_focal_point_cannot_create_organizations(self, people, areas):
        with pytest.raises(PermissionDenied):
            create_organization(
                actor=people.focal_point,
                code="education-tehran-d6",
                name_fa="آموزش و پرورش منطقه ۶",
                kind="agency",
                area=areas.district6,
            )
        assert not Organization.objects.filter(code="education-tehran-d6").exists()

    def test_a_manage_grant_bound_to_an_organization_cannot_create_another(
        self, areas, organizations, make_user
    ):
        bound_manager = make_user(
            "bound-manager", "area_manager", areas.tehran, organizations.education_tehran
        )
        with pytest.raises(PermissionDenied):
            create_organization(
                actor=bound_manager,
                code="education-tehran-d6",
                name_fa="آموزش و پرورش منطقه ۶",
                kind="agency",
                area=areas.district6,
            )
        assert not Organization.objects.filter(code="education-tehran-d6").exists()

    def test_an_analyst_cannot_create_organizations(self, people, areas):
        with pytest.raises(PermissionDenied):
            create_organization(
                actor=people.tehran_analyst,
                code="x",
                name_fa="نام",
                kind="agency",
                area=areas.tehran,
            )

    def test_the_system_may_create_anywhere(self, areas):
        organization = create_organization(
            actor=None, code="welfare-isfahan", name_fa="بهزیستی", kind="agency", area=areas.isfahan
        )
        event = events_for(organization, ORGANIZATION_CREATED).get()
        assert event.actor is None
        assert event.actor_label == "system"


class TestUpdateOrganization:
    def test_a_change_is_audited_with_before_and_after(self, people, areas, organizations):
        organization = organizations.welfare_tehran
        update_organization(
            actor=people.tehran_manager,
            organization=organization,
            version=1,
            name_fa="اداره کل بهزیستی استان تهران",
            area=areas.tehran_county,
        )
        event = events_for(organization, ORGANIZATION_CHANGED).get()
        assert event.actor == people.tehran_manager
        assert event.before["name_fa"] == "بهزیستی استان تهران"
        assert event.after["name_fa"] == "اداره کل بهزیستی استان تهران"
        assert event.before["area"] == areas.tehran.pk
        assert event.after["area"] == areas.tehran_county.pk
        assert {field for field, _before, _after in event.changes()} == {"name_fa", "area"}

    def test_a_change_raises_the_version(self, people, organizations):
        updated = update_organization(
            actor=people.tehran_manager,
            organization=organizations.welfare_tehran,
            version=1,
            is_active=False,
        )
        assert updated.version == 2
        organizations.welfare_tehran.refresh_from_db()
        assert organizations.welfare_tehran.version == 2
        assert organizations.welfare_tehran.is_active is False

    def test_a_stale_version_raises_and_changes_nothing(self, people, organizations):
        organization = organizations.welfare_tehran
        update_organization(
            actor=people.tehran_manager, organization=organization, version=1, name_en="Welfare"
        )
        events_before = AuditEvent.objects.count()
        with pytest.raises(ConcurrentEditError):
            update_organization(
                actor=people.tehran_manager,
                organization=organization,
                version=1,
                name_fa="نام قدیمی",
            )
        organization.refresh_from_db()
        assert organization.name_fa == "بهزیستی استان تهران"
        assert organization.name_en == "Welfare"
        assert organization.version == 2
        assert AuditEvent.objects.count() == events_before

    def test_moving_an_organization_outside_the_actors_areas_is_refused_and_rolled_back(
        self, people, areas, organizations
    ):
        organization = organizations.welfare_tehran
        events_before = AuditEvent.objects.count()
        with pytest.raises(PermissionDenied):
            update_organization(
                actor=people.tehran_manager,
                organization=organization,
                version=1,
                name_fa="نام تازه",
                area=areas.isfahan,
            )
        organization.refresh_from_db()
        assert organization.area == areas.tehran
        assert organization.name_fa == "بهزیستی استان تهران"
        assert organization.version == 1
        assert AuditEvent.objects.count() == events_before

    def test_covering_an_area_outside_the_actors_areas_is_refused_and_rolled_back(
        self, people, areas, organizations
    ):
        organization = organizations.welfare_tehran
        with pytest.raises(ValidationError) as raised:
            update_organization(
                actor=people.tehran_manager,
                organization=organization,
                version=1,
                name_fa="نام تازه",
                covered_areas=[areas.shemiranat, areas.isfahan_county],
            )
        assert "covered_areas" in raised.value.message_dict
        organization.refresh_from_db()
        assert organization.name_fa == "بهزیستی استان تهران"
        assert organization.version == 1
        assert list(organization.covered_areas.all()) == []

    def test_covered_areas_another_manager_added_may_stay(self, people, areas, organizations):
        organization = organizations.welfare_tehran
        update_organization(
            actor=None, organization=organization, version=1, covered_areas=[areas.isfahan_county]
        )
        update_organization(
            actor=people.tehran_manager,
            organization=organization,
            version=2,
            covered_areas=[areas.isfahan_county, areas.shemiranat],
        )
        assert set(organization.covered_areas.all()) == {areas.isfahan_county, areas.shemiranat}

    def test_an_organization_in_another_province_cannot_be_changed(self, people, organizations):
        with pytest.raises(PermissionDenied):
            update_organization(
                actor=people.tehran_manager,
                organization=organizations.education_isfahan,
                version=1,
                name_fa="تغییر",
            )
        organizations.education_isfahan.refresh_from_db()
        assert organizations.education_isfahan.name_fa == "آموزش و پرورش استان اصفهان"

    def test_an_analyst_cannot_change_an_organization_they_see(self, people, organizations):
        with pytest.raises(PermissionDenied):
            update_organization(
                actor=people.tehran_analyst,
                organization=organizations.welfare_tehran,
                version=1,
                name_fa="تغییر",
            )

    def test_an_organization_cannot_sit_under_itself(self, people, organizations):
        organization = organizations.welfare_tehran
        with pytest.raises(ValidationError) as raised:
            update_organization(
                actor=people.tehran_manager,
                organization=organization,
                version=1,
                parent=organization,
            )
        assert "parent" in raised.value.message_dict
        organization.refresh_from_db()
        assert organization.parent is None

    def test_an_organization_cannot_become_its_own_ancestor(self, people, areas, organizations):
        parent = organizations.education_tehran
        unit = create_organization(
            actor=None,
            code="education-tehran-d6",
            name_fa="آموزش و پرورش منطقه ۶",
            kind="agency",
            area=areas.district6,
            parent=parent,
        )
        grandchild = create_organization(
            actor=None,
            code="school-d6",
            name_fa="مدرسه",
            kind="agency",
            area=areas.district6,
            parent=unit,
        )
        for descendant in (unit, grandchild):
            with pytest.raises(ValidationError) as raised:
                update_organization(
                    actor=people.tehran_manager,
                    organization=parent,
                    version=parent.version,
                    parent=descendant,
                )
            assert "parent" in raised.value.message_dict
        parent.refresh_from_db()
        assert parent.parent is None
        assert parent.version == 1

    def test_an_organization_may_move_under_another(self, people, organizations):
        organization = update_organization(
            actor=people.tehran_manager,
            organization=organizations.welfare_tehran,
            version=1,
            parent=organizations.education_tehran,
        )
        assert organization.parent == organizations.education_tehran

    def test_a_code_cannot_be_changed_to_a_reserved_one(self, people, organizations):
        with pytest.raises(ValidationError) as raised:
            update_organization(
                actor=people.tehran_manager,
                organization=organizations.welfare_tehran,
                version=1,
                code="new",
            )
        assert "code" in raised.value.message_dict
        organizations.welfare_tehran.refresh_from_db()
        assert organizations.welfare_tehran.code == "welfare-tehran"

    def test_fields_outside_the_editable_ones_are_refused(self, people, organizations):
        with pytest.raises(ValueError):
            update_organization(
                actor=people.tehran_manager,
                organization=organizations.welfare_tehran,
                version=1,
                search_text="anything",
            )

    def test_the_search_text_follows_a_new_name(self, people, organizations):
        update_organization(
            actor=people.tehran_manager,
            organization=organizations.welfare_tehran,
            version=1,
            name_en="Welfare Organization",
        )
        assert list(Organization.objects.search("WELFARE ORGANIZATION")) == [
            organizations.welfare_tehran
        ]
