"""Reads about accounts: two-factor state, and the users an administrator may see."""

from django.conf import settings
from django.db.models import Prefetch
from django_otp import user_has_device

from barzan.access import policy
from barzan.access.actions import VIEW
from barzan.access.models import Grant

from .models import ApiToken, User


def two_factor_required(user) -> bool:
    """Return whether `user` must use two-factor authentication (privileged roles)."""
    return settings.TWO_FACTOR == "required" and policy.is_privileged(user)


def two_factor_state(request) -> str:
    """Return "verify", "setup" or "ok" for the session of `request`.

    "verify": the user has a device and has not entered a code in this session;
    "setup": the user must use two-factor authentication and has no device yet.
    """
    user = request.user
    if not user.is_authenticated:
        return "ok"
    if user_has_device(user, confirmed=True):
        return "ok" if user.is_verified() else "verify"
    return "setup" if two_factor_required(user) else "ok"


def users_for(user):
    """Return the users `user` may see in administration, with their grants joined."""
    grants = Grant.objects.select_related("role", "area", "area__level", "organization")
    queryset = User.objects.prefetch_related(Prefetch("grants", queryset=grants))
    return policy.scope(user, VIEW, queryset)


def tokens_of(user):
    """Return `user`'s own API tokens."""
    return policy.scope(user, VIEW, ApiToken.objects.filter(user=user))
