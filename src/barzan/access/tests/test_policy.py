"""The access policy: a grant covers its area and everything below it, and nothing else."""

import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404

from barzan.access import policy
from barzan.access.actions import ALL, AUDIT, CAPTURE, EXPORT, MANAGE, VIEW
from barzan.access.policy import AccessPolicy, Registration, Registry
from barzan.audit.models import AuditEvent
from barzan.geo.models import Area
from barzan.registry.models import Organization

pytestmark = pytest.mark.django_db


def codes(queryset):
    return set(queryset.values_list("code", flat=True))


class TestScope:
    def test_a_province_grant_sees_its_counties_and_not_the_neighbouring_province(
        self, people, areas
    ):
        visible = policy.scope(people.tehran_manager, VIEW, Area.objects.all())
        assert areas.tehran_county in visible
        assert areas.shemiranat in visible
        assert areas.district6 in visible
        assert areas.isfahan not in visible
        assert areas.isfahan_county not in visible
        assert areas.country not in visible

    @pytest.mark.parametrize("action", ALL)
    def test_every_action_stays_inside_the_granted_province(self, people, areas, action):
        rows = policy.scope(people.tehran_manager, action, Area.objects.all())
        assert all(area.path.startswith(areas.tehran.path) for area in rows)
        assert rows.exists()

    def test_a_root_grant_sees_everything_including_rows_in_no_area(self, people, areas):
        assert policy.scope(people.admin, VIEW, Area.objects.all()).count() == Area.objects.count()
        orphan = AuditEvent.objects.create(actor_label="system", verb="test.orphan")
        assert orphan in policy.scope(people.admin, AUDIT, AuditEvent.objects.all())
        assert orphan not in policy.scope(people.tehran_manager, AUDIT, AuditEvent.objects.all())

    def test_a_user_without_grants_sees_nothing(self, people):
        assert not policy.scope(people.nobody, VIEW, Area.objects.all()).exists()
        assert policy.can(people.nobody, VIEW) is False

    def test_an_anonymous_or_inactive_user_sees_nothing(self, people, areas):
        from django.contrib.auth.models import AnonymousUser

        assert not policy.scope(AnonymousUser(), VIEW, Area.objects.all()).exists()
        people.tehran_manager.is_active = False
        assert not policy.scope(people.tehran_manager, VIEW, Area.objects.all()).exists()

    def test_a_read_only_role_may_view_but_not_capture_or_manage(self, people, areas):
        analyst = people.tehran_analyst
        assert policy.scope(analyst, VIEW, Area.objects.all()).exists()
        assert policy.scope(analyst, EXPORT, Area.objects.all()).exists()
        assert not policy.scope(analyst, CAPTURE, Area.objects.all()).exists()
        assert not policy.scope(analyst, MANAGE, Area.objects.all()).exists()

    def test_an_organization_grant_is_limited_to_that_organizations_rows(
        self, people, organizations
    ):
        visible = policy.scope(people.focal_point, VIEW, Organization.objects.all())
        assert codes(visible) == {"education-tehran"}
        assert policy.can(people.focal_point, CAPTURE, organizations.education_tehran) is True
        assert policy.can(people.focal_point, CAPTURE, organizations.welfare_tehran) is False

    def test_an_organization_grant_still_covers_models_without_an_organization(self, people, areas):
        assert areas.tehran_county in policy.scope(people.focal_point, VIEW, Area.objects.all())

    def test_unregistered_models_are_refused(self, people):
        from barzan.access.models import Role

        with pytest.raises(ImproperlyConfigured):
            policy.scope(people.admin, VIEW, Role.objects.all())

    def test_unknown_actions_are_refused(self, people, areas):
        with pytest.raises(ValueError, match="Unknown action 'delete-everything'"):
            policy.can(people.admin, "delete-everything", areas.tehran)


