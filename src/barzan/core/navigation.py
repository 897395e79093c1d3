"""
The menu: each app registers what it offers and who may see it.

`core` cannot ask the access policy itself (it imports no Barzan app), so each item
carries its own `is_visible(user)`, written by the app that registers it with the
policy's `can()`. The menu therefore shows each role exactly what it may use.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    """One entry of the main menu."""

    key: str
    label: str
    url_name: str
    icon: str
    order: int
    is_visible: Callable = field(compare=False)
    description: str = ""
    section: str = "main"  # "main" or "admin"
    namespaces: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def is_active(self, request) -> bool:
        match = getattr(request, "resolver_match", None)
        if match is None:
            return False
        if match.view_name == self.url_name:
            return True
        return bool(self.namespaces) and match.namespace in self.namespaces


_items: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    """Add `item` to the menu (registering the same key again replaces it)."""
    _items[item.key] = item


def items_for(user, section: str | None = None) -> list[NavItem]:
    """Return the menu items `user` may see, in menu order."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = sorted(_items.values(), key=lambda item: (item.order, item.key))
    return [
        item
        for item in items
        if (section is None or item.section == section) and item.is_visible(user)
    ]
