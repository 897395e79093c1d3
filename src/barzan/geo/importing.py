"""
Reading area imports into a plan: what would be created, changed and left alone, and
every problem with the line, column or feature it was found at.

Three formats:

- `divisions`: the official hierarchy as published in iran-divisions (provinces, counties,
  sectors, cities and urban districts as CSV files, in a folder or a ZIP file);
- `geojson`: boundaries (or, for neighborhoods, points) for one level, matched to areas by
  code or by normalised name under a parent, creating areas that do not exist yet;
- `csv`: areas (typically neighborhoods) with a code, names, a parent and optionally a
  latitude and longitude.

What a file may change is chosen per import (`Update`): boundaries, names (with codes and
parents), populations, and whether areas it has that are not stored yet are created. A
GeoJSON or CSV file by default changes boundaries and creates new areas (named from the
file) but leaves stored areas' names and populations alone: a municipality's boundary file
must not overwrite the official names and census figures. The official divisions change
everything, as they always did.

New areas take everything the file says of them (names, population, boundary or point),
whatever is chosen for existing ones.

Besides problems, a plan has warnings, which do not stop it: a boundary partly outside its
parent's (refused, as a problem, when mostly outside), and a new area named like an
existing one under a neighbouring parent: see `import_checks`.

Planning only reads, outside any transaction. `actions.import_areas` plans, then writes in
bounded steps, and writes nothing when the plan has a problem or when it is a dry run.
"""

import csv
import functools
import io
import zipfile
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from barzan.core import untrusted
from barzan.core.importing.problems import FEATURE, LINE, location_text
from barzan.core.text import clean, parse_decimal, search_key, to_latin_digits

from . import geometry
from .geometry import Placement, place
from .models import Area, AreaImport, AreaLevel

DIVISIONS = "divisions"
GEOJSON = "geojson"
CSV = "csv"
FORMATS = {
    DIVISIONS: gettext_lazy("Official divisions (a ZIP of the iran-divisions CSV files)"),
    GEOJSON: gettext_lazy("GeoJSON boundaries or points"),
    CSV: gettext_lazy("CSV of areas (code, names, parent, latitude and longitude)"),
}

COUNTRY_CODE = "IR"
# The official code width of each level: Markazi's codes lost a leading zero in the data.
CODE_WIDTHS = {"province": 2, "county": 4, "sector": 6, "city": 10, "district": 10}
# How much of its parent's code a code begins with. A district's code begins with its
# county's only: in the data some districts' sector differs from their city's.
CODE_PREFIXES = {"county": 2, "sector": 4, "city": 6, "district": 4}
DIVISION_FILES = (
    # file, level, parent file, parent column, columns
    ("provinces.csv", "province", None, None, ("id", "name", "code")),
    ("counties.csv", "county", "provinces.csv", "province_id", ("id", "name", "code")),
    ("sectors.csv", "sector", "counties.csv", "county_id", ("id", "name", "code")),
    ("cities.csv", "city", "sectors.csv", "sector_id", ("id", "name", "code")),
    ("city_districts.csv", "district", "cities.csv", "city_id", ("id", "name", "code")),
)
COORDINATES_FILE = "city_coordinates.csv"
PROVINCE_NAMES_EN = {
    "00": "Markazi", "01": "Gilan", "02": "Mazandaran", "03": "East Azerbaijan",
    "04": "West Azerbaijan", "05": "Kermanshah", "06": "Khuzestan", "07": "Fars", "08": "Kerman",
    "09": "Razavi Khorasan", "10": "Isfahan", "11": "Sistan and Baluchestan", "12": "Kurdistan",
    "13": "Hamadan", "14": "Chaharmahal and Bakhtiari", "15": "Lorestan", "16": "Ilam",
    "17": "Kohgiluyeh and Boyer-Ahmad", "18": "Bushehr", "19": "Zanjan", "20": "Semnan",
    "21": "Yazd", "22": "Hormozgan", "23": "Tehran", "24": "Ardabil", "25": "Qom", "26": "Qazvin",
    "27": "Golestan", "28": "North Khorasan", "29": "South Khorasan", "30": "Alborz",
}  # fmt: skip

