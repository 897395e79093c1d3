"""
Read files nobody vouches for, so that the worst a file can do is fail with a message.

An uploaded workbook, archive, JSON or XML file is read in two steps:

1. An archive (a ZIP file, and an XLSX workbook, which is one) is inspected before anything
   in it is decompressed: `open_zip` counts its entries from the end-of-archive record,
   then checks each entry's declared size, their total, each entry's compression ratio and
   archives inside the archive; `check_xlsx` also reads the first bytes of every sheet for
   the dimensions it declares (`<dimension ref="A1:XFD1048576"/>`). Declared sizes can lie,
   so `read_member` decompresses as a stream and stops at the cap.
2. The parse runs in a child process (`parse`): a new interpreter that imports only the
   standard library and python-calamine, limited in address space (RLIMIT_AS), processor
   time (RLIMIT_CPU) and the size of what it writes (RLIMIT_FSIZE), and killed by the
   parent when its time is up. The child writes what it read to a temporary file, one
   pickled item (a row, a JSON list item, an XML element) at a time; the parent streams
   them back with an unpickler that builds nothing but plain data, so a large file never
   crosses the boundary whole and the parent holds one item at a time.

A file that breaks its format raises `Malformed` (a kind and details such as a line),
which the caller turns into its own message; a file that breaks a limit raises
`UnreadableFile`, whose message is translated here. The limits are the `BARZAN_UNZIP_*`,
`BARZAN_XLSX_*` and `BARZAN_PARSER_*` settings.

Why a new interpreter started with `subprocess` rather than `multiprocessing`: a forked
child would inherit Django's open database connections, the worker's threads and the
parent's whole address space (which RLIMIT_AS counts); multiprocessing's `spawn` and
`forkserver` children run the parent's `__main__` again (gunicorn, pytest or the
`barzan` script) before the work, which costs time and depends on how the parent was
started: 8 to 10 s a child from a script that sets Django up when imported, on this
machine under load. The child is started with `-I` (no environment variables, no current
folder on its path) and finds Barzan from the location of this file, so what it does
depends on neither the current folder nor the environment. Starting it and reading a
one-row file costs 0.1 to 0.2 s (0.4 s with the machine's two cores busy).

This module imports Django only inside the functions that need it: the child imports
this module and must start fast.

Measured on a 2-core machine (December 2026), peak resident memory of the reading process
with Django loaded (74 MB before reading) and of the child:

- one cell at XFD1048576 (1.5 KB): refused from its <dimension> before any child, 88 MB;
  without the <dimension>, refused by the child from the sheet's extent (child 17 MB);
  with A1 as well, calamine's 512 GiB request fails against RLIMIT_AS (child 64 MB);
- 2.3 MB expanding to 528 MB of sheet XML: refused for its ratio (376), 88 MB; with the
  ratio check lifted, the child reached 1,343 MB and was stopped at the 2,048 MB limit,
  the reading process stayed at 88 MB;
- a 1.5 MB ZIP of division CSVs expanding to 1.5 GiB: refused from its directory, 96 MB;
- a 53 MB GeoJSON of 2,000 polygons: reading process 169 MB, child 575 MB, 15.8 s (parsed
  whole in the reading process: 632 MB, 8.9 s);
- ordinary files: a 100,000-row workbook (2.4 MB) 2.8 s, reading process 88 MB, child
  85 MB (read in process: 1.8 s, 141 MB); a 100,000-value DHIS2 JSON (12 MB) 2.2 s,
  88 MB, child 76 MB; a one-row workbook 0.1 to 0.2 s, child 17 MB.
"""

import io
import json
import logging
import math
import os
import pickle
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

# What a child job names its file kinds by.
XLSX_ROWS = "xlsx_rows"
JSON_ITEMS = "json_items"
XML_ELEMENTS = "xml_elements"

MB = 1024 * 1024
logger = logging.getLogger(__name__)
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
_XML_CHUNK = 64 * 1024

