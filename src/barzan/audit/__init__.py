"""
Audit: who changed what, when, from which request or job.

Actions call `audit.record(actor=, verb=, target=, before=, after=, reason=)` inside their
transaction, so commands and background jobs are audited exactly like pages. Verbs are
declared where they are used, with a label people read:

    AREA_CREATED = audit.verb("area.created", _("Area created"))

An app whose events hold what not every reader may see registers a redactor for its verbs
(`audit.register_redactor`); the audit pages and API blank those fields (`audit.redact`).
"""

from .recording import record, snapshot, verb, verb_label, verbs
from .redaction import redact, register_redactor

__all__ = ["record", "redact", "register_redactor", "snapshot", "verb", "verb_label", "verbs"]
