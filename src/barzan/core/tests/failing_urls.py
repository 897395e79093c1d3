"""A URLconf with a page and an API path that fail, for the server-error tests."""

from django.urls import path

from barzan.urls import urlpatterns as barzan_urlpatterns


def fail(request):
    raise RuntimeError("A failure the server-error page must hide.")


urlpatterns = [
    path("failing/", fail),
    path("api/failing/", fail),
    *barzan_urlpatterns,
]

handler400 = "barzan.core.views.bad_request"
handler403 = "barzan.core.views.permission_denied"
handler404 = "barzan.core.views.page_not_found"
handler500 = "barzan.core.views.server_error"
