"""
The actions a role may be allowed, as constants (never free strings).

This module holds no writes: grants are written by `accounts.actions`, which administers
users, so that access stays below every app that calls the policy.
"""

from django.utils.translation import gettext_lazy as _

VIEW = "view"
CAPTURE = "capture"
APPROVE = "approve"
MANAGE = "manage"
EXPORT = "export"
AUDIT = "audit"

ALL = (VIEW, CAPTURE, APPROVE, MANAGE, EXPORT, AUDIT)

LABELS = {
    VIEW: _("view"),
    CAPTURE: _("enter data"),
    APPROVE: _("approve"),
    MANAGE: _("manage"),
    EXPORT: _("export"),
    AUDIT: _("read the audit log"),
}
