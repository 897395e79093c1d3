"""Files of rows: Barzan CSV, XLSX and DHIS2 CSV."""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from django.utils.translation import gettext as _

from barzan.core import untrusted
from barzan.core.importing.reading import csv_rows
from barzan.core.text import clean

from .records import (
    _DEFAULT_COMBO,
    _DHIS2_CSV_HEADER_NAMES,
    DHIS2_CSV_ATTRIBUTE_COMBO,
    DHIS2_CSV_DELETED,
    DHIS2_CSV_HEADER,
    DHIS2_CSV_POSITIONS,
    FIELDS,
    HEADERS,
    REQUIRED_FIELDS,
    Problem,
    Record,
    UnreadableFile,
    _attribute_combo_message,
    _deletion_message,
    _is_default_combo,
    _is_true,
    _unguard,
)


@dataclass(frozen=True)
class _Layout:
    """Where each field is in the rows of a file, and the header each has there."""

    positions: dict[str, int]
    headers: dict[str, str]
    required: tuple[str, ...]
    unguard: bool = False
    default_combo: bool = False
    # DHIS2 CSV: the position of the attribute option combination and of `deleted`.
    attribute_combo: int = -1
    deleted: int = -1


def _header_names() -> dict[str, str]:
    names = {}
    for field, spellings in HEADERS.items():
        for spelling in spellings:
            names[clean(spelling).casefold()] = field
    return names


_HEADER_NAMES = _header_names()


def _layout_from_header(header: list[str], *, unguard: bool) -> _Layout:
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for position, cell in enumerate(header):
        field = _HEADER_NAMES.get(clean(cell).casefold())
        if field is None:
            continue
        if field in positions:
            raise UnreadableFile(
                _("The columns “%(first)s” and “%(second)s” are the same column; keep one.")
                % {"first": headers[field], "second": cell.strip()},
                line=1,
            )
        positions[field] = position
        headers[field] = cell.strip()
    missing = [field for field in REQUIRED_FIELDS if field not in positions]
    if missing:
        names = ", ".join(f"{HEADERS[field][0]} ({HEADERS[field][1]})" for field in missing)
        raise UnreadableFile(
            _("The header row lacks these columns: %(columns)s.") % {"columns": names}, line=1
        )
    return _Layout(positions, headers, REQUIRED_FIELDS, unguard=unguard)


def _records_from_rows(
    rows: Iterator[tuple[int, list[str]]], layout: _Layout
) -> Iterator[Record | Problem]:
    """Yield a Record for each row of text cells in `rows`, skipping blank rows."""
    positions = layout.positions
    at = [positions.get(field, -1) for field in FIELDS]
    i_indicator, i_area, i_period, i_breakdown, i_value, i_comment = at
    width = max(at) + 1
    unguard = layout.unguard
    default_combo = layout.default_combo
    marks = layout.attribute_combo >= 0 or layout.deleted >= 0
    for line, row in rows:
        if len(row) >= width:
            indicator = row[i_indicator].strip()
            area = row[i_area].strip()
            period = row[i_period].strip()
            value = row[i_value].strip()
            breakdown = row[i_breakdown].strip() if i_breakdown >= 0 else ""
            comment = row[i_comment].strip() if i_comment >= 0 else ""
        else:
            if not any(cell.strip() for cell in row):
                continue
            short = [field for field in layout.required if positions[field] >= len(row)]
            if short:
                yield Problem(
                    line,
                    layout.headers[short[0]],
                    _("The row ends before its “%(column)s” cell.")
                    % {"column": layout.headers[short[0]]},
                )
                continue
            cells = [row[i].strip() if 0 <= i < len(row) else "" for i in at]
            indicator, area, period, breakdown, value, comment = cells
        if not (indicator or area or period or value or breakdown or comment):
            continue
        if unguard:
            indicator, area, period, breakdown, comment = (
                _unguard(text) for text in (indicator, area, period, breakdown, comment)
            )
        if default_combo and breakdown.lower() == _DEFAULT_COMBO:
            breakdown = ""
        if marks:
            problem = _marked(line, row, layout)
            if problem is not None:
                yield problem
                continue
        yield Record(line, indicator, area, period, breakdown, value, comment)