CREATED, CHANGED, UNCHANGED = "created", "changed", "unchanged"

Update = AreaImport.Update
ALL_UPDATES = frozenset(Update.values)
# Which stored fields each choice lets a file change.
UPDATED_FIELDS = {
    Update.BOUNDARIES: ("boundary",),
    Update.NAMES: ("name_fa", "name_en", "code", "parent"),
    Update.POPULATION: ("population",),
}


def default_updates(format: str) -> frozenset:
    """What a file of `format` changes unless told otherwise (see the module's docstring)."""
    if format == DIVISIONS:
        return ALL_UPDATES
    return frozenset({Update.BOUNDARIES, Update.NEW})


def parse_updates(text: str) -> frozenset:
    """Read a comma-separated list of `Update` values; ValueError names an unknown one."""
    chosen = frozenset(part.strip().lower() for part in str(text).split(",") if part.strip())
    unknown = sorted(chosen - ALL_UPDATES)
    if unknown:
        raise ValueError(", ".join(unknown))
    return chosen


def updates_text(updates) -> str:
    """The stored form of a set of `Update` values, in a fixed order."""
    return ",".join(value for value in Update.values if value in updates)


def name_key(name: str) -> str:
    """The form names are matched in: every comparison of an imported name with stored
    names goes through here (alternative names will join it)."""
    return search_key(name)


# A file that cannot be read at all (not the rows in it); the same class as
# core.untrusted's, so a file refused for breaking a limit is reported alike.
UnreadableFile = untrusted.UnreadableFile
# What area files may be written in: UTF-8 (with or without a byte-order mark), else
# Windows-1256, which older Persian software writes.
ENCODINGS = ("utf-8-sig", "cp1256")


