"""
Rows for the files the catalogue pages hand out: raw values, violations, entry templates.

Values are read through the access policy, a chunk at a time, so an export of a million
figures streams without being held in memory; each value is written as the viewer may
see it (`display.export_value`: a small count is "<5" outside the owning organization,
and so is a figure secondary suppression withholds to protect it). Importing such a file
back skips those cells and counts them.

Values are exported in every format they are imported in: `EXPORT_FORMATS` says, for
each, how it is written, its name for people, its content type and its extension; the
export page and the API offer what it holds.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import BinaryIO, NamedTuple

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from barzan.access import policy
from barzan.access.actions import VIEW
from barzan.core import exports as core_exports

from . import display, formats, readers
from .choices import Dimension
from .models import Breakdown, Indicator, IndicatorValue

CHUNK_SIZE = 5000
TEMPLATE_MAX_ROWS = 5000


class ExportRow(NamedTuple):
    """One value as `formats.write_*` take it; a total has no breakdown code."""

    indicator: str
    area: str
    period: str
    breakdown: str
    value: str
    comment: str


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Yield lists of `size` items of `items` (itertools.batched is Python 3.12)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def values_of(*, user, area, below: bool = False, period=None, indicator=None):
    """Return the raw values of `area` (and every area under it with `below`) that `user`
    may view, for `period` and `indicator` when given, in file order."""
    where = {"area__path__startswith": area.path} if below else {"area": area}
    values = IndicatorValue.objects.filter(**where)
    if period is not None:
        values = values.filter(period=period)
    if indicator is not None:
        values = values.filter(indicator=indicator)
    return policy.scope(user, VIEW, values).order_by(
        "area__path", "period__start", "-period__end", "indicator__code", "breakdown__order"
    )


def value_rows(*, user, area, below: bool = False, period=None, indicator=None):
    """Yield an ExportRow for each raw value `values_of` finds, read in chunks."""
    viewer = policy.organizations_of(user)
    catalogue = {
        item.pk: item
        for item in policy.scope(
            user, VIEW, Indicator.objects.only("pk", "code", "value_type", "owner")
        )
    }
    rows = (
        values_of(user=user, area=area, below=below, period=period, indicator=indicator)
        .values_list(
            "indicator_id", "area_id", "period_id", "breakdown_id", "area__code",
            "period__code", "breakdown__code", "value", "comment",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )  # fmt: skip
    for chunk in batched(rows, CHUNK_SIZE):
        # Secondary suppression judges each figure in its table (its siblings and parent).
        hidden = readers.withheld(user=user, keys=[row[:4] for row in chunk])
        for row in chunk:
            area_code, period_code, breakdown_code, value, comment = row[4:]
            item = catalogue[row[0]]
            figure = readers.Figure(value, withheld=row[:4] in hidden)
            is_hidden = display.is_hidden(item, figure, viewer)
            yield ExportRow(
                item.code,
                area_code,
                period_code,
                "" if breakdown_code == Breakdown.TOTAL else breakdown_code,
                display.export_value(item, figure, viewer),
                # A comment may tell what a suppressed count would ("3 cases in ...").
                "" if is_hidden else comment,
            )


# -- Export formats ------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFormat:
    """How values are written in one import format.

    A text format has `write(rows)`, which yields the file in chunks to stream; a binary
    one has `write_file(rows, output)`, which fills a file (a workbook is finished only
    when closed). `tag` goes into the file name where the extension alone would not tell
    the format (`values-23-dhis2-….csv`).
    """

    code: str
    label: str | Promise
    content_type: str
    extension: str
    write: Callable[[Iterable[ExportRow]], Iterator[str]] | None = None
    write_file: Callable[[Iterable[ExportRow], BinaryIO], None] | None = None
    tag: str = ""

    def filename(self, stem: str) -> str:
        """Return the download's name for `stem`, dated today."""
        return core_exports.export_filename(
            f"{stem}-{self.tag}" if self.tag else stem, self.extension
        )


def _write_adx(rows: Iterable[ExportRow]) -> Iterator[str]:
    # ADX names a breakdown by its dimension (SEX="female"), which only the catalogue knows.
    dimensions = dict(
        Breakdown.objects.exclude(dimension=Dimension.TOTAL).values_list("code", "dimension")
    )
    return formats.write_adx(rows, data_set="", dimensions=dimensions)


JSON_CONTENT_TYPE = "application/json; charset=utf-8"
ADX_CONTENT_TYPE = "application/adx+xml; charset=utf-8"
XML_CONTENT_TYPE = "application/xml; charset=utf-8"

