from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "barzan.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from barzan.core import panels

        from .panels import organization_figures_panels, recent_imports_panels

        panels.register("reports.organization_figures", organization_figures_panels)
        panels.register("reports.recent_imports", recent_imports_panels)
