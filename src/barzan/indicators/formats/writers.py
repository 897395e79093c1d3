"""Writing values back as the files `read` reads: CSV, DHIS2 CSV, JSON and XML, ADX, XLSX."""

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import BinaryIO
from xml.sax.saxutils import escape

from barzan.core import untrusted
from barzan.core.exports import starts_formula, xlsx_workbook

from .. import periods
from .records import (
    ADX_NAMESPACE,
    DHIS2_CSV_HEADER,
    DHIS2_NAMESPACE,
    FIELDS,
    HEADERS,
    NAME_HEADERS,
    _guard,
)

_CHUNK = 64 * 1024
# Characters XML 1.0 cannot carry even as references.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_ATTRIBUTE_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
# Excel keeps 15 significant digits and xlsxwriter writes 16: a value with more is
# written as text so that it comes back unchanged.
_XLSX_DIGITS = 15
_XLSX_MAX_ROWS = 1_048_576

_cell_text = untrusted.cell_text
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
