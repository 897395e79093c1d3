"""Abstract models every domain app builds on."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .text import to_persian_digits


class TimestampedModel(models.Model):
    """A row that remembers when it was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(models.Model):
    """A row that people edit: its `version` detects two edits made from the same copy.

    Actions compare the version a form was loaded with to the stored one and refuse a
    stale save (`core.concurrency.check_version`); each save adds one.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class NamedModel(models.Model):
    """A row with a Persian and an English name; `name` is the one for the active language."""

    name_fa = models.CharField(_("Persian name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The English name on English pages (when there is one), else the Persian name,
        whose digits are Persian («تهران ۱») as everywhere on Persian pages."""
        if not (get_language() or "fa").startswith("fa"):
            return self.name_en or self.name_fa
        return to_persian_digits(self.name_fa)