class TestCan:
    def test_can_agrees_with_scope_for_every_area_and_action(self, people, areas):
        for user in (people.admin, people.tehran_manager, people.tehran_analyst, people.secretary):
            for action in ALL:
                scoped = set(policy.scope(user, action, Area.objects.all()))
                for area in Area.objects.all():
                    assert policy.can(user, action, area) is (area in scoped), (user, action, area)

    def test_can_agrees_with_scope_for_a_user_of_several_grants(self, people, roles, areas):
        from barzan.accounts.actions import grant_role

        # Whichever grant is read first, a later one that covers the area decides.
        user = people.tehran_analyst
        grant_role(actor=None, user=user, role=roles["area_manager"], area=areas.isfahan)
        grant_role(actor=None, user=user, role=roles["council_secretary"], area=areas.district6)
        for action in ALL:
            scoped = set(policy.scope(user, action, Area.objects.all()))
            for area in Area.objects.all():
                assert policy.can(user, action, area) is (area in scoped), (action, area)
        assert policy.can(user, MANAGE, areas.isfahan_county) is True
        assert policy.can(user, CAPTURE, areas.district6) is True
        assert policy.can(user, CAPTURE, areas.tehran_county) is False

    def test_can_on_a_model_asks_whether_any_grant_allows_the_action(self, people):
        assert policy.can(people.tehran_manager, MANAGE, Area) is True
        assert policy.can(people.tehran_analyst, MANAGE, Area) is False

    def test_can_without_an_object_asks_whether_any_grant_allows_the_action(self, people):
        assert policy.can(people.tehran_analyst, VIEW) is True
        assert policy.can(people.tehran_analyst, EXPORT) is True
        assert policy.can(people.tehran_analyst, MANAGE) is False
        assert policy.can(people.secretary, AUDIT) is False

    def test_require_raises_permission_denied(self, people, areas):
        with pytest.raises(PermissionDenied):
            policy.require(people.tehran_manager, MANAGE, areas.isfahan)
        policy.require(people.tehran_manager, MANAGE, areas.shemiranat)

    def test_the_audit_log_needs_the_audit_action_but_everyone_sees_their_own_events(
        self, people, areas
    ):
        from barzan import audit

        mine = audit.record(
            actor=people.tehran_analyst, verb="test.mine", target=areas.tehran_county
        )
        theirs = audit.record(
            actor=people.tehran_manager, verb="test.theirs", target=areas.tehran_county
        )
        visible = policy.scope(people.tehran_analyst, VIEW, AuditEvent.objects.all())
        assert mine in visible
        assert theirs not in visible
        assert policy.can(people.tehran_analyst, VIEW, AuditEvent) is False
        assert policy.can(people.tehran_analyst, VIEW, mine) is True
        assert policy.can(people.tehran_analyst, VIEW, theirs) is False
        # The manager reads the province's log: their own entries and everyone else's.
        for_manager = policy.scope(people.tehran_manager, VIEW, AuditEvent.objects.all())
        assert {mine, theirs} <= set(for_manager)


class TestGetObjectFor:
    def test_an_object_outside_the_scope_is_404(self, people, areas):
        with pytest.raises(Http404):
            policy.get_object_for(people.tehran_manager, Area.objects.all(), pk=areas.isfahan.pk)

    def test_a_visible_object_the_user_may_not_change_is_403(self, people, areas):
        with pytest.raises(PermissionDenied):
            policy.get_object_for(
                people.tehran_analyst, Area.objects.all(), MANAGE, pk=areas.tehran.pk
            )

    def test_a_visible_object_is_returned(self, people, areas):
        found = policy.get_object_for(
            people.tehran_manager, Area.objects.all(), MANAGE, pk=areas.tehran.pk
        )
        assert found == areas.tehran


class TestAreasAndUsers:
    def test_areas_lists_the_pickable_areas_for_an_action(self, people, areas):
        assert set(policy.areas(people.secretary, CAPTURE)) == {areas.district6}
        assert not policy.areas(people.secretary, MANAGE).exists()

    def test_users_who_can_act_on_an_area_are_the_holders_above_it(self, people, areas):
        managers = set(policy.users_who_can(MANAGE, areas.district6))
        assert managers == {people.admin, people.tehran_manager}
        viewers = set(policy.users_who_can(VIEW, areas.district6))
        assert people.secretary in viewers
        assert people.isfahan_manager not in viewers