# Frames of the child's output file: a batch of items, the end, or what is malformed.
_ITEMS, _END, _MALFORMED = "items", "end", "malformed"
# Items in a frame: many enough that framing costs little beside reading a row.
_BATCH = 256
# The child's exit status when Python itself runs out of memory.
_OUT_OF_MEMORY = 3


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
    from .text import format_number

    return format_number(max(1, math.ceil(size / MB)))


def _number(value: int) -> str:
    from .text import format_number

    return format_number(value)


def _(message: str) -> str:
    """Return `message` in the active language; Django is imported only when one is needed."""
    from django.utils.translation import gettext

    return gettext(message)


def _refuse(message: str, **values) -> UnreadableFile:
    return UnreadableFile(message % values if values else message)


# -- Archives ------------------------------------------------------------------------------


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


# -- The child process ---------------------------------------------------------------------


def parse(job: str, source, *, batch: int = _BATCH, **options) -> Iterator:
    """Yield the items that child job `job` reads from `source`, parsed in a child process.

    The child hands items over `batch` at a time: 1 when each item may be large.

    `source` is a path, bytes or a binary file (read from its current position; a file on
    disk read from its start is passed by path, not copied). Raise UnreadableFile when the
    child breaks a limit and Malformed when the file breaks its format; both come before
    the first item, except Malformed after the items read before the error. The child runs
    when the first item is asked for.
    """
    current = current_limits()
    with tempfile.TemporaryDirectory(prefix="barzan-untrusted-") as folder:
        path, passed_by_path = _source_path(source, folder)
        output = os.path.join(folder, "items")
        _run_child(job, path, output, options, current, folder, batch)
        if passed_by_path:
            # The child read the whole file; a progress bar reads the position.
            source.seek(0, io.SEEK_END)
        with open(output, "rb") as items:
            while True:
                try:
                    # Each frame is a pickle of its own (see _child).
                    kind, payload = _PlainUnpickler(items).load()
                except EOFError:
                    raise _refuse(_("The file could not be read.")) from None
                if kind == _END:
                    logger.debug(
                        "Read %s in a child process; its peak memory was %s KB",
                        job,
                        payload["peak_kb"],
                    )
                    return
                if kind == _MALFORMED:
                    raise Malformed(*payload)
                yield from payload


def _source_path(source, folder: str) -> tuple[str, bool]:
    """Return a path the child can read `source` from, and whether it is `source`'s own."""
    if isinstance(source, str | os.PathLike):
        return os.fspath(source), False
    if isinstance(source, bytes | bytearray | memoryview):
        path = os.path.join(folder, "source")
        with open(path, "wb") as copy:
            copy.write(source)
        return path, False
    name = getattr(source, "name", None)
    try:
        if (
            isinstance(name, str)
            and os.path.isabs(name)
            and source.tell() == 0
            and os.path.samestat(os.fstat(source.fileno()), os.stat(name))
        ):
            return name, True
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        pass
    path = os.path.join(folder, "source")
    with open(path, "wb") as copy:
        shutil.copyfileobj(source, copy, _CHUNK)
    return path, False


