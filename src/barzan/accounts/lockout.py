"""
Slowing down password guessing: the client address, growing delays, the locked-out answer.

django-axes records failed logins; this module decides what they mean. A username is locked
only from the client address that failed (an attacker elsewhere cannot lock the real user
out). Once `AXES_FAILURE_LIMIT` failures are reached the pair waits `BARZAN_LOCKOUT_DELAY`;
each further failure after a wait doubles it, up to `BARZAN_LOCKOUT_MAX_DELAY`. Failures
during a wait are refused unchecked and not counted, so they neither restart nor extend it.
Failures are forgotten `AXES_COOLOFF_TIME` after the last one, or on a successful login.
"""

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone

from barzan.core.errors import error_response, is_api_path


def _valid_address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request) -> str:
    """Return the address of the client of `request`, as far as trusted proxies vouch for it.

    With `BARZAN_TRUSTED_PROXIES` = 0 it is the connection's address (REMOTE_ADDR) and
    X-Forwarded-For is ignored: any client can write that header. With N trusted proxies,
    each appends the address it saw, so the Nth entry from the right is the client as the
    outermost trusted proxy saw it; entries further left are the client's own claims.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.BARZAN_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        # The request did not pass through every trusted proxy: trust none of the header.
        return remote
    return _valid_address(forwarded[-proxies]) or remote


def delay_after(failures: int) -> timedelta:
    """Return how long a username waits at an address after `failures` failed logins."""
    if failures < settings.AXES_FAILURE_LIMIT:
        return timedelta(0)
    doublings = min(failures - settings.AXES_FAILURE_LIMIT, 32)
    return min(settings.BARZAN_LOCKOUT_DELAY * 2**doublings, settings.BARZAN_LOCKOUT_MAX_DELAY)


def wait_until(failures: int, last_failure_at: datetime) -> datetime | None:
    """Return when `failures` failed logins, the last at `last_failure_at`, allow another."""
    if failures < settings.AXES_FAILURE_LIMIT:
        return None
    return last_failure_at + delay_after(failures)


@dataclass(frozen=True)
class Lock:
    """The failed logins of one username from one client address."""

    username: str
    address: str
    failures: int
    last_failure_at: datetime

    @property
    def until(self) -> datetime | None:
        """Return when the next attempt is allowed, or None below the failure limit."""
        return wait_until(self.failures, self.last_failure_at)

    @property
    def is_active(self) -> bool:
        until = self.until
        return until is not None and until > timezone.now()


class GrowingDelayHandler(AxesDatabaseHandler):
    """Axes' database handler, locking for a growing delay instead of a fixed window."""

    def locked_until(self, request, credentials=None) -> datetime | None:
        """Return until when the username and address of `request` must wait, if they must."""
        until = None
        for attempts in self.get_user_attempts(request, credentials):
            totals = attempts.aggregate(
                failures=Sum("failures_since_start"), last=Max("attempt_time")
            )
            if not totals["failures"]:
                continue
            candidate = wait_until(totals["failures"], totals["last"])
            if candidate is not None and (until is None or candidate > until):
                until = candidate
        return until

    def is_locked(self, request, credentials=None) -> bool:
        until = self.locked_until(request, credentials)
        return until is not None and until > timezone.now()


def locked_out(request, original_response=None, credentials=None):
    """Answer a login refused for too many failures: 429, saying when to try again."""
    handler = AxesProxyHandler.get_implementation()
    AxesProxyHandler.update_request(request)
    until = handler.locked_until(request, credentials)
    if is_api_path(request.path):
        return error_response(429)
    return render(request, "accounts/locked_out.html", {"until": until}, status=429)
