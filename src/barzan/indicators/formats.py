"""
Indicator values in files: Barzan CSV and XLSX, DHIS2 JSON, XML and CSV, and ADX.

`read` turns a file into a Record for each value and a Problem for each row or data
value that cannot even be taken apart; the `write_*` functions turn values back into the
same files, so that reading what was written gives the same values back. Nothing here
touches the database: the import engine resolves the codes and checks the values, which
is why a Record carries the text as the file wrote it.

Identifiers are codes in every format (DHIS2's idScheme=code). Periods are Barzan's
Jalali codes (`1402`, `1402H1`, `1402Q3`, `1402-07`) everywhere but in ADX, which writes
a period as its first Gregorian day and a duration (`2023-03-21/P1Y`). DHIS2's
Gregorian period codes (`202301`, `2023Q1`) are read as written; the import engine
refuses them with the nearest Jalali period (`periods.explain`).

Nothing a file says is dropped without a word: a value marked deleted, an attribute
option combination other than the default, or an ADX attribute Barzan does not know
(a breakdown it does not keep, such as `Sex_category`) is a Problem, never a value read
as something else. `detect` tells a file's format from its first few kilobytes.

CSV is read as a stream, row by row, so a file of millions of rows takes little memory.
XLSX, DHIS2 JSON, DHIS2 XML and ADX are parsed by `core.untrusted` in a child process with
limits of memory and time, after a workbook's archive and sheet dimensions are checked;
their rows or values stream back one at a time, so a crafted file fails with a message
instead of taking the process that reads it down. A value's line is the file's line,
except in a JSON or XML file written on one line, where it is the value's place among
the values (`Record.by_position`).
"""

import codecs
import contextlib
import csv
import dataclasses
import functools
import io
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import BinaryIO
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from barzan.core import untrusted
from barzan.core.exports import FORMULA_START, safe_cell, starts_formula, xlsx_workbook
from barzan.core.text import clean

from . import periods
from .choices import Dimension

CSV = "csv"
XLSX = "xlsx"
DHIS2_JSON = "dhis2_json"
DHIS2_CSV = "dhis2_csv"
DHIS2_XML = "dhis2_xml"
ADX = "adx"
FORMATS = (CSV, XLSX, DHIS2_JSON, DHIS2_XML, DHIS2_CSV, ADX)
# Names of the formats, as the upload form offers them.
LABELS = {
    CSV: gettext_lazy("Barzan CSV"),
    XLSX: gettext_lazy("Barzan Excel (XLSX)"),
    DHIS2_JSON: gettext_lazy("DHIS2 JSON"),
    DHIS2_XML: gettext_lazy("DHIS2 XML"),
    DHIS2_CSV: gettext_lazy("DHIS2 CSV"),
    ADX: gettext_lazy("ADX (XML)"),
}

FIELDS = ("indicator", "area", "period", "breakdown", "value", "comment")
REQUIRED_FIELDS = ("indicator", "area", "period", "value")

# The header of each field in Barzan CSV and XLSX files: English, then Persian.
HEADERS = {
    "indicator": ("indicator", "کد شاخص"),
    "area": ("area", "کد محدوده"),
    "period": ("period", "دوره"),
    "breakdown": ("breakdown", "تفکیک"),
    "value": ("value", "مقدار"),
    "comment": ("comment", "توضیح"),
}
# Names shown beside the codes in spreadsheets for people; reading ignores them.
NAME_HEADERS = {
    "indicator": ("indicator name", "نام شاخص"),
    "area": ("area name", "نام محدوده"),
}

# DHIS2 CSV columns by position; the header row itself is not read.
DHIS2_CSV_HEADER = (
    "dataelement",
    "period",
    "orgunit",
    "catoptcombo",
    "attroptcombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
)
DHIS2_CSV_POSITIONS = {
    "indicator": 0,
    "period": 1,
    "area": 2,
    "breakdown": 3,
    "value": 5,
    "comment": 8,
}
# Columns DHIS2 writes after these, which Barzan must not pass over.
DHIS2_CSV_ATTRIBUTE_COMBO = 4
DHIS2_CSV_DELETED = 10
# How DHIS2 and people spell the header cells, without spaces and underscores.
_DHIS2_CSV_HEADER_NAMES = frozenset(
    {
        *DHIS2_CSV_HEADER,
        "categoryoptioncombo",
        "attributeoptioncombo",
        "timestamp",
        "flwup",
        "deleted",
        "created",
    }
)

