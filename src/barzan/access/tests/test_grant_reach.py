"""
How far a grant reaches, model by model.

- A grant bound to an organization sees only that organization's rows of every model that
  registers an organization, even when the grant is on the root of the tree.
- A grant on the root covers rows that lie in no area; a grant anywhere below it does not.

Each case compares `scope()` and `can()` with an answer worked out here from the rows
themselves, for every action, so that both doors of the policy are held to the same rule.
"""

from types import SimpleNamespace

import pytest

from barzan.access import policy
from barzan.access.actions import ALL, AUDIT, CAPTURE, EXPORT, MANAGE, VIEW
from barzan.access.models import Grant
from barzan.accounts.models import User
from barzan.audit.models import AuditEvent
from barzan.geo.models import Area
from barzan.indicators.models import (
    Category,
    IndicatorAggregate,
    IndicatorValue,
    Period,
    ValueChange,
    ValueImport,
)
from barzan.registry.models import Organization

pytestmark = pytest.mark.django_db

# How each model that registers an organization reaches it and its area, written out here
# rather than read from the registry, so that a wrong registration fails too.
ORGANIZATION_OF = {
    Organization: lambda row: row.pk,
    IndicatorValue: lambda row: row.indicator.owner_id,
    IndicatorAggregate: lambda row: row.indicator.owner_id,
    ValueChange: lambda row: row.indicator.owner_id,
    ValueImport: lambda row: row.source_id,
    Grant: lambda row: row.organization_id,
}
AREA_OF = {
    Organization: lambda row: row.area,
    IndicatorValue: lambda row: row.area,
    IndicatorAggregate: lambda row: row.area,
    ValueChange: lambda row: row.area,
    ValueImport: lambda row: row.area,
    Grant: lambda row: row.area,
}
# The action a role needs to take `action` on a row of the model (see the apps' ready()).
NEEDS = {Grant: {VIEW: MANAGE, EXPORT: MANAGE}}


def labels(rows):
    return {(row.__class__.__name__, row.pk) for row in rows}


@pytest.fixture
def figures(areas, organizations):
    """Figures of three organizations in Tehran's and Isfahan's counties, rolled up to the
    provinces and the country, with their change history and one import each."""
    from barzan.indicators.actions import create_indicator, set_value

    category = Category.objects.create(code="people", name_fa="جمعیت", name_en="People")
    period = Period.objects.get(code="1402")

    def count_of(code, owner):
        return create_indicator(
            actor=None,
            code=code,
            name_fa=code,
            name_en=code,
            category=category,
            owner=owner,
            value_type="count",
            aggregation="sum",
        )

    indicators = [
        count_of("students", organizations.education_tehran),
        count_of("clients", organizations.welfare_tehran),
        count_of("schools", organizations.education_isfahan),
    ]
    for indicator in indicators:
        for county in (areas.tehran_county, areas.isfahan_county):
            set_value(actor=None, indicator=indicator, area=county, period=period, value="12")
    for source, area in (
        (organizations.education_tehran, areas.tehran),
        (organizations.welfare_tehran, areas.tehran),
        (organizations.education_isfahan, areas.isfahan),
        (organizations.education_tehran, areas.isfahan_county),
    ):
        ValueImport.objects.create(
            area=area, source=source, file_name="figures.csv", format="csv", status="done"
        )
    assert IndicatorAggregate.objects.filter(area=areas.country).count() == len(indicators)
    return SimpleNamespace(indicators=indicators, period=period)


@pytest.fixture
def bound(areas, organizations, make_user, people, figures):
    """Users whose grants are bound to Tehran's education department: every action on the
    whole country, the focal point's actions on the whole country, and on Tehran only."""
    # Grants bound to other organizations and to none, for the Grant rows to tell apart.
    make_user("welfare-point", "agency_focal_point", areas.tehran, organizations.welfare_tehran)
    make_user("isfahan-point", "agency_focal_point", areas.isfahan, organizations.education_isfahan)
    national_manager = make_user(
        "national-education-manager", "area_manager", areas.country, organizations.education_tehran
    )
    national_point = make_user(
        "national-education-point",
        "agency_focal_point",
        areas.country,
        organizations.education_tehran,
    )
    return SimpleNamespace(
        national_manager=national_manager,
        national_point=national_point,
        tehran_point=people.focal_point,
        organization=organizations.education_tehran,
    )


