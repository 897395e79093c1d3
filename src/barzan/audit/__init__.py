"""
Audit: who changed what, when, from which request or job.

Actions call `audit.record(actor=, verb=, target=, before=, after=, reason=)` inside their
transaction, so commands and background jobs are audited exactly like pages. Verbs are
declared where they are used, with a label people read:

    AREA_CREATED = audit.verb("area.created", _("Area created"))
"""

from .recording import record, snapshot, verb, verb_label, verbs

__all__ = ["record", "snapshot", "verb", "verb_label", "verbs"]
