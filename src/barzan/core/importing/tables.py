"""The declarative row importer for CSV and XLSX lists, and the pipeline that runs it.

An importer (a `TableImporter` subclass) declares its `columns`, its natural `key`, and
four hooks: `find_stored` (what is stored for the keys in the file), `check` (cross-field
checks and lookups, yielding problems), `differences` (what would change) and `write`
(one row, through the app's actions). `check_file` does the rest: it reads the file
(`reading`), matches the header in either language, parses every cell with its column's
parser, lists a problem with the file's line and column for every bad cell and for every
key the file repeats, and sorts the rows into new, changed and unchanged. `apply_file`
refuses a file with any problem, and writes the new and changed rows in bounded steps
(`core.jobs.run_steps`, one short transaction each), then records one audit event.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import BinaryIO, ClassVar

from django.db import transaction
from django.utils.translation import gettext as _

from barzan.core import jobs
from barzan.core.text import clean, localize_digits, normalize

from . import cells, reading
from .problems import Problem, Problems

NEW = "new"
CHANGED = "changed"
UNCHANGED = "unchanged"
STATUSES = (NEW, CHANGED, UNCHANGED)
SAMPLE = 10  # rows of each status a report shows


@dataclass(frozen=True)
class Column:
    """A column an importer reads: the field it fills, the headers it may have (English
    and Persian spellings; compared normalised), whether it must be there and filled, and
    the parser from a cell's text to the value (see `cells`)."""

    field: str
    headers: tuple[str, ...]
    required: bool = False
    parse: Callable[[str], object] = field(default=cells.text())
    default: object = ""

    @property
    def label(self) -> str:
        return self.headers[0]


def header_key(text: str) -> str:
    """The form headers are compared in: normalised, with `_` and `-` read as spaces."""
    return " ".join(normalize(text).replace("_", " ").replace("-", " ").split())


@dataclass
class Row:
    """One row of the file, parsed: its line, its values by field, and what it would do."""

    line: int
    values: dict
    headers: dict  # field -> the header as the file writes it
    key: object = None
    stored: object = None  # what is stored for its key, if anything
    status: str = NEW
    changes: list[str] = field(default_factory=list)
    found: dict = field(default_factory=dict)  # what `check` looked up, for `write`

    def problem(self, field_name: str | None, message) -> Problem:
        """A problem in this row, at the column of `field_name` (or the row as a whole)."""
        column = self.headers.get(field_name, "") if field_name else ""
        return Problem.at_line(self.line, message, column)

    def __getitem__(self, name: str):
        return self.values[name]


@dataclass
class Outcome:
    """What checking (and perhaps applying) a file found and did."""

    source: str
    rows: list[Row] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)
    warnings: Problems = field(default_factory=Problems)
    dry_run: bool = True
    applied: bool = False

    def with_status(self, status: str) -> list[Row]:
        return [row for row in self.rows if row.status == status]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def to_write(self) -> list[Row]:
        return [row for row in self.rows if row.status != UNCHANGED]

    def counts(self) -> dict:
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.rows:
            counts[row.status] += 1
        counts["problems"] = self.problems.count
        return counts

    def sample(self, status: str, size: int = SAMPLE) -> list[Row]:
        return self.with_status(status)[:size]


