"""Rows of a CSV or XLSX file as (line, cells), with the file's own line numbers.

CSV is read as a stream of UTF-8 (a byte-order mark is dropped); a row that spans several
lines (a quoted cell with a line break) has the line it starts on. XLSX is read in a child
process with limits (`core.untrusted`), after the workbook's directory passes the checks;
its rows are numbered as Excel shows them. A file that cannot be read at all raises
UnreadableFile with a translated message.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
from collections.abc import Iterator
from typing import BinaryIO

from django.utils.translation import gettext as _

from barzan.core import untrusted
from barzan.core.text import localize_digits

from . import sniff

UnreadableFile = untrusted.UnreadableFile
CSV = sniff.CSV
XLSX = sniff.XLSX
FORMATS = (CSV, XLSX)


def format_of(stream: BinaryIO, name: str = "") -> str:
    """Return CSV or XLSX for `stream`, from its first bytes (else its name's extension)."""
    found = sniff.sniff(stream)
    if found.kind == sniff.XLSX or (found.kind == sniff.ZIP and name.lower().endswith(".xlsx")):
        return XLSX
    if found.kind == sniff.CSV:
        return CSV
    if found.kind is None and name.lower().endswith(".csv"):
        return CSV
    raise UnreadableFile(_("This file is neither a CSV file nor an Excel workbook (.xlsx)."))


def rows(stream: BinaryIO, format: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (line, cells) for each row of `stream`, a file in `format` (CSV or XLSX)."""
    if format == XLSX:
        return _xlsx_rows(stream)
    return csv_rows(stream)


def csv_rows(stream: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number of the row's first line, cells) for each row of a UTF-8 CSV file.

    The values import reads its CSV files (Barzan's and DHIS2's) through this too."""
    start = stream.tell() if stream.seekable() else None
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    last = 0
    try:
        try:
            for row in reader:
                yield last + 1, row
                last = reader.line_num
        finally:
            # Closing the wrapper (as collecting it would) would close the caller's stream.
            with contextlib.suppress(ValueError):
                text.detach()
    except UnicodeDecodeError as error:
        line = _undecodable_line(stream, start) or last + 1
        raise UnreadableFile(
            _("The file is not UTF-8 text (line %(line)s). Save it as “CSV UTF-8”.")
            % {"line": localize_digits(line)},
            line=line,
        ) from error
    except csv.Error as error:
        line = reader.line_num
        raise UnreadableFile(
            _("Line %(line)s cannot be read: %(error)s.")
            % {"line": localize_digits(line), "error": error},
            line=line,
        ) from error


def _undecodable_line(stream: BinaryIO, start: int | None) -> int | None:
    if start is None:
        return None
    stream.seek(start)
    decoder = codecs.getincrementaldecoder("utf-8")()
    for number, raw in enumerate(stream, 1):
        try:
            decoder.decode(raw)
        except UnicodeDecodeError:
            return number
    return None


def _xlsx_rows(stream: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    untrusted.check_xlsx(stream)
    try:
        yield from enumerate(untrusted.parse(untrusted.XLSX_ROWS, stream), 1)
    except untrusted.Malformed as error:
        if error.kind == "extent":
            raise untrusted.sheet_too_large(**error.details) from error
        if error.kind == "no_sheet":
            raise UnreadableFile(_("The workbook has no sheet.")) from error
        raise UnreadableFile(
            _("The file is not an Excel workbook (.xlsx): %(error)s.")
            % {"error": error.details.get("error", "")}
        ) from error
