"""
An indicator's identifiers in other systems, and mapping a file's unknown identifiers
once: after that, the same file (and every later one from the same system) matches.

An import whose file names things by another system's identifiers (DHIS2 uids, a
ministry's codes) lists those Barzan does not know; its mapping page maps each to an
indicator, an area or a breakdown, saves the mappings (`actions.map_identifiers`) and
checks the file again.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from barzan.access import policy
from barzan.access.views import ScopedUpdateView
from barzan.core.models import ImportStatus
from barzan.core.text import format_number
from barzan.geo.identifier_views import IdentifiersView

from .. import actions
from ..identifier_forms import MapIdentifiersForm
from ..models import Indicator, IndicatorIdentifier, ValueImport


class IndicatorIdentifiersView(IdentifiersView):
    """An indicator's identifiers in other systems (a DHIS2 dataElement uid…)."""

    model = Indicator
    identifier_model = IndicatorIdentifier
    owner_field = "indicator"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_base_queryset(self):
        return Indicator.objects.select_related("owner__area")

    def add(self, scheme, value):
        actions.add_indicator_identifier(
            actor=self.request.user, indicator=self.object, scheme=scheme, value=value
        )

    def remove(self, identifier):
        actions.remove_identifier(actor=self.request.user, identifier=identifier)


class ImportIdentifiersView(ScopedUpdateView):
    """Map the identifiers an import did not know: 404 outside scope, 403 to non-managers."""

    model = ValueImport
    form_class = MapIdentifiersForm
    template_name = "indicators/import_identifiers.html"
    page_title = _("Map identifiers from another system")
    success_message = ""

    def get_base_queryset(self):
        return ValueImport.objects.select_related("area", "source")

    def authorize(self, obj):
        policy.require_map_identifiers(self.request.user)
        if obj.status in (ImportStatus.RUNNING, ImportStatus.DONE):
            raise PermissionDenied

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        del kwargs["instance"]
        kwargs["value_import"] = self.object
        return kwargs

    def perform(self, form):
        count = actions.map_identifiers(
            actor=self.request.user, schemes=form.schemes, **form.mappings()
        )
        value_import = self.object
        if value_import.status not in (ImportStatus.QUEUED,):
            try:
                value_import = actions.start_import(
                    actor=self.request.user, value_import=value_import, apply=False
                )
            except ValidationError:
                value_import.refresh_from_db()
        messages.success(
            self.request,
            gettext("%(count)s identifiers were saved; the file was checked again.")
            % {"count": format_number(count)},
        )
        return value_import


urlpatterns = [
    path(
        "<indicator_code:code>/identifiers/",
        IndicatorIdentifiersView.as_view(),
        name="indicator_identifiers",
    ),
    path(
        "imports/<int:pk>/identifiers/",
        ImportIdentifiersView.as_view(),
        name="import_identifiers",
    ),
]
