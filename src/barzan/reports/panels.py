"""
The reports app's own panels for the home page (registered in `ReportsConfig.ready`).

- A focal point (a grant bound to an organization) sees each of their organizations'
  indicators for the period being entered now: how many areas have reported, and the first
  areas still missing figures, each linked to its grid and its profile.
- An officer (see `readers.is_officer`) sees the latest files of values and areas imported
  in their areas, with what became of each.

Data-set panels (a secretary's forms this period, an officer's reporting rates) come from
the indicators app; later apps add theirs the same way.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from barzan.access import policy
from barzan.access.actions import CAPTURE
from barzan.core.panels import Panel
from barzan.indicators.models import ValueImport

from . import readers


def organization_figures_panels(user) -> list[Panel]:
    """Return a panel per organization `user` enters figures for."""
    return [
        Panel(
            key=f"organization-figures-{found.organization.pk}",
            title=_("Figures of %(organization)s") % {"organization": found.organization},
            template="reports/panels/organization_figures.html",
            context={"found": found},
            order=20,
            badge=found.missing_count or None,
        )
        for found in readers.organization_figures(user)
    ]


def recent_imports_panels(user) -> list[Panel]:
    """Return the panel of recent imports for an officer, and none for anyone else."""
    if not readers.is_officer(user):
        return []
    may_import = policy.can(user, CAPTURE, ValueImport)
    return [
        Panel(
            key="recent-imports",
            title=_("Recent imports in your areas"),
            template="reports/panels/recent_imports.html",
            context={
                "imports": readers.recent_imports(user),
                "import_url": reverse("indicators:import_create") if may_import else "",
                "list_url": reverse("indicators:import_list"),
            },
            order=120,
        )
    ]
