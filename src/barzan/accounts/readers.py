"""Reads about accounts: two-factor state, and the users an administrator may see."""

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Prefetch, Sum
from django.utils import timezone
from django_otp import user_has_device

from barzan.access import policy
from barzan.access.actions import VIEW
from barzan.access.models import Grant

from .lockout import Lock
from .models import ApiToken, User


def two_factor_required(user) -> bool:
    """Return whether `user` must use two-factor authentication (privileged roles)."""
    return settings.TWO_FACTOR == "required" and policy.is_privileged(user)


def has_confirmed_device(user) -> bool:
    """Return whether `user` has a confirmed two-factor device (read once per user object)."""
    cached = getattr(user, "_has_confirmed_device", None)
    if cached is None:
        cached = user_has_device(user, confirmed=True)
        user._has_confirmed_device = cached
    return cached


def two_factor_state(request) -> str:
    """Return "verify", "setup" or "ok" for the session of `request`.

    "verify": the user has a device and has not entered a code in this session;
    "setup": the user must use two-factor authentication and has no device yet.
    """
    user = request.user
    if not user.is_authenticated:
        return "ok"
    if has_confirmed_device(user):
        # A user logged in by this very request is not wrapped by OTPMiddleware, which adds
        # is_verified(): they have entered no code yet.
        is_verified = getattr(user, "is_verified", None)
        return "ok" if is_verified is not None and is_verified() else "verify"
    return "setup" if two_factor_required(user) else "ok"


def users_for(user):
    """Return the users `user` may see in administration, with the grants `user` may see.

    A colleague who also works in another province shows here only with the grants in
    `user`'s own areas.
    """
    grants = policy.scope(user, VIEW, Grant.objects.all()).select_related(
        "role", "area", "area__level", "organization"
    )
    queryset = User.objects.prefetch_related(Prefetch("grants", queryset=grants))
    return policy.scope(user, VIEW, queryset)


def grants_of(user):
    """Return `user`'s own grants, through the policy's owner rule."""
    return policy.scope(user, VIEW, Grant.objects.filter(user=user)).select_related(
        "role", "area", "area__level", "organization"
    )


def tokens_of(user):
    """Return `user`'s own API tokens."""
    return policy.scope(user, VIEW, ApiToken.objects.filter(user=user))


def login_locks_of(user) -> list[Lock]:
    """Return the remembered failed logins of `user`, one per client address, newest first."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(username=user.get_username(), attempt_time__gte=since)
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .order_by("-last")
    )
    return [
        Lock(user.get_username(), row["ip_address"] or "", row["failures"], row["last"])
        for row in rows
    ]