ADX_NAMESPACE = "urn:ihe:qrph:adx:2015"
DHIS2_NAMESPACE = "http://dhis2.org/schema/dxf/2.0"
# ADX names a breakdown by its dimension: <dataValue SEX="female" .../>.
ADX_DIMENSIONS = tuple(
    dimension.value.upper() for dimension in Dimension if dimension != Dimension.TOTAL
)

_DHIS2_NAMES = {
    "indicator": "dataElement",
    "area": "orgUnit",
    "period": "period",
    "breakdown": "categoryOptionCombo",
    "value": "value",
    "comment": "comment",
}
COLUMNS = {
    CSV: {field: english for field, (english, _persian) in HEADERS.items()},
    XLSX: {field: english for field, (english, _persian) in HEADERS.items()},
    DHIS2_JSON: _DHIS2_NAMES,
    DHIS2_XML: _DHIS2_NAMES,
    DHIS2_CSV: {field: DHIS2_CSV_HEADER[index] for field, index in DHIS2_CSV_POSITIONS.items()},
    ADX: {**_DHIS2_NAMES, "breakdown": " / ".join(ADX_DIMENSIONS)},
}

# DHIS2 writes the combination of no category options as `default`.
_DEFAULT_COMBO = "default"
_CHUNK = 64 * 1024
# Characters XML 1.0 cannot carry even as references.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_ATTRIBUTE_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
# Excel keeps 15 significant digits and xlsxwriter writes 16: a value with more is
# written as text so that it comes back unchanged.
_XLSX_DIGITS = 15
_XLSX_MAX_ROWS = 1_048_576


@dataclass(frozen=True, slots=True)
class Record:
    """One value as a file gives it, before any of its codes is looked up."""

    line: int  # the file's line (XLSX: row, the header is 1) where the value is written
    indicator: str
    area: str
    period: str
    breakdown: str  # "" is the total
    value: str
    comment: str = ""
    # True when `line` counts values, not lines: a JSON file with several on one line.
    by_position: bool = dataclasses.field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class Problem:
    """A row or data value that cannot be read as a value at all."""

    line: int  # 0 for the whole file
    column: str  # the header as the file writes it, or the JSON key or XML attribute
    message: str
    by_position: bool = dataclasses.field(default=False, compare=False)  # as Record's


# A file that cannot be read at all (not the rows in it), with its line when known; the
# same class as core.untrusted's, so a file refused for breaking a limit is reported alike.
UnreadableFile = untrusted.UnreadableFile


def column_of(format: str, field: str) -> str:
    """Return the column, key or attribute that `field` of a Record comes from in `format`."""
    return COLUMNS[format][field]


def read(format: str, stream: BinaryIO) -> Iterator[Record | Problem]:
    """Yield the values in `stream`, a file in `format`, and the problems met reading it.

    Raise UnreadableFile, possibly after some values were yielded, when the file cannot
    be read at all.
    """
    readers = {
        CSV: _read_csv,
        XLSX: _read_xlsx,
        DHIS2_JSON: _read_dhis2_json,
        DHIS2_XML: _read_dhis2_xml,
        DHIS2_CSV: _read_dhis2_csv,
        ADX: _read_adx,
    }
    if format not in readers:
        raise ValueError(f"Unknown format {format!r}; expected one of {FORMATS}.")
    return readers[format](stream)


# -- Telling the format ------------------------------------------------------------------

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


# -- Rows: Barzan CSV, XLSX and DHIS2 CSV ----------------------------------------------------


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


def _is_true(text) -> bool:
    return text is True or (isinstance(text, str) and text.strip().casefold() == "true")


def _is_default_combo(text: str | None) -> bool:
    return text is None or text.strip().casefold() in ("", _DEFAULT_COMBO)


def _deletion_message() -> str:
    return _(
        "This value is marked deleted; deleting values by import is not supported. Remove "
        "it from the file, or delete the value in Barzan."
    )


def _attribute_combo_message(code: str) -> str:
    return _(
        "The attribute option combination «%(code)s» is not supported: Barzan keeps one "
        "value per indicator, area, period and breakdown. Leave it empty or write “default”."
    ) % {"code": code}


