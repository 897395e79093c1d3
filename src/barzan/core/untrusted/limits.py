"""What reading one file may take, and the exceptions and messages of a refusal."""

import math
from dataclasses import dataclass

MB = 1024 * 1024


class UnreadableFile(ValueError):
    """A file refused as a whole, with a translated message (and the line, when known)."""

    def __init__(self, message, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


class Malformed(Exception):
    """A file that breaks its own format; `kind` and `details` let the caller say how."""

    def __init__(self, kind: str, details: dict | None = None):
        super().__init__(kind, details or {})
        self.kind = kind
        self.details = details or {}


@dataclass(frozen=True)
class Limits:
    """How much reading one file may take."""

    entries: int
    uncompressed_bytes: int
    ratio: int
    columns: int
    rows: int
    memory_bytes: int
    seconds: int


def current_limits() -> Limits:
    """Return the limits the settings give (read on each call, so tests may change them)."""
    from django.conf import settings

    return Limits(
        entries=settings.BARZAN_UNZIP_MAX_ENTRIES,
        uncompressed_bytes=settings.BARZAN_UNZIP_MAX_BYTES,
        ratio=settings.BARZAN_UNZIP_MAX_RATIO,
        columns=settings.BARZAN_XLSX_MAX_COLUMNS,
        rows=settings.BARZAN_XLSX_MAX_ROWS,
        memory_bytes=settings.BARZAN_PARSER_MEMORY_BYTES,
        seconds=settings.BARZAN_PARSER_SECONDS,
    )


def _megabytes(size: int) -> str:
    from barzan.core.text import format_number

    return format_number(max(1, math.ceil(size / MB)))


def _number(value: int) -> str:
    from barzan.core.text import format_number

    return format_number(value)


def _(message: str) -> str:
    """Return `message` in the active language; Django is imported only when one is needed."""
    from django.utils.translation import gettext

    return gettext(message)


def _refuse(message: str, **values) -> UnreadableFile:
    return UnreadableFile(message % values if values else message)