def _marked(line: int, row: list[str], layout: _Layout) -> Problem | None:
    """Return the problem of a DHIS2 CSV row marked deleted or for an attribute combination."""
    deleted = layout.deleted
    if 0 <= deleted < len(row) and _is_true(row[deleted]):
        return Problem(line, layout.headers.get("deleted", "deleted"), _deletion_message())
    combo = layout.attribute_combo
    if 0 <= combo < len(row) and not _is_default_combo(row[combo]):
        return Problem(
            line,
            layout.headers.get("attribute_combo", DHIS2_CSV_HEADER[combo]),
            _attribute_combo_message(row[combo].strip()),
        )
    return None


def _read_csv(stream: BinaryIO) -> Iterator[Record | Problem]:
    rows = csv_rows(stream)
    for _line, header in rows:
        if any(cell.strip() for cell in header):
            break
    else:
        raise UnreadableFile(_("The file is empty."))
    try:
        layout = _layout_from_header(header, unguard=True)
    except UnreadableFile:
        rows.close()  # detach from the stream now, not when collected
        raise
    yield from _records_from_rows(rows, layout)


def _header_key(cell: str) -> str:
    return clean(cell).casefold().replace(" ", "").replace("_", "")


def _is_number(text: str) -> bool:
    try:
        return Decimal(clean(text).replace(",", "")).is_finite()
    except (InvalidOperation, ValueError):
        return False


def _is_dhis2_header(row: list[str]) -> bool:
    """Tell a DHIS2 CSV header row from a first row of data."""
    value = DHIS2_CSV_POSITIONS["value"]
    if len(row) > value and _is_number(row[value]):
        return False
    return len({_header_key(cell) for cell in row} & _DHIS2_CSV_HEADER_NAMES) >= 2


def _read_dhis2_csv(stream: BinaryIO) -> Iterator[Record | Problem]:
    """Read DHIS2's CSV data value format, whose periods here are Barzan's Jalali codes.

    Columns go by position, as DHIS2 reads them. DHIS2 ignores the first row as a header;
    a file written without one would lose its first value, so a first row shaped like
    data (a number where the value goes, no header names) is read as data.
    """
    rows = csv_rows(stream)
    first: tuple[int, list[str]] | None = None
    for line, row in rows:
        if any(cell.strip() for cell in row):
            first = (line, row)
            break
    header: list[str] = []
    if first is not None and _is_dhis2_header(first[1]):
        header = first[1]
        first = None
    headers = {
        field: (header[index].strip() if index < len(header) else "") or DHIS2_CSV_HEADER[index]
        for field, index in DHIS2_CSV_POSITIONS.items()
    }
    named = {_header_key(cell): index for index, cell in enumerate(header)}
    deleted = named.get("deleted", DHIS2_CSV_DELETED)
    combo = DHIS2_CSV_ATTRIBUTE_COMBO
    headers["deleted"] = header[deleted].strip() if deleted < len(header) else "deleted"
    headers["attribute_combo"] = (
        header[combo].strip() if combo < len(header) else DHIS2_CSV_HEADER[combo]
    ) or DHIS2_CSV_HEADER[combo]
    layout = _Layout(
        DHIS2_CSV_POSITIONS,
        headers,
        REQUIRED_FIELDS,
        unguard=True,
        default_combo=True,
        attribute_combo=combo,
        deleted=deleted,
    )
    if first is not None:
        rows = itertools.chain([first], rows)
    yield from _records_from_rows(rows, layout)


def _read_xlsx(stream: BinaryIO) -> Iterator[Record | Problem]:
    """Read the first sheet in a child process, once the workbook passes the checks."""
    untrusted.check_xlsx(stream)
    rows = untrusted.parse(untrusted.XLSX_ROWS, stream)
    try:
        numbered = enumerate(rows, 1)
        for _line, header in numbered:
            if any(cell.strip() for cell in header):
                break
        else:
            raise UnreadableFile(_("The first sheet of the workbook is empty."))
    except untrusted.Malformed as error:
        if error.kind == "extent":
            raise untrusted.sheet_too_large(**error.details) from error
        if error.kind == "no_sheet":
            raise UnreadableFile(_("The workbook has no sheet.")) from error
        raise UnreadableFile(
            _("The file is not an Excel workbook (.xlsx): %(error)s.")
            % {"error": error.details.get("error", "")}
        ) from error
    yield from _records_from_rows(numbered, _layout_from_header(header, unguard=False))
