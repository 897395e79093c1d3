"""API authentication: a bearer token, or the browser session (with its CSRF check)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from barzan.accounts.models import ApiToken, hash_token
from barzan.accounts.readers import has_confirmed_device, two_factor_required, two_factor_state
from barzan.core.jalali import format_datetime

# Writing last_used_at on every call would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

EXPIRED = _("This API token expired at %(moment)s. Create a new one on your account page.")
NEEDS_TWO_FACTOR = _(
    "Your role requires two-factor authentication. Turn it on, then create a new token."
)
READ_ONLY = _("This API token is read-only. Create a read-and-write token to make changes.")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer brz_…`: a token created on the account page."""

    openapi_description = (
        "An API token from the account page, sent as `Authorization: Bearer <token>`. "
        "Every token expires (401 after its expiry). A read-only token is refused with 403 "
        "on POST, PUT, PATCH and DELETE. Changing or resetting the password, or resetting "
        "two-factor authentication, revokes all of a user's tokens."
    )

    def authenticate(self, request, token):
        if not token:
            return None
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), user__is_active=True)
            .first()
        )
        if found is None:
            return None
        # A client that sent a token is told why it no longer works, rather than only 401.
        if found.is_expired:
            raise HttpError(401, EXPIRED % {"moment": format_datetime(found.expires_at)})
        user = found.user
        # A role that requires two-factor may have come after the token: no second factor,
        # no token.
        if two_factor_required(user) and not has_confirmed_device(user):
            raise HttpError(401, str(NEEDS_TWO_FACTOR))
        if request.method not in SAFE_METHODS and not found.may_write:
            raise HttpError(403, str(READ_ONLY))
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = user
        request.api_token = found
        return user


class VerifiedSessionAuth(SessionAuth):
    """The logged-in browser session, once any two-factor step is complete."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None or two_factor_state(request) != "ok":
            return None
        return user