def expected_rows(user, action, model):
    """Return the rows of `model` the user's grants cover, worked out from the rows."""
    needed = NEEDS.get(model, {}).get(action, action)
    rows = set()
    for row in model.objects.select_related():
        organization = ORGANIZATION_OF[model](row)
        path = AREA_OF[model](row).path
        for grant in Grant.objects.filter(user=user).select_related("role", "area"):
            if needed not in grant.role.actions:
                continue
            if grant.area.parent_id is not None and not path.startswith(grant.area.path):
                continue
            if grant.organization_id is not None and organization != grant.organization_id:
                continue
            rows.add(row)
        # Everyone views their own grants (and the imports they made; none here).
        if model is Grant and action == VIEW and row.user_id == user.pk:
            rows.add(row)
    return rows


ORGANIZATION_MODELS = list(ORGANIZATION_OF)


def assert_scope_and_can_follow_the_grants(user, model, actions=ALL):
    """Check `scope()` and `can()` for every action against the rows the grants cover."""
    for action in actions:
        visible = set(policy.scope(user, action, model.objects.all()))
        assert labels(visible) == labels(expected_rows(user, action, model)), action
        for row in model.objects.all():
            assert policy.can(user, action, row) is (row in visible), (action, row)


class TestAnOrganizationBoundGrantOnTheRoot:
    @pytest.mark.parametrize("model", ORGANIZATION_MODELS, ids=lambda model: model.__name__)
    def test_sees_only_its_organizations_rows_in_every_area(self, bound, model):
        assert_scope_and_can_follow_the_grants(bound.national_manager, model)

    @pytest.mark.parametrize("model", ORGANIZATION_MODELS, ids=lambda model: model.__name__)
    def test_sees_its_rows_outside_the_province_of_its_organization(self, bound, areas, model):
        visible = policy.scope(bound.national_point, VIEW, model.objects.all())
        in_isfahan = [
            row for row in visible if AREA_OF[model](row).path.startswith(areas.isfahan.path)
        ]
        if model is Organization:
            # Tehran's education department is seated in Tehran.
            assert in_isfahan == []
        elif model is Grant:
            # A focal point does not manage grants, but sees its own, on the country.
            assert [grant.area for grant in visible] == [areas.country]
        else:
            assert in_isfahan
            assert {ORGANIZATION_OF[model](row) for row in in_isfahan} == {bound.organization.pk}

    @pytest.mark.parametrize("model", ORGANIZATION_MODELS, ids=lambda model: model.__name__)
    def test_a_focal_point_on_the_root_is_held_to_its_organization_and_its_role(self, bound, model):
        assert_scope_and_can_follow_the_grants(bound.national_point, model)

    def test_the_country_roll_ups_it_sees_are_its_organizations(self, bound, areas, figures):
        visible = policy.scope(bound.national_manager, VIEW, IndicatorAggregate.objects.all())
        at_the_top = visible.filter(area=areas.country)
        assert [row.indicator.code for row in at_the_top] == ["students"]

    def test_an_unbound_grant_beside_it_widens_what_the_user_sees(
        self, bound, areas, roles, figures
    ):
        from barzan.accounts.actions import grant_role

        user = bound.national_point
        before = policy.scope(user, VIEW, IndicatorValue.objects.all()).count()
        grant_role(actor=None, user=user, role=roles["analyst"], area=areas.isfahan)
        after = set(policy.scope(user, VIEW, IndicatorValue.objects.all()))
        assert len(after) == before + 2  # welfare's and Isfahan's figures in Isfahan county
        # The bound grant comes first and does not cover them; the next one does.
        assert_scope_and_can_follow_the_grants(user, IndicatorValue, (VIEW, CAPTURE))