def _run_child(
    job: str, path: str, output: str, options: dict, limits: Limits, folder: str, batch: int
):
    request = {
        "job": job,
        "batch": batch,
        "source": path,
        "output": output,
        "options": options,
        "memory": limits.memory_bytes,
        "seconds": limits.seconds,
        # What the child writes is about the size of what it reads, with room for framing.
        "output_limit": 2 * limits.uncompressed_bytes + 16 * MB,
        "columns": limits.columns,
        "rows": limits.rows,
    }
    package_root = str(Path(__file__).resolve().parents[2])
    command = [
        sys.executable,
        "-I",
        "-c",
        f"import sys; sys.path.insert(0, {package_root!r}); "
        "from barzan.core.untrusted import _child; _child()",
    ]
    errors_path = os.path.join(folder, "errors")
    with open(errors_path, "wb") as errors:
        try:
            finished = subprocess.run(
                command,
                input=json.dumps(request).encode(),
                stdout=subprocess.DEVNULL,
                stderr=errors,
                cwd=folder,
                timeout=limits.seconds,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise _too_slow(limits) from None
    code = finished.returncode
    if code == 0:
        return
    with open(errors_path, "rb") as errors:
        errors.seek(max(0, os.path.getsize(errors_path) - 2000))
        logger.warning(
            "The reader of an untrusted file stopped with status %s: %s",
            code,
            errors.read().decode("utf-8", "replace"),
        )
    if code == -signal.SIGXCPU:
        raise _too_slow(limits)
    if code == -signal.SIGXFSZ:
        raise _refuse(
            _(
                "The file expands to more than %(limit)s MB; at most %(limit)s MB are accepted. "
                "Upload a smaller file."
            ),
            limit=_megabytes(limits.uncompressed_bytes),
        )
    if code in (_OUT_OF_MEMORY, -signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV):
        raise _refuse(
            _(
                "Reading the file needed more than %(limit)s MB of memory, so it was stopped. "
                "Check that it holds only the data to import, or split it into smaller files."
            ),
            limit=_megabytes(limits.memory_bytes),
        )
    raise _refuse(_("The file could not be read."))


def _too_slow(limits: Limits) -> UnreadableFile:
    return _refuse(
        _(
            "Reading the file took longer than %(seconds)s seconds, so it was stopped. Split it "
            "into smaller files and upload them one by one."
        ),
        seconds=_number(limits.seconds),
    )


class _PlainUnpickler(pickle.Unpickler):
    """Build lists, dicts, text and numbers only: what the child writes, and nothing else."""

    def find_class(self, module, name):
        if (module, name) == ("decimal", "Decimal"):
            return Decimal
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def _child() -> None:
    """Run one job on a file in this (child) process, within the limits the parent sends."""
    import resource

    request = json.loads(sys.stdin.buffer.read())
    memory = request["memory"]
    seconds = request["seconds"]
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (request["output_limit"], request["output_limit"]))
    job = _JOBS[request["job"]]
    options = {**request["options"], "limits": (request["columns"], request["rows"])}
    protocol = pickle.HIGHEST_PROTOCOL
    try:
        with open(request["output"], "wb") as output:
            batch: list = []
            try:
                for item in job(request["source"], **options):
                    batch.append(item)
                    if len(batch) >= request["batch"]:
                        # Pickled whole before it is written: a batch that cannot be
                        # pickled leaves no half frame behind.
                        output.write(pickle.dumps((_ITEMS, batch), protocol=protocol))
                        batch = []
                if batch:
                    output.write(pickle.dumps((_ITEMS, batch), protocol=protocol))
            except Malformed as error:
                if batch:
                    output.write(pickle.dumps((_ITEMS, batch), protocol=protocol))
                output.write(pickle.dumps((_MALFORMED, (error.kind, error.details))))
            except RecursionError:
                output.write(pickle.dumps((_MALFORMED, ("depth", {}))))
            else:
                output.write(pickle.dumps((_END, {"peak_kb": _peak_kb()})))
    except MemoryError:
        os._exit(_OUT_OF_MEMORY)


def _peak_kb() -> int | None:
    """Return this process's peak resident memory since it started the job's interpreter."""
    # Not ru_maxrss: it keeps the parent's size from before the child's exec.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


# -- Child jobs: each yields plain data and raises Malformed ---------------------------------


def cell_text(value) -> str:
    """Return the text of a spreadsheet cell as the file means it (12.0 is `12`)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if not math.isfinite(value):
            return repr(value)
        return decimal_text(Decimal(repr(value)))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


def decimal_text(value: Decimal) -> str:
    """Return `value` without an exponent or trailing zeros: 12.500 is `12.5`, 1E+2 `100`."""
    if not value.is_finite():
        return str(value)
    return format(value.normalize(), "f")


def _xlsx_rows(source: str, *, limits: tuple[int, int]) -> Iterator[list[str]]:
    """Yield the rows of the first sheet as text cells, from A1, so row numbers are Excel's."""
    from python_calamine import CalamineError, CalamineWorkbook

    max_columns, max_rows = limits
    try:
        workbook = CalamineWorkbook.from_path(source)
        if not workbook.sheet_names:
            raise Malformed("no_sheet")
        sheet = workbook.get_sheet_by_index(0)
        if sheet.height:
            # The sheet's extent as its cells give it, whatever <dimension> said.
            rows, columns = sheet.end[0] + 1, sheet.end[1] + 1
            if columns > max_columns or rows > max_rows:
                raise Malformed("extent", {"columns": columns, "rows": rows})
        # Calamine reads a sheet whole. Keeping the empty rows above the data makes the
        # row numbers those Excel shows.
        rows = sheet.to_python(skip_empty_area=False)
    except CalamineError as error:
        raise Malformed("xlsx", {"error": str(error)}) from error
    for row in rows:
        yield [cell_text(cell) for cell in row]


