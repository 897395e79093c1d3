"""Inspect a ZIP archive (and an XLSX workbook, which is one) before anything in it is
decompressed, and decompress a member as a stream that stops at a cap."""

import io
import re
import struct
import zipfile

from .limits import (
    MB,
    Limits,
    Malformed,
    UnreadableFile,
    _,
    _megabytes,
    _number,
    _refuse,
    current_limits,
)

# Entries smaller than this are not judged by their compression ratio: a few kilobytes of
# repeated characters compress a thousand times without being a bomb.
_RATIO_FROM_BYTES = 1 * MB
# How much of a sheet's XML is read for its <dimension> element, which comes first.
_DIMENSION_WINDOW = 64 * 1024
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref\s*=\s*[\"']([A-Za-z0-9:$]+)[\"']")
_CELL = re.compile(r"\$?([A-Za-z]{1,4})\$?(\d{1,9})")
_SHEET = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)
_ARCHIVE_SUFFIXES = (".zip", ".xlsx", ".xlsm", ".docx", ".jar", ".gz", ".bz2", ".xz", ".7z", ".rar")
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!")
_CHUNK = 64 * 1024


def _declared_entries(file) -> int | None:
    """Return the number of entries the end-of-archive record declares, or None."""
    file.seek(0, io.SEEK_END)
    size = file.tell()
    window = min(size, 22 + 65535)
    file.seek(size - window)
    tail = file.read(window)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    entries = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    if entries == 0xFFFF and at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07":
        # ZIP64: the locator before the record points at the real count.
        (offset,) = struct.unpack("<Q", tail[at - 12 : at - 4])
        file.seek(offset)
        record = file.read(56)
        if record[:4] == b"PK\x06\x06" and len(record) == 56:
            entries = struct.unpack("<Q", record[32:40])[0]
    return entries


def open_zip(
    file, *, limits: Limits | None = None, archives_inside: bool = False
) -> zipfile.ZipFile:
    """Return `file` (a seekable binary file) opened as a ZIP archive once it passes the checks.

    Raise UnreadableFile for too many entries, an entry or a total that expands beyond the
    limit, an entry compressed suspiciously well, or (unless `archives_inside`) an archive
    inside the archive; raise Malformed("zip") when it is not a ZIP archive at all.
    """
    limits = limits or current_limits()
    entries = _declared_entries(file)
    if entries is not None and entries > limits.entries:
        raise _too_many_entries(entries, limits)
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise Malformed("zip", {"error": str(error)}) from error
    members = archive.infolist()
    if len(members) > limits.entries:
        raise _too_many_entries(len(members), limits)
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > limits.uncompressed_bytes or total > limits.uncompressed_bytes:
            raise _refuse(
                _(
                    "The archive expands to more than %(limit)s MB; at most %(limit)s MB are "
                    "accepted. Upload a smaller file."
                ),
                limit=_megabytes(limits.uncompressed_bytes),
            )
        if member.file_size >= _RATIO_FROM_BYTES and (
            member.file_size > limits.ratio * max(member.compress_size, 1)
        ):
            raise _refuse(
                _(
                    "“%(name)s” in the archive is compressed %(ratio)s times; a file compressed "
                    "more than %(limit)s times is refused, as a ZIP bomb would be."
                ),
                name=member.filename,
                ratio=_number(member.file_size // max(member.compress_size, 1)),
                limit=_number(limits.ratio),
            )
        if not archives_inside and member.filename.lower().endswith(_ARCHIVE_SUFFIXES):
            raise _nested(member.filename)
    return archive


def _too_many_entries(count: int, limits: Limits) -> UnreadableFile:
    return _refuse(
        _("The archive holds %(count)s files; at most %(limit)s are accepted."),
        count=_number(count),
        limit=_number(limits.entries),
    )


def _nested(name: str) -> UnreadableFile:
    return _refuse(
        _(
            "The archive holds another archive, “%(name)s”; put the files themselves in one "
            "archive."
        ),
        name=name,
    )


def read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, *, limit: int) -> bytes:
    """Return the content of `member`, decompressed as a stream that stops past `limit` bytes.

    Raise UnreadableFile when it expands beyond `limit` or is itself an archive.
    """
    parts = []
    size = 0
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            if not parts and chunk.startswith(_ARCHIVE_MAGIC):
                raise _nested(member.filename)
            size += len(chunk)
            if size > limit:
                raise _refuse(
                    _(
                        "The archive expands to more than %(limit)s MB; at most %(limit)s MB are "
                        "accepted. Upload a smaller file."
                    ),
                    limit=_megabytes(limit),
                )
            parts.append(chunk)
    return b"".join(parts)


def _cell_position(reference: str) -> tuple[int, int] | None:
    """Return (column, row), counted from 1, of a cell reference such as `XFD1048576`."""
    match = _CELL.fullmatch(reference)
    if match is None:
        return None
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return column, int(match.group(2))


def check_xlsx(file, *, limits: Limits | None = None) -> None:
    """Refuse a workbook whose archive or declared sheet dimensions break the limits.

    A file that is not a ZIP archive passes: the reader says what is wrong with it.
    """
    limits = limits or current_limits()
    start = file.tell()
    try:
        _check_sheets(file, limits)
    finally:
        file.seek(start)


def sheet_too_large(columns: int, rows: int, *, limits: Limits | None = None) -> UnreadableFile:
    """Return the refusal of a sheet that reaches `columns` columns and `rows` rows."""
    limits = limits or current_limits()
    return _refuse(
        _(
            "The sheet reaches %(columns)s columns and %(rows)s rows; at most %(max_columns)s "
            "columns and %(max_rows)s rows are accepted. Copy the data to a new sheet and save "
            "the workbook again."
        ),
        columns=_number(columns),
        rows=_number(rows),
        max_columns=_number(limits.columns),
        max_rows=_number(limits.rows),
    )


def _check_sheets(file, limits: Limits) -> None:
    try:
        # A workbook may embed a document (a .docx in xl/embeddings); the reader never
        # opens it, so it is no way in for a bomb.
        archive = open_zip(file, limits=limits, archives_inside=True)
    except Malformed:
        return
    with archive:
        for member in archive.infolist():
            if not _SHEET.fullmatch(member.filename):
                continue
            with archive.open(member) as stream:
                try:
                    head = stream.read(_DIMENSION_WINDOW)
                except (zipfile.BadZipFile, OSError, EOFError, ValueError):
                    return  # the reader reports the damage
            match = _DIMENSION.search(head)
            if match is None:
                continue
            reference = match.group(1).decode("ascii")
            corners = [_cell_position(part) for part in reference.split(":")]
            if any(corner is None for corner in corners):
                continue
            columns = max(column for column, _row in corners)
            rows = max(row for _column, row in corners)
            if columns > limits.columns or rows > limits.rows:
                raise sheet_too_large(columns, rows, limits=limits)
