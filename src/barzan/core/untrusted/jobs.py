"""What the child process runs: each job reads a file, yields plain data (lists, dicts,
text, numbers) and raises Malformed when the file breaks its format."""

import json
import math
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal

from .limits import Malformed

# What a child job names its file kinds by.
XLSX_ROWS = "xlsx_rows"
JSON_ITEMS = "json_items"
XML_ELEMENTS = "xml_elements"
_XML_CHUNK = 64 * 1024


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


JOBS = {XLSX_ROWS: _xlsx_rows, JSON_ITEMS: _json_items, XML_ELEMENTS: _xml_elements}
