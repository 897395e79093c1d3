"""The area tree."""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from barzan.core import jobs
from barzan.core.identifiers import ExternalIdentifier
from barzan.core.models import ImportJob, NamedModel, TimestampedModel, VersionedModel
from barzan.core.text import normalize

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
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"),
        null=True,
        blank=True,
        help_text=_("The day the area ended (split or merged); empty while it exists."),
    )
    # GeoJSON geometry in WGS84 longitude/latitude, as imported (repaired where that was safe).
    boundary = models.JSONField(_("boundary"), null=True, blank=True, editable=False)
    # A lighter copy of `boundary` for maps.
    boundary_simple = models.JSONField(
        _("simplified boundary"), null=True, blank=True, editable=False
    )
    boundary_source = models.CharField(_("boundary source"), max_length=200, blank=True)
    # What every map drawing the boundary must show, as its license asks (OpenStreetMap's
    # ODbL: «© OpenStreetMap contributors»); empty when the source asks for nothing.
    boundary_attribution = models.CharField(_("boundary attribution"), max_length=200, blank=True)
    is_synthetic = models.BooleanField(
        _("synthetic"),
        default=False,
        help_text=_("Generated for demonstration, not real geography."),
    )
    # A point inside the area (or the area's only location, for a neighborhood given as a point).
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    # The boundary's bounding box: the spatial index narrows by cell, then by these.
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            # An ended area's code may pass to a successor: codes are unique among current areas.
            models.UniqueConstraint(
                fields=["level", "code"],
                condition=Q(valid_to__isnull=True),
                name="geo_area_code_unique_in_level",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, depth=0) | Q(parent__isnull=False, depth__gt=0),
                name="geo_area_depth_matches_parent",
            ),
        ]

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("geo:area_detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    @property
    def titled_name(self) -> str:
        """Return the name with its level, as a reader says it: «استان تهران», «Tehran (province)».

        Persian puts the level first, with the ezafe «ٔ» after a final ه («منطقهٔ تهران ۶»);
        a name that already begins with its level word («محله اوین») is left as it is.
        Needs `level` loaded (select_related) to stay one query.
        """
        name, level = self.name, self.level.name
        if not (get_language() or "fa").startswith("fa"):
            return f"{name} ({level})" if level else name
        level_words = normalize(level).split()
        if not level_words or normalize(name).split()[: len(level_words)] == level_words:
            return name
        if level.endswith("ه"):
            level += "\u0654"
        return f"{level} {name}"

    @property
    def has_boundary(self) -> bool:
        # The bounding box is set with the boundary; reading it does not load the boundary.
        return self.min_lon is not None

    @property
    def ancestor_ids(self) -> list[int]:
        """Return the ids on the path from the root down to this area, itself included."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


class AreaName(TimestampedModel):
    """Another name an area is known by: a former name, a colloquial one, another spelling,
    or the official name in another source (a census table, a later decree, English).

    People type «تالش» for «طوالش» and «شهر ری» for «ری»; census tables keep names from
    before a county was renamed. Search and name matching read these as well as the
    official `name_fa` and `name_en`.
    """

    class Language(models.TextChoices):
        PERSIAN = "fa", _("Persian")
        ENGLISH = "en", _("English")

    class Kind(models.TextChoices):
        FORMER = "former", _("Former name")
        COLLOQUIAL = "colloquial", _("Colloquial name")
        SPELLING = "spelling", _("Alternative spelling")
        OFFICIAL = "official", _("Official elsewhere")

    area = models.ForeignKey(
        Area,
        on_delete=models.CASCADE,
        related_name="alternative_names",
        verbose_name=_("area"),
    )
    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.PERSIAN
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    valid_from = models.DateField(_("used from"), null=True, blank=True)
    valid_to = models.DateField(_("used until"), null=True, blank=True)
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where the name comes from: a law, a census table, a map."),
    )

    class Meta:
        # Persian names first: "fa" sorts after "en".
        ordering = ["area", "-language", "name"]
        verbose_name = _("alternative name")
        verbose_name_plural = _("alternative names")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "language", "name"], name="geo_area_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="geo_area_name_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AreaIdentifier(ExternalIdentifier):
    """The area's identifier in another system: a DHIS2 orgUnit uid, a ministry's code."""

    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="identifiers", verbose_name=_("area")
    )

    class Meta(ExternalIdentifier.Meta):
        verbose_name = _("area identifier")
        verbose_name_plural = _("area identifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "value"], name="geo_area_identifier_unique_in_scheme"
            )
        ]


class AreaSuccession(models.Model):
    """A link from an area that ended to an area that took over (part of) it.

    `share` is the part of the predecessor's population that went to the successor, so that
    figures reported for the old areas can be re-based onto the new ones.
    """

    class Change(models.TextChoices):
        SPLIT = "split", _("Split")
        MERGE = "merge", _("Merge")

    predecessor = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="successor_links",
        verbose_name=_("predecessor"),
    )
    successor = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="predecessor_links",
        verbose_name=_("successor"),
    )
    change = models.CharField(_("change"), max_length=10, choices=Change.choices)
    share = models.DecimalField(
        _("share"),
        max_digits=7,
        decimal_places=6,
        help_text=_("The part of the predecessor's population that went to the successor (0–1)."),
    )
    date = models.DateField(_("date"))

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("area succession")
        verbose_name_plural = _("area successions")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="geo_succession_unique_pair"
            ),
            models.CheckConstraint(
                condition=Q(share__gte=0) & Q(share__lte=1), name="geo_succession_share_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class AreaCell(models.Model):
    """The spatial index: one row per grid cell an area's bounding box touches.

    Locating a point reads the few rows of its cells (see `geometry.cells_at`) instead of
    testing every boundary; it needs no spatial extension, so SQLite and PostgreSQL agree.
    """

    cell = models.BigIntegerField(db_index=True)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="cells")

    class Meta:
        verbose_name = _("area cell")
        verbose_name_plural = _("area cells")

    def __str__(self) -> str:
        return f"{self.cell} → {self.area_id}"


@jobs.register
class AreaImport(ImportJob):
    """An uploaded file of areas or boundaries: checked first, then applied, perhaps by
    `barzan worker`. Its report (counts, the rows created or changed, every problem with
    its line, column or feature) is kept here for its page."""

    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("area"),
        help_text=_("Who may see and run the import: the area it is made under."),
    )
    format = models.CharField(_("format"), max_length=16)
    level = models.ForeignKey(
        AreaLevel, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    parent = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Update(models.TextChoices):
        """What an area file may change (see geo.importing)."""

        BOUNDARIES = "boundaries", _("Boundaries (or points)")
        NAMES = "names", _("Names, codes and parents of existing areas")
        POPULATION = "population", _("Populations")
        NEW = "new", _("New areas (with the file's names)")

    code_property = models.CharField(max_length=100, default="code")
    name_property = models.CharField(max_length=100, default="name_fa")
    source_label = models.CharField(max_length=200, blank=True)
    attribution = models.CharField(max_length=200, blank=True)
    # Comma-separated `Update` values. Imports stored before the choice existed changed
    # everything, and keep doing so when run again.
    updates = models.CharField(
        _("what the file may change"), max_length=100, default="boundaries,names,population,new"
    )
    created_count = models.PositiveIntegerField(_("areas to create"), default=0)
    changed_count = models.PositiveIntegerField(_("areas to change"), default=0)
    unchanged_count = models.PositiveIntegerField(_("areas left alone"), default=0)
    rows = models.JSONField(default=list, blank=True)
    # What is worth a look but does not stop the import: boundaries partly outside their
    # parent's, new areas named like existing ones nearby. Same shape as `problems`.
    warnings = models.JSONField(default=list, blank=True)

    class Meta(ImportJob.Meta):
        verbose_name = _("area import")
        verbose_name_plural = _("area imports")

    @property
    def to_write_count(self) -> int:
        return self.created_count + self.changed_count

    def get_absolute_url(self) -> str:
        return reverse("geo:import_detail", args=[self.pk])
