"""Abstract models every domain app builds on."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .text import format_number, to_persian_digits


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


class ImportStatus(models.TextChoices):
    """Where an import job is: checked (waiting to be applied), queued, running, done, failed."""

    CHECKED = "checked", _("checked, waiting to be applied")
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("applied")
    FAILED = "failed", _("failed")


class ImportFailure(models.TextChoices):
    """Why an import job failed, shown on its page in the reader's language."""

    NONE = "", _("none")
    STOPPED = "stopped", _("the process running it stopped")
    ERROR = "error", _("an error")
    BUSY = "busy", _("the database stayed busy")


class ImportJob(models.Model):
    """An uploaded file checked, then applied, perhaps by `barzan worker`.

    The file waits in the default storage (every web server and worker reads it there).
    While a job runs, `heartbeat_at` is renewed (`core.jobs.Heartbeat`); a running job
    whose heartbeat is older than `BARZAN_IMPORT_STALE_SECONDS` was orphaned by a crash
    and is marked failed (`core.jobs.fail_stale`). Applying is done in steps, each its own
    short transaction; `steps_done` of `step_count` says how far an apply got, and
    running the job again finishes it.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=255)
    stored_name = models.CharField(max_length=255, editable=False)
    file_size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    problems = models.JSONField(default=list, blank=True)
    processed_bytes = models.PositiveBigIntegerField(default=0)
    is_applying = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    step_count = models.PositiveIntegerField(default=0)
    steps_done = models.PositiveIntegerField(default=0)
    failure = models.CharField(
        max_length=16, choices=ImportFailure.choices, default=ImportFailure.NONE, blank=True
    )
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_pending(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)

    @property
    def is_failed(self) -> bool:
        return self.status == ImportStatus.FAILED

    @property
    def is_partly_applied(self) -> bool:
        """Whether an apply stopped after writing some of its steps."""
        return self.status == ImportStatus.FAILED and self.steps_done > 0

    @property
    def to_write_count(self) -> int | None:
        """How many rows applying would write (None when the kind of import does not say)."""
        return None

    @property
    def status_label(self) -> str:
        """Say what happened to the file, not only which state it is in.

        A checked file with problems can never be applied, so it does not read «waiting to
        be applied»; a failed apply says whether some of it was written.
        """
        if self.status == ImportStatus.CHECKED:
            if self.problem_count:
                count = self.problem_count
                return ngettext(
                    "Checked: %(shown)s problem, nothing written",
                    "Checked: %(shown)s problems, nothing written",
                    count,
                ) % {"shown": format_number(count)}
            if self.to_write_count == 0:
                return gettext("Checked: nothing to change")
            return gettext("Checked, waiting to be applied")
        if self.status == ImportStatus.RUNNING:
            return gettext("Being applied") if self.is_applying else gettext("Being checked")
        if self.status == ImportStatus.QUEUED:
            return gettext("Waiting to start")
        if self.status == ImportStatus.DONE:
            return gettext("Applied")
        if self.is_partly_applied:
            return gettext("Stopped part-way: partly applied")
        return gettext("Failed: nothing written")

    @property
    def status_tone(self) -> str:
        """The Bootstrap colour of the status badge: green applied, red failed or refused."""
        if self.status == ImportStatus.DONE:
            return "success"
        if self.status == ImportStatus.FAILED or (
            self.status == ImportStatus.CHECKED and self.problem_count
        ):
            return "danger"
        if self.status == ImportStatus.CHECKED and self.to_write_count != 0:
            return "warning"
        return "secondary"

    @property
    def progress(self) -> int:
        """Percent done: of the file read while checking, of the steps while applying."""
        if self.is_applying and self.step_count:
            return min(100, int(self.steps_done * 100 / self.step_count))
        if not self.file_size:
            return 0
        return min(100, int(self.processed_bytes * 100 / self.file_size))
