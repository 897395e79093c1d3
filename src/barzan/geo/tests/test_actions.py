"""create_area: the only writer of `path` and `depth`, checked by the policy and audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from barzan.audit.models import AuditEvent
from barzan.geo.actions import AREA_CREATED, create_area
from barzan.geo.models import Area

pytestmark = pytest.mark.django_db


class TestCreateArea:
    def test_a_root_gets_a_path_of_its_own_id_and_depth_zero(self, areas):
        assert areas.country.path == f"/{areas.country.pk}/"
        assert areas.country.depth == 0
        assert areas.country.parent is None

    def test_a_child_extends_its_parents_path_and_depth(self, areas):
        assert areas.tehran.path == f"/{areas.country.pk}/{areas.tehran.pk}/"
        assert areas.tehran.depth == 1
        expected = "/" + "/".join(
            str(area.pk)
            for area in (
                areas.country,
                areas.tehran,
                areas.tehran_county,
                areas.tehran_city,
                areas.district6,
            )
        )
        assert areas.district6.path == expected + "/"
        assert areas.district6.depth == 4

    def test_the_stored_path_and_depth_match_what_the_action_returned(self, areas):
        stored = Area.objects.get(pk=areas.district6.pk)
        assert stored.path == areas.district6.path
        assert stored.depth == 4
        assert stored.ancestor_ids == [
            areas.country.pk,
            areas.tehran.pk,
            areas.tehran_county.pk,
            areas.tehran_city.pk,
            areas.district6.pk,
        ]

    def test_a_subtree_is_one_path_prefix(self, areas):
        within_tehran = set(Area.objects.within(areas.tehran))
        assert within_tehran == {
            areas.tehran,
            areas.tehran_county,
            areas.shemiranat,
            areas.tehran_city,
            areas.district6,
        }

    def test_the_audit_label_is_persian_whatever_the_pages_language(self, areas, people, levels):
        from django.utils import translation

        with translation.override("en"):
            area = create_area(
                actor=people.tehran_manager,
                level=levels["neighborhood"],
                code="2301021606002",
                name_fa="محله نمونه",
                name_en="Sample neighborhood",
                parent=areas.district6,
            )
        event = AuditEvent.objects.get(verb=AREA_CREATED, target_id=str(area.pk))
        assert event.target_label == "محله نمونه"

    def test_creating_an_area_is_audited_with_its_values(self, areas, people, levels):
        area = create_area(
            actor=people.tehran_manager,
            level=levels["neighborhood"],
            code="2301021606001",
            name_fa="محله نمونه",
            name_en="Sample neighborhood",
            parent=areas.district6,
            population=12000,
        )
        event = AuditEvent.objects.get(verb=AREA_CREATED, target_id=str(area.pk))
        assert event.actor == people.tehran_manager
        assert event.actor_label == "tehran-manager"
        assert event.target_label == "محله نمونه"
        assert event.area == area
        assert event.before is None
        assert event.after == {
            "code": "2301021606001",
            "name_fa": "محله نمونه",
            "name_en": "Sample neighborhood",
            "level": levels["neighborhood"].pk,
            "parent": areas.district6.pk,
            "population": 12000,
            "valid_from": None,
            "valid_to": None,
        }

    def test_an_area_manager_may_create_areas_below_their_own_area(self, areas, people, levels):
        area = create_area(
            actor=people.tehran_manager,
            level=levels["county"],
            code="2303",
            name_fa="ری",
            parent=areas.tehran,
        )
        assert area.path == f"{areas.tehran.path}{area.pk}/"

    def test_an_area_manager_may_not_create_areas_in_another_province(self, areas, people, levels):
        before = Area.objects.count()
        with pytest.raises(PermissionDenied):
            create_area(
                actor=people.tehran_manager,
                level=levels["county"],
                code="1002",
                name_fa="کاشان",
                parent=areas.isfahan,
            )
        assert Area.objects.count() == before

    def test_a_role_without_manage_may_not_create_areas(self, areas, people, levels):
        with pytest.raises(PermissionDenied):
            create_area(
                actor=people.secretary,
                level=levels["neighborhood"],
                code="77",
                name_fa="محله",
                parent=areas.district6,
            )

    def test_only_the_system_creates_a_root(self, areas, people, levels):
        with pytest.raises(PermissionDenied):
            create_area(actor=people.admin, level=levels["country"], code="XX", name_fa="کشور")


class TestAreaCodes:
    def test_a_code_is_text_and_keeps_its_leading_zeros(self, areas, levels):
        area = create_area(
            actor=None, level=levels["county"], code="0012", name_fa="نمونه", parent=areas.tehran
        )
        area.refresh_from_db()
        assert area.code == "0012"
        assert Area.objects.get(level=levels["province"], code="05") == areas.kermanshah

    def test_a_code_typed_with_persian_digits_is_stored_with_latin_digits(self, areas, levels):
        area = create_area(
            actor=None, level=levels["county"], code="۰۰۷", name_fa="نمونه", parent=areas.tehran
        )
        assert area.code == "007"

    def test_a_code_is_unique_within_a_level(self, areas, levels):
        before = Area.objects.count()
        with pytest.raises(ValidationError):
            create_area(
                actor=None,
                level=levels["province"],
                code="23",
                name_fa="تکراری",
                parent=areas.country,
            )
        assert Area.objects.count() == before

    def test_the_same_code_may_be_used_on_another_level(self, areas, levels):
        county = create_area(
            actor=None, level=levels["county"], code="23", name_fa="نمونه", parent=areas.tehran
        )
        assert county.code == areas.tehran.code