def _guard(text: str) -> str:
    """Return `text` safe to open in a spreadsheet, in a form `_unguard` undoes exactly."""
    # A text that already begins with apostrophes before a formula character gets one
    # more, so that removing one apostrophe on reading always gives the text back.
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START):
        return "'" + text
    return safe_cell(text)


def _unguard(text: str) -> str:
    """Return `text` without the apostrophe `_guard` put before a formula character."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START):
        return text[1:]
    return text


def _csv_rows(stream: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number of the row's first line, cells) for each row of a UTF-8 CSV file."""
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
            # Closing the wrapper, as collecting it as garbage would, closes the stream.
            # A stream the caller has already closed cannot be detached and needs no care.
            with contextlib.suppress(ValueError):
                text.detach()
    except UnicodeDecodeError as error:
        line = _undecodable_line(stream, start) or last + 1
        raise UnreadableFile(
            _("The file is not UTF-8 text (line %(line)s). Save it as “CSV UTF-8”.")
            % {"line": line},
            line=line,
        ) from error
    except csv.Error as error:
        line = reader.line_num
        raise UnreadableFile(
            _("Line %(line)s cannot be read: %(error)s.") % {"line": line, "error": error},
            line=line,
        ) from error


def _undecodable_line(stream: BinaryIO, start: int | None) -> int | None:
    """Return the first line of `stream`, from `start`, that is not UTF-8, if it can seek."""
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


def _read_csv(stream: BinaryIO) -> Iterator[Record | Problem]:
    rows = _csv_rows(stream)
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
    rows = _csv_rows(stream)
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


_cell_text = untrusted.cell_text


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


# -- DHIS2 JSON --------------------------------------------------------------------------------


class _BadType:
    """The value of a JSON key that is neither text, a number, true nor false."""


_BAD_TYPE = _BadType()


def _json_text(value) -> str | _BadType | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return _decimal_text(value)
    return _BAD_TYPE


def _read_dhis2_json(stream: BinaryIO) -> Iterator[Record | Problem]:
    """Read a DHIS2 dataValueSet in JSON; its `period`, `orgUnit` and combination are defaults.

    Each value's line is the file line its object starts on.
    """
    items = untrusted.parse(
        untrusted.JSON_ITEMS,
        stream,
        items="dataValues",
        keep=["period", "orgUnit", "attributeOptionCombo"],
        decimals=True,
        positions=True,
    )
    try:
        head = next(items)
    except untrusted.Malformed as error:
        if error.kind == "encoding":
            line = error.details["line"]
            raise UnreadableFile(
                _("The file is not UTF-8 text (line %(line)s).") % {"line": line}, line=line
            ) from error
        if error.kind == "depth":
            raise UnreadableFile(_("The JSON is nested too deeply to read.")) from error
        details = error.details
        raise UnreadableFile(
            _("The file is not valid JSON: %(error)s (line %(line)s, column %(column)s).")
            % details,
            line=details["line"],
        ) from error
    if not head["object"] or not head["list"]:
        raise UnreadableFile(
            _("The file is not a DHIS2 data value set: it has no “dataValues” list.")
        )
    defaults = {key: _json_text(head["keep"].get(key)) for key in ("period", "orgUnit")}
    combo = _json_text(head["keep"].get("attributeOptionCombo"))
    if combo is _BAD_TYPE or not _is_default_combo(combo):
        yield Problem(0, "attributeOptionCombo", _attribute_combo_message(str(combo)))
    for position, (line, item) in enumerate(items, 1):
        if line is None:
            yield from _numbered(_dhis2_json_value(item, position, defaults))
        else:
            yield from _dhis2_json_value(item, line, defaults)


def _numbered(found: Iterator[Record | Problem]) -> Iterator[Record | Problem]:
    """Mark what `found` yields as numbered by value, not by line."""
    for item in found:
        yield dataclasses.replace(item, by_position=True)


