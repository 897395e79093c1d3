"""Telling a file's format from its first few kilobytes, and what to say when it is not
the format chosen for it."""

import csv
import io
import re
from typing import BinaryIO

from django.utils.translation import gettext as _

from barzan.core.text import clean

from .records import (
    ADX,
    ADX_NAMESPACE,
    CSV,
    DHIS2_CSV,
    DHIS2_CSV_POSITIONS,
    DHIS2_JSON,
    DHIS2_NAMESPACE,
    DHIS2_XML,
    LABELS,
    REQUIRED_FIELDS,
    XLSX,
)
from .rows import _HEADER_NAMES, _is_dhis2_header, _is_number

# Enough for an XML root element with its namespaces, or a CSV header and first row.
_SNIFF_BYTES = 8 * 1024
_XML_ROOT = re.compile(r"<([^\s?!/>][^\s/>]*)([^>]*)")
_XML_NAMESPACE = re.compile(r"""xmlns(?::([\w.-]+))?\s*=\s*["']([^"']*)["']""")


def detect(stream: BinaryIO) -> str | None:
    """Return the format of `stream` from its first few kilobytes, or None if unclear.

    XML goes by its root element and namespace (ADX or a DHIS2 dataValueSet), CSV by the
    shape of its first row (a Barzan header, a DHIS2 header, or DHIS2 data without one),
    JSON by its opening, XLSX by the ZIP signature. The stream is rewound to where it was.
    """
    start = stream.tell()
    try:
        head = stream.read(_SNIFF_BYTES)
    finally:
        stream.seek(start)
    return _detect_head(head)


def _detect_head(head: bytes) -> str | None:
    if head.startswith(b"PK\x03\x04"):
        return XLSX
    # A multi-byte letter cut at the end of the sample is not an error in the file.
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text:
        return None
    if text[0] == "<":
        return _detect_xml(text)
    if text[0] in "{[":
        return DHIS2_JSON
    try:
        row = next(row for row in csv.reader(io.StringIO(text)) if any(map(str.strip, row)))
    except (StopIteration, csv.Error):
        return None
    fields = {_HEADER_NAMES.get(clean(cell).casefold()) for cell in row}
    if fields.issuperset(REQUIRED_FIELDS):
        return CSV
    if _is_dhis2_header(row):
        return DHIS2_CSV
    value = DHIS2_CSV_POSITIONS["value"]
    if len(row) > value and _is_number(row[value]):
        return DHIS2_CSV
    return None


def _detect_xml(text: str) -> str | None:
    for match in _XML_ROOT.finditer(text):
        tag, rest = match.groups()
        prefix, _colon, name = tag.rpartition(":")
        namespaces = {key or "": uri for key, uri in _XML_NAMESPACE.findall(rest)}
        namespace = namespaces.get(prefix, "")
        if name == "adx" and namespace in ("", ADX_NAMESPACE):
            return ADX
        if name == "dataValueSet" and namespace in ("", DHIS2_NAMESPACE):
            return DHIS2_XML
        return None
    return None


def format_hint(given: str, found: str | None) -> str | None:
    """Return what to tell someone who chose `given` for a file that looks like `found`."""
    if found is None or found == given:
        return None
    return _(
        "The file looks like %(found)s, not %(given)s: choose “%(found)s” as its format, "
        "or let the format be found from the file."
    ) % {"found": LABELS[found], "given": LABELS[given]}