class TableImporter(ABC):
    """Declare `columns`, `key` (a field or a tuple of fields) and the hooks below."""

    columns: ClassVar[tuple[Column, ...]] = ()
    key: ClassVar[str | tuple[str, ...]] = "code"

    def __init__(self, actor):
        self.actor = actor

    # -- What an importer declares

    def find_stored(self, keys: list) -> dict:
        """Return what is stored for `keys`, as {key: object}."""
        return {}

    def prepare(self, rows: list[Row]) -> None:
        """Look up in bulk what `check` needs for `rows` (optional)."""
        return None

    def check(self, row: Row) -> Iterable[Problem]:
        """Yield the problems of `row` beyond its cells: cross-field checks, lookups, what
        the actor may do. Put what was looked up in `row.found` for `write`."""
        return ()

    def differences(self, row: Row) -> list[str]:
        """Return the fields `row` would change on `row.stored` (compared by value)."""
        return [
            name for name, value in row.values.items() if getattr(row.stored, name, None) != value
        ]

    def order(self, rows: list[Row]) -> list[Row]:
        """Return `rows` in the order they must be written (a parent before its units)."""
        return rows

    @abstractmethod
    def write(self, row: Row) -> None:
        """Create (`row.stored` is None) or change one row, through the app's actions."""

    @abstractmethod
    def record(self, outcome: Outcome) -> None:
        """Record the one audit event of an applied import (called in a transaction).

        `core` cannot import `audit`: the app's importer records it, typically
        `audit.record(actor=self.actor, verb=..., after={"file": ..., **outcome.counts()})`.
        """

    # -- Derived

    def key_of(self, values: dict):
        if isinstance(self.key, str):
            return values.get(self.key)
        return tuple(values.get(name) for name in self.key)

    @property
    def key_fields(self) -> tuple[str, ...]:
        return (self.key,) if isinstance(self.key, str) else tuple(self.key)


# -- Checking


def layout(
    importer: TableImporter, header: list[str], outcome: Outcome, line: int = 1
) -> dict | None:
    """Return {field: position} for `header` (on `line`), listing missing and repeated
    columns as problems and columns no field reads as warnings."""
    spellings = {
        header_key(spelling): column.field
        for column in importer.columns
        for spelling in column.headers
    }
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for position, cell in enumerate(header):
        text = clean(cell)
        if not text:
            continue
        name = spellings.get(header_key(text))
        if name is None:
            outcome.warnings.add(
                Problem.at_line(line, _("This column is not read; it is left out."), text)
            )
            continue
        if name in positions:
            outcome.problems.add(
                Problem.at_line(
                    line,
                    _("The columns “%(first)s” and “%(second)s” are the same column; keep one.")
                    % {"first": headers[name], "second": text},
                    text,
                )
            )
            continue
        positions[name] = position
        headers[name] = text
    for column in importer.columns:
        if column.required and column.field not in positions:
            outcome.problems.add(
                Problem.at_line(
                    line,
                    _("The header lacks the column “%(column)s” (it may be headed %(names)s).")
                    % {"column": column.label, "names": " / ".join(column.headers)},
                )
            )
    if outcome.problems:
        return None
    return {"positions": positions, "headers": headers}


def _parse(
    importer: TableImporter, line: int, cells_: list[str], found: dict, outcome
) -> Row | None:
    values = {}
    bad = False
    for column in importer.columns:
        position = found["positions"].get(column.field)
        raw = cells_[position] if position is not None and position < len(cells_) else ""
        text = clean(raw)
        header = found["headers"].get(column.field, column.label)
        if position is None:
            # A column the file does not have changes nothing stored.
            continue
        if not text:
            if column.required:
                outcome.problems.add(
                    Problem.at_line(line, _("This cell is empty; it needs a value."), header)
                )
                bad = True
            else:
                values[column.field] = column.default
            continue
        try:
            values[column.field] = column.parse(text)
        except ValueError as error:
            outcome.problems.add(Problem.at_line(line, str(error), header))
            bad = True
    if bad:
        return None
    row = Row(line=line, values=values, headers=dict(found["headers"]))
    row.key = importer.key_of(values)
    return row


