"""What planning an import gives: the formats, what a file may change (`Update`), and
the Report of rows and problems with where each was found."""

import functools
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

from barzan.core.importing.problems import FEATURE, LINE, location_text
from barzan.core.text import search_key

from ..geometry import Placement, place
from ..models import Area, AreaImport, AreaLevel

DIVISIONS = "divisions"
GEOJSON = "geojson"
CSV = "csv"
FORMATS = {
    DIVISIONS: gettext_lazy("Official divisions (a ZIP of the iran-divisions CSV files)"),
    GEOJSON: gettext_lazy("GeoJSON boundaries or points"),
    CSV: gettext_lazy("CSV of areas (code, names, parent, latitude and longitude)"),
}


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
