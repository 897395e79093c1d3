"""
Swagger UI for the API, served under the Content-Security-Policy.

The page runs no inline script: its settings travel in a JSON data block that ninja's own
static file (`ninja/swagger-ui-init.js`) reads, and the block is written by `json_script`,
which escapes `<`, `>` and `&`, so nothing in the settings can close the block.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Swagger
from ninja.openapi.docs import _csrf_needed


class LocalSwagger(Swagger):
    """Render Swagger UI from local static files, with no inline script or style."""

    template = "api/swagger.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        """Render the docs page with its settings as a JSON data block."""
        swagger_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            "swagger_settings": swagger_settings,
            "api": api,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, self.template, context)
