"""Errors that actions raise for people to read; views and the API turn them into messages."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class ConcurrentEditError(ValidationError):
    """Raised when a record changed since the person editing it loaded it."""

    def __init__(self, message=None):
        super().__init__(
            message
            or _(
                "Someone else changed this record while you were editing it. Your changes were "
                "not saved: reload the page to see the current version, then edit again."
            ),
            code="conflict",
        )
