"""What reading a file of values gives: Record and Problem, the formats, their columns,
and the words and checks every reader shares."""

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from barzan.core import untrusted
from barzan.core.exports import FORMULA_START, safe_cell

from ..choices import Dimension
from ..identifiers import GENERAL_PARAMETER, PARAMETERS

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

# A DHIS2 file's own idScheme attributes, which the readers hand over before its values
# (a mapping of those present) for the import engine to apply as DHIS2 does.
ID_SCHEME_ATTRIBUTES = (GENERAL_PARAMETER, *PARAMETERS.values())


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


def _numbered(found: Iterator[Record | Problem]) -> Iterator[Record | Problem]:
    """Mark what `found` yields as numbered by value, not by line."""
    for item in found:
        yield dataclasses.replace(item, by_position=True)


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


def id_schemes(attributes: dict) -> dict[str, str]:
    """Return the idScheme attributes present in `attributes`, as text."""
    return {
        key: value if isinstance(value, str) else str(value)
        for key in ID_SCHEME_ATTRIBUTES
        if (value := attributes.get(key)) is not None
    }
