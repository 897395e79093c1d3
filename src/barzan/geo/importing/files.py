"""Reading area files (UTF-8 or Windows-1256 text, CSV, JSON in a child process) and
planning GeoJSON and CSV files of one level."""

import csv
import io
from dataclasses import replace

from django.utils.translation import gettext as _

from barzan.core import untrusted
from barzan.core.text import clean, parse_decimal

from .. import geometry
from .levels import LevelPlanner, Options
from .report import CSV, GEOJSON, Report, Update, where_feature, where_line

# A file that cannot be read at all (not the rows in it); the same class as
# core.untrusted's, so a file refused for breaking a limit is reported alike.
UnreadableFile = untrusted.UnreadableFile
# What area files may be written in: UTF-8 (with or without a byte-order mark), else
# Windows-1256, which older Persian software writes.
ENCODINGS = ("utf-8-sig", "cp1256")


def decode(content: bytes) -> str:
    """Return a file's text: UTF-8 (with or without a byte-order mark), else Windows-1256."""
    for encoding in ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError as error:
            undecodable = error
    raise UnreadableFile(_("The file is not UTF-8 text.")) from undecodable


def read_json(content, *, items: str | None = None, keep: tuple = ()):
    """Return an iterator over a JSON file parsed in a child process (see core.untrusted).

    Without `items`, it gives the document; with it, the head and then each item of the
    document's list `items`. Asking for the first raises UnreadableFile when the file
    breaks a limit, and untrusted.Malformed when it is not JSON (a syntax error, too deep
    a nesting, an unknown encoding: see `json_refusal`).
    """
    return untrusted.parse(
        untrusted.JSON_ITEMS,
        content,
        # A feature may hold a large boundary: hand them over one by one.
        batch=1,
        items=items,
        keep=list(keep),
        encodings=list(ENCODINGS),
    )


def json_refusal(error: untrusted.Malformed) -> UnreadableFile:
    """Return the message for a JSON file that cannot be parsed, other than a syntax error."""
    if error.kind == "depth":
        return UnreadableFile(_("The file is nested too deeply to be a real file of areas."))
    return UnreadableFile(_("The file is not UTF-8 text."))


def read_csv(text: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """Return the header and (line number, row) pairs; line numbers count the header as 1."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [clean(name).lower() for name in (reader.fieldnames or [])]
        reader.fieldnames = header
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise UnreadableFile(
            _("The CSV file cannot be read: %(error)s") % {"error": error}
        ) from error
    return header, rows


def plan_geojson(content: bytes, *, source: str, options: Options) -> Report:
    report = Report(source=source, format=GEOJSON, updates=options.updates_for(GEOJSON))
    # New areas take all the file says of them, their shapes too.
    shapes = bool({Update.BOUNDARIES, Update.NEW} & report.updates)
    # Parsed in a child process; the features come back one at a time, so that the
    # report holds checked geometries rather than the whole parsed file.
    features = read_json(content, items="features", keep=("type", "crs"))
    try:
        head = next(features)
    except untrusted.Malformed as error:
        if error.kind != "syntax":
            raise json_refusal(error) from error
        report.add(
            _("line %(line)s, column %(column)s") % error.details,
            _("The file is not valid JSON: %(error)s.") % error.details,
        )
        return report
    if not head["object"] or head["keep"].get("type") != "FeatureCollection":
        report.add("", _("The file must be a GeoJSON FeatureCollection."))
        return report
    if not head["list"]:
        report.add("", _("The FeatureCollection has no list of features."))
        return report
    crs = head["keep"].get("crs")
    if isinstance(crs, dict):
        crs_name = str((crs.get("properties") or {}).get("name", ""))
        if crs_name and not crs_name.upper().endswith(("CRS84", "4326")):
            report.add(
                "crs",
                _(
                    "The file declares the coordinate system %(crs)s; Barzan needs WGS84 "
                    "longitude/latitude (EPSG:4326)."
                )
                % {"crs": crs_name},
            )
            return report
    planner = LevelPlanner(report, options)
    for index, feature in enumerate(features):
        where = where_feature(index)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            report.add(where, _("This is not a GeoJSON Feature."))
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            report.add(where, _("The feature's properties are not an object."))
            continue
        checked = None
        if shapes:
            try:
                # Heights (a third coordinate) are dropped: GIS exports often carry them.
                checked = geometry.read_geometry(
                    feature.get("geometry"), allow_point=options.level.code == "neighborhood"
                )
            except geometry.GeometryError as error:
                report.add(where, error.message)
                continue
        planner.add(where, properties, checked)
    planner.finish()
    return report


def plan_csv(content: bytes, *, source: str, options: Options) -> Report:
    report = Report(source=source, format=CSV, updates=options.updates_for(CSV))
    header, records = read_csv(decode(content))
    name_column = options.name_property
    if name_column not in header and "name" in header:
        name_column = "name"
    absent = [column for column in ("code",) if column not in header]
    if absent:
        report.add(
            where_line(1),
            _("The header lacks the columns: %(columns)s.") % {"columns": ", ".join(absent)},
        )
        return report
    options = replace(options, name_property=name_column, code_property="code")
    planner = LevelPlanner(report, options)
    for line, record in records:
        lat, lon = clean(record.get("latitude") or ""), clean(record.get("longitude") or "")
        checked = None
        if (lat or lon) and {Update.BOUNDARIES, Update.NEW} & report.updates:
            try:
                point = {"type": "Point", "coordinates": [_number(lon), _number(lat)]}
                checked = geometry.read_geometry(point, allow_point=True)
            except ValueError as error:
                extent = geometry.deployment_extent()
                if not _is_number(lat) or not extent.min_lat <= _number(lat) <= extent.max_lat:
                    column = "latitude"
                else:
                    column = "longitude"
                report.add(
                    where_line(line, column),
                    getattr(error, "message", None) or _("Latitude and longitude must be numbers."),
                )
                continue
        planner.add(where_line(line), record, checked, line=line)
    planner.finish()
    return report


def _number(text: str) -> float:
    # «۳۵٫۷» as a Persian spreadsheet writes it (core.text.parse_decimal).
    return float(parse_decimal(text))


def _is_number(text: str) -> bool:
    try:
        _number(text)
    except ValueError:
        return False
    return True