def _dhis2_json_value(item, line: int, defaults: dict) -> Iterator[Record | Problem]:
    """Read one item of a dataValueSet's list, written on `line`."""
    if not isinstance(item, dict):
        yield Problem(line, "dataValues", _("Each data value must be a JSON object."))
        return
    if _is_true(item.get("deleted")):
        yield Problem(line, "deleted", _deletion_message())
        return
    combo = _json_text(item.get("attributeOptionCombo"))
    if combo is _BAD_TYPE or not _is_default_combo(combo):
        yield Problem(line, "attributeOptionCombo", _attribute_combo_message(str(combo)))
        return
    fields: dict[str, str] = {}
    problems = []
    for field, key in _DHIS2_NAMES.items():
        text = _json_text(item.get(key))
        if text is None and key in defaults:
            text = defaults[key]
        if text is _BAD_TYPE:
            problems.append(
                Problem(
                    line,
                    key,
                    _("“%(key)s” must be text or a number.") % {"key": key},
                )
            )
        elif text is None and field in REQUIRED_FIELDS:
            problems.append(
                Problem(line, key, _("The data value has no “%(key)s”.") % {"key": key})
            )
        else:
            fields[field] = text or ""
    if problems:
        yield from problems
        return
    if fields["breakdown"].lower() == _DEFAULT_COMBO:
        fields["breakdown"] = ""
    yield Record(line, **fields)


# -- XML: ADX and DHIS2 dataValueSets ------------------------------------------------------


def _xml_elements(stream: BinaryIO, kind: str, names: list[str]) -> Iterator[tuple]:
    """Yield (name, attributes, line, namespace) of the root and of the elements `names`.

    `kind` names the format in messages (ADX, DHIS2 XML).
    """
    try:
        yield from untrusted.parse(
            untrusted.XML_ELEMENTS, stream, names=names, root=True, positions=True
        )
    except untrusted.Malformed as error:
        if error.kind == "encoding":
            if kind == "ADX":
                raise UnreadableFile(_("The ADX file must be UTF-8 text.")) from error
            raise UnreadableFile(
                _("The %(kind)s file must be UTF-8 text.") % {"kind": kind}
            ) from error
        if error.kind == "doctype":
            if kind == "ADX":
                raise UnreadableFile(
                    _("An ADX file may not declare a DOCTYPE or entities.")
                ) from error
            raise UnreadableFile(
                _("A %(kind)s file may not declare a DOCTYPE or entities.") % {"kind": kind}
            ) from error
        details = error.details
        raise UnreadableFile(
            _("The file is not valid XML: %(error)s (line %(line)s, column %(column)s).") % details,
            line=details["line"],
        ) from error


def _wrong_root(kind: str, expected: str, name: str, line: int) -> UnreadableFile:
    return UnreadableFile(
        _(
            "The file is not %(kind)s: its root element is <%(name)s>, not <%(expected)s>. "
            "Check the format chosen for it."
        )
        % {"kind": kind, "name": name, "expected": expected},
        line=line,
    )


def _read_adx(stream: BinaryIO) -> Iterator[Record | Problem]:
    """Read ADX data values in a child process, refusing any DTD so no entity can expand."""
    state = _AdxState()
    elements = _xml_elements(stream, "ADX", ["group", "dataValue"])
    position = 0
    for name, attributes, line, _namespace in elements:
        if state.root is None:
            state.root = name
            if name != "adx":
                elements.close()
                raise _wrong_root("ADX", "adx", name, line or 0)
            continue
        if name == "dataValue":
            position += 1
        if line is None:
            # A file on one line: a value is told by its place among the values.
            found = state.element(name, attributes, position if name == "dataValue" else 0)
            yield from _numbered(found)
        else:
            yield from state.element(name, attributes, line)


def _read_dhis2_xml(stream: BinaryIO) -> Iterator[Record | Problem]:
    """Read a DHIS2 dataValueSet in XML, its root's attributes the values' defaults.

    As DHIS2 documents it, the root's `period`, `orgUnit` and `attributeOptionCombo`
    apply to every dataValue that does not give its own; `dataSet` and `completeDate`
    say nothing about a value, and Barzan keeps no completeness, so they are not read.
    """
    defaults: dict[str, str] = {}
    seen_root = False
    elements = _xml_elements(stream, "DHIS2 XML", ["dataValue"])
    for position, (name, attributes, line, _namespace) in enumerate(elements):
        if not seen_root:
            seen_root = True
            if name != "dataValueSet":
                elements.close()
                raise _wrong_root("DHIS2 XML", "dataValueSet", name, line or 0)
            defaults = attributes
            combo = attributes.get("attributeOptionCombo")
            if not _is_default_combo(combo):
                yield Problem(line or 0, "attributeOptionCombo", _attribute_combo_message(combo))
            continue
        if line is None:
            # A file on one line: a value is told by its place among the values.
            yield from _numbered(_dhis2_xml_value(attributes, defaults, position))
        else:
            yield from _dhis2_xml_value(attributes, defaults, line)


