"""The audit log."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Hidden:
    """A value of an event its reader may not see; shown as «hidden»."""

    is_hidden = True

    def __str__(self) -> str:
        return str(_("hidden"))


HIDDEN = Hidden()

# The actor label of an event a command or a job recorded, with no user behind it.
SYSTEM_ACTOR = "system"


class AuditEvent(models.Model):
    """One change made by a person, a command or a job, with what it replaced.

    Foreign keys use SET_NULL and keep a copied label, so the log outlives what it
    describes.
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    verb = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target type"),
    )
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=255, blank=True)
    area = models.ForeignKey(
        "geo.Area",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("area"),
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)
    job_id = models.CharField(_("job id"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.verb} {self.target_label}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("audit:event_detail", args=[self.pk])

    @property
    def target_kind(self) -> str:
        """Return what kind of record the target is, such as "organization"."""
        model = self.target_type.model_class() if self.target_type_id else None
        return str(model._meta.verbose_name) if model else ""

    @property
    def actor_display(self) -> str:
        """Return who acted, in the reader's language: a username, or «the system»."""
        # The stored label stays "system" so searches and exports do not depend on the
        # language of whoever recorded the event.
        if self.actor_id is None and self.actor_label == SYSTEM_ACTOR:
            return str(_("System"))
        return self.actor_label

    @property
    def verb_label(self) -> str:
        from .recording import verb_label

        return verb_label(self.verb)

    def changes(self) -> list[tuple[str, object, object]]:
        """Return (field, before, after) for every field that differs or was set; a field
        blanked by `audit.redact` reads HIDDEN on both sides it was hidden on."""
        before, after = self.before or {}, self.after or {}
        hidden = set(getattr(self, "hidden_fields", ()))
        keys = list(dict.fromkeys([*before, *after]))
        return [
            (
                key,
                HIDDEN if f"before.{key}" in hidden else before.get(key),
                HIDDEN if f"after.{key}" in hidden else after.get(key),
            )
            for key in keys
            if before.get(key) != after.get(key) or {f"before.{key}", f"after.{key}"} & hidden
        ]
