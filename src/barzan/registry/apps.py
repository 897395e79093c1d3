from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "barzan.registry"
    label = "registry"
    verbose_name = _("Organizations")

    def ready(self):
        from barzan import access
        from barzan.access import policy
        from barzan.access.actions import VIEW
        from barzan.core import navigation

        from .models import Organization

        access.register(Organization, area="area", organization="")
        navigation.register(
            navigation.NavItem(
                key="organizations",
                label=_("Organizations"),
                description=_("Agencies, municipalities, charities and community sites."),
                url_name="registry:organization_list",
                icon="building",
                order=30,
                is_visible=lambda user: policy.can(user, VIEW, Organization),
                namespaces=("registry",),
            )
        )
