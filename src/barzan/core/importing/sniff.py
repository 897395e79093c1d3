"""What a file is, from its first few kilobytes: a ZIP (an XLSX workbook is one), JSON
(with its top-level keys), XML (with its root element and namespace), or CSV (with its
header row).

Generic on purpose: an importer decides what the shape means (the values importer keeps
its own, specific detection of DHIS2 and ADX files in `indicators`). The stream is read
from where it stands and rewound there, so the importer reads the file whole afterwards.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import BinaryIO

XLSX = "xlsx"
ZIP = "zip"
JSON = "json"
XML = "xml"
CSV = "csv"

# Enough for an XML root element with its namespaces, or a CSV header and first rows.
SNIFF_BYTES = 8 * 1024
_XML_ROOT = re.compile(r"<([^\s?!/>][^\s/>]*)([^>]*)")
_XML_NAMESPACE = re.compile(r"""xmlns(?::([\w.-]+))?\s*=\s*["']([^"']*)["']""")


@dataclass(frozen=True)
class Sniffed:
    """What the first bytes of a file say it is; `kind` is None when they say nothing."""

    kind: str | None
    keys: tuple[str, ...] = ()  # JSON: the keys of the top-level object seen so far
    root: str = ""  # XML: the root element's local name
    namespace: str = ""  # XML: the root element's namespace
    header: tuple[str, ...] = ()  # CSV: the first non-empty row


def sniff(stream: BinaryIO, size: int = SNIFF_BYTES) -> Sniffed:
    """Return what `stream` looks like from its first `size` bytes, and rewind it."""
    start = stream.tell()
    try:
        head = stream.read(size)
    finally:
        stream.seek(start)
    return sniff_bytes(head)


def sniff_bytes(head: bytes) -> Sniffed:
    if head.startswith(b"PK\x03\x04"):
        # A workbook names its parts in the ZIP directory near the start.
        if b"[Content_Types].xml" in head or b"xl/" in head:
            return Sniffed(XLSX)
        return Sniffed(ZIP)
    # A multi-byte letter cut at the end of the sample is not an error in the file.
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text:
        return Sniffed(None)
    if text[0] == "<":
        return _xml(text)
    if text[0] in "{[":
        return Sniffed(JSON, keys=tuple(_top_level_keys(text)))
    header = _csv_header(text)
    return Sniffed(CSV, header=header) if header else Sniffed(None)


def _xml(text: str) -> Sniffed:
    # Skip the declaration, comments and processing instructions before the root.
    for match in _XML_ROOT.finditer(text):
        name, attributes = match.groups()
        prefix, _colon, local = name.rpartition(":")
        namespaces = {key or "": value for key, value in _XML_NAMESPACE.findall(attributes)}
        return Sniffed(XML, root=local, namespace=namespaces.get(prefix, ""))
    return Sniffed(XML)


def _top_level_keys(text: str) -> list[str]:
    """Return the keys of the outermost JSON object in `text`, which may be cut short."""
    keys: list[str] = []
    depth = 0
    position = 0
    length = len(text)
    while position < length:
        char = text[position]
        if char == '"':
            end = position + 1
            while end < length and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if end >= length:
                break
            if depth == 1 and text[end + 1 : end + 40].lstrip().startswith(":"):
                keys.append(text[position + 1 : end])
            position = end + 1
            continue
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        position += 1
    return keys


def _csv_header(text: str) -> tuple[str, ...]:
    try:
        for row in csv.reader(io.StringIO(text)):
            if any(cell.strip() for cell in row):
                return tuple(row)
    except csv.Error:
        return ()
    return ()