class TestGranting:
    def test_an_area_manager_may_grant_ordinary_roles_in_their_province_only(
        self, people, roles, areas
    ):
        manager = people.tehran_manager
        assert policy.can_grant(manager, roles["analyst"], areas.tehran_county) is True
        assert policy.can_grant(manager, roles["analyst"], areas.isfahan) is False
        assert policy.can_grant(manager, roles["area_manager"], areas.shemiranat) is True

    def test_no_one_grants_a_privileged_role_above_their_own_rank(self, people, roles, areas):
        assert (
            policy.can_grant(people.tehran_manager, roles["national_admin"], areas.tehran) is False
        )
        assert policy.can_grant(people.admin, roles["national_admin"], areas.tehran) is True

    def test_an_analyst_grants_nothing(self, people, roles, areas):
        assert (
            policy.can_grant(people.tehran_analyst, roles["analyst"], areas.tehran_county) is False
        )

    def test_administering_an_account_needs_every_one_of_its_grants(self, people, roles, areas):
        from barzan.accounts.actions import grant_role

        assert policy.can_administer(people.tehran_manager, people.tehran_analyst) is True
        assert policy.can_administer(people.tehran_manager, people.isfahan_manager) is False
        grant_role(
            actor=None, user=people.tehran_analyst, role=roles["analyst"], area=areas.isfahan
        )
        assert policy.can_administer(people.tehran_manager, people.tehran_analyst) is False
        assert policy.can_administer(people.admin, people.tehran_analyst) is True

    def test_nobody_administers_their_own_account_or_a_higher_one(self, people):
        assert policy.can_administer(people.admin, people.admin) is False
        assert policy.can_administer(people.tehran_manager, people.admin) is False


class TestCaching:
    def test_grants_are_read_once_per_user_object(self, people, django_assert_num_queries, areas):
        user = people.tehran_manager
        policy.forget(user)
        with django_assert_num_queries(1):
            policy.grants(user)
            policy.grants(user)
            policy.can(user, VIEW, areas.tehran)


class TestLazyObjects:
    def test_a_lazy_request_user_is_judged_like_the_user_itself(self, people):
        from django.utils.functional import SimpleLazyObject

        lazy = SimpleLazyObject(lambda: people.tehran_analyst)
        assert policy.can(people.tehran_manager, MANAGE, lazy) is True
        assert policy.can(people.isfahan_manager, MANAGE, lazy) is False

    def test_users_who_can_act_on_a_user_are_those_above_their_highest_grant(self, people):
        managers = set(policy.users_who_can(MANAGE, people.tehran_analyst))
        assert managers == {people.admin, people.tehran_manager}


class TestRegistration:
    def test_a_registration_keeps_every_lookup_and_switch_it_was_given(self):
        registry = Registry()
        registry.register(
            Area,
            area="parent",
            organization="organizations",
            owner="created_by",
            actions={VIEW: MANAGE},
            many=True,
            shared_view=True,
        )
        registration = registry.get(Area)
        assert registration == Registration(
            model=Area,
            area="parent",
            organization="organizations",
            owner="created_by",
            actions={VIEW: MANAGE},
            many=True,
            shared_view=True,
        )
        assert registration.path_lookup == "parent__path__startswith"
        assert registration.effective_action(VIEW) == MANAGE
        assert registration.effective_action(CAPTURE) == CAPTURE

    def test_a_registration_reaches_its_area_directly_and_shares_nothing_by_default(self):
        registry = Registry()
        registry.register(Area, area="")
        assert registry.get(Area) == Registration(model=Area, area="")
        registration = registry.get(Area)
        assert (registration.many, registration.shared_view) == (False, False)
        assert (registration.organization, registration.owner, registration.actions) == (
            None,
            None,
            {},
        )
        assert registration.path_lookup == "path__startswith"

    @pytest.mark.parametrize(
        "actions", ({"delete": VIEW}, {VIEW: "delete"}), ids=("substituted", "substitute")
    )
    def test_unknown_actions_are_refused_when_a_model_registers(self, actions):
        registry = Registry()
        with pytest.raises(ImproperlyConfigured, match=r"Unknown actions for Area: \{'delete'\}"):
            registry.register(Area, area="", actions=actions)
        assert registry.is_registered(Area) is False

    def test_a_new_registry_knows_no_model(self):
        registry = Registry()
        assert registry.is_registered(Area) is False
        message = (
            "geo.Area is not registered with the access policy; "
            "call access.register() in its app's ready()."
        )
        with pytest.raises(ImproperlyConfigured, match=f"^{re.escape(message)}$"):
            registry.get(Area)

    def test_a_policy_answers_only_for_the_models_of_its_own_registry(self, people, areas):
        registry = Registry()
        own = AccessPolicy(registry)
        with pytest.raises(ImproperlyConfigured):
            own.scope(people.tehran_manager, VIEW, Area.objects.all())
        registry.register(Area, area="")
        assert set(own.scope(people.tehran_manager, VIEW, Area.objects.all())) == set(
            policy.scope(people.tehran_manager, VIEW, Area.objects.all())
        )