# Attributes of a DHIS2 dataValue that say nothing about the value Barzan keeps.
_DHIS2_XML_IGNORED = frozenset(
    {"storedBy", "created", "lastUpdated", "followup", "followUp", "dataSet", "completeDate"}
)
_DHIS2_XML_KNOWN = frozenset(
    {*_DHIS2_NAMES.values(), "attributeOptionCombo", "deleted", *_DHIS2_XML_IGNORED}
)


def _dhis2_xml_value(
    attributes: dict[str, str], defaults: dict[str, str], line: int
) -> Iterator[Record | Problem]:
    if _is_true(attributes.get("deleted")):
        yield Problem(line, "deleted", _deletion_message())
        return
    if "attributeOptionCombo" in attributes and not _is_default_combo(
        attributes["attributeOptionCombo"]
    ):
        yield Problem(
            line,
            "attributeOptionCombo",
            _attribute_combo_message(attributes["attributeOptionCombo"]),
        )
        return
    unknown = [key for key in attributes if key not in _DHIS2_XML_KNOWN and " " not in key]
    if unknown:
        yield _unknown_attributes(line, unknown, sorted(_DHIS2_NAMES.values()))
        return
    fields: dict[str, str] = {}
    problems = []
    for field, key in _DHIS2_NAMES.items():
        text = attributes.get(key)
        if text is None and key in ("period", "orgUnit"):
            text = defaults.get(key)
        if text is None and field in REQUIRED_FIELDS:
            problems.append(
                Problem(
                    line,
                    key,
                    _("The data value has no “%(attribute)s” attribute.") % {"attribute": key},
                )
            )
        fields[field] = (text or "").strip()
    if problems:
        yield from problems
        return
    if fields["breakdown"].lower() == _DEFAULT_COMBO:
        fields["breakdown"] = ""
    yield Record(line, **fields)


def _unknown_attributes(line: int, unknown: list[str], known: Iterable[str]) -> Problem:
    return Problem(
        line,
        ", ".join(unknown),
        _(
            "The data value has attributes Barzan does not know: %(attributes)s. A breakdown "
            "Barzan does not keep cannot be read as the total; remove them or use one of: "
            "%(known)s."
        )
        % {"attributes": ", ".join(unknown), "known": ", ".join(known)},
    )


# Converting a period takes longer than reading a value, and a file names few periods.
@functools.lru_cache(maxsize=256)
def _period_from_adx(text: str) -> str:
    """Return the Barzan code of the ADX period `text`, or `text` for the engine to report."""
    spec = periods.from_adx(text)
    return spec.code if spec is not None else text


# What ADX elements may say beyond the dimensions (ADX_DIMENSIONS) Barzan keeps.
_ADX_GROUP_KNOWN = frozenset({"orgUnit", "period", "dataSet", "completeDate", "comment"})
_ADX_VALUE_KNOWN = frozenset(
    {"dataElement", "value", "comment", "categoryOptionCombo", "orgUnit", "period", "deleted"}
)