@dataclass
class Problem:
    """A problem or warning of an area import. `where` is already the text of its place
    (`where_line`, `where_feature`, both `core.importing.location_text`, possibly with the
    divisions file's name before it), as `actions` keeps it on the job; empty for the
    whole file, which then shows only its message."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class Row:
    """One area the file describes, and what importing it would do."""

    where: str
    level: AreaLevel
    code: str
    name_fa: str
    name_en: str = ""
    parent: Area | None = None  # an area already stored
    parent_row: "Row | None" = None  # or an area this import creates
    population: int | None = None
    geometry: object = None  # a checked shapely geometry, when the file gives one
    repaired: str = ""
    area: Area | None = None  # the stored area it matches
    status: str = CREATED
    changes: list[str] = field(default_factory=list)
    is_hidden: bool = False  # it touches an area the importer may not see: names withheld

    @functools.cached_property
    def placement(self) -> Placement:
        return place(self.geometry)

    @property
    def parent_label(self) -> str:
        if self.parent is not None:
            return self.parent.name_fa
        return self.parent_row.name_fa if self.parent_row else ""


@dataclass
class Report:
    """The plan of an import; after `actions.import_areas` applied it, `applied` is True."""

    source: str
    format: str
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    applied: bool = False
    dry_run: bool = True
    updates: frozenset = ALL_UPDATES
    warnings: list[Problem] = field(default_factory=list)

    def add(self, where: str, message) -> None:
        self.problems.append(Problem(where, str(message)))

    def warn(self, where: str, message) -> None:
        self.warnings.append(Problem(where, str(message)))

    @property
    def repaired(self) -> list[Row]:
        return [row for row in self.rows if row.repaired]

    def with_status(self, status: str) -> list[Row]:
        return [row for row in self.rows if row.status == status]

    @property
    def created(self) -> list[Row]:
        return self.with_status(CREATED)

    @property
    def changed(self) -> list[Row]:
        return self.with_status(CHANGED)

    @property
    def unchanged(self) -> list[Row]:
        return self.with_status(UNCHANGED)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict:
        return {
            "created": len(self.created),
            "changed": len(self.changed),
            "unchanged": len(self.unchanged),
            "problems": len(self.problems),
        }


def where_line(line: int, column: str | None = None) -> str:
    return location_text(LINE, line, column or "")


def where_feature(index: int) -> str:
    return location_text(FEATURE, index + 1)


# -- Reading files ------------------------------------------------------------------------


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


def division_files(content: bytes | dict[str, bytes]) -> dict[str, bytes]:
    """Return the CSV files of a divisions import from a ZIP file (or a dict of files).

    The archive is checked before anything is decompressed (entries, sizes, ratios,
    archives within), and each file is decompressed with a cap: see core.untrusted.
    """
    if isinstance(content, dict):
        return content
    limits = untrusted.current_limits()
    try:
        with untrusted.open_zip(io.BytesIO(content), limits=limits) as archive:
            members = {member.filename.rsplit("/", 1)[-1]: member for member in archive.infolist()}
            wanted = [spec[0] for spec in DIVISION_FILES] + [COORDINATES_FILE]
            files = {}
            left = limits.uncompressed_bytes
            for name in wanted:
                if name in members:
                    files[name] = untrusted.read_member(archive, members[name], limit=left)
                    left -= len(files[name])
            return files
    except UnreadableFile:
        raise
    except (untrusted.Malformed, zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise UnreadableFile(
            _("The file is not a ZIP file of the divisions' CSV files.")
        ) from error


# -- Matching against what is stored ------------------------------------------------------


class Existing:
    """The current areas of the levels an import touches, looked up by code and by name."""

    def __init__(self, levels):
        areas = Area.objects.filter(level__in=levels, valid_to__isnull=True).select_related("level")
        self.by_code = {(area.level_id, area.code): area for area in areas}
        self.by_name: dict[tuple, list[Area]] = {}
        for area in self.by_code.values():
            key = (area.level_id, area.parent_id, name_key(area.name_fa))
            self.by_name.setdefault(key, []).append(area)

    def code(self, level, code) -> Area | None:
        return self.by_code.get((level.pk, code))

    def named(self, level, parent, name) -> list[Area]:
        return self.by_name.get((level.pk, parent.pk, name_key(name)), [])


def compare(row: Row, updates=ALL_UPDATES) -> None:
    """Set the row's status and changes against the stored area it matches, counting only
    the fields `updates` lets the file change."""
    area = row.area
    if area is None:
        row.status = CREATED
        return
    changes = []
    if row.name_fa and row.name_fa != area.name_fa:
        changes.append("name_fa")
    if row.name_en and row.name_en != area.name_en:
        changes.append("name_en")
    if row.code and row.code != area.code:
        changes.append("code")
    new_parent = row.parent
    if row.parent_row is not None or (new_parent is not None and new_parent.pk != area.parent_id):
        changes.append("parent")
    if row.population is not None and row.population != area.population:
        changes.append("population")
    if row.geometry is not None:
        placed = row.placement
        if placed.boundary is None:
            # A point (a city's location in the divisions) never replaces a boundary.
            if area.boundary is None and (placed.latitude, placed.longitude) != (
                area.latitude,
                area.longitude,
            ):
                changes.append("boundary")
        elif placed.boundary != area.boundary:
            changes.append("boundary")
    allowed = {name for choice in updates for name in UPDATED_FIELDS.get(choice, ())}
    changes = [name for name in changes if name in allowed]
    row.changes = changes
    row.status = CHANGED if changes else UNCHANGED


def code_of(raw, width: int | None) -> str | None:
    """Return a code as text, zero-padded to the level's width; None if it is not digits."""
    code = to_latin_digits(clean(str(raw or "")))
    if width is None:
        return code or None
    if not code.isdigit() or len(code) > width:
        return None
    return code.zfill(width)


