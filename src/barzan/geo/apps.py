from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "barzan.geo"
    label = "geo"
    verbose_name = _("Geography")

    def ready(self):
        from barzan import access
        from barzan.access.actions import VIEW
        from barzan.core import navigation

        from .models import Area, AreaCell, AreaIdentifier, AreaImport, AreaName, AreaSuccession

        access.register(Area, area="")
        access.register(AreaSuccession, area="successor")
        access.register(AreaCell, area="area")
        access.register(AreaName, area="area")
        access.register(AreaImport, area="area", owner="created_by")
        access.register(AreaIdentifier, area="area")
        navigation.register(
            navigation.NavItem(
                key="areas",
                label=_("Areas"),
                description=_("Provinces, counties, cities and neighborhoods you cover."),
                url_name="geo:area_list",
                icon="geo-alt",
                order=20,
                is_visible=lambda user: access.policy.can(user, VIEW, Area),
                namespaces=("geo",),
            )
        )