class _AdxState:
    """What reading ADX remembers between elements: the root, the group and its problem."""

    def __init__(self):
        self.root: str | None = None
        self.group: dict[str, str] = {}
        self.group_problem: Problem | None = None

    def element(
        self, name: str, attributes: dict[str, str], line: int
    ) -> Iterator[Record | Problem]:
        if name == "group":
            self.group = attributes
            # Other attributes of a group are dimensions of its values (ADX's attribute
            # option combinations), which Barzan does not keep.
            unknown = [key for key in attributes if key not in _ADX_GROUP_KNOWN and " " not in key]
            self.group_problem = (
                _unknown_attributes(line, unknown, sorted(_ADX_GROUP_KNOWN)) if unknown else None
            )
            if self.group_problem is not None:
                yield self.group_problem
        elif name == "dataValue" and self.group_problem is None:
            yield from self.data_value(attributes, line)

    def data_value(self, attributes: dict[str, str], line: int) -> Iterator[Record | Problem]:
        if _is_true(attributes.get("deleted")):
            yield Problem(line, "deleted", _deletion_message())
            return
        unknown = [
            key
            for key in attributes
            if key not in _ADX_VALUE_KNOWN and key.upper() not in ADX_DIMENSIONS and " " not in key
        ]
        if unknown:
            known = ["categoryOptionCombo", *(dimension for dimension in ADX_DIMENSIONS)]
            yield _unknown_attributes(line, unknown, known)
            return
        problems = []
        found = {}
        for field, attribute, where in (
            ("indicator", "dataElement", attributes),
            ("area", "orgUnit", self.group),
            ("period", "period", self.group),
            ("value", "value", attributes),
        ):
            if attribute in where:
                found[field] = where[attribute].strip()
            elif attribute in attributes:
                found[field] = attributes[attribute].strip()
            else:
                problems.append(
                    Problem(
                        line,
                        attribute,
                        _("The data value has no “%(attribute)s” attribute.")
                        % {"attribute": attribute},
                    )
                )
        dimensions = [key for key in attributes if key.upper() in ADX_DIMENSIONS]
        if "categoryOptionCombo" in attributes:
            # DHIS2 prefers the combination to the dimension attributes when both are given.
            breakdown = attributes["categoryOptionCombo"].strip()
        elif len(dimensions) > 1:
            problems.append(
                Problem(
                    line,
                    ", ".join(dimensions),
                    _("A value has one breakdown at most; this one gives %(attributes)s.")
                    % {"attributes": ", ".join(dimensions)},
                )
            )
            breakdown = ""
        elif dimensions:
            breakdown = attributes[dimensions[0]].strip()
        else:
            breakdown = ""
        if problems:
            yield from problems
            return
        yield Record(
            line,
            indicator=found["indicator"],
            area=found["area"],
            period=_period_from_adx(found["period"]),
            breakdown="" if breakdown.lower() == _DEFAULT_COMBO else breakdown,
            value=found["value"],
            comment=attributes.get("comment", "").strip(),
        )


# -- Writing -------------------------------------------------------------------------------


_decimal_text = untrusted.decimal_text


def _value_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, float):
        return _cell_text(value)
    return str(value)


def _fields(record) -> tuple[str, str, str, str, str, str]:
    return (
        record.indicator,
        record.area,
        record.period,
        record.breakdown or "",
        _value_text(record.value),
        getattr(record, "comment", "") or "",
    )


class _Buffer:
    """A text buffer that a csv.writer fills and that hands its text over in chunks."""

    def __init__(self):
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        self.size = 0
        return text


def _csv_chunks(header: Iterable[str], rows: Iterable[Iterable[str]]) -> Iterator[str]:
    buffer = _Buffer()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if buffer.size >= _CHUNK:
            yield buffer.take()
    if buffer.size:
        yield buffer.take()


def write_csv(records: Iterable, *, persian_headers: bool = False) -> Iterator[str]:
    """Yield a Barzan CSV file of `records` in chunks, the first a byte-order mark.

    Text that a spreadsheet would run as a formula gets an apostrophe, which `read`
    removes again; values are numbers and stay as they are.
    """
    language = 1 if persian_headers else 0
    header = [HEADERS[field][language] for field in FIELDS]
    rows = (
        (_guard(indicator), _guard(area), _guard(period), _guard(breakdown), value, _guard(comment))
        for indicator, area, period, breakdown, value, comment in map(_fields, records)
    )
    # Excel reads a CSV file as UTF-8, and so Persian right, only after a byte-order mark.
    yield "\ufeff"
    yield from _csv_chunks(header, rows)


def write_dhis2_csv(records: Iterable) -> Iterator[str]:
    """Yield DHIS2's CSV data value format of `records` in chunks; periods are Jalali codes.

    Text is guarded against formulas as in `write_csv`.
    """
    rows = (
        (
            _guard(indicator),
            _guard(period),
            _guard(area),
            _guard(breakdown),
            "",
            value,
            "",
            "",
            _guard(comment),
            "",
        )
        for indicator, area, period, breakdown, value, comment in map(_fields, records)
    )
    return _csv_chunks(DHIS2_CSV_HEADER, rows)


