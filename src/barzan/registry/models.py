"""Organizations."""

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from barzan.core.models import NamedModel, TimestampedModel, VersionedModel

from .choices import OrganizationKind
from .querysets import OrganizationQuerySet

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
    _("Use Latin letters, digits, dots, dashes and underscores, starting with a letter or digit."),
)


class Organization(NamedModel, TimestampedModel, VersionedModel):
    """An agency, municipality, charity, NGO, community site or council."""

    code = models.CharField(
        _("code"),
        max_length=64,
        unique=True,
        validators=[code_validator],
        help_text=_("A short unique code used in imports and the API, such as moe-tehran."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organization"),
    )
    area = models.ForeignKey(
        "geo.Area",
        on_delete=models.PROTECT,
        related_name="organizations",
        verbose_name=_("seat"),
        help_text=_("The area the organization belongs to; who may manage it depends on it."),
    )
    covered_areas = models.ManyToManyField(
        "geo.Area",
        blank=True,
        related_name="covering_organizations",
        verbose_name=_("covered areas"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.TextField(_("search text"), blank=True, editable=False)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["sort_fa", "pk"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    # Codes that would collide with the registry's own addresses.
    RESERVED_CODES = {"new", "options", "import"}

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.code.lower() in self.RESERVED_CODES:
            raise ValidationError({"code": _("This code is reserved; choose another.")})

    def get_absolute_url(self) -> str:
        return reverse("registry:organization_detail", args=[self.code])