def _json_items(
    source: str,
    *,
    items: str | None = None,
    keep: tuple = (),
    decimals: bool = False,
    encodings: tuple = ("utf-8-sig",),
    limits=None,
) -> Iterator:
    """Yield a JSON document's head, then each item of its list `items`.

    The head is {"object": is the document an object, "list": has it the list `items`,
    "keep": the document's members named in `keep`}; without `items` it is the document.
    The text is decoded with the first of `encodings` that fits it.
    """
    with open(source, "rb") as file:
        content = file.read()
    for encoding in encodings:
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError as error:
            undecodable = error
    else:
        raise Malformed(
            "encoding", {"line": content.count(b"\n", 0, undecodable.start) + 1}
        ) from undecodable
    del content
    # As DHIS2 means them: numbers exactly as written, NaN and Infinity as words.
    number = (
        {"parse_float": Decimal, "parse_int": Decimal, "parse_constant": lambda name: name}
        if decimals
        else {}
    )
    try:
        document = json.loads(text, **number)
    except json.JSONDecodeError as error:
        raise Malformed(
            "syntax", {"error": error.msg, "line": error.lineno, "column": error.colno}
        ) from error
    except RecursionError as error:
        raise Malformed("depth") from error
    del text
    if items is None:
        yield document
        return
    is_object = isinstance(document, dict)
    listed = document.get(items) if is_object else None
    yield {
        "object": is_object,
        "list": isinstance(listed, list),
        "keep": {key: document[key] for key in keep if is_object and key in document},
    }
    if isinstance(listed, list):
        # Hand each item over and let it go, so the document shrinks as it is written.
        listed.reverse()
        while listed:
            yield listed.pop()


def _xml_elements(
    source: str, *, names: tuple = (), limits=None
) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield (local name, attributes) of each element named in `names`, in document order.

    Refuse any DTD, so no entity can expand, and any text not in UTF-8.
    """
    import xml.etree.ElementTree as ET
    from xml.parsers.expat import errors as expat_errors

    wanted = set(names)
    parser = ET.XMLPullParser(events=("start", "end"))
    open_elements: list = []
    tail = b""
    first = True

    def events():
        try:
            yield from parser.read_events()
        except ET.ParseError as error:
            line, column = error.position
            raise Malformed(
                "syntax",
                {
                    "error": str(expat_errors.messages.get(error.code, error)),
                    "line": line,
                    "column": column,
                },
            ) from error

    def handle():
        for event, element in events():
            if event == "start":
                open_elements.append(element)
                name = element.tag.rpartition("}")[2]
                if name in wanted:
                    yield name, dict(element.attrib)
            else:
                open_elements.pop()
                # Drop what is read, so a long file does not build up a tree.
                if open_elements:
                    del open_elements[-1][:]

    with open(source, "rb") as file:
        while chunk := file.read(_XML_CHUNK):
            if first:
                # The DTD check below reads bytes as ASCII, which UTF-16 and UTF-32 are not.
                if chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in chunk[:4]:
                    raise Malformed("encoding")
                first = False
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                raise Malformed("doctype")
            tail = chunk[-8:]
            parser.feed(chunk)
            yield from handle()
    try:
        parser.close()
    except ET.ParseError as error:
        line, column = error.position
        raise Malformed(
            "syntax",
            {
                "error": str(expat_errors.messages.get(error.code, error)),
                "line": line,
                "column": column,
            },
        ) from error
    yield from handle()


_JOBS = {XLSX_ROWS: _xlsx_rows, JSON_ITEMS: _json_items, XML_ELEMENTS: _xml_elements}
