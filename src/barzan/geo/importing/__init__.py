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

from .divisions import (
    CODE_PREFIXES,
    CODE_WIDTHS,
    COORDINATES_FILE,
    COUNTRY_CODE,
    DIVISION_FILES,
    PROVINCE_NAMES_EN,
    division_files,
    plan_divisions,
)
from .files import (
    ENCODINGS,
    UnreadableFile,
    decode,
    json_refusal,
    plan_csv,
    plan_geojson,
    read_csv,
    read_json,
)
from .levels import (
    LevelPlanner,
    Options,
)
from .matching import (
    Existing,
    code_of,
    compare,
    population_of,
)
from .report import (
    ALL_UPDATES,
    CHANGED,
    CREATED,
    CSV,
    DIVISIONS,
    FORMATS,
    GEOJSON,
    UNCHANGED,
    UPDATED_FIELDS,
    Problem,
    Report,
    Row,
    Update,
    default_updates,
    name_key,
    parse_updates,
    updates_text,
    where_feature,
    where_line,
)

__all__ = [
    "ALL_UPDATES",
    "CHANGED",
    "CODE_PREFIXES",
    "CODE_WIDTHS",
    "COORDINATES_FILE",
    "COUNTRY_CODE",
    "CREATED",
    "CSV",
    "DIVISIONS",
    "DIVISION_FILES",
    "ENCODINGS",
    "FORMATS",
    "GEOJSON",
    "PROVINCE_NAMES_EN",
    "UNCHANGED",
    "UPDATED_FIELDS",
    "Existing",
    "LevelPlanner",
    "Options",
    "Problem",
    "Report",
    "Row",
    "UnreadableFile",
    "Update",
    "code_of",
    "compare",
    "decode",
    "default_updates",
    "division_files",
    "json_refusal",
    "name_key",
    "parse_updates",
    "plan_csv",
    "plan_divisions",
    "plan_geojson",
    "population_of",
    "read_csv",
    "read_json",
    "updates_text",
    "where_feature",
    "where_line",
]
