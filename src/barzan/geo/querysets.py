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
        """Return areas whose names (official or alternative) or code contain `text`,
        however its letters were typed; or that a name without its level words names
        («منطقه ۶ تهران» finds «تهران ۶», «شهر ری» finds «ری»: see `names`).

        Without its level words `text` must be a whole name, not part of one: «ری» alone
        is part of hundreds of names.
        """
        # Imported here: names reads the models, which read this module.
        from .names import keys_without_level_words

        key = search_key(text)
        if not key:
            return self
        found = models.Q(search_text__contains=key)
        # `search_text` is search keys (which have no spaces) separated by spaces.
        for whole in keys_without_level_words(text):
            found |= (
                models.Q(search_text=whole)
                | models.Q(search_text__startswith=f"{whole} ")
                | models.Q(search_text__endswith=f" {whole}")
                | models.Q(search_text__contains=f" {whole} ")
            )
        return self.filter(found)
