from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "barzan.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self):
        from django.db.models.signals import post_save

        from barzan import access, audit
        from barzan.access.actions import VIEW
        from barzan.core import navigation
        from barzan.geo.models import Area

        from .models import (
            DataSet,
            DataSetCompletion,
            Indicator,
            IndicatorAggregate,
            IndicatorIdentifier,
            IndicatorValue,
            ValidationRule,
            ValueChange,
            ValueImport,
        )
        from .signals import refresh_weighted_means

        # The catalogue is read by everyone who reads anything; it is changed by those who
        # manage the owning organization's area.
        access.register(Indicator, area="owner__area", shared_view=True)
        access.register(DataSet, area="owner__area", shared_view=True)
        # A form is completed where its figures are entered; an agency's people complete
        # the forms of their own agency's data sets.
        access.register(DataSetCompletion, area="area", organization="data_set__owner")
        access.register(ValidationRule, area="left__owner__area", shared_view=True)
        access.register(IndicatorIdentifier, area="indicator__owner__area", shared_view=True)
        # A grant bound to an agency reaches only the figures of the agency's indicators.
        access.register(IndicatorValue, area="area", organization="indicator__owner")
        access.register(IndicatorAggregate, area="area", organization="indicator__owner")
        access.register(ValueChange, area="area", organization="indicator__owner")
        access.register(ValueImport, area="area", organization="source", owner="created_by")
        # The audit log keeps every figure entered; a reader sees it as pages show it.
        from . import actions, readers

        audit.register_redactor((actions.VALUE_SET, actions.VALUE_CLEARED), readers.hidden_in_audit)
        from barzan.core import panels

        from . import panels as data_set_panels

        panels.register("indicators.forms_to_fill", data_set_panels.forms_to_fill)
        panels.register("indicators.reporting", data_set_panels.reporting_overview)
        post_save.connect(
            refresh_weighted_means, sender=Area, dispatch_uid="indicators.weighted_means"
        )
        navigation.register(
            navigation.NavItem(
                key="indicators",
                label=_("Indicators"),
                description=_("Figures about every area and period, their entry and imports."),
                url_name="indicators:indicator_list",
                icon="bar-chart",
                order=25,
                is_visible=lambda user: access.policy.can(user, VIEW, IndicatorValue),
                namespaces=("indicators",),
            )
        )
