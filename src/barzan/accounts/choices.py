"""The fixed vocabularies of accounts."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TokenScope(models.TextChoices):
    """What an API token may do, within its user's own roles."""

    READ = "read", _("read only")
    READ_WRITE = "read_write", _("read and write")
