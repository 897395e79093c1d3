"""The official divisions as published in iran-divisions: CSV files of provinces,
counties, sectors, cities and districts, in a folder or a ZIP file."""

import io
import zipfile

from django.utils.translation import gettext as _

from barzan.core import untrusted
from barzan.core.text import clean, localize_digits, parse_decimal

from .. import geometry
from ..models import Area, AreaLevel
from .files import UnreadableFile, decode, read_csv
from .matching import Existing, code_of, compare
from .report import DIVISIONS, Report, Row, name_key, where_line

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
                    % {"code": clean(record["code"]), "width": localize_digits(width)},
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
