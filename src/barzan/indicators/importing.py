"""
The import engine for indicator values: read, check, compare, and apply all or nothing.

Rows stream from `formats.read` and are checked one by one against lookups read once
(codes of indicators, areas, periods and breakdowns; the actor's grants). Good rows go
into a temporary staging table in batches, so a million-row file never sits in memory;
duplicates and the comparison with stored values (new, changed, unchanged) are then
answered by the database. Applying writes every change's history (`ValueChange`),
upserts the values and refreshes the roll-ups, in bounded steps of their own (`apply`).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from barzan.access import policy
from barzan.access.actions import CAPTURE
from barzan.core import jobs
from barzan.core.text import clean, clean_multiline, search_key
from barzan.geo.models import AreaIdentifier
from barzan.geo.names import area_index

from . import display, formats, periods, rollups
from .checks import Rule, ValueProblem, parse
from .choices import Dimension, IndicatorKind, ValueType
from .identifiers import CODE, NAME, IdSchemes, schemes_from
from .models import Breakdown, BreakdownIdentifier, Indicator, IndicatorIdentifier, Period
from .periods import parse as parse_period

# Problems kept for the report; the count is always exact.
MAX_PROBLEMS_KEPT = 10_000
# Unknown identifiers kept per kind for mapping; a file naming more is mapped in rounds.
MAX_UNKNOWN_KEPT = 500
_BATCH = 10_000
_PROGRESS_EVERY = 1_000

STAGING = "indicator_staging"


@dataclass
class Outcome:
    """What a file holds compared with what is stored, and what went wrong in it."""

    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    # Cells an export wrote as suppressed ("<5"): never written, never a problem.
    hidden: int = 0
    problems: list[dict] = field(default_factory=list)
    problem_count: int = 0
    applied: bool = False
    indicator_ids: set[int] = field(default_factory=set)
    period_ids: set[int] = field(default_factory=set)
    # How the file names things: as chosen for the import, or as the file itself says.
    schemes: IdSchemes = field(default_factory=IdSchemes)
    # Identifiers of an external scheme that matched nothing, by kind, in file order.
    unknown: dict[str, dict[str, None]] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return self.problem_count == 0

    def add_problem(self, line: int, column: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append({"line": line, "column": column, "message": str(message)})

    def add_unknown(self, kind: str, value: str) -> None:
        known = self.unknown.setdefault(kind, {})
        if len(known) < MAX_UNKNOWN_KEPT:
            known[value] = None

    def unknown_identifiers(self) -> dict[str, list[str]]:
        """Return the unknown identifiers by kind, as saved for the mapping page."""
        return {kind: list(values) for kind, values in self.unknown.items() if values}

    def number_by_value(self) -> None:
        """Say that the problems' lines count values (a JSON file with one line)."""
        for problem in self.problems:
            if problem["line"]:
                problem["where"] = "value"


@dataclass(frozen=True, slots=True)
class _IndicatorInfo:
    id: int
    rule: Rule
    owner_id: int
    dimensions: frozenset
    calculated_from: str  # "" for a measured indicator


