"""DHIS2 data value sets in JSON and XML."""

from collections.abc import Iterator
from decimal import Decimal
from typing import BinaryIO

from django.utils.translation import gettext as _

from barzan.core import untrusted
from barzan.core.text import localize_digits

from .records import (
    _DEFAULT_COMBO,
    _DHIS2_NAMES,
    ID_SCHEME_ATTRIBUTES,
    REQUIRED_FIELDS,
    Problem,
    Record,
    UnreadableFile,
    _attribute_combo_message,
    _deletion_message,
    _is_default_combo,
    _is_true,
    _numbered,
    _unknown_attributes,
    _wrong_root,
    _xml_elements,
    id_schemes,
)

_decimal_text = untrusted.decimal_text


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
        keep=["period", "orgUnit", "attributeOptionCombo", *ID_SCHEME_ATTRIBUTES],
        decimals=True,
        positions=True,
    )
    try:
        head = next(items)
    except untrusted.Malformed as error:
        if error.kind == "encoding":
            line = error.details["line"]
            raise UnreadableFile(
                _("The file is not UTF-8 text (line %(line)s).") % {"line": localize_digits(line)},
                line=line,
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
    if schemes := id_schemes(head["keep"]):
        yield schemes
    combo = _json_text(head["keep"].get("attributeOptionCombo"))
    if combo is _BAD_TYPE or not _is_default_combo(combo):
        yield Problem(0, "attributeOptionCombo", _attribute_combo_message(str(combo)))
    for position, (line, item) in enumerate(items, 1):
        if line is None:
            yield from _numbered(_dhis2_json_value(item, position, defaults))
        else:
            yield from _dhis2_json_value(item, line, defaults)


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
            if schemes := id_schemes(attributes):
                yield schemes
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
