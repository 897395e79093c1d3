"""
Indicator values in files: Barzan CSV and XLSX, DHIS2 JSON, XML and CSV, and ADX.

`read` turns a file into a Record for each value and a Problem for each row or data
value that cannot even be taken apart; the `write_*` functions turn values back into the
same files, so that reading what was written gives the same values back. Nothing here
touches the database: the import engine resolves the codes and checks the values, which
is why a Record carries the text as the file wrote it.

Identifiers are passed on as written; which scheme they are in (codes, DHIS2 uids, another
system's codes, area names) is the engine's business (`indicators.identifiers`), and a DHIS2
file's own idScheme attributes are yielded as a mapping before its values. Periods are Barzan's
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

from collections.abc import Iterator
from typing import BinaryIO

from .adx import _read_adx
from .detect import detect, format_hint
from .dhis2 import _read_dhis2_json, _read_dhis2_xml
from .records import (
    ADX,
    ADX_DIMENSIONS,
    ADX_NAMESPACE,
    COLUMNS,
    CSV,
    DHIS2_CSV,
    DHIS2_CSV_HEADER,
    DHIS2_CSV_POSITIONS,
    DHIS2_JSON,
    DHIS2_NAMESPACE,
    DHIS2_XML,
    FIELDS,
    FORMATS,
    HEADERS,
    LABELS,
    NAME_HEADERS,
    REQUIRED_FIELDS,
    XLSX,
    Problem,
    Record,
    UnreadableFile,
    column_of,
)
from .rows import _read_csv, _read_dhis2_csv, _read_xlsx
from .writers import (
    template_xlsx,
    write_adx,
    write_csv,
    write_dhis2_csv,
    write_dhis2_json,
    write_dhis2_xml,
    write_xlsx,
)

__all__ = [
    "ADX",
    "ADX_DIMENSIONS",
    "ADX_NAMESPACE",
    "COLUMNS",
    "CSV",
    "DHIS2_CSV",
    "DHIS2_CSV_HEADER",
    "DHIS2_CSV_POSITIONS",
    "DHIS2_JSON",
    "DHIS2_NAMESPACE",
    "DHIS2_XML",
    "FIELDS",
    "FORMATS",
    "HEADERS",
    "LABELS",
    "NAME_HEADERS",
    "REQUIRED_FIELDS",
    "XLSX",
    "Problem",
    "Record",
    "UnreadableFile",
    "column_of",
    "detect",
    "format_hint",
    "read",
    "template_xlsx",
    "write_adx",
    "write_csv",
    "write_dhis2_csv",
    "write_dhis2_json",
    "write_dhis2_xml",
    "write_xlsx",
]


def read(format: str, stream: BinaryIO) -> Iterator[Record | Problem | dict[str, str]]:
    """Yield the values in `stream`, a file in `format`, and the problems met reading it.

    A DHIS2 JSON or XML file's own idScheme attributes, when it gives any, come first as a
    mapping (`{"orgUnitIdScheme": "uid"}`).

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