class Lookups:
    """Every identifier a file may use, read once, limited to what `actor` may enter in `area`.

    Each kind is matched by the scheme `schemes` gives it: Barzan's codes (compared
    without case), an external scheme's identifiers (compared exactly: DHIS2 uids are
    case-sensitive) or, for areas, normalised names under `area`.
    """

    def __init__(self, *, actor, area, schemes: IdSchemes | None = None):
        self.area = area
        self.schemes = schemes = schemes or IdSchemes()
        by_code = {
            indicator.code.casefold(): _IndicatorInfo(
                id=indicator.pk,
                rule=Rule.of(indicator),
                owner_id=indicator.owner_id,
                dimensions=frozenset(indicator.dimensions or ()),
                calculated_from=(
                    f"{indicator.numerator.code} / {indicator.denominator.code}"
                    if indicator.kind == IndicatorKind.CALCULATED
                    else ""
                ),
            )
            for indicator in Indicator.objects.filter(is_active=True).select_related(
                "numerator", "denominator"
            )
        }
        if schemes.indicator == CODE:
            self.indicators = by_code
        else:
            by_id = {info.id: info for info in by_code.values()}
            self.indicators = {
                value: by_id[pk]
                for value, pk in IndicatorIdentifier.objects.filter(
                    scheme=schemes.indicator
                ).values_list("value", "indicator_id")
                if pk in by_id
            }
        self.periods = dict(Period.objects.values_list("code", "id"))
        breakdowns = {
            code.casefold(): (pk, dimension)
            for code, pk, dimension in Breakdown.objects.values_list("code", "id", "dimension")
        }
        if schemes.breakdown == CODE:
            self.breakdowns = breakdowns
        else:
            self.breakdowns = {
                value: (pk, dimension)
                for value, pk, dimension in BreakdownIdentifier.objects.filter(
                    scheme=schemes.breakdown
                ).values_list("value", "breakdown_id", "breakdown__dimension")
            }
        # DHIS2 writes the total as `default` (or leaves it out) whatever the scheme.
        self.breakdowns["default"] = breakdowns["total"]
        self.breakdowns[""] = breakdowns["total"]
        # Codes are unique among the current areas of a level; across levels they may
        # repeat, and such a code (or a name several areas share) is reported as
        # ambiguous rather than guessed.
        self.areas: dict[str, tuple[int, str]] = {}
        self.ambiguous: set[str] = set()
        # Identifiers of the scheme that name an area outside `area`, or an ended one.
        self.elsewhere: set[str] = set()
        if schemes.area == CODE:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT code, id, path FROM geo_area WHERE valid_to IS NULL AND path LIKE %s",
                    [area.path + "%"],
                )
                for code, pk, path in cursor.fetchall():
                    key = code.casefold()
                    if key in self.areas:
                        self.ambiguous.add(key)
                    self.areas[key] = (pk, path)
        elif schemes.area == NAME:
            for key, found in area_index(area).items():
                self.areas[key] = found[0]
                if len({pk for pk, _path in found}) > 1:
                    self.ambiguous.add(key)
        else:
            rows = AreaIdentifier.objects.filter(scheme=schemes.area).values_list(
                "value", "area_id", "area__path", "area__valid_to"
            )
            for value, pk, path, valid_to in rows:
                if valid_to is None and path.startswith(area.path):
                    self.areas[value] = (pk, path)
                else:
                    self.elsewhere.add(value)
        # How a file's text becomes a key: codes without case, names by their search key,
        # external identifiers exactly.
        self._fold = {
            kind: {CODE: str.casefold, NAME: search_key}.get(getattr(schemes, kind), str)
            for kind in ("indicator", "area", "breakdown")
        }
        # None: every row in `area` may be entered; else the grants that allow entering.
        self.grants: list | None = None
        if actor is not None:
            capturing = [g for g in policy.grants(actor) if CAPTURE in g.actions]
            if not any(g.organization_id is None and g.covers_path(area.path) for g in capturing):
                self.grants = capturing

    def find(self, kind: str, table: dict, text: str):
        """Return (key, match) for `text` among the `kind` objects in `table`.

        Codes are tried as written first: cleaning (direction marks, Persian digits)
        costs more than the rest of the row and is needed only when that fails.
        """
        fold = self._fold[kind]
        key = fold(text)
        found = table.get(key)
        if found is None:
            key = fold(clean(text))
            found = table.get(key)
        return key, found

    def may_enter(self, path: str, owner_id: int) -> bool:
        if self.grants is None:
            return True
        return any(
            g.covers_path(path) and (g.organization_id is None or g.organization_id == owner_id)
            for g in self.grants
        )


