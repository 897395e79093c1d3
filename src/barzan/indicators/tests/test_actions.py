"""The writes of the indicators app: one figure at a time, the catalogue, data sets and rules."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from barzan.audit.models import AuditEvent
from barzan.core.exceptions import ConcurrentEditError
from barzan.geo.actions import merge_areas
from barzan.indicators.actions import (
    DATA_SET_CHANGED,
    DATA_SET_CREATED,
    INDICATOR_CHANGED,
    INDICATOR_CREATED,
    RULE_CHANGED,
    RULE_CREATED,
    VALUE_CLEARED,
    VALUE_SET,
    create_data_set,
    create_indicator,
    create_validation_rule,
    set_value,
    update_data_set,
    update_indicator,
    update_validation_rule,
)
from barzan.indicators.models import DataSet, Indicator, IndicatorValue, ValueChange

from .fixtures_core import (  # noqa: F401
    breakdown,
    enter_fixture,
    isfahan_indicator_fixture,
    q6,
    row_counts,
    welfare_indicator_fixture,
)

pytestmark = pytest.mark.usefixtures("english")


def stored(indicator, area, by="total"):
    return IndicatorValue.objects.filter(indicator=indicator, area=area, breakdown__code=by).first()


def messages(error: ValidationError, field: str) -> list[str]:
    return [str(message) for message in error.message_dict[field]]


class TestSetValue:
    def test_a_figure_is_stored_with_who_entered_it(self, catalogue, neighborhoods, period, people):
        value = set_value(
            actor=people.tehran_manager,
            indicator=catalogue.population,
            area=neighborhoods.n1,
            period=period,
            value="1200",
            comment="سرشماری",
        )
        assert value.pk is not None
        assert value == stored(catalogue.population, neighborhoods.n1)
        assert (value.value, value.version) == (Decimal(1200), 1)
        assert value.entered_by == people.tehran_manager
        assert value.source == catalogue.owner
        assert value.comment == "سرشماری"
        assert value.breakdown.code == "total"

    def test_entering_a_figure_records_its_change_and_an_audit_event(
        self, catalogue, neighborhoods, period, people
    ):
        set_value(
            actor=people.tehran_manager,
            indicator=catalogue.population,
            area=neighborhoods.n1,
            period=period,
            value="1200",
        )
        change = ValueChange.objects.get()
        assert (change.old_value, q6(change.new_value)) == (None, q6(1200))
        assert change.changed_by == people.tehran_manager
        assert change.changed_by_label == "tehran-manager"
        event = AuditEvent.objects.get(verb=VALUE_SET)
        assert event.actor == people.tehran_manager
        assert event.area == neighborhoods.n1
        assert event.before is None
        assert event.after["value"] == "1200"
        assert event.after["period"] == "1402"

    def test_changing_a_figure_keeps_the_old_value(self, catalogue, neighborhoods, enter):
        enter(catalogue.population, neighborhoods.n1, "1200")
        changed = enter(catalogue.population, neighborhoods.n1, "1300", version=1)
        assert (changed.value, changed.version) == (Decimal(1300), 2)
        latest = ValueChange.objects.first()
        assert (q6(latest.old_value), q6(latest.new_value)) == (q6(1200), q6(1300))
        event = AuditEvent.objects.filter(verb=VALUE_SET).first()
        assert (event.before["value"], event.after["value"]) == ("1200", "1300")

    def test_entering_the_same_figure_again_changes_nothing(self, catalogue, neighborhoods, enter):
        enter(catalogue.population, neighborhoods.n1, "1200")
        before = row_counts()
        again = enter(catalogue.population, neighborhoods.n1, "۱۲۰۰", version=1)
        assert again.version == 1
        assert row_counts() == before

    def test_persian_digits_and_separators_are_read(self, catalogue, neighborhoods, enter):
        assert enter(catalogue.population, neighborhoods.n1, "۱٬۲۳۴").value == Decimal(1234)
        assert enter(catalogue.literacy, neighborhoods.n1, "۸۷٫۵").value == Decimal("87.5")

    def test_a_decimal_value_is_taken_as_it_is(self, catalogue, neighborhoods, enter):
        assert enter(catalogue.satisfaction, neighborhoods.n1, Decimal("7.25")).value == Decimal(
            "7.25"
        )

    def test_the_comment_is_stored_cleaned(self, catalogue, neighborhoods, enter):
        value = enter(
            catalogue.population, neighborhoods.n1, "1", comment=" كتابخانه ي\u200f  محله \n\n\n"
        )
        assert value.comment == "کتابخانه ی محله"

    def test_a_figure_for_a_breakdown_is_stored_apart(self, catalogue, neighborhoods, enter):
        enter(catalogue.population, neighborhoods.n1, "100")
        enter(catalogue.population, neighborhoods.n1, "45", by="female")
        assert stored(catalogue.population, neighborhoods.n1).value == Decimal(100)
        assert stored(catalogue.population, neighborhoods.n1, "female").value == Decimal(45)

    @pytest.mark.parametrize(
        ("indicator", "text", "message"),
        [
            ("population", "many", "«many» is not a number."),
            ("population", "-1", "A count cannot be negative."),
            ("population", "1.5", "A count is a whole number, not 1.5."),
            ("literacy", "101", "A percentage lies between 0 and 100, not 101."),
            ("satisfaction", "11", "11 is above the largest plausible value, 10."),
            ("has_park", "perhaps", "Write 1 for yes or 0 for no, not «perhaps»."),
            ("population", "NaN", "«NaN» is not a number."),
        ],
    )
    def test_a_bad_value_is_refused_on_the_value_field(
        self, catalogue, neighborhoods, enter, indicator, text, message
    ):
        before = row_counts()
        with pytest.raises(ValidationError) as raised:
            enter(getattr(catalogue, indicator), neighborhoods.n1, text)
        assert messages(raised.value, "value") == [message]
        assert row_counts() == before

    def test_a_stale_version_is_refused_without_overwriting(self, catalogue, neighborhoods, enter):
        enter(catalogue.population, neighborhoods.n1, "1200")  # someone saw version 1…
        enter(catalogue.population, neighborhoods.n1, "1250", version=1)  # …and saved 2
        before = row_counts()
        with pytest.raises(ConcurrentEditError):
            enter(catalogue.population, neighborhoods.n1, "1300", version=1)
        assert stored(catalogue.population, neighborhoods.n1).value == Decimal(1250)
        assert row_counts() == before

    def test_a_figure_entered_meanwhile_by_someone_else_is_not_overwritten(
        self, catalogue, neighborhoods, enter
    ):
        enter(catalogue.population, neighborhoods.n1, "1200")
        with pytest.raises(ConcurrentEditError):
            enter(catalogue.population, neighborhoods.n1, "1300", version=0)  # saw none
        assert stored(catalogue.population, neighborhoods.n1).value == Decimal(1200)

    def test_a_stale_version_cannot_clear_a_figure(self, catalogue, neighborhoods, enter):
        enter(catalogue.population, neighborhoods.n1, "1200")
        enter(catalogue.population, neighborhoods.n1, "1250", version=1)
        with pytest.raises(ConcurrentEditError):
            enter(catalogue.population, neighborhoods.n1, "", version=1)
        assert stored(catalogue.population, neighborhoods.n1) is not None

    def test_clearing_a_figure_deletes_it_and_keeps_its_history(
        self, catalogue, neighborhoods, enter
    ):
        enter(catalogue.population, neighborhoods.n1, "1200")
        assert enter(catalogue.population, neighborhoods.n1, "", version=1) is None
        assert stored(catalogue.population, neighborhoods.n1) is None
        latest = ValueChange.objects.first()
        assert (q6(latest.old_value), latest.new_value) == (q6(1200), None)
        event = AuditEvent.objects.get(verb=VALUE_CLEARED)
        assert event.before["value"] == "1200"

    def test_clearing_a_figure_that_is_not_there_does_nothing(
        self, catalogue, neighborhoods, enter
    ):
        before = row_counts()
        assert enter(catalogue.population, neighborhoods.n1, "  ") is None
        assert row_counts() == before

    def test_an_ended_area_is_refused(self, catalogue, neighborhoods, enter):
        merge_areas(
            actor=None,
            areas=[neighborhoods.n2, neighborhoods.n3],
            code="N4",
            name_fa="محله چهار",
            date=date(2024, 1, 1),
        )
        neighborhoods.n2.refresh_from_db()
        with pytest.raises(ValidationError) as raised:
            enter(catalogue.population, neighborhoods.n2, "10")
        assert messages(raised.value, "area") == [
            "This area has ended; enter figures for its successors."
        ]

    def test_a_calculated_indicator_is_refused(self, catalogue, neighborhoods, enter):
        with pytest.raises(ValidationError) as raised:
            enter(catalogue.unemployment_rate, neighborhoods.n1, "12")
        assert messages(raised.value, "value") == ["A calculated figure is not entered."]

    def test_a_breakdown_the_indicator_lacks_is_refused(self, catalogue, neighborhoods, enter):
        with pytest.raises(ValidationError) as raised:
            enter(catalogue.households, neighborhoods.n1, "12", by="female")
        assert messages(raised.value, "breakdown") == [
            "This indicator is not broken down this way."
        ]
        with pytest.raises(ValidationError):
            enter(catalogue.active, neighborhoods.n1, "12", by="higher")  # sex only

    def test_the_source_may_be_another_organization(
        self, catalogue, neighborhoods, enter, organizations
    ):
        value = enter(
            catalogue.population, neighborhoods.n1, "1", source=organizations.welfare_tehran
        )
        assert value.source == organizations.welfare_tehran
        # A change without a source keeps the one the figure has.
        value = enter(catalogue.population, neighborhoods.n1, "2")
        assert value.source == organizations.welfare_tehran

    def test_a_value_that_rounds_past_the_largest_is_refused(self, catalogue, neighborhoods, enter):
        with pytest.raises(ValidationError):
            enter(catalogue.households, neighborhoods.n1, "99999999999999.9999999")


class TestWhoMaySetValues:
    def test_the_tehran_manager_may_not_enter_an_isfahan_figure(
        self, catalogue, neighborhoods, enter, people
    ):
        with pytest.raises(PermissionDenied):
            enter(catalogue.population, neighborhoods.isfahan, "1", actor=people.tehran_manager)
        assert not IndicatorValue.objects.exists()

    def test_an_analyst_may_not_enter_figures(self, catalogue, neighborhoods, enter, people):
        with pytest.raises(PermissionDenied):
            enter(catalogue.population, neighborhoods.n1, "1", actor=people.tehran_analyst)

    def test_someone_without_a_grant_may_not_enter_figures(
        self, catalogue, neighborhoods, enter, people
    ):
        with pytest.raises(PermissionDenied):
            enter(catalogue.population, neighborhoods.n1, "1", actor=people.nobody)

    def test_the_focal_point_enters_their_agencys_figures_in_tehran(
        self, catalogue, neighborhoods, enter, people
    ):
        value = enter(catalogue.population, neighborhoods.n1, "1", actor=people.focal_point)
        assert value.entered_by == people.focal_point

    def test_the_focal_point_may_not_enter_their_agencys_figures_in_isfahan(
        self, catalogue, neighborhoods, enter, people
    ):
        with pytest.raises(PermissionDenied):
            enter(catalogue.population, neighborhoods.isfahan, "1", actor=people.focal_point)

    def test_the_focal_point_may_not_enter_another_agencys_figures(
        self, neighborhoods, enter, people, welfare_indicator
    ):
        with pytest.raises(PermissionDenied):
            enter(welfare_indicator, neighborhoods.n1, "1", actor=people.focal_point)

    def test_the_secretary_enters_figures_in_their_district_only(
        self, catalogue, neighborhoods, enter, people, areas
    ):
        enter(catalogue.population, neighborhoods.n1, "1", actor=people.secretary)
        with pytest.raises(PermissionDenied):
            enter(catalogue.population, areas.shemiranat, "1", actor=people.secretary)


@pytest.fixture
def indicator_fields(catalogue):
    return {
        "code": "schools",
        "name_fa": "مدارس",
        "name_en": "Schools",
        "category": catalogue.population.category,
        "owner": catalogue.owner,
        "value_type": "count",
        "aggregation": "sum",
    }


class TestIndicators:
    def test_a_manager_adds_an_indicator_and_it_is_audited(self, indicator_fields, people):
        indicator = create_indicator(actor=people.tehran_manager, **indicator_fields)
        assert Indicator.objects.get(code="schools") == indicator
        event = AuditEvent.objects.get(verb=INDICATOR_CREATED, target_id=str(indicator.pk))
        assert event.actor == people.tehran_manager
        assert event.after["code"] == "schools"

    def test_names_and_codes_are_stored_cleaned(self, indicator_fields):
        indicator = create_indicator(
            actor=None, **{**indicator_fields, "name_fa": " مدارس  ابتدايي ", "code": " schools "}
        )
        assert (indicator.code, indicator.name_fa) == ("schools", "مدارس ابتدایی")

    @pytest.mark.parametrize("who", ["tehran_analyst", "focal_point", "isfahan_manager", "nobody"])
    def test_only_a_manager_of_the_owners_area_adds_an_indicator(
        self, indicator_fields, people, who
    ):
        with pytest.raises(PermissionDenied):
            create_indicator(actor=getattr(people, who), **indicator_fields)
        assert not Indicator.objects.filter(code="schools").exists()

    def test_a_calculated_indicator_needs_a_numerator_and_a_denominator(self, indicator_fields):
        with pytest.raises(ValidationError) as raised:
            create_indicator(
                actor=None, **{**indicator_fields, "kind": "calculated", "aggregation": "none"}
            )
        assert set(raised.value.message_dict) == {"numerator", "denominator"}

    def test_a_measured_indicator_has_no_numerator(self, indicator_fields, catalogue):
        with pytest.raises(ValidationError) as raised:
            create_indicator(actor=None, **indicator_fields, numerator=catalogue.population)
        assert "kind" in raised.value.message_dict

    def test_the_parts_of_a_ratio_must_be_measured(self, indicator_fields, catalogue):
        with pytest.raises(ValidationError) as raised:
            create_indicator(
                actor=None,
                **{**indicator_fields, "kind": "calculated", "value_type": "percent"},
                numerator=catalogue.unemployment_rate,
                denominator=catalogue.active,
            )
        assert messages(raised.value, "numerator") == ["Choose a measured indicator."]

    @pytest.mark.parametrize("part", ["literacy", "satisfaction"])
    def test_the_parts_of_a_ratio_must_add_up(self, indicator_fields, catalogue, part):
        with pytest.raises(ValidationError) as raised:
            create_indicator(
                actor=None,
                **{**indicator_fields, "kind": "calculated", "value_type": "number"},
                numerator=catalogue.population,
                denominator=getattr(catalogue, part),
            )
        assert messages(raised.value, "denominator") == [
            "A ratio is a ratio of sums: its parts must add up (aggregation sum)."
        ]

    def test_a_ratio_of_two_sums_is_accepted(self, indicator_fields, catalogue):
        indicator = create_indicator(
            actor=None,
            **{**indicator_fields, "kind": "calculated", "value_type": "number"},
            numerator=catalogue.population,
            denominator=catalogue.households,
        )
        assert indicator.is_calculated

    def test_an_unknown_breakdown_dimension_is_refused(self, indicator_fields):
        with pytest.raises(ValidationError) as raised:
            create_indicator(actor=None, **indicator_fields, dimensions=["sex", "religion"])
        assert messages(raised.value, "dimensions") == ["Unknown breakdown: religion."]

    def test_a_bad_code_is_refused(self, indicator_fields):
        with pytest.raises(ValidationError) as raised:
            create_indicator(actor=None, **{**indicator_fields, "code": "مدارس"})
        assert "code" in raised.value.message_dict

    def test_a_change_is_audited_with_what_it_replaced(self, catalogue, people):
        indicator = catalogue.households
        changed = update_indicator(
            actor=people.tehran_manager,
            indicator=indicator,
            version=indicator.version,
            name_en="Families",
        )
        assert (changed.name_en, changed.version) == ("Families", indicator.version + 1)
        event = AuditEvent.objects.get(verb=INDICATOR_CHANGED)
        assert (event.before["name_en"], event.after["name_en"]) == ("Households", "Families")

    def test_a_stale_version_is_refused(self, catalogue):
        indicator = catalogue.households
        seen = indicator.version
        update_indicator(actor=None, indicator=indicator, version=seen, name_en="Families")
        with pytest.raises(ConcurrentEditError):
            update_indicator(actor=None, indicator=indicator, version=seen, name_en="Homes")
        assert Indicator.objects.get(pk=indicator.pk).name_en == "Families"

    @pytest.mark.parametrize("who", ["tehran_analyst", "isfahan_manager", "focal_point"])
    def test_only_a_manager_of_the_owners_area_changes_an_indicator(self, catalogue, people, who):
        with pytest.raises(PermissionDenied):
            update_indicator(
                actor=getattr(people, who),
                indicator=catalogue.households,
                version=None,
                name_en="Families",
            )

    def test_a_manager_may_not_give_an_indicator_away_beyond_their_area(
        self, catalogue, people, organizations
    ):
        with pytest.raises(PermissionDenied):
            update_indicator(
                actor=people.tehran_manager,
                indicator=catalogue.households,
                version=None,
                owner=organizations.education_isfahan,
            )
        assert Indicator.objects.get(pk=catalogue.households.pk).owner == catalogue.owner

    def test_a_calculated_indicator_may_not_be_changed_to_divide_by_a_mean(self, catalogue):
        with pytest.raises(ValidationError):
            update_indicator(
                actor=None,
                indicator=catalogue.unemployment_rate,
                version=None,
                denominator=catalogue.literacy,
            )

    def test_a_part_of_a_ratio_may_not_be_changed_to_a_mean(self, catalogue):
        with pytest.raises(ValidationError):
            update_indicator(
                actor=None, indicator=catalogue.active, version=None, aggregation="mean"
            )

    def test_a_part_of_a_ratio_may_not_become_calculated(self, catalogue):
        with pytest.raises(ValidationError):
            update_indicator(
                actor=None,
                indicator=catalogue.active,
                version=None,
                kind="calculated",
                aggregation="none",
                numerator=catalogue.population,
                denominator=catalogue.households,
            )

    def test_an_unknown_field_is_a_programming_error(self, catalogue):
        with pytest.raises(ValueError, match="cannot be set here"):
            update_indicator(
                actor=None, indicator=catalogue.households, version=None, version_number=3
            )


@pytest.fixture
def neighborhood_level(areas):
    from barzan.geo.models import AreaLevel

    return AreaLevel.objects.get(code="neighborhood")


@pytest.fixture
def data_set_fields(catalogue, neighborhood_level):
    return {
        "code": "neighborhood-census",
        "name_fa": "سرشماری محله",
        "level": neighborhood_level,
        "period_type": "year",
        "owner": catalogue.owner,
    }


class TestDataSets:
    def test_a_manager_groups_indicators_into_a_data_set(self, catalogue, data_set_fields, people):
        data_set = create_data_set(
            actor=people.tehran_manager,
            indicators=[catalogue.population, catalogue.households],
            **data_set_fields,
        )
        assert set(data_set.indicators.all()) == {catalogue.population, catalogue.households}
        event = AuditEvent.objects.get(verb=DATA_SET_CREATED)
        assert sorted(event.after["indicators"]) == sorted(
            [catalogue.population.pk, catalogue.households.pk]
        )

    @pytest.mark.parametrize("who", ["tehran_analyst", "isfahan_manager", "secretary"])
    def test_only_a_manager_of_the_owners_area_adds_a_data_set(
        self, catalogue, data_set_fields, people, who
    ):
        with pytest.raises(PermissionDenied):
            create_data_set(actor=getattr(people, who), **data_set_fields)
        assert not DataSet.objects.exists()

    def test_a_data_set_needs_a_known_period_type(self, data_set_fields):
        with pytest.raises(ValidationError) as raised:
            create_data_set(actor=None, **{**data_set_fields, "period_type": "week"})
        assert "period_type" in raised.value.message_dict

    def test_changing_the_indicators_of_a_data_set_is_audited(
        self, catalogue, data_set_fields, people
    ):
        data_set = create_data_set(actor=None, indicators=[catalogue.population], **data_set_fields)
        changed = update_data_set(
            actor=people.tehran_manager,
            data_set=data_set,
            version=data_set.version,
            indicators=[catalogue.households],
            name_en="Census",
        )
        assert list(changed.indicators.all()) == [catalogue.households]
        assert changed.name_en == "Census"
        event = AuditEvent.objects.get(verb=DATA_SET_CHANGED)
        assert event.before["indicators"] == [catalogue.population.pk]
        assert event.after["indicators"] == [catalogue.households.pk]

    def test_a_stale_data_set_is_refused(self, catalogue, data_set_fields):
        data_set = create_data_set(actor=None, **data_set_fields)
        seen = data_set.version
        update_data_set(actor=None, data_set=data_set, version=seen, name_en="Census")
        with pytest.raises(ConcurrentEditError):
            update_data_set(actor=None, data_set=data_set, version=seen, name_en="Other")
        assert DataSet.objects.get().name_en == "Census"

    def test_a_data_set_may_not_be_moved_out_of_the_managers_area(
        self, data_set_fields, people, organizations
    ):
        data_set = create_data_set(actor=None, **data_set_fields)
        with pytest.raises(PermissionDenied):
            update_data_set(
                actor=people.tehran_manager,
                data_set=data_set,
                version=None,
                owner=organizations.education_isfahan,
            )


class TestValidationRules:
    def rule(self, catalogue, **fields):
        return create_validation_rule(
            actor=fields.pop("actor", None),
            **{
                "code": "rule",
                "name_fa": "قاعده",
                "left": catalogue.unemployed,
                "operator": "le",
                "right": catalogue.population,
                **fields,
            },
        )

    def test_a_manager_adds_a_rule_and_it_is_audited(self, catalogue, people):
        rule = self.rule(catalogue, actor=people.tehran_manager)
        event = AuditEvent.objects.get(verb=RULE_CREATED, target_id=str(rule.pk))
        assert event.actor == people.tehran_manager

    def test_an_analyst_may_not_add_a_rule(self, catalogue, people):
        with pytest.raises(PermissionDenied):
            self.rule(catalogue, actor=people.tehran_analyst)

    def test_the_sum_of_the_parts_of_a_dimension_of_the_left_indicator(self, catalogue):
        rule = self.rule(catalogue, left_dimension="education", right=catalogue.unemployed)
        assert rule.left_dimension == "education"

    def test_left_dimension_must_be_a_dimension_of_the_left_indicator(self, catalogue):
        with pytest.raises(ValidationError) as raised:
            self.rule(catalogue, left=catalogue.active, left_dimension="education")
        assert messages(raised.value, "left_dimension") == [
            "The left indicator is not broken down this way."
        ]

    def test_a_rule_compares_either_the_sum_of_the_parts_or_one_breakdown(self, catalogue):
        with pytest.raises(ValidationError) as raised:
            self.rule(catalogue, left_dimension="sex", left_breakdown=breakdown("female"))
        assert "left_dimension" in raised.value.message_dict

    @pytest.mark.parametrize("side", ["left", "right"])
    def test_a_breakdown_must_belong_to_its_indicator(self, catalogue, side):
        with pytest.raises(ValidationError) as raised:
            self.rule(
                catalogue,
                **{side: catalogue.households, f"{side}_breakdown": breakdown("female")},
            )
        assert messages(raised.value, f"{side}_breakdown") == [
            "This indicator is not broken down this way."
        ]

    def test_the_total_breakdown_suits_every_indicator(self, catalogue):
        rule = self.rule(catalogue, right=catalogue.households, right_breakdown=breakdown("total"))
        assert rule.right_breakdown.code == "total"

    def test_a_rule_change_is_checked_and_audited(self, catalogue):
        rule = catalogue.unemployed_le_active
        changed = update_validation_rule(actor=None, rule=rule, version=rule.version, operator="lt")
        assert changed.operator == "lt"
        assert AuditEvent.objects.filter(verb=RULE_CHANGED).count() == 1
        with pytest.raises(ValidationError):
            update_validation_rule(
                actor=None, rule=rule, version=changed.version, left_dimension="age_group"
            )

    def test_a_stale_rule_is_refused(self, catalogue):
        rule = catalogue.unemployed_le_active
        seen = rule.version
        update_validation_rule(actor=None, rule=rule, version=seen, operator="lt")
        with pytest.raises(ConcurrentEditError):
            update_validation_rule(actor=None, rule=rule, version=seen, operator="eq")

    def test_a_manager_may_not_move_a_rule_out_of_their_area(
        self, catalogue, people, isfahan_indicator
    ):
        rule = catalogue.unemployed_le_active
        with pytest.raises(PermissionDenied):
            update_validation_rule(
                actor=people.tehran_manager, rule=rule, version=None, left=isfahan_indicator
            )

    def test_a_manager_may_not_add_a_rule_on_another_provinces_indicator(
        self, catalogue, people, isfahan_indicator
    ):
        with pytest.raises(PermissionDenied):
            self.rule(catalogue, actor=people.tehran_manager, left=isfahan_indicator)