def population_of(raw) -> int | None:
    text = clean(str(raw))
    if not text:
        return None
    value = parse_decimal(text)  # «۱۲٬۳۴۵», «12,345»; a ValueError otherwise
    if value < 0 or value != value.to_integral_value() or value > 10**10:
        raise ValueError
    return int(value)


# -- The official divisions ---------------------------------------------------------------


def plan_divisions(content, *, source: str) -> Report:
    """Plan the import of the official hierarchy (see the module's docstring)."""
    report = Report(source=source, format=DIVISIONS)
    files = division_files(content)
    levels = {level.code: level for level in AreaLevel.objects.all()}
    missing_levels = [code for code in ("country", *CODE_WIDTHS) if code not in levels]
    if missing_levels:
        report.add(
            "", _("Missing area levels: %(levels)s.") % {"levels": ", ".join(missing_levels)}
        )
        return report
    for name, *_rest in DIVISION_FILES:
        if name not in files:
            report.add(name, _("The file is missing."))
    if report.problems:
        return report
    existing = Existing([levels[code] for code in CODE_WIDTHS])
    country = Area.objects.filter(
        level=levels["country"], parent__isnull=True, valid_to__isnull=True
    ).first()
    if country is None:
        country_row = Row(
            where="", level=levels["country"], code=COUNTRY_CODE, name_fa="ایران", name_en="Iran"
        )
        report.rows.append(country_row)
    coordinates = _city_coordinates(files.get(COORDINATES_FILE), report)
    rows_by_file: dict[str, dict[str, Row]] = {}
    for name, level_code, parent_file, parent_column, columns in DIVISION_FILES:
        level = levels[level_code]
        width = CODE_WIDTHS[level_code]
        try:
            header, records = read_csv(decode(files[name]))
        except UnreadableFile as error:
            report.add(name, error)
            continue
        needed = [*columns, *([parent_column] if parent_column else [])]
        absent = [column for column in needed if column not in header]
        if absent:
            report.add(
                name,
                _("The header lacks the columns: %(columns)s.") % {"columns": ", ".join(absent)},
            )
            continue
        parents = rows_by_file.get(parent_file, {}) if parent_file else None
        rows_here: dict[str, Row] = {}
        seen_codes: dict[str, int] = {}
        seen_names: dict[tuple, int] = {}
        for line, record in records:
            where = f"{name}, "
            code = code_of(record["code"], width)
            if code is None:
                report.add(
                    where + where_line(line, "code"),
                    _("“%(code)s” is not a code of %(width)s digits.")
                    % {"code": clean(record["code"]), "width": width},
                )
                continue
            name_fa = clean(record["name"])
            if not name_fa:
                report.add(where + where_line(line, "name"), _("The name is empty."))
                continue
            row = Row(where=where + where_line(line), level=level, code=code, name_fa=name_fa)
            if parents is None:
                row.name_en = PROVINCE_NAMES_EN.get(code, "")
                if country is not None:
                    row.parent = country
                else:
                    row.parent_row = country_row
            else:
                parent_row = parents.get(clean(record[parent_column]))
                if parent_row is None:
                    report.add(
                        where + where_line(line, parent_column),
                        _("No row of %(file)s has the id “%(id)s”.")
                        % {"file": parent_file, "id": clean(record[parent_column])},
                    )
                    continue
                prefix = parent_row.code[: CODE_PREFIXES[level_code]]
                if not code.startswith(prefix):
                    report.add(
                        where + where_line(line, "code"),
                        _("The code %(code)s does not start with its parent's code %(parent)s.")
                        % {"code": code, "parent": prefix},
                    )
                    continue
                _link_parent(row, parent_row)
            if code in seen_codes:
                report.add(
                    where + where_line(line, "code"),
                    _("The code %(code)s is also on line %(other)s.")
                    % {"code": code, "other": seen_codes[code]},
                )
                continue
            seen_codes[code] = line
            seen_key = (
                id(row.parent_row) if row.parent_row else row.parent.pk,
                name_key(name_fa),
            )
            if seen_key in seen_names:
                report.add(
                    where + where_line(line, "name"),
                    _("“%(name)s” is also on line %(other)s under the same parent.")
                    % {"name": name_fa, "other": seen_names[seen_key]},
                )
                continue
            seen_names[seen_key] = line
            if level_code == "city" and clean(record["id"]) in coordinates:
                row.geometry = coordinates[clean(record["id"])]
            row.area = existing.code(level, code)
            compare(row)
            rows_here[clean(record["id"])] = row
            report.rows.append(row)
        rows_by_file[name] = rows_here
    return report


