"""An edit that changes nothing is no edit: the same version, no save and no audit event.

Covers every update action with a version (areas, organizations, indicators, data sets,
validation rules, user profiles), moving an area under its own parent, entering a figure
again, and the API's PATCH.
"""

from decimal import Decimal

import pytest

from barzan.accounts.actions import update_profile
from barzan.audit.models import AuditEvent
from barzan.geo.actions import move_area, update_area
from barzan.indicators.actions import (
    set_value,
    update_data_set,
    update_indicator,
    update_validation_rule,
)
from barzan.indicators.models import IndicatorValue
from barzan.registry.actions import update_organization

from .test_catalogue_pages import census  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def assert_no_write(model_instance, write):
    """Run `write`; assert it kept the version of `model_instance` and audited nothing."""
    version = type(model_instance).objects.get(pk=model_instance.pk).version
    events = AuditEvent.objects.count()
    returned = write()
    assert type(model_instance).objects.get(pk=model_instance.pk).version == version
    assert returned.version == version
    assert AuditEvent.objects.count() == events
    return returned


def assert_one_write(model_instance, write):
    version = type(model_instance).objects.get(pk=model_instance.pk).version
    events = AuditEvent.objects.count()
    write()
    assert type(model_instance).objects.get(pk=model_instance.pk).version == version + 1
    assert AuditEvent.objects.count() == events + 1


def test_an_unchanged_area_edit_keeps_its_version_and_is_not_audited(people, areas):
    area = areas.district6
    assert_no_write(
        area,
        lambda: update_area(
            actor=people.admin,
            area=area,
            version=area.version,
            code=area.code,
            name_fa=f"  {area.name_fa} ",  # cleaned to the same name
            population=area.population,
        ),
    )
    assert_one_write(
        area,
        lambda: update_area(actor=people.admin, area=area, version=None, name_fa="منطقهٔ شش"),
    )


def test_moving_an_area_under_its_own_parent_changes_nothing(people, areas):
    area = areas.district6
    assert_no_write(
        area,
        lambda: move_area(actor=people.admin, area=area, parent=area.parent, version=area.version),
    )


def test_an_unchanged_organization_edit_keeps_its_version_and_is_not_audited(
    people, areas, organizations
):
    organization = organizations.welfare_tehran
    assert_no_write(
        organization,
        lambda: update_organization(
            actor=people.admin,
            organization=organization,
            version=organization.version,
            name_fa=organization.name_fa,
            kind=organization.kind,
            area=organization.area,
            parent=None,
            covered_areas=[],
        ),
    )
    assert_one_write(
        organization,
        lambda: update_organization(
            actor=people.admin,
            organization=organization,
            version=None,
            covered_areas=[areas.tehran_county],
        ),
    )


def test_an_unchanged_indicator_edit_keeps_its_version_and_is_not_audited(people, catalogue):
    indicator = catalogue.unemployment_rate
    assert_no_write(
        indicator,
        lambda: update_indicator(
            actor=people.admin,
            indicator=indicator,
            version=indicator.version,
            name_fa=indicator.name_fa,
            factor=Decimal("100.0"),
            numerator=catalogue.unemployed,
            dimensions=indicator.dimensions,
        ),
    )
    assert_one_write(
        indicator,
        lambda: update_indicator(
            actor=people.admin, indicator=indicator, version=None, factor=Decimal(1000)
        ),
    )


def test_an_unchanged_data_set_edit_keeps_its_version_and_is_not_audited(
    people,
    catalogue,
    census,  # noqa: F811
):
    assert_no_write(
        census,
        lambda: update_data_set(
            actor=people.admin,
            data_set=census,
            version=census.version,
            name_fa=census.name_fa,
            indicators=[catalogue.households, catalogue.population],
        ),
    )
    assert_one_write(
        census,
        lambda: update_data_set(
            actor=people.admin, data_set=census, version=None, indicators=[catalogue.population]
        ),
    )


def test_an_unchanged_rule_edit_keeps_its_version_and_is_not_audited(people, catalogue):
    rule = catalogue.unemployed_le_active
    assert_no_write(
        rule,
        lambda: update_validation_rule(
            actor=people.admin,
            rule=rule,
            version=rule.version,
            operator=rule.operator,
            left=catalogue.unemployed,
            is_active=True,
        ),
    )
    assert_one_write(
        rule,
        lambda: update_validation_rule(actor=people.admin, rule=rule, version=None, operator="lt"),
    )


def test_an_unchanged_profile_edit_keeps_its_version_and_is_not_audited(people):
    user = people.tehran_manager
    assert_no_write(
        user,
        lambda: update_profile(
            actor=people.admin,
            user=user,
            version=user.version,
            first_name=user.first_name,
            email=user.email,
            language=user.language,
        ),
    )
    assert_one_write(
        user,
        lambda: update_profile(actor=user, user=user, version=None, first_name="مریم"),
    )


def test_entering_the_same_figure_again_keeps_its_version_and_is_not_audited(
    people, catalogue, neighborhoods, period
):
    def enter(version=None):
        return set_value(
            actor=people.tehran_manager,
            indicator=catalogue.population,
            area=neighborhoods.n1,
            period=period,
            value="۱۲۰۰",
            comment="سرشماری",
            version=version,
        )

    value = enter()
    assert_no_write(value, lambda: enter(version=value.version))
    assert IndicatorValue.objects.get(pk=value.pk).value == Decimal(1200)


def test_an_unchanged_api_patch_answers_the_record_as_it_was(client, login, people, organizations):
    organization = organizations.welfare_tehran
    login(people.admin)

    def patch():
        response = client.patch(
            f"/api/v1/organizations/{organization.code}",
            {
                "version": organization.version,
                "name_fa": organization.name_fa,
                "kind": organization.kind,
                "covered_area_ids": [],
            },
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        assert response.json()["version"] == organization.version
        return type(organization).objects.get(pk=organization.pk)

    assert_no_write(organization, patch)
