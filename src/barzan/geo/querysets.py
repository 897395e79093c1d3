"""Chainable filters for areas."""

from django.db import connections, models

from barzan.core.text import search_key


class AreaQuerySet(models.QuerySet):
    def within(self, area) -> "AreaQuerySet":
        """Return `area` and every area below it.

        On SQLite a range on `path` is added: SQLite's LIKE cannot use the index, but paths
        compare byte by byte there, and every path below `/1/12/` sorts before `/1/120`. On
        PostgreSQL, LIKE 'prefix%' uses the pattern index and a range would follow the
        locale's collation, which may ignore the slashes.
        """
        subtree = self.filter(path__startswith=area.path)
        if connections[self.db].vendor == "sqlite":
            subtree = subtree.filter(path__gte=area.path, path__lt=area.path[:-1] + "0")
        return subtree

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
