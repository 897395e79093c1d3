"""The scoped API router: every operation reads and writes through the access policy."""

from ninja import Router

from . import policy
from .actions import MANAGE, VIEW

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ScopedRouter(Router):
    """A django-ninja router whose querysets come from `policy.scope()`.

    The action follows the HTTP method: reading is "view", writing is the router's
    `write_action`. Operations call `self.scope()` for lists and `self.get_object()` for
    single rows (404 outside the user's scope, 403 when visible but not writable).
    """

    def __init__(self, *, write_action: str = MANAGE, **kwargs):
        super().__init__(**kwargs)
        self.write_action = write_action

    def action_for(self, request) -> str:
        return VIEW if request.method in SAFE_METHODS else self.write_action

    def scope(self, request, queryset, action: str | None = None):
        action = action or self.action_for(request)
        self.require_kind(request, queryset.model, action)
        return policy.scope(request.user, action, queryset)

    def get_object(self, request, queryset, action: str | None = None, **lookup):
        self.require_kind(request, queryset.model, VIEW)
        return policy.get_object_for(
            request.user, queryset, action or self.action_for(request), **lookup
        )

    def require_kind(self, request, model, action: str) -> None:
        """Refuse (403) a kind of row the user may never take `action` on, as pages do."""
        policy.require(request.user, action, model)