def _link_parent(row: Row, parent_row: Row) -> None:
    """Point a row at its parent: the stored area if there is one, else the parent's row
    (an area this import creates)."""
    if parent_row.area is not None:
        row.parent = parent_row.area
    else:
        row.parent_row = parent_row


def _city_coordinates(content: bytes | None, report: Report) -> dict:
    if content is None:
        return {}
    points = {}
    extent = geometry.deployment_extent()
    _header, records = read_csv(decode(content))
    for line, record in records:
        try:
            lat, lon = float(parse_decimal(record["lat"])), float(parse_decimal(record["lon"]))
            checked = geometry.read_geometry(
                {"type": "Point", "coordinates": [lon, lat]}, allow_point=True, extent=extent
            )
        except (KeyError, TypeError, ValueError) as error:
            message = getattr(error, "message", None) or _(
                "Latitude and longitude must be numbers."
            )
            report.add(f"{COORDINATES_FILE}, " + where_line(line), message)
            continue
        points[clean(record["city_id"])] = checked.geometry
    return points


# -- GeoJSON and CSV for one level --------------------------------------------------------


@dataclass
class Options:
    """How features are matched: the level, an optional parent, and the property names."""

    level: AreaLevel
    parent: Area | None = None
    code_property: str = "code"
    name_property: str = "name_fa"
    parent_property: str = "parent_code"
    source_label: str = ""
    # What the file may change (`Update` values); None: the format's default.
    updates: frozenset | None = None

    def updates_for(self, format: str) -> frozenset:
        return default_updates(format) if self.updates is None else frozenset(self.updates)


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


