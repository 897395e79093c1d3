"""What the child process runs: each job reads a file, yields plain data (lists, dicts,
text, numbers) and raises Malformed when the file breaks its format."""

import itertools
import json
import math
import re
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
    positions: bool = False,
    limits=None,
) -> Iterator:
    """Yield a JSON document's head, then each item of its list `items`.

    The head is {"object": is the document an object, "list": has it the list `items`,
    "keep": the document's members named in `keep`}; without `items` it is the document.
    With `positions`, each item comes as (the file line it starts on, item); every line is
    None when they cannot tell the items apart. The text is decoded with the first of
    `encodings` that fits it.
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
    lines = None
    try:
        located = (
            _object_with_lines(text, items, json.JSONDecoder(**number).scan_once)
            if positions
            else None
        )
        if located is None:
            document = json.loads(text, **number)
        else:
            document, lines = located
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
        # A line tells a value apart only when no two values share one; DHIS2's API
        # writes a whole data value set on one line.
        if positions and (
            lines is None
            or len(lines) != len(listed)
            or any(a >= b for a, b in itertools.pairwise(lines))
        ):
            lines = [None] * len(listed)
        # Hand each item over and let it go, so the document shrinks as it is written.
        listed.reverse()
        if positions:
            lines.reverse()
            while listed:
                yield lines.pop(), listed.pop()
        else:
            while listed:
                yield listed.pop()


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _object_with_lines(text: str, items: str | None, scan) -> tuple[dict, list[int]] | None:
    """Return a JSON object's members and the file line of each item of its list `items`.

    Return None when `text` is not an object with that list, or is not valid JSON: the
    caller then parses it as usual, which reports the error. `scan` is a JSON decoder's
    scanner, which parses one value from a position at C speed; only the top object and
    the list are walked here.
    """
    if items is None:
        return None
    space = _JSON_SPACE.match
    try:
        at = space(text).end()
        if text[at : at + 1] != "{":
            return None
        at = space(text, at + 1).end()
        document: dict = {}
        lines: list[int] | None = None
        if text[at : at + 1] == "}":
            return None
        while True:
            if text[at : at + 1] != '"':
                return None
            key, at = scan(text, at)
            at = space(text, at).end()
            if text[at : at + 1] != ":":
                return None
            at = space(text, at + 1).end()
            if key == items and text[at : at + 1] == "[":
                document[key], lines, at = _list_with_lines(text, at, scan)
            else:
                document[key], at = scan(text, at)
            at = space(text, at).end()
            mark = text[at : at + 1]
            if mark == ",":
                at = space(text, at + 1).end()
            elif mark == "}":
                break
            else:
                return None
        if space(text, at + 1).end() != len(text) or lines is None:
            return None
    except (StopIteration, ValueError):
        return None
    return document, lines


def _list_with_lines(text: str, at: int, scan) -> tuple[list, list[int], int]:
    """Parse the list starting at `at`; return it, its items' lines and the end."""
    space = _JSON_SPACE.match
    values: list = []
    lines: list[int] = []
    line, counted = 1, 0
    at = space(text, at + 1).end()
    if text[at : at + 1] == "]":
        return values, lines, at + 1
    while True:
        line += text.count("\n", counted, at)
        counted = at
        lines.append(line)
        value, at = scan(text, at)
        values.append(value)
        at = space(text, at).end()
        mark = text[at : at + 1]
        if mark == ",":
            at = space(text, at + 1).end()
        elif mark == "]":
            return values, lines, at + 1
        else:
            raise ValueError(at)


def _xml_elements(
    source: str, *, names: tuple = (), root: bool = False, positions: bool = False, limits=None
) -> Iterator[tuple]:
    """Yield (local name, attributes) of each element named in `names`, in document order.

    With `root`, the root element comes first whatever its name. With `positions`, each
    element comes as (local name, attributes, line, namespace), the line being where its
    start tag is in the file; every line is None when the first two elements named in
    `names` share one (a file written on one line, as DHIS2's API writes it), since lines
    cannot tell them apart. Refuse any DTD, so no entity can expand, and any text not in
    UTF-8.
    """
    from xml.parsers import expat

    wanted = set(names)
    found: list = []
    depth = 0

    # With `positions`: whether lines tell the elements apart, once two are seen.
    by_line: bool | None = None
    first_line: int | None = None

    def start(tag: str, attributes: dict) -> None:
        nonlocal depth, by_line, first_line
        depth += 1
        namespace, _, name = tag.rpartition(" ")
        if name in wanted or (root and depth == 1):
            if positions:
                line = parser.CurrentLineNumber
                if by_line is None and name in wanted and not (root and depth == 1):
                    if first_line is None:
                        first_line = line
                    else:
                        by_line = line > first_line
                found.append((name, attributes, line, namespace))
            else:
                found.append((name, attributes))

    def ready(final: bool = False) -> Iterator[tuple]:
        """Yield what is found once it is known whether lines tell elements apart."""
        if not positions:
            yield from found
        elif by_line is None and not final:
            return
        elif by_line is False:
            yield from ((name, attributes, None, ns) for name, attributes, _l, ns in found)
        else:
            yield from found
        found.clear()

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1

    def refuse(*args) -> None:
        raise Malformed("doctype")

    # Namespaced names come as "namespace name": neither a name nor a URI has a space.
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.buffer_text = True

    def feed(chunk: bytes, final: bool = False) -> None:
        try:
            parser.Parse(chunk, final)
        except expat.ExpatError as error:
            raise Malformed(
                "syntax",
                {
                    "error": expat.errors.messages.get(error.code, str(error)),
                    "line": error.lineno,
                    "column": error.offset,
                },
            ) from error

    tail = b""
    first = True
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
            feed(chunk)
            yield from ready()
    feed(b"", True)
    yield from ready(final=True)


JOBS = {XLSX_ROWS: _xlsx_rows, JSON_ITEMS: _json_items, XML_ELEMENTS: _xml_elements}
