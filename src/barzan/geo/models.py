"""The area tree."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from barzan.core.models import NamedModel, TimestampedModel, VersionedModel

from .querysets import AreaQuerySet


class AreaLevel(NamedModel):
    """A level of the tree (country, province, county…); deployments may add their own."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), help_text=_("Smaller ranks are higher in the tree: country 0, neighborhood 60.")
    )

    class Meta:
        ordering = ["rank"]
        verbose_name = _("area level")
        verbose_name_plural = _("area levels")


class Area(NamedModel, TimestampedModel, VersionedModel):
    """A place in the tree: the country, a province, a county … a neighborhood."""

    code = models.CharField(
        _("code"),
        max_length=32,
        help_text=_("The national statistical code where one exists, kept as text."),
    )
    level = models.ForeignKey(
        AreaLevel, on_delete=models.PROTECT, related_name="areas", verbose_name=_("level")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    population = models.PositiveBigIntegerField(_("population"), null=True, blank=True)
    search_text = models.TextField(_("search text"), blank=True, editable=False)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="geo_area_code_unique_in_level"),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, depth=0) | Q(parent__isnull=False, depth__gt=0),
                name="geo_area_depth_matches_parent",
            ),
        ]

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("geo:area_detail", args=[self.pk])

    @property
    def ancestor_ids(self) -> list[int]:
        """Return the ids on the path from the root down to this area, itself included."""
        return [int(part) for part in self.path.strip("/").split("/") if part]