class TestAnOrganizationBoundGrantBelowTheRoot:
    @pytest.mark.parametrize("model", ORGANIZATION_MODELS, ids=lambda model: model.__name__)
    def test_sees_its_organizations_rows_in_its_area_only(self, bound, model):
        assert_scope_and_can_follow_the_grants(bound.tehran_point, model)


@pytest.fixture
def unplaced(people, areas, organizations, make_user):
    """Rows that lie in no area: a system event, and an account that holds no grant."""
    event = AuditEvent.objects.create(actor_label="system", verb="test.unplaced")
    placed = AuditEvent.objects.create(
        actor_label="system", verb="test.placed", area=areas.isfahan_county
    )
    national_education = make_user(
        "national-education-auditor",
        "area_manager",
        areas.country,
        organizations.education_tehran,
    )
    return SimpleNamespace(
        event=event,
        placed=placed,
        account=people.nobody,
        national_education=national_education,
    )


class TestRowsInNoArea:
    @pytest.mark.parametrize("action", (VIEW, AUDIT, EXPORT))
    def test_a_root_grant_covers_an_event_in_no_area(self, people, unplaced, action):
        assert unplaced.event in policy.scope(people.admin, action, AuditEvent.objects.all())
        assert policy.can(people.admin, action, unplaced.event) is True

    @pytest.mark.parametrize("action", (VIEW, AUDIT, EXPORT))
    def test_a_grant_below_the_root_does_not_cover_an_event_in_no_area(
        self, people, unplaced, action
    ):
        for user in (people.tehran_manager, people.isfahan_manager):
            assert unplaced.event not in policy.scope(user, action, AuditEvent.objects.all())
            assert policy.can(user, action, unplaced.event) is False
        # The province's own events stay visible to the province.
        assert policy.can(people.isfahan_manager, action, unplaced.placed) is True
        assert policy.can(people.tehran_manager, action, unplaced.placed) is False

    def test_an_organization_bound_root_grant_covers_events_in_no_area(self, unplaced):
        # Audit events belong to no organization: the binding does not narrow them.
        user = unplaced.national_education
        assert set(policy.scope(user, AUDIT, AuditEvent.objects.all())) == set(
            AuditEvent.objects.all()
        )
        assert policy.can(user, AUDIT, unplaced.event) is True

    def test_a_role_without_the_action_does_not_cover_an_event_in_no_area_even_at_the_root(
        self, people, unplaced, make_user, areas
    ):
        national_analyst = make_user("national-analyst", "analyst", areas.country)
        assert policy.can(national_analyst, AUDIT, unplaced.event) is False
        assert unplaced.event not in policy.scope(national_analyst, AUDIT, AuditEvent.objects.all())

    def test_a_root_grant_covers_an_account_that_holds_no_grant(self, people, unplaced):
        assert unplaced.account in policy.scope(people.admin, MANAGE, User.objects.all())
        assert policy.can(people.admin, MANAGE, unplaced.account) is True
        assert policy.can_administer(people.admin, unplaced.account) is True

    def test_a_grant_below_the_root_does_not_cover_an_account_that_holds_no_grant(
        self, people, unplaced
    ):
        manager = people.tehran_manager
        assert unplaced.account not in policy.scope(manager, MANAGE, User.objects.all())
        assert policy.can(manager, MANAGE, unplaced.account) is False
        assert policy.can_administer(manager, unplaced.account) is False

    def test_who_may_act_on_a_row_in_no_area_are_the_holders_of_root_grants(self, people, unplaced):
        assert set(policy.users_who_can(AUDIT, unplaced.event)) == {
            people.admin,
            unplaced.national_education,
        }
        assert set(policy.users_who_can(MANAGE, unplaced.account)) == {
            people.admin,
            unplaced.national_education,
        }
        assert policy.area_of(unplaced.event) is None
        assert policy.area_of(unplaced.account) is None

    def test_the_root_is_the_area_with_no_parent_not_any_short_path(self, people, areas):
        # A province's path has one more step than the root's; it covers only its own tree.
        assert all(
            area.path.startswith(areas.tehran.path)
            for area in policy.scope(people.tehran_manager, VIEW, Area.objects.all())
        )
        assert policy.can(people.tehran_manager, VIEW, areas.country) is False