def read_rows(
    importer: TableImporter, stream: BinaryIO, *, format: str, outcome: Outcome, heartbeat=None
) -> Iterator[Row]:
    """Yield the rows of `stream` that parse, adding every problem met to `outcome`."""
    rows = reading.rows(stream, format)
    try:
        header_line, header = next(
            ((line, cells_) for line, cells_ in rows if any(cell.strip() for cell in cells_)),
            (0, None),
        )
        if header is None:
            outcome.problems.add(Problem.whole_file(_("The file is empty.")))
            return
        found = layout(importer, header, outcome, header_line)
        if found is None:
            return
        for line, cells_ in rows:
            if not any(cell.strip() for cell in cells_):
                continue
            row = _parse(importer, line, cells_, found, outcome)
            if row is not None:
                yield row
            if heartbeat is not None:
                heartbeat(processed_bytes=stream.tell())
    finally:
        rows.close()


def check_file(importer: TableImporter, stream: BinaryIO, *, source: str, job=None) -> Outcome:
    """Read and check `stream`; sort its rows into new, changed and unchanged. Writes nothing."""
    outcome = Outcome(source=source)
    heartbeat = jobs.Heartbeat(job) if job is not None else None
    try:
        format = reading.format_of(stream, source)
        seen: dict = {}
        for row in read_rows(importer, stream, format=format, outcome=outcome, heartbeat=heartbeat):
            if row.key in seen:
                key_field = importer.key_fields[0]
                outcome.problems.add(
                    row.problem(
                        key_field,
                        _("Line %(line)s has the same “%(value)s”; keep one of the two.")
                        % {"line": localize_digits(seen[row.key]), "value": _key_text(row.key)},
                    )
                )
                continue
            seen[row.key] = row.line
            outcome.rows.append(row)
    except reading.UnreadableFile as error:
        outcome.problems.add(
            Problem.at_line(error.line, error.message)
            if error.line
            else Problem.whole_file(error.message)
        )
        outcome.rows = []
        return outcome
    if not outcome.rows and not outcome.problems:
        outcome.problems.add(Problem.whole_file(_("The file has no rows below its header.")))
    stored = importer.find_stored([row.key for row in outcome.rows])
    for row in outcome.rows:
        row.stored = stored.get(row.key)
    importer.prepare(outcome.rows)
    good = []
    for row in outcome.rows:
        problems = list(importer.check(row))
        if problems:
            outcome.problems.extend(problems)
            continue
        if row.stored is not None:
            row.changes = importer.differences(row)
            row.status = CHANGED if row.changes else UNCHANGED
        good.append(row)
    outcome.rows = good
    # Cell problems are found while reading, checks after: list them in the file's order.
    outcome.problems.kept.sort(key=lambda problem: problem.line)
    return outcome


def in_batches(items, size: int = 500):
    """Yield `items` (any iterable) in lists of `size`: for `__in` lookups, which SQLite
    caps in the number of values one query may carry."""
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _key_text(key) -> str:
    return " / ".join(map(str, key)) if isinstance(key, tuple) else str(key)


# -- Applying


def apply_file(importer: TableImporter, outcome: Outcome, *, job=None) -> Outcome:
    """Write what `outcome` found, in bounded steps; nothing when it has any problem.

    Raise `jobs.StepFailed` when a step fails: the steps before it stay written, and
    importing the same file again writes the rest (what is written is then unchanged).
    """
    outcome.dry_run = False
    if outcome.problems:
        return outcome
    rows = importer.order(outcome.to_write)
    steps = [partial(_write_rows, importer, chunk) for chunk in jobs.chunks(rows, jobs.step_rows())]
    heartbeat = jobs.Heartbeat(job) if job is not None else None
    jobs.run_steps(steps, job=job, heartbeat=heartbeat)
    with transaction.atomic():
        importer.record(outcome)
    outcome.applied = True
    return outcome


def _write_rows(importer: TableImporter, rows: list[Row]) -> None:
    for row in rows:
        importer.write(row)


def import_file(
    importer: TableImporter, stream: BinaryIO, *, source: str, dry_run: bool, job=None
) -> Outcome:
    """Check `stream` and, unless `dry_run` or a problem is found, apply it."""
    outcome = check_file(importer, stream, source=source, job=job)
    if dry_run:
        return outcome
    return apply_file(importer, outcome, job=job)