@pytest.fixture
def education_manager(areas, organizations, make_user):
    """An area manager of Tehran province for its education department's records only."""
    return make_user(
        "education-manager", "area_manager", areas.tehran, organizations.education_tehran
    )


class TestOrganizations:
    def test_privileged_roles_are_those_that_require_two_factor(self, people):
        assert policy.is_privileged(people.admin) is True
        assert policy.is_privileged(people.tehran_manager) is True
        assert policy.is_privileged(people.tehran_analyst) is False
        assert policy.is_privileged(people.nobody) is False

    def test_people_belong_to_the_organizations_their_grants_are_bound_to(
        self, people, organizations
    ):
        education = organizations.education_tehran
        assert policy.belongs_to(people.focal_point, education) is True
        assert policy.belongs_to(people.focal_point, education.pk) is True
        assert policy.belongs_to(people.focal_point, organizations.welfare_tehran) is False
        assert policy.belongs_to(people.admin, education) is False
        # Unbound grants do not make anyone belong to "no organization".
        assert policy.belongs_to(people.admin, None) is False
        assert policy.organizations_of(people.focal_point) == {education.pk}
        assert policy.organizations_of(people.admin) == frozenset()

    def test_who_may_act_on_an_organizations_row_includes_only_that_organizations_bound_grants(
        self, people, organizations, make_user, areas
    ):
        welfare_point = make_user(
            "welfare-point", "agency_focal_point", areas.tehran, organizations.welfare_tehran
        )
        viewers = set(policy.users_who_can(VIEW, organizations.education_tehran))
        assert viewers == {
            people.admin,
            people.tehran_manager,
            people.tehran_analyst,
            people.focal_point,
        }
        assert welfare_point in set(policy.users_who_can(VIEW, organizations.welfare_tehran))
        assert people.focal_point not in set(
            policy.users_who_can(VIEW, organizations.welfare_tehran)
        )

    def test_who_may_manage_a_grant_bound_to_no_organization_are_the_managers_above_it(
        self, people
    ):
        from barzan.access.models import Grant

        grant = Grant.objects.get(user=people.tehran_analyst)
        assert grant.organization is None
        assert set(policy.users_who_can(MANAGE, grant)) == {people.admin, people.tehran_manager}

    def test_an_organization_bound_manager_grants_only_for_its_organization(
        self, education_manager, organizations, roles, areas
    ):
        analyst = roles["analyst"]
        education = organizations.education_tehran
        manager = education_manager
        assert policy.can_grant(manager, analyst, areas.tehran_county, education) is True
        assert policy.can_grant(manager, analyst, areas.tehran_county, education.pk) is True
        welfare = organizations.welfare_tehran
        assert policy.can_grant(manager, analyst, areas.tehran_county, welfare) is False
        assert policy.can_grant(manager, analyst, areas.tehran_county) is False
        assert policy.can_grant(manager, analyst, areas.isfahan_county, education) is False

    def test_an_organization_bound_manager_administers_its_organizations_people_only(
        self, education_manager, people, organizations, areas, make_user
    ):
        assert policy.can_administer(education_manager, people.focal_point) is True
        welfare_point = make_user(
            "welfare-point", "agency_focal_point", areas.tehran, organizations.welfare_tehran
        )
        assert policy.can_administer(education_manager, welfare_point) is False
        assert policy.can_administer(education_manager, people.tehran_analyst) is False

    def test_administering_an_account_reads_its_grants_in_one_query(
        self, people, django_assert_num_queries
    ):
        policy.grants(people.tehran_manager)
        with django_assert_num_queries(1):
            assert policy.can_administer(people.tehran_manager, people.tehran_analyst) is True

    def test_require_administer_raises_permission_denied_for_a_higher_account(self, people):
        with pytest.raises(PermissionDenied):
            policy.require_administer(people.tehran_manager, people.admin)
        policy.require_administer(people.tehran_manager, people.tehran_analyst)