EXPORT_FORMATS: dict[str, ExportFormat] = {
    item.code: item
    for item in (
        ExportFormat(
            formats.CSV,
            gettext_lazy("CSV (Barzan)"),
            core_exports.CSV_CONTENT_TYPE,
            "csv",
            write=formats.write_csv,
        ),
        ExportFormat(
            formats.XLSX,
            gettext_lazy("Excel (XLSX)"),
            core_exports.XLSX_CONTENT_TYPE,
            "xlsx",
            write_file=formats.write_xlsx,
        ),
        ExportFormat(
            formats.DHIS2_JSON,
            gettext_lazy("DHIS2 JSON (dataValueSet)"),
            JSON_CONTENT_TYPE,
            "json",
            write=formats.write_dhis2_json,
        ),
        ExportFormat(
            formats.DHIS2_XML,
            gettext_lazy("DHIS2 XML (dataValueSet)"),
            XML_CONTENT_TYPE,
            "xml",
            write=formats.write_dhis2_xml,
            tag="dhis2",
        ),
        ExportFormat(
            formats.DHIS2_CSV,
            gettext_lazy("DHIS2 CSV"),
            core_exports.CSV_CONTENT_TYPE,
            "csv",
            write=formats.write_dhis2_csv,
            tag="dhis2",
        ),
        ExportFormat(
            formats.ADX,
            gettext_lazy("ADX (XML)"),
            ADX_CONTENT_TYPE,
            "xml",
            write=_write_adx,
            tag="adx",
        ),
    )
}


def export_format_choices() -> list[tuple[str, str | Promise]]:
    """Return (code, label) of every export format, for a form's choices."""
    return [(item.code, item.label) for item in EXPORT_FORMATS.values()]


def file_response(format: str, rows: Iterable[ExportRow], *, stem: str) -> HttpResponse:
    """Return `rows` as a download in `format`, streamed as they are read.

    Raise ValueError when the format cannot hold them (an XLSX sheet's row limit).
    """
    chosen = EXPORT_FORMATS[format]
    if chosen.write_file is not None:
        # xlsxwriter keeps rows in temporary files and writes the workbook at the end;
        # the finished file is streamed from disk.
        output = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        try:
            chosen.write_file(rows, output)
        except BaseException:
            output.close()
            raise
        output.seek(0)
        response = FileResponse(output, content_type=chosen.content_type)
    else:
        response = StreamingHttpResponse(chosen.write(rows), content_type=chosen.content_type)
    response["Content-Disposition"] = f'attachment; filename="{chosen.filename(stem)}"'
    return response


# -- Violations ----------------------------------------------------------------------------


def _side(indicator, breakdown, dimension: str = "") -> str:
    if dimension:
        return _("%(indicator)s: sum of the parts by %(dimension)s") % {
            "indicator": indicator.name,
            "dimension": dimension,
        }
    if breakdown is not None and not breakdown.is_total:
        return f"{indicator.name} ({breakdown.name})"
    return indicator.name


def left_label(rule) -> str:
    """Return what the left side of `rule` compares, as a person reads it."""
    return _side(rule.left, rule.left_breakdown, rule.get_left_dimension_display())


def right_label(rule) -> str:
    """Return what the right side of `rule` compares."""
    return _side(rule.right, rule.right_breakdown)


def violation_rows(violations: Iterable, *, user) -> Iterator[list[str]]:
    """Yield a header and one row per broken rule, values as the viewer may see them."""
    viewer = policy.organizations_of(user)
    yield [
        _("Rule"),
        _("Rule code"),
        _("Area"),
        _("Area code"),
        _("Period"),
        _("Left side"),
        _("Left value"),
        _("Operator"),
        _("Right side"),
        _("Right value"),
    ]
    for violation in violations:
        rule = violation.rule
        yield [
            rule.name,
            rule.code,
            violation.area.name,
            violation.area.code,
            violation.period.code,
            left_label(rule),
            display.export_value(rule.left, violation.left_figure, viewer),
            rule.get_operator_display(),
            right_label(rule),
            display.export_value(rule.right, violation.right_figure, viewer),
        ]


def template_rows(*, indicators, areas, period, limit: int = TEMPLATE_MAX_ROWS):
    """Yield (indicator code, indicator name, area code, area name, period code, breakdown)
    for each indicator × area, at most `limit` rows, for `formats.template_xlsx`."""
    count = 0
    for area in areas:
        for indicator in indicators:
            if count >= limit:
                return
            count += 1
            yield (indicator.code, indicator.name_fa, area.code, area.name_fa, period.code, "")
