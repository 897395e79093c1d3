"""ADX messages: groups of data values, their periods written as Gregorian durations."""

import functools
from collections.abc import Iterator
from typing import BinaryIO

from django.utils.translation import gettext as _

from .. import periods
from .records import (
    _DEFAULT_COMBO,
    ADX_DIMENSIONS,
    Problem,
    Record,
    _deletion_message,
    _is_true,
    _numbered,
    _unknown_attributes,
    _wrong_root,
    _xml_elements,
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