def write_dhis2_json(records: Iterable, *, data_set: str = "") -> Iterator[str]:
    """Yield a DHIS2 dataValueSet of `records` as JSON, written a few values at a time.

    A total has no categoryOptionCombo; periods are Jalali codes.
    """
    opening = {"dataSet": data_set} if data_set else {}
    head = json.dumps(opening, ensure_ascii=False)[:-1]
    yield head + (", " if opening else "") + '"dataValues": ['
    parts: list[str] = []
    size = 0
    separator = "\n"
    for indicator, area, period, breakdown, value, comment in map(_fields, records):
        item = {"dataElement": indicator, "period": period, "orgUnit": area}
        if breakdown:
            item["categoryOptionCombo"] = breakdown
        item["value"] = value
        if comment:
            item["comment"] = comment
        text = separator + json.dumps(item, ensure_ascii=False)
        separator = ",\n"
        parts.append(text)
        size += len(text)
        if size >= _CHUNK:
            yield "".join(parts)
            parts.clear()
            size = 0
    parts.append("\n]}\n")
    yield "".join(parts)


def _attribute(text: str) -> str:
    """Return `text` quoted as an XML attribute value, line breaks kept."""
    return '"' + escape(_XML_ILLEGAL.sub("", text), _XML_ATTRIBUTE_ENTITIES) + '"'


def write_adx(
    records: Iterable,
    *,
    data_set: str,
    dimensions: Mapping[str, str] | None = None,
    exported: datetime | None = None,
) -> Iterator[str]:
    """Yield an ADX message of `records`, a group for each run of one area and period.

    `dimensions` maps breakdown codes to their Dimension (`female` to `sex`), so that a
    breakdown is written as ADX prefers (`SEX="female"`); a breakdown it does not map is
    written as a categoryOptionCombo.
    """
    dimensions = dimensions or {}
    exported = exported or datetime.now(UTC)
    stamp = exported.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<adx xmlns="{ADX_NAMESPACE}" exported="{stamp}">\n'
    )
    parts: list[str] = []
    size = 0
    group = None
    for indicator, area, period, breakdown, value, comment in map(_fields, records):
        if (area, period) != group:
            if group is not None:
                parts.append("  </group>\n")
            group = (area, period)
            spec = periods.parse(period)
            # A code that names no period is written as it is, for the reader to report.
            adx_period = spec.adx if spec is not None else period
            parts.append(
                f"  <group orgUnit={_attribute(area)} period={_attribute(adx_period)}"
                f" dataSet={_attribute(data_set)}>\n"
            )
        text = f"    <dataValue dataElement={_attribute(indicator)}"
        if breakdown:
            dimension = dimensions.get(breakdown)
            name = dimension.upper() if dimension else "categoryOptionCombo"
            text += f" {name}={_attribute(breakdown)}"
        text += f" value={_attribute(value)}"
        if comment:
            text += f" comment={_attribute(comment)}"
        parts.append(text + "/>\n")
        size += len(text)
        if size >= _CHUNK:
            yield "".join(parts)
            parts.clear()
            size = 0
    if group is not None:
        parts.append("  </group>\n")
    parts.append("</adx>\n")
    yield "".join(parts)


def write_dhis2_xml(records: Iterable, *, data_set: str = "") -> Iterator[str]:
    """Yield a DHIS2 dataValueSet of `records` as XML, written a few values at a time.

    A total has no categoryOptionCombo; periods are Jalali codes.
    """
    root = f" dataSet={_attribute(data_set)}" if data_set else ""
    yield (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<dataValueSet xmlns="{DHIS2_NAMESPACE}"{root}>\n'
    )
    parts: list[str] = []
    size = 0
    for indicator, area, period, breakdown, value, comment in map(_fields, records):
        text = (
            f"  <dataValue dataElement={_attribute(indicator)} period={_attribute(period)}"
            f" orgUnit={_attribute(area)}"
        )
        if breakdown:
            text += f" categoryOptionCombo={_attribute(breakdown)}"
        text += f" value={_attribute(value)}"
        if comment:
            text += f" comment={_attribute(comment)}"
        parts.append(text + "/>\n")
        size += len(text)
        if size >= _CHUNK:
            yield "".join(parts)
            parts.clear()
            size = 0
    parts.append("</dataValueSet>\n")
    yield "".join(parts)


def _xlsx_number(text: str) -> float | None:
    """Return `text` as the float Excel stores, if reading it back gives `text`'s number."""
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or not text.strip():
        return None
    if number and (
        len(number.normalize().as_tuple().digits) > _XLSX_DIGITS
        or not -300 < number.adjusted() < 300
    ):
        return None
    as_float = float(number)
    return as_float if Decimal(repr(as_float)) == number else None


