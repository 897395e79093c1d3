"""API authentication: a bearer token, or the browser session (with its CSRF check)."""

from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from barzan.accounts.models import ApiToken, hash_token
from barzan.accounts.readers import two_factor_state

# Writing last_used_at on every call would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer brz_…`: a token created on the account page."""

    openapi_description = (
        "An API token from the account page, sent as `Authorization: Bearer <token>`."
    )

    def authenticate(self, request, token):
        if not token:
            return None
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), user__is_active=True)
            .first()
        )
        if found is None or found.is_expired:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class VerifiedSessionAuth(SessionAuth):
    """The logged-in browser session, once any two-factor step is complete."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None or two_factor_state(request) != "ok":
            return None
        return user