class TestActionsOnAVisibleObject:
    def test_another_action_is_judged_on_the_object_not_on_any_grant(self, people, roles, areas):
        from barzan.accounts.actions import grant_role

        # The analyst of Tehran also manages Isfahan: Tehran stays read-only to them.
        user = people.tehran_analyst
        grant_role(actor=None, user=user, role=roles["area_manager"], area=areas.isfahan)
        with pytest.raises(PermissionDenied):
            policy.get_object_for(user, Area.objects.all(), MANAGE, pk=areas.tehran.pk)
        assert policy.get_object_for(user, Area.objects.all(), MANAGE, pk=areas.isfahan.pk)


class TestSharedCatalogues:
    def test_everyone_views_a_shared_catalogue_but_manages_only_the_rows_of_their_areas(
        self, people, organizations
    ):
        from barzan.indicators.actions import create_indicator
        from barzan.indicators.models import Category, Indicator

        category = Category.objects.create(code="schools", name_fa="مدارس", name_en="Schools")
        isfahan_schools = create_indicator(
            actor=None,
            code="isfahan_schools",
            name_fa="مدارس اصفهان",
            category=category,
            owner=organizations.education_isfahan,
            value_type="count",
            aggregation="sum",
        )
        manager = people.tehran_manager
        assert policy.can(manager, VIEW, isfahan_schools) is True
        assert isfahan_schools in policy.scope(manager, VIEW, Indicator.objects.all())
        assert policy.can(manager, MANAGE, isfahan_schools) is False
        assert isfahan_schools not in policy.scope(manager, MANAGE, Indicator.objects.all())
        assert policy.can(people.isfahan_manager, MANAGE, isfahan_schools) is True
        assert policy.can(people.nobody, VIEW, isfahan_schools) is False
        assert not policy.scope(people.nobody, VIEW, Indicator.objects.all()).exists()


class TestWhoIsAUser:
    @pytest.mark.parametrize(
        "user",
        [
            None,
            SimpleNamespace(pk=1),
            SimpleNamespace(pk=1, is_authenticated=True),
            SimpleNamespace(pk=1, is_active=True),
        ],
        ids=("none", "no-flags", "no-active-flag", "no-authenticated-flag"),
    )
    def test_anything_not_an_active_signed_in_user_holds_no_grant(self, people, user):
        if user is not None:
            user.pk = people.admin.pk
        assert policy.grants(user) == ()
        assert policy.can(user, VIEW) is False


class TestAreaOf:
    def test_a_users_area_is_their_highest_grant_not_their_oldest(self, people, roles, areas):
        from barzan.accounts.actions import grant_role
        from barzan.geo.actions import create_area

        qom = create_area(
            actor=None, level=areas.tehran.level, code="25", name_fa="قم", parent=areas.country
        )
        user = people.secretary  # district 6, granted first
        grant_role(actor=None, user=user, role=roles["analyst"], area=qom)
        assert policy.area_of(user) == qom
        assert set(policy.users_who_can(MANAGE, user)) == {people.admin}

    def test_an_object_the_policy_does_not_know_lies_in_no_area(self, roles):
        assert policy.area_of(roles["analyst"]) is None
        assert policy.area_of(None) is None


class TestGrants:
    def test_a_users_grants_are_read_with_their_role_area_and_organization(
        self, people, areas, organizations
    ):
        from barzan.access.policy import UserGrant

        assert policy.grants(people.focal_point) == (
            UserGrant(
                role_code="agency_focal_point",
                actions=frozenset({VIEW, CAPTURE, EXPORT}),
                rank=10,
                is_privileged=False,
                area_id=areas.tehran.pk,
                area_path=areas.tehran.path,
                organization_id=organizations.education_tehran.pk,
            ),
        )
