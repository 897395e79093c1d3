"""
Indicator values in files: Barzan CSV and XLSX, DHIS2 JSON and CSV, and ADX.

`read` turns a file into a Record for each value and a Problem for each row or data
value that cannot even be taken apart; the `write_*` functions turn values back into the
same files, so that reading what was written gives the same values back. Nothing here
touches the database: the import engine resolves the codes and checks the values, which
is why a Record carries the text as the file wrote it.

Identifiers are codes in every format (DHIS2's idScheme=code). Periods are Barzan's
Jalali codes (`1402`, `1402H1`, `1402Q3`, `1402-07`) everywhere but in ADX, which writes
a period as its first Gregorian day and a duration (`2023-03-21/P1Y`). DHIS2's
Gregorian period codes (`202301`, `2023Q1`) are not understood: a file that uses them
reports unknown periods.

CSV is read as a stream, row by row, so a file of millions of rows takes little memory.
XLSX, DHIS2 JSON and ADX are parsed by `core.untrusted` in a child process with limits of
memory and time, after a workbook's archive and sheet dimensions are checked; their rows
or values stream back one at a time, so a crafted file fails with a message instead of
taking the process that reads it down.
"""

import codecs
import contextlib
import csv
import functools
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import BinaryIO
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from barzan.core import untrusted
from barzan.core.exports import FORMULA_START, safe_cell, starts_formula, xlsx_workbook
from barzan.core.text import clean

from . import periods
from .choices import Dimension

CSV = "csv"
XLSX = "xlsx"
DHIS2_JSON = "dhis2_json"
DHIS2_CSV = "dhis2_csv"
ADX = "adx"
FORMATS = (CSV, XLSX, DHIS2_JSON, DHIS2_CSV, ADX)

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

ADX_NAMESPACE = "urn:ihe:qrph:adx:2015"
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

    line: int  # CSV line or XLSX row (the header is 1); position of the value in JSON or ADX
    indicator: str
    area: str
    period: str
    breakdown: str  # "" is the total
    value: str
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Problem:
    """A row or data value that cannot be read as a value at all."""

    line: int
    column: str  # the header as the file writes it, or the JSON key or XML attribute
    message: str


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
        DHIS2_CSV: _read_dhis2_csv,
        ADX: _read_adx,
    }
    if format not in readers:
        raise ValueError(f"Unknown format {format!r}; expected one of {FORMATS}.")
    return readers[format](stream)


# -- Rows: Barzan CSV, XLSX and DHIS2 CSV ----------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """Where each field is in the rows of a file, and the header each has there."""

    positions: dict[str, int]
    headers: dict[str, str]
    required: tuple[str, ...]
    unguard: bool = False
    default_combo: bool = False


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
        yield Record(line, indicator, area, period, breakdown, value, comment)


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


def _read_dhis2_csv(stream: BinaryIO) -> Iterator[Record | Problem]:
    """Read DHIS2's CSV data value format, whose periods here are Barzan's Jalali codes."""
    rows = _csv_rows(stream)
    # The first row is a header, ignored as DHIS2 ignores it: columns go by position.
    header: list[str] = []
    for _line, header in rows:
        if any(cell.strip() for cell in header):
            break
    headers = {
        field: (header[index].strip() if index < len(header) else "") or DHIS2_CSV_HEADER[index]
        for field, index in DHIS2_CSV_POSITIONS.items()
    }
    layout = _Layout(
        DHIS2_CSV_POSITIONS, headers, REQUIRED_FIELDS, unguard=True, default_combo=True
    )
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
    """Read a DHIS2 dataValueSet in JSON; its `period` and `orgUnit` are the defaults."""
    items = untrusted.parse(
        untrusted.JSON_ITEMS,
        stream,
        items="dataValues",
        keep=["period", "orgUnit"],
        decimals=True,
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
    for position, item in enumerate(items, 1):
        if not isinstance(item, dict):
            yield Problem(position, "dataValues", _("Each data value must be a JSON object."))
            continue
        fields: dict[str, str] = {}
        problems = []
        for field, key in _DHIS2_NAMES.items():
            text = _json_text(item.get(key))
            if text is None and key in defaults:
                text = defaults[key]
            if text is _BAD_TYPE:
                problems.append(
                    Problem(
                        position,
                        key,
                        _("“%(key)s” must be text or a number.") % {"key": key},
                    )
                )
            elif text is None and field in REQUIRED_FIELDS:
                problems.append(
                    Problem(position, key, _("The data value has no “%(key)s”.") % {"key": key})
                )
            else:
                fields[field] = text or ""
        if problems:
            yield from problems
            continue
        if fields["breakdown"].lower() == _DEFAULT_COMBO:
            fields["breakdown"] = ""
        yield Record(position, **fields)


# -- ADX -----------------------------------------------------------------------------------


def _read_adx(stream: BinaryIO) -> Iterator[Record | Problem]:
    """Read ADX data values in a child process, refusing any DTD so no entity can expand."""
    state = _AdxState()
    try:
        for name, attributes in untrusted.parse(
            untrusted.XML_ELEMENTS, stream, names=["group", "dataValue"]
        ):
            yield from state.element(name, attributes)
    except untrusted.Malformed as error:
        if error.kind == "encoding":
            raise UnreadableFile(_("The ADX file must be UTF-8 text.")) from error
        if error.kind == "doctype":
            raise UnreadableFile(_("An ADX file may not declare a DOCTYPE or entities.")) from error
        details = error.details
        raise UnreadableFile(
            _("The file is not valid XML: %(error)s (line %(line)s, column %(column)s).") % details,
            line=details["line"],
        ) from error


# Converting a period takes longer than reading a value, and a file names few periods.
@functools.lru_cache(maxsize=256)
def _period_from_adx(text: str) -> str:
    """Return the Barzan code of the ADX period `text`, or `text` for the engine to report."""
    spec = periods.from_adx(text)
    return spec.code if spec is not None else text


class _AdxState:
    """What reading ADX remembers between elements: the group and the count of values."""

    def __init__(self):
        self.group: dict[str, str] = {}
        self.position = 0

    def element(self, name: str, attributes: dict[str, str]) -> Iterator[Record | Problem]:
        if name == "group":
            self.group = attributes
        elif name == "dataValue":
            self.position += 1
            yield from self.data_value(attributes)

    def data_value(self, attributes: dict[str, str]) -> Iterator[Record | Problem]:
        position = self.position
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
                        position,
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
                    position,
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
            position,
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
