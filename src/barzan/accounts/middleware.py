"""Keep users who owe a two-factor step on the pages that let them complete it."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from barzan.core.errors import error_response, is_api_path

from .readers import two_factor_state

# Pages a user may open before finishing the two-factor step.
ALLOWED_VIEWS = {
    "accounts:logout",
    "accounts:language",
    "accounts:two_factor_verify",
    "accounts:two_factor_setup",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}


class TwoFactorMiddleware:
    """Send a user with a device to the code page, and a privileged user without one to set-up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in ALLOWED_VIEWS:
            return None
        state = two_factor_state(request)
        if state == "ok":
            return None
        if is_api_path(request.path):
            return error_response(401, code="two_factor_required")
        target = "accounts:two_factor_verify" if state == "verify" else "accounts:two_factor_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
