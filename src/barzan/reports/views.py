"""The home page: the panels of what the user must do now, then what they may use."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from barzan.access import policy
from barzan.access.views import access_exempt
from barzan.accounts.readers import has_confirmed_device, two_factor_required
from barzan.core import navigation, panels

from .readers import home_summary


@access_exempt(
    "Shows only the user's own grants, counts read through policy.scope(), and panels whose "
    "providers read through policy.scope()."
)
class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "reports/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            page_title=_("Home"),
            summary=home_summary(user),
            panels=[
                (panel, panels.render(panel, self.request)) for panel in panels.panels_for(user)
            ],
            tiles=navigation.items_for(user),
            suggest_two_factor=policy.is_privileged(user)
            and not two_factor_required(user)
            and not has_confirmed_device(user),
        )
        return context
