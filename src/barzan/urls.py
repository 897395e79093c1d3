"""The URL map of Barzan: each app's pages, the API, and error pages in both languages."""

from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from barzan.api.api import api

urlpatterns = [
    path("", include("barzan.reports.urls")),
    path("accounts/", include("barzan.accounts.urls")),
    path("areas/", include("barzan.geo.urls")),
    path("organizations/", include("barzan.registry.urls")),
    path("indicators/", include("barzan.indicators.urls")),
    path("audit/", include("barzan.audit.urls")),
    path("api/v1/", api.urls),
    path("favicon.ico", RedirectView.as_view(url=static("core/favicon.svg"), permanent=False)),
]

handler400 = "barzan.core.views.bad_request"
handler403 = "barzan.core.views.permission_denied"
handler404 = "barzan.core.views.page_not_found"
handler500 = "barzan.core.views.server_error"