class _Sheet:
    """A sheet of values written row by row, as xlsxwriter's constant_memory mode needs."""

    def __init__(self, output, *, persian_headers, sheet_name, right_to_left, with_names):
        self.workbook = xlsx_workbook(output, constant_memory=True)
        self.sheet = self.workbook.add_worksheet(sheet_name[:31])
        if right_to_left:
            self.sheet.right_to_left()
        font = {"font_name": "Vazirmatn"}
        self.bold = self.workbook.add_format({**font, "bold": True})
        self.text = self.workbook.add_format({**font, "num_format": "@"})
        self.body = self.workbook.add_format(font)
        name = {**font, "font_color": "#595959", "bg_color": "#F2F2F2"}
        self.name = self.workbook.add_format(name)
        # Excel's quote prefix keeps a text that begins like a formula text when edited.
        self.quoted_text = self.workbook.add_format(
            {**font, "num_format": "@", "quote_prefix": True}
        )
        self.quoted_name = self.workbook.add_format({**name, "quote_prefix": True})
        language = 1 if persian_headers else 0
        columns = []
        for field in FIELDS:
            columns.append((field, HEADERS[field][language]))
            if with_names and field in NAME_HEADERS:
                columns.append((f"{field}_name", NAME_HEADERS[field][language]))
        self.columns = [field for field, _header in columns]
        widths = {"indicator_name": 40, "area_name": 30, "comment": 40, "value": 14}
        for index, field in enumerate(self.columns):
            # Codes are text: 05 must stay 05, not become 5.
            style = self.text if field in ("indicator", "area", "period", "breakdown") else None
            self.sheet.set_column(index, index, widths.get(field, 16), style)
        for index, (_field, header) in enumerate(columns):
            self.sheet.write_string(0, index, header, self.bold)
        self.sheet.freeze_panes(1, 0)
        self.row = 1

    def add(self, cells: dict[str, str]) -> None:
        if self.row >= _XLSX_MAX_ROWS:
            raise ValueError(f"An XLSX sheet holds at most {_XLSX_MAX_ROWS - 1} values.")
        for index, field in enumerate(self.columns):
            text = cells.get(field, "")
            if not text:
                continue
            if field == "value" and (number := _xlsx_number(text)) is not None:
                self.sheet.write_number(self.row, index, number, self.body)
            else:
                # write_string, never write: a comment beginning with = stays text.
                is_name = field.endswith("_name")
                if starts_formula(text):
                    style = self.quoted_name if is_name else self.quoted_text
                else:
                    style = self.name if is_name else self.text
                self.sheet.write_string(self.row, index, text, style)
        self.row += 1

    def close(self) -> None:
        self.workbook.close()


def write_xlsx(
    records: Iterable,
    output: BinaryIO,
    *,
    persian_headers: bool = True,
    sheet_name: str = "values",
    right_to_left: bool = True,
    names: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Write `records` to `output` as a workbook of one sheet, a row at a time.

    With `names` (`{"indicator": {code: name}, "area": {code: name}}`) a column of names
    follows each column of codes, for people to read; `read` ignores it.
    """
    sheet = _Sheet(
        output,
        persian_headers=persian_headers,
        sheet_name=sheet_name,
        right_to_left=right_to_left,
        with_names=names is not None,
    )
    indicator_names = (names or {}).get("indicator", {})
    area_names = (names or {}).get("area", {})
    for indicator, area, period, breakdown, value, comment in map(_fields, records):
        sheet.add(
            {
                "indicator": indicator,
                "indicator_name": indicator_names.get(indicator, ""),
                "area": area,
                "area_name": area_names.get(area, ""),
                "period": period,
                "breakdown": breakdown,
                "value": value,
                "comment": comment,
            }
        )
    sheet.close()


def template_xlsx(output: BinaryIO, *, rows: Iterable[tuple[str, str, str, str, str, str]]) -> None:
    """Write a workbook to fill in to `output`: `rows` with their value and comment empty.

    Each row is (indicator code, indicator name, area code, area name, period code,
    breakdown code); the headers are Persian.
    """
    sheet = _Sheet(
        output, persian_headers=True, sheet_name="values", right_to_left=True, with_names=True
    )
    for indicator, indicator_name, area, area_name, period, breakdown in rows:
        sheet.add(
            {
                "indicator": indicator,
                "indicator_name": indicator_name,
                "area": area,
                "area_name": area_name,
                "period": period,
                "breakdown": breakdown,
            }
        )
    sheet.close()
