"""Chainable filters for organizations."""

from django.db import models

from barzan.core.text import search_key


class OrganizationQuerySet(models.QuerySet):
    def for_display(self) -> "OrganizationQuerySet":
        """Join the seat (with its level) and the parent that every list and page shows."""
        return self.select_related("area", "area__level", "parent")

    def active(self) -> "OrganizationQuerySet":
        return self.filter(is_active=True)

    def within(self, area) -> "OrganizationQuerySet":
        """Return organizations seated in `area` or below it."""
        return self.filter(area__path__startswith=area.path)

    def search(self, text: str) -> "OrganizationQuerySet":
        key = search_key(text)
        return self.filter(search_text__contains=key) if key else self
