from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "barzan.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from barzan import access
        from barzan.access import policy
        from barzan.access.actions import EXPORT, MANAGE, VIEW
        from barzan.core import navigation

        from .models import ApiToken, User

        # Seeing other people's accounts is administration; everyone sees their own.
        administration = {VIEW: MANAGE, EXPORT: MANAGE}
        access.register(User, area="grants__area", many=True, owner="pk", actions=administration)
        access.register(
            ApiToken, area="user__grants__area", many=True, owner="user", actions=administration
        )

        navigation.register(
            navigation.NavItem(
                key="users",
                label=_("Users and access"),
                description=_("Accounts, roles and the areas each person covers."),
                url_name="accounts:user_list",
                icon="people",
                order=80,
                section="admin",
                is_visible=lambda user: policy.can(user, MANAGE),
                namespaces=("accounts",),
            )
        )
