"""
The home page's panels: each app contributes what a user must do now, and how far it is.

`core` knows no app, so an app registers a provider (in its AppConfig.ready) that returns
the panels one user should see, each read through the access policy by the app itself. The
home page asks every provider and shows what they return, most urgent first. Later apps
(commitments due, requests waiting) add their providers here without touching the page.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Panel:
    """One panel of a user's home page, rendered with `template` and `context`."""

    key: str
    title: str
    template: str
    context: dict = field(default_factory=dict, compare=False)
    # Lower comes first; 0–99 is for what the user must do now, 100+ for what to know.
    order: int = 100
    # A count shown beside the title (items waiting), or None.
    badge: int | None = None


Provider = Callable[[object], Iterable[Panel]]

_providers: dict[str, Provider] = {}


def register(key: str, provider: Provider) -> None:
    """Add `provider` under `key` (registering the same key again replaces it)."""
    _providers[key] = provider


def panels_for(user) -> list[Panel]:
    """Return every registered provider's panels for `user`, in their order."""
    panels = [panel for provider in _providers.values() for panel in provider(user)]
    return sorted(panels, key=lambda panel: (panel.order, panel.key))


def render(panel: Panel, request=None) -> SafeString:
    """Return `panel`'s body: its template with its context, and the panel itself as `panel`."""
    return render_to_string(panel.template, {**panel.context, "panel": panel}, request=request)