class LevelPlanner:
    """Turns features or rows of one level into plan rows, matching by code, then by name."""

    def __init__(self, report: Report, options: Options):
        self.report = report
        self.updates = report.updates
        self.options = options
        self.level = options.level
        self.existing = Existing([self.level])
        self.parent_levels = AreaLevel.objects.filter(rank__lt=self.level.rank)
        self._parents_by_code: dict[str, Area | None] = {}
        self.seen_codes: dict[str, str] = {}
        self.seen_names: dict[tuple, str] = {}
        self.generated = 0

    def parent_for(self, code: str) -> Area | None:
        if code not in self._parents_by_code:
            self._parents_by_code[code] = (
                Area.objects.filter(code=code, level__in=self.parent_levels, valid_to__isnull=True)
                .select_related("level")
                .order_by("-level__rank")
                .first()
            )
        return self._parents_by_code[code]

    def column(self, name: str, line: int | None) -> str:
        return where_line(line, name) if line else ""

    def add(self, where: str, properties: dict, checked, line: int | None = None) -> None:
        options = self.options
        report = self.report

        def problem(column, message):
            report.add(self.column(column, line) or where, message)

        code = code_of(properties.get(options.code_property), None)
        name_fa = clean(str(properties.get(options.name_property) or properties.get("name") or ""))
        name_en = clean(str(properties.get("name_en") or ""))
        parent = options.parent
        parent_code = code_of(properties.get(options.parent_property), None)
        if parent_code:
            found = self.parent_for(parent_code)
            if found is None:
                problem(
                    options.parent_property,
                    _("No area has the parent code %(code)s.") % {"code": parent_code},
                )
                return
            if parent is not None and not found.path.startswith(parent.path):
                problem(
                    options.parent_property,
                    _("%(area)s is not under %(parent)s.") % {"area": found, "parent": parent},
                )
                return
            parent = found
        try:
            population, bad_population = population_of(properties.get("population") or ""), False
        except ValueError:
            population, bad_population = None, True
        # Codes win over names: a name is matched only when no area has the code.
        area = self.existing.code(self.level, code) if code else None
        if area is None and name_fa and parent is not None:
            named = self.existing.named(self.level, parent, name_fa)
            if len(named) > 1:
                problem(
                    options.name_property,
                    _("%(count)s areas under %(parent)s are named “%(name)s”; give a code.")
                    % {"count": len(named), "parent": parent, "name": name_fa},
                )
                return
            area = named[0] if named else None
        if bad_population and (area is None or Update.POPULATION in self.updates):
            problem("population", _("The population must be a whole number of people."))
            return
        if area is not None:
            if options.parent is not None and not area.path.startswith(options.parent.path):
                problem(
                    options.code_property,
                    _("%(area)s is not under %(parent)s.")
                    % {"area": area, "parent": options.parent},
                )
                return
            # A matched area keeps its place unless the row names another parent.
            if not parent_code or parent.pk == area.parent_id:
                parent = None
        else:
            if Update.NEW not in self.updates:
                problem(
                    options.name_property if name_fa else options.code_property,
                    _(
                        "No %(level)s matches “%(name)s” (code %(code)s), and this import may "
                        "not create new areas."
                    )
                    % {"level": self.level, "name": name_fa or "—", "code": code or "—"},
                )
                return
            if parent is None:
                problem(
                    options.parent_property,
                    _(
                        "No %(level)s has the code “%(code)s”, and no parent is given to create it "
                        "under."
                    )
                    % {"level": self.level, "code": code or "—"},
                )
                return
            if not name_fa:
                problem(options.name_property, _("A new area needs a Persian name."))
                return
            if parent.level.rank >= self.level.rank:
                problem(
                    options.parent_property,
                    _("A %(level)s cannot be under a %(parent_level)s.")
                    % {"level": self.level, "parent_level": parent.level},
                )
                return
        row = Row(
            where=self.column("", line) or where,
            level=self.level,
            code=code or (area.code if area else ""),
            name_fa=name_fa,
            name_en=name_en,
            parent=parent,
            population=population,
            geometry=checked.geometry if checked else None,
            repaired=checked.repaired if checked else "",
            area=area,
        )
        key_code = row.code
        if key_code and key_code in self.seen_codes:
            problem(
                options.code_property,
                _("The code %(code)s is also at %(other)s.")
                % {"code": key_code, "other": self.seen_codes[key_code]},
            )
            return
        parent_key = parent.pk if parent is not None else (area.parent_id if area else None)
        seen_key = (parent_key, name_key(name_fa or (area.name_fa if area else "")))
        if seen_key in self.seen_names:
            problem(
                options.name_property,
                _("“%(name)s” is also at %(other)s under the same parent.")
                % {"name": name_fa, "other": self.seen_names[seen_key]},
            )
            return
        if key_code:
            self.seen_codes[key_code] = row.where
        self.seen_names[seen_key] = row.where
        compare(row, self.updates)
        self.report.rows.append(row)

    def finish(self) -> None:
        """Give new areas without a code one made from their parent's: «<parent>-<n>»."""
        taken = {row.code for row in self.report.rows if row.code}
        counters: dict[int, int] = {}
        for row in self.report.rows:
            if row.code:
                continue
            parent = row.parent
            number = counters.get(parent.pk, 0)
            while True:
                number += 1
                candidate = f"{parent.code}-{number:03d}"
                if candidate not in taken and self.existing.code(self.level, candidate) is None:
                    break
            counters[parent.pk] = number
            taken.add(candidate)
            row.code = candidate