def _create_staging(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
    cursor.execute(
        f"""CREATE TEMPORARY TABLE {STAGING} (
            line INTEGER NOT NULL,
            indicator_id INTEGER NOT NULL,
            area_id INTEGER NOT NULL,
            period_id INTEGER NOT NULL,
            breakdown_id INTEGER NOT NULL,
            value NUMERIC NOT NULL,
            comment TEXT NOT NULL,
            is_stored INTEGER NOT NULL DEFAULT 0,
            blind INTEGER NOT NULL DEFAULT 0,
            old_value NUMERIC,
            old_comment TEXT
        )"""
    )


def _insert_batch(cursor, batch: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        # COPY is several times faster than INSERT for large batches.
        raw = cursor.cursor
        columns = "line, indicator_id, area_id, period_id, breakdown_id, value, comment"
        with raw.copy(f"COPY {STAGING} ({columns}) FROM STDIN") as copy:
            for row in batch:
                copy.write_row(row)
    else:
        cursor.executemany(
            f"INSERT INTO {STAGING} (line, indicator_id, area_id, period_id, breakdown_id, "
            "value, comment) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            batch,
        )


def _column(format: str, name: str) -> str:
    return formats.column_of(format, name)


@contextmanager
def without_mmap():
    """Read the SQLite file without memory-mapping it while a large import runs.

    Memory-mapped pages of the database count in the importing process's memory; a
    million-row import through them would hold a quarter of a gigabyte of the file that
    ordinary reads through the page cache do not. PostgreSQL is not concerned.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        row = cursor.fetchone()  # none for an in-memory database
        if row:
            cursor.execute("PRAGMA mmap_size=0")
    try:
        yield
    finally:
        if row:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA mmap_size={int(row[0])}")


def stage(
    *,
    actor,
    area,
    stream,
    format: str,
    progress: Callable[[int], None] | None = None,
    schemes: IdSchemes | None = None,
) -> Outcome:
    """Read `stream`, check every row, and load the good ones into the staging table.

    Writes only the staging table, a temporary one (on SQLite in a database of its own),
    so checking takes no write lock on the stored data: run it outside any transaction.
    `apply` writes the staged rows; `drop_staging` forgets them.
    """
    lookups = None
    outcome = Outcome(schemes=schemes or IdSchemes())
    batch: list[tuple] = []
    area_name = area.name
    column = {
        name: _column(format, name)
        for name in ("indicator", "area", "period", "breakdown", "value")
    }
    found_format = _detect(stream)
    by_position = False
    with connection.cursor() as cursor:
        _create_staging(cursor)
        try:
            records = formats.read(format, stream)
            for record in records:
                if isinstance(record, Mapping):
                    # A reader hands over the file's own idScheme attributes before its
                    # values; as in DHIS2 they override the ones chosen for the import.
                    if not _take_file_schemes(record, outcome):
                        return outcome
                    continue
                if lookups is None:
                    lookups = Lookups(actor=actor, area=area, schemes=outcome.schemes)
                outcome.rows += 1
                by_position = by_position or record.by_position
                if isinstance(record, formats.Problem):
                    outcome.add_problem(record.line, record.column, record.message)
                    continue
                if progress is not None and outcome.rows % _PROGRESS_EVERY == 0:
                    progress(outcome.rows)
                row = _check(record, lookups, outcome, column, area_name)
                if row is not None:
                    batch.append(row)
                    if len(batch) >= _BATCH:
                        _insert_batch(cursor, batch)
                        batch.clear()
        except formats.UnreadableFile as error:
            hint = formats.format_hint(format, found_format)
            message = f"{error} {hint}" if hint else str(error)
            outcome.add_problem(getattr(error, "line", None) or 0, "", message)
            return outcome
        if not outcome.rows:
            # An empty file would otherwise be a dry run with nothing wrong in it.
            outcome.add_problem(0, "", _("The file holds no values."))
        if batch:
            _insert_batch(cursor, batch)
        _report_duplicates(cursor, outcome, column["indicator"], by_position=by_position)
        _compare(cursor, outcome, blind_to=_hidden_indicators(actor, outcome.indicator_ids))
    _hint_format(outcome, format, found_format)
    if outcome.problems:
        outcome.problems.sort(key=lambda problem: problem["line"])
    if by_position:
        outcome.number_by_value()
    return outcome


def _take_file_schemes(attributes: Mapping, outcome: Outcome) -> bool:
    """Apply a file's idScheme attributes to `outcome.schemes`; False if they are wrong."""
    try:
        outcome.schemes = schemes_from(attributes, base=outcome.schemes)
    except ValidationError as error:
        for attribute, messages in error.message_dict.items():
            for message in messages:
                outcome.add_problem(1, attribute, message)
        return False
    return True


def _detect(stream) -> str | None:
    """Return the format `stream` looks like, if it can be read twice."""
    try:
        return formats.detect(stream) if stream.seekable() else None
    except (OSError, ValueError, AttributeError):
        return None


def _hint_format(outcome: Outcome, format: str, found_format: str | None) -> None:
    """Add, to a file with problems, that it looks like another format than `format`."""
    hint = formats.format_hint(format, found_format)
    if outcome.problem_count and hint:
        outcome.add_problem(0, "", hint)


def _check(record, lookups: Lookups, outcome: Outcome, column: dict, area_name: str):
    """Return the staging row for `record`, or None after noting what is wrong with it."""
    line = record.line
    good = True
    schemes = lookups.schemes
    indicator_key, indicator = lookups.find("indicator", lookups.indicators, record.indicator)
    if indicator is None:
        if schemes.indicator == CODE:
            message = _("There is no indicator with the code «%(code)s».") % {
                "code": record.indicator
            }
        else:
            outcome.add_unknown("indicator", indicator_key)
            message = _(
                "No indicator has the identifier «%(value)s» in the scheme «%(scheme)s»; "
                "map it to an indicator, then check the file again."
            ) % {"value": record.indicator, "scheme": schemes.indicator}
        outcome.add_problem(line, column["indicator"], message)
        good = False
    elif indicator.calculated_from:
        outcome.add_problem(
            line,
            column["indicator"],
            _("«%(code)s» is calculated from %(parts)s; import those instead.")
            % {"code": record.indicator, "parts": indicator.calculated_from},
        )
        good = False
    area_key, found = lookups.find("area", lookups.areas, record.area)
    if found is None:
        if schemes.area == CODE:
            message = _("There is no current area with the code «%(code)s» in %(area)s.") % {
                "code": record.area,
                "area": area_name,
            }
        elif schemes.area == NAME:
            message = _("There is no current area named «%(name)s» in %(area)s.") % {
                "name": record.area,
                "area": area_name,
            }
        elif area_key in lookups.elsewhere:
            message = _(
                "The area with the identifier «%(value)s» is not a current area in %(area)s."
            ) % {"value": record.area, "area": area_name}
        else:
            outcome.add_unknown("area", area_key)
            message = _(
                "No area has the identifier «%(value)s» in the scheme «%(scheme)s»; "
                "map it to an area, then check the file again."
            ) % {"value": record.area, "scheme": schemes.area}
        outcome.add_problem(line, column["area"], message)
        good = False
    elif area_key in lookups.ambiguous:
        if schemes.area == NAME:
            message = _(
                "Several areas in %(area)s are named «%(name)s»; match areas by code or by "
                "an identifier instead."
            ) % {"name": record.area, "area": area_name}
        else:
            message = _(
                "The code «%(code)s» belongs to areas at two levels; it cannot be told apart."
            ) % {"code": record.area}
        outcome.add_problem(line, column["area"], message)
        good = False
    period_id = lookups.periods.get(record.period)
    if period_id is None:
        spec = parse_period(record.period) or periods.from_gregorian(record.period)
        period_id = lookups.periods.get(spec.code) if spec else None
    if period_id is None:
        outcome.add_problem(line, column["period"], periods.explain(record.period))
        good = False
    breakdown_key, breakdown = lookups.find("breakdown", lookups.breakdowns, record.breakdown)
    if breakdown is None and record.breakdown.casefold() == "default":
        breakdown = lookups.breakdowns["default"]
    if breakdown is None:
        if schemes.breakdown == CODE:
            message = _("There is no breakdown with the code «%(code)s».") % {
                "code": record.breakdown
            }
        else:
            outcome.add_unknown("breakdown", breakdown_key)
            message = _(
                "No breakdown has the identifier «%(value)s» in the scheme «%(scheme)s»; "
                "map it to a breakdown, then check the file again."
            ) % {"value": record.breakdown, "scheme": schemes.breakdown}
        outcome.add_problem(line, column["breakdown"], message)
        good = False
    elif (
        indicator is not None
        and breakdown[1] != Dimension.TOTAL
        and breakdown[1] not in indicator.dimensions
    ):
        outcome.add_problem(
            line,
            column["breakdown"],
            _("«%(indicator)s» is not broken down by «%(code)s».")
            % {"indicator": record.indicator, "code": record.breakdown},
        )
        good = False
    value = None
    # A cell exported as suppressed comes back as it was written: the figure behind it is
    # unknown to the file, so the stored one stays and the codes are still checked.
    hidden = display.is_hidden_marker(record.value)
    if not hidden and not record.value.strip():
        outcome.add_problem(line, column["value"], _("The value is empty."))
        good = False
    elif not hidden and indicator is not None:
        try:
            value = parse(indicator.rule, record.value)
        except ValueProblem as problem:
            outcome.add_problem(line, column["value"], str(problem))
            good = False
    if good and not lookups.may_enter(found[1], indicator.owner_id):
        outcome.add_problem(
            line,
            column["area"],
            _("You may not enter «%(indicator)s» for area «%(code)s».")
            % {"indicator": record.indicator, "code": record.area},
        )
        good = False
    if not good:
        return None
    if hidden:
        outcome.hidden += 1
        return None
    outcome.indicator_ids.add(indicator.id)
    outcome.period_ids.add(period_id)
    return (
        line,
        indicator.id,
        found[0],
        period_id,
        breakdown[0],
        str(value),
        clean_multiline(record.comment) if record.comment else "",
    )


def _report_duplicates(cursor, outcome: Outcome, column: str, *, by_position=False) -> None:
    cursor.execute(
        f"""SELECT s.line, d.first_line FROM {STAGING} s
        JOIN (SELECT indicator_id, area_id, period_id, breakdown_id, MIN(line) AS first_line
              FROM {STAGING} GROUP BY indicator_id, area_id, period_id, breakdown_id
              HAVING COUNT(*) > 1) d
          ON d.indicator_id = s.indicator_id AND d.area_id = s.area_id
         AND d.period_id = s.period_id AND d.breakdown_id = s.breakdown_id
        WHERE s.line <> d.first_line ORDER BY s.line"""
    )
    if by_position:
        message = _("The same indicator, area, period and breakdown are already value %(line)s.")
    else:
        message = _("The same indicator, area, period and breakdown are already on line %(line)s.")
    for line, first_line in cursor.fetchall():
        outcome.add_problem(line, column, message % {"line": first_line})


def _hidden_indicators(actor, indicator_ids) -> list[int]:
    """Return the indicators of `indicator_ids` whose small counts `actor` may not see."""
    if actor is None or not indicator_ids:
        return []  # the system itself
    viewer = display.viewer_of(actor) or frozenset()
    return list(
        Indicator.objects.filter(pk__in=indicator_ids, value_type=ValueType.COUNT)
        .exclude(owner_id__in=viewer)
        .values_list("pk", flat=True)
    )


def _compare(cursor, outcome: Outcome, *, blind_to: list[int] = ()) -> None:
    """Count the staged rows that are new, changed and unchanged.

    A row over a stored small count the importer may not see (`blind_to`'s indicators) is
    counted as changed and written even when it equals what is stored: "unchanged" would
    confirm a guessed hidden figure, and a dry run could be asked again and again.
    """
    cursor.execute(
        f"""UPDATE {STAGING} SET is_stored = 1, old_value = v.value, old_comment = v.comment
        FROM indicators_indicatorvalue v
        WHERE v.indicator_id = {STAGING}.indicator_id AND v.area_id = {STAGING}.area_id
          AND v.period_id = {STAGING}.period_id AND v.breakdown_id = {STAGING}.breakdown_id"""
    )
    if blind_to:
        cursor.execute(
            f"UPDATE {STAGING} SET blind = 1 WHERE is_stored = 1 AND old_value < %s "
            f"AND indicator_id IN ({', '.join(['%s'] * len(blind_to))})",
            [display.threshold(), *blind_to],
        )
    cursor.execute(
        f"""SELECT
            SUM(CASE WHEN is_stored = 0 THEN 1 ELSE 0 END),
            SUM(CASE WHEN is_stored = 1 AND (old_value <> value OR old_comment <> comment
                OR blind = 1) THEN 1 ELSE 0 END),
            SUM(CASE WHEN is_stored = 1 AND old_value = value AND old_comment = comment
                AND blind = 0 THEN 1 ELSE 0 END)
        FROM {STAGING}"""
    )
    new, changed, unchanged = cursor.fetchone()
    outcome.new, outcome.changed, outcome.unchanged = new or 0, changed or 0, unchanged or 0


_CHANGED = "(is_stored = 0 OR old_value <> value OR old_comment <> comment OR blind = 1)"


def apply(*, actor, source, outcome: Outcome, value_import=None, last_step=None, heartbeat=None):
    """Write the staged rows that are new or changed, with their history and roll-ups.

    The rows are written in steps of `BARZAN_IMPORT_STEP_ROWS`, in order of area, each in
    its own short transaction with the roll-ups of its areas' ancestors, so the write lock
    is released between steps and every committed step is complete. `last_step` (the
    audit event, the job's status) runs in the transaction of the last one. When a step
    fails, `jobs.StepFailed` says how many were written; importing the same file again
    finds those rows unchanged and writes the rest.
    """
    now = timezone.now()
    actor_id = getattr(actor, "pk", None)
    label = actor.get_username() if actor_id else "system"
    import_id = getattr(value_import, "pk", None)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT area_id, COUNT(*) FROM {STAGING} WHERE {_CHANGED} "
            "GROUP BY area_id ORDER BY area_id"
        )
        per_area = cursor.fetchall()
    # Whole areas per step (so a step's roll-ups are final), about `size` rows each.
    bounds: list[tuple[int, int]] = []
    size, rows, first = jobs.step_rows(), 0, None
    for area_id, count in per_area:
        first = area_id if first is None else first
        rows += count
        if rows >= size:
            bounds.append((first, area_id))
            rows, first = 0, None
    if first is not None:
        bounds.append((first, per_area[-1][0]))

    def write(first_area: int, last_area: int) -> None:
        _write_step(first_area, last_area, source, actor_id, label, now, import_id)

    steps = [functools.partial(write, first_area, last) for first_area, last in bounds]
    if last_step is not None:
        if steps:
            steps[-1] = _then(steps[-1], last_step)
        else:
            steps.append(last_step)
    jobs.run_steps(steps, job=value_import, heartbeat=heartbeat)
    drop_staging()
    outcome.applied = True


def _then(first: Callable[[], None], second: Callable[[], None]) -> Callable[[], None]:
    def both() -> None:
        first()
        second()

    return both


def _write_step(first_area, last_area, source, actor_id, label, now, import_id) -> None:
    """Write the changed rows of the areas `first_area`..`last_area` and roll them up.

    Stored values are read again inside the step's transaction, so the history records
    what was really replaced, and rows someone else has meanwhile set to the same value
    are left alone. Running the step twice writes nothing the second time.
    """
    chunk = "area_id BETWEEN %s AND %s"
    bounds = [first_area, last_area]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {STAGING} SET is_stored = 0, old_value = NULL, old_comment = NULL "
            f"WHERE {chunk}",
            bounds,
        )
        cursor.execute(
            f"""UPDATE {STAGING} SET is_stored = 1, old_value = v.value, old_comment = v.comment
            FROM indicators_indicatorvalue v
            WHERE v.indicator_id = {STAGING}.indicator_id AND v.area_id = {STAGING}.area_id
              AND v.period_id = {STAGING}.period_id AND v.breakdown_id = {STAGING}.breakdown_id
              AND {STAGING}.area_id BETWEEN %s AND %s""",
            bounds,
        )
        cursor.execute(
            f"""INSERT INTO indicators_valuechange (indicator_id, area_id, period_id,
                breakdown_id, old_value, new_value, changed_by_id, changed_by_label,
                changed_at, value_import_id)
            SELECT indicator_id, area_id, period_id, breakdown_id, old_value, value,
                %s, %s, %s, %s
            FROM {STAGING} WHERE {_CHANGED} AND {chunk}""",
            [actor_id, label, now, import_id, *bounds],
        )
        cursor.execute(
            f"""SELECT DISTINCT area_id, indicator_id, period_id FROM {STAGING}
            WHERE {_CHANGED} AND {chunk}""",
            bounds,
        )
        touched = cursor.fetchall()
        cursor.execute(
            f"""INSERT INTO indicators_indicatorvalue (indicator_id, area_id, period_id,
                breakdown_id, value, source_id, comment, entered_by_id, entered_at, version)
            SELECT indicator_id, area_id, period_id, breakdown_id, value, %s, comment, %s, %s, 1
            FROM {STAGING} WHERE {_CHANGED} AND {chunk}
            ORDER BY area_id, period_id, indicator_id, breakdown_id
            ON CONFLICT (area_id, period_id, indicator_id, breakdown_id) DO UPDATE SET
                value = excluded.value, comment = excluded.comment,
                source_id = excluded.source_id, entered_by_id = excluded.entered_by_id,
                entered_at = excluded.entered_at,
                version = indicators_indicatorvalue.version + 1""",
            [source.pk, actor_id, now, *bounds],
        )
    if touched:
        rollups.refresh(
            area_ids={row[0] for row in touched},
            indicator_ids={row[1] for row in touched},
            period_ids={row[2] for row in touched},
        )


def drop_staging() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")


def text_stream(text: str) -> io.BytesIO:
    """Return `text` as the binary stream `stage` reads (for tests and the API)."""
    return io.BytesIO(text.encode("utf-8"))
