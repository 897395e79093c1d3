"""Chainable filters for areas."""

from django.db import models

from barzan.core.text import search_key


class AreaQuerySet(models.QuerySet):
    def within(self, area) -> "AreaQuerySet":
        """Return `area` and every area below it."""
        return self.filter(path__startswith=area.path)

    def below(self, area) -> "AreaQuerySet":
        """Return every area below `area`, without `area` itself."""
        return self.within(area).exclude(pk=area.pk)

    def roots(self) -> "AreaQuerySet":
        return self.filter(parent__isnull=True)

    def at_level(self, code: str) -> "AreaQuerySet":
        return self.filter(level__code=code)

    def search(self, text: str) -> "AreaQuerySet":
        """Return areas whose names or code contain `text`, however its letters were typed."""
        key = search_key(text)
        return self.filter(search_text__contains=key) if key else self
