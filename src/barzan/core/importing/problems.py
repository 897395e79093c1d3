"""What an import says is wrong: a Problem (where in the file, and why) and a capped list.

A problem is at a line (a row of a CSV or XLSX file, the file's own line number, with the
column as the file heads it), at the N-th value of a file whose values share lines (a
one-line JSON file), at the N-th feature of a GeoJSON file, or about the whole file. A
whole-file problem has no place to print: `location` is empty and only the message shows,
so no page or command ever says "line 0, column :".

`Problems` keeps the first `cap` problems and counts every one, so a file with a million
bad rows costs neither memory nor a page of a million rows, and the count stays exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _

from barzan.core.text import localize_digits

LINE = "line"
VALUE = "value"
FEATURE = "feature"
FILE = "file"
PLACES = (LINE, VALUE, FEATURE, FILE)

# How many problems an import keeps to show (the values engine's cap; the rest are counted).
KEPT = 10_000


def location_text(where: str, number: int = 0, column: str = "") -> str:
    """Return where a problem is, in the reader's language; empty for the whole file."""
    if where == FILE or not number:
        return _("column “%(column)s”") % {"column": column} if column else ""
    if where == FEATURE:
        return _("feature %(number)s") % {"number": localize_digits(number)}
    if where == VALUE:
        place = _("value %(number)s") % {"number": localize_digits(number)}
    else:
        place = _("line %(line)s") % {"line": localize_digits(number)}
        if column:
            return _("line %(line)s, column “%(column)s”") % {
                "line": localize_digits(number),
                "column": column,
            }
    if column:
        return f"{place}, " + _("column “%(column)s”") % {"column": column}
    return place


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a file: `line` is the file's line (or the value's or feature's
    number, as `where` says); 0 with `where` FILE for the whole file."""

    message: str
    line: int = 0
    column: str = ""
    where: str = LINE

    @classmethod
    def whole_file(cls, message) -> Problem:
        return cls(str(message), 0, "", FILE)

    @classmethod
    def at_line(cls, line: int, message, column: str = "") -> Problem:
        return cls(str(message), line, column, LINE)

    @classmethod
    def at_feature(cls, number: int, message, column: str = "") -> Problem:
        return cls(str(message), number, column, FEATURE)

    @property
    def is_whole_file(self) -> bool:
        return self.where == FILE or not self.line

    @property
    def location(self) -> str:
        return location_text(self.where, self.line, self.column)

    def __str__(self) -> str:
        location = self.location
        return f"{location}: {self.message}" if location else self.message

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Problem:
        where = data.get("where") or LINE
        return cls(
            str(data.get("message", "")),
            int(data.get("line") or 0),
            str(data.get("column") or ""),
            where if where in PLACES else LINE,
        )


class Problems:
    """The problems of one import: the first `cap` kept in order, every one counted."""

    def __init__(self, cap: int = KEPT):
        self.cap = cap
        self.kept: list[Problem] = []
        self.count = 0

    def add(self, problem: Problem) -> None:
        self.count += 1
        if len(self.kept) < self.cap:
            self.kept.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    @property
    def left_out(self) -> int:
        """How many problems were counted but not kept."""
        return self.count - len(self.kept)

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.kept)

    def as_dicts(self) -> list[dict]:
        return [problem.as_dict() for problem in self.kept]


def display(problems: Iterable[Problem | dict]) -> list[dict]:
    """Return problems as templates show them: `location` (empty for the whole file) and
    `message`, with `line`, `column` and `where` kept for data attributes."""
    shown = []
    for problem in problems:
        if isinstance(problem, dict):
            problem = Problem.from_dict(problem)
        shown.append({**problem.as_dict(), "location": problem.location})
    return shown


def problem_rows(problems: Iterable[Problem | dict]) -> Iterator[list]:
    """Yield a header and a row per problem (line, column, where, message), for
    `core.exports.csv_response`, which guards cells a spreadsheet would run."""
    yield [_("Line"), _("Column"), _("Where"), _("Problem")]
    for problem in problems:
        if isinstance(problem, dict):
            problem = Problem.from_dict(problem)
        yield [problem.line or "", problem.column, problem.location, problem.message]
