"""
The shared import pipeline: how to write the next importer.

A list someone keeps in a spreadsheet (organizations, assets, problems, 4W offers) becomes
an importer that declares only what is its own; the pipeline does the rest:

- `problems`: `Problem` (message, file line, column, and where: line, value N, feature N
  or the whole file) and `Problems`, the first 10,000 kept and every one counted; a
  whole-file problem prints only its message. `problem_rows` lists them for a CSV download.
- `sniff`: what a file is from its first bytes (XLSX/ZIP, JSON keys, XML root and
  namespace, CSV header), the stream rewound.
- `reading`: the rows of a CSV (UTF-8, the line each row starts on) or XLSX file (read in
  a child process with limits: `core.untrusted`), as (line, cells).
- `cells`: parsers from a cell's text to a value (text, code, decimal, integer, Jalali
  date, choice, yes/no), each failing with a message that quotes the cell.
- `tables`: `TableImporter` and the pipeline: headers matched in either language, a
  problem with line and column for every bad cell and repeated key, the dry run (new,
  changed, unchanged, with samples), applying in bounded steps (`core.jobs.run_steps`)
  only when there is no problem at all, and one audit event.

To add an importer, in the app that owns the rows (an `importing.py` beside its actions):

    class AssetImporter(TableImporter):
        columns = (
            Column("code", ("code", "کد"), required=True, parse=cells.code(64)),
            Column("name_fa", ("name", "نام"), required=True, parse=cells.text(200)),
            Column("opened", ("opened", "تاریخ افتتاح"), parse=cells.jalali_date, default=None),
        )
        key = "code"                      # a field, or a tuple of fields

        def find_stored(self, keys):      # what is stored for the file's keys
            return {asset.code: asset for asset in Asset.objects.filter(code__in=keys)}

        def check(self, row):             # lookups, cross-field checks, the actor's rights
            if row.values.get("opened") and row["opened"] > today():
                yield row.problem("opened", _("The date is in the future."))

        def write(self, row):             # one row, through the app's actions
            if row.stored is None:
                actions.create_asset(actor=self.actor, **row.values)
            else:
                actions.update_asset(actor=self.actor, asset=row.stored, **row.values)

        def record(self, outcome):        # the import's one audit event (core cannot)
            audit.record(actor=self.actor, verb=ASSETS_IMPORTED,
                         after={"file": outcome.source, **outcome.counts()})

and an action that runs it (the one door for writes, where ASSETS_IMPORTED is declared):

    def import_assets(*, actor, stream, source, dry_run):
        policy.require(actor, MANAGE, Asset)
        return import_file(AssetImporter(actor), stream, source=source, dry_run=dry_run)

Optional hooks: `prepare(rows)` for lookups in bulk before `check`, `differences(row)` when
a field is not compared as stored (a foreign key by code), `order(rows)` when rows depend
on each other (a unit after its parent). A column the file does not have changes nothing;
an empty optional cell sets the column's `default`. The page shows the outcome with the
shared partials `core/import_summary.html`, `core/import_problems.html` and
`core/import_warnings.html` (see `registry/organization_import.html`). An importer with a
job model (a concrete `core.models.ImportJob`) passes `job=` to `check_file` and
`apply_file` for progress and runs them from a task for large files.
"""

from . import cells, reading, sniff
from .problems import FEATURE, FILE, LINE, VALUE, Problem, Problems, location_text, problem_rows
from .tables import (
    CHANGED,
    NEW,
    UNCHANGED,
    Column,
    Outcome,
    Row,
    TableImporter,
    apply_file,
    check_file,
    import_file,
)

__all__ = [
    "CHANGED",
    "FEATURE",
    "FILE",
    "LINE",
    "NEW",
    "UNCHANGED",
    "VALUE",
    "Column",
    "Outcome",
    "Problem",
    "Problems",
    "Row",
    "TableImporter",
    "apply_file",
    "cells",
    "check_file",
    "import_file",
    "location_text",
    "problem_rows",
    "reading",
    "sniff",
]
