"""Roles and grants."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from barzan.core.models import NamedModel, TimestampedModel

from .actions import ALL


class Role(NamedModel):
    """A set of actions a user may take, such as an area manager's or an analyst's.

    Roles are data (seeded by a migration) so a deployment can add its own. `rank` orders
    them for granting: a user may grant a privileged role only up to their own rank.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    description_fa = models.TextField(_("Persian description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    actions = models.JSONField(_("actions"), default=list)
    rank = models.PositiveSmallIntegerField(_("rank"), default=10)
    is_privileged = models.BooleanField(
        _("privileged"),
        default=False,
        help_text=_("Holders must use two-factor authentication."),
    )

    class Meta:
        ordering = ["-rank", "code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def clean(self):
        from django.core.exceptions import ValidationError

        unknown = set(self.actions) - set(ALL)
        if unknown:
            raise ValidationError(
                {"actions": _("Unknown actions: %s") % ", ".join(sorted(unknown))}
            )

    @property
    def description(self) -> str:
        from django.utils.translation import get_language

        if self.description_en and not (get_language() or "fa").startswith("fa"):
            return self.description_en
        return self.description_fa


class Grant(TimestampedModel):
    """Role R for a user over area A and everything below it, optionally for organization O."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="grants",
        verbose_name=_("user"),
    )
    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, related_name="grants", verbose_name=_("role")
    )
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, related_name="grants", verbose_name=_("area")
    )
    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("organization"),
        help_text=_("Limit the grant to this organization's records."),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )

    class Meta:
        ordering = ["user_id", "-role__rank", "area__path"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            # Two constraints because NULLs are distinct in a unique index on both databases.
            models.UniqueConstraint(
                fields=["user", "role", "area"],
                condition=Q(organization__isnull=True),
                name="access_grant_unique_without_organization",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "area", "organization"],
                condition=Q(organization__isnull=False),
                name="access_grant_unique_with_organization",
            ),
        ]

    def __str__(self) -> str:
        text = f"{self.role} — {self.area}"
        return f"{text} ({self.organization})" if self.organization_id else text
