"""`barzan import areas FILE`: load areas, boundaries or neighborhoods from a file.
`barzan import values FILE --source ORG`: load indicator figures from a file.
`barzan import organizations FILE`: register or change organizations from a CSV or XLSX list.

The same actions as the upload pages (`geo.actions.import_areas`,
`indicators.actions.import_values`): a dry run lists what would change, and a file with
any problem writes nothing and lists every problem.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from barzan.core import jobs
from barzan.geo import importing
from barzan.geo.actions import import_areas
from barzan.geo.models import Area, AreaLevel
from barzan.indicators import actions as indicator_actions
from barzan.indicators import formats as value_formats
from barzan.indicators.entry_forms import format_for
from barzan.indicators.identifiers import schemes_from
from barzan.registry import actions as registry_actions
from barzan.registry.models import Organization

LISTED = 20


def _format_of(path: Path, given: str | None) -> str:
    if given:
        return given
    if path.is_dir() or path.suffix.lower() == ".zip":
        return importing.DIVISIONS
    if path.suffix.lower() in (".geojson", ".json"):
        return importing.GEOJSON
    if path.suffix.lower() == ".csv":
        return importing.CSV
    raise CommandError(f"Cannot tell the format of {path.name}: give --format.")


def _where(problem: dict) -> str:
    """Return where a problem is, `line 3, column value: `, or nothing for the whole file."""
    parts = []
    if problem.get("line"):
        parts.append(f"{problem.get('where', 'line')} {problem['line']}")
    if problem.get("column"):
        parts.append(f"column {problem['column']}")
    return ", ".join(parts) + ": " if parts else ""


class Command(BaseCommand):
    help = (
        "Import data from a file. `barzan import areas --help` for areas and boundaries, "
        "`barzan import values --help` for indicator figures, `barzan import organizations "
        "--help` for a list of organizations."
    )

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", required=True)
        areas = kinds.add_parser(
            "areas",
            help="Areas: the official divisions (a folder or ZIP of iran-divisions CSV files), "
            "GeoJSON boundaries or points for one level, or a CSV of areas.",
        )
        areas.add_argument("path", type=Path)
        areas.add_argument("--format", choices=sorted(importing.FORMATS))
        areas.add_argument(
            "--level", help="GeoJSON and CSV: the level of the areas in the file (e.g. county)."
        )
        areas.add_argument(
            "--parent",
            help="GeoJSON and CSV: the code of the area they are under (names are matched "
            "under it; new areas are created under it).",
        )
        areas.add_argument("--parent-level", help="The level of --parent, if its code repeats.")
        areas.add_argument("--code-property", default="code")
        areas.add_argument("--name-property", default="name_fa")
        areas.add_argument("--parent-property", default="parent_code")
        areas.add_argument("--source-label", default="", help="Where the boundaries come from.")
        areas.add_argument(
            "--update",
            help="GeoJSON and CSV: what the file may change, comma-separated, of "
            f"{', '.join(importing.Update.values)} (default: boundaries,new; names and "
            "populations of existing areas are kept unless listed, and areas not found are "
            "created only with 'new'). The official divisions change everything.",
        )
        areas.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        areas.add_argument("--verbose-report", action="store_true", help="List every row.")
        values = kinds.add_parser(
            "values",
            help="Indicator figures: Barzan CSV or XLSX, DHIS2 JSON, XML or CSV, or ADX.",
        )
        values.add_argument("path", type=Path)
        values.add_argument(
            "--format",
            choices=value_formats.FORMATS,
            help="Default: found from the content (the XML root, the CSV header, JSON, XLSX), "
            "else from the extension.",
        )
        values.add_argument(
            "--area", help="The code of the area every row must lie in (default: the country)."
        )
        values.add_argument("--area-level", help="The level of --area, if its code repeats.")
        values.add_argument(
            "--source", required=True, help="The code of the organization that reported them."
        )
        values.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        values.add_argument(
            "--id-scheme",
            help="How the file names everything (DHIS2's idScheme): code (the default), uid "
            "(DHIS2 uids), name (areas only) or a named scheme such as moh.",
        )
        values.add_argument(
            "--data-element-id-scheme",
            help="How the file names indicators (overrides --id-scheme).",
        )
        values.add_argument(
            "--org-unit-id-scheme", help="How the file names areas (overrides --id-scheme)."
        )
        values.add_argument(
            "--category-option-combo-id-scheme",
            help="How the file names breakdowns (overrides --id-scheme).",
        )

        organizations = kinds.add_parser(
            "organizations",
            help="Organizations from a CSV (UTF-8) or XLSX list: code, name_fa, name_en, kind, "
            "parent, area (headers in English or Persian).",
        )
        organizations.add_argument("path", type=Path)
        organizations.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )

    def handle(self, *args, kind, **options):
        translation.activate("en")
        try:
            if kind == "organizations":
                return self.import_organizations(**options)
            if kind == "values":
                return self.import_values(**options)
            return self.import_areas(**options)
        except jobs.StepFailed as error:
            raise CommandError(
                f"Applying stopped after {error.done} of {error.total} steps ({error.__cause__}). "
                "The steps written are complete; run the same command again to write the rest."
            ) from error

    def import_values(self, *, path: Path, dry_run: bool, **options):
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        format = options["format"]
        if format is None:
            with path.open("rb") as stream:
                format = value_formats.detect(stream) or format_for(path.name)
        if format is None:
            raise CommandError(f"Cannot tell the format of {path.name}: give --format.")
        source = Organization.objects.filter(code=options["source"]).first()
        if source is None:
            raise CommandError(f"No organization has the code {options['source']!r}.")
        area = self.area_for(options["area"], options["area_level"])
        try:
            schemes = schemes_from(
                {
                    "idScheme": options.get("id_scheme"),
                    "dataElementIdScheme": options.get("data_element_id_scheme"),
                    "orgUnitIdScheme": options.get("org_unit_id_scheme"),
                    "categoryOptionComboIdScheme": options.get("category_option_combo_id_scheme"),
                }
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        with path.open("rb") as stream:
            outcome = indicator_actions.import_values(
                actor=None,
                stream=stream,
                format=format,
                area=area,
                source=source,
                dry_run=dry_run,
                schemes=schemes,
            )
        state = "Imported" if outcome.applied else ("Dry run" if dry_run else "Checked")
        self.stdout.write(
            f"{state} {path.name} into {area.code}: {outcome.new} new, {outcome.changed} "
            f"changed, {outcome.unchanged} unchanged, {outcome.hidden} hidden cell(s) skipped, "
            f"{outcome.problem_count} problem(s)."
        )
        for problem in outcome.problems:
            self.stderr.write(f"  {_where(problem)}{problem['message']}")
        for kind, values in outcome.unknown_identifiers().items():
            self.stderr.write(
                f"  unknown {kind} identifiers in scheme {getattr(schemes, kind)}: "
                + ", ".join(values)
            )
        if outcome.problem_count > len(outcome.problems):
            self.stderr.write(
                f"  … and {outcome.problem_count - len(outcome.problems)} more problem(s)."
            )
        if outcome.problem_count:
            raise CommandError(
                f"{outcome.problem_count} problem(s): nothing was written. Fix the file and "
                "run again."
            )

    def import_organizations(self, *, path: Path, dry_run: bool, **options):
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with path.open("rb") as stream:
            outcome = registry_actions.import_organizations(
                actor=None, stream=stream, source=path.name, dry_run=dry_run
            )
        counts = outcome.counts()
        state = "Imported" if outcome.applied else ("Dry run" if dry_run else "Checked")
        self.stdout.write(
            f"{state} {path.name}: {counts['new']} new, {counts['changed']} changed, "
            f"{counts['unchanged']} unchanged, {counts['problems']} problem(s)."
        )
        for status in ("new", "changed"):
            rows = outcome.with_status(status)
            for row in rows[:LISTED]:
                detail = f" ({', '.join(row.changes)})" if row.changes else ""
                self.stdout.write(f"  {status}: line {row.line} {row.key}{detail}")
            if len(rows) > LISTED:
                self.stdout.write(f"  … and {len(rows) - LISTED} more {status}.")
        for warning in outcome.warnings:
            self.stdout.write(f"  warning: {warning}")
        for problem in outcome.problems:
            self.stderr.write(f"  {problem}")
        if outcome.problems.left_out:
            self.stderr.write(f"  … and {outcome.problems.left_out} more problem(s).")
        if outcome.problems:
            raise CommandError(
                f"{counts['problems']} problem(s): nothing was written. Fix the file and run again."
            )

    def area_for(self, code: str | None, level: str | None) -> Area:
        current = Area.objects.filter(valid_to__isnull=True)
        if code:
            found = current.filter(code=code)
            if level:
                found = found.filter(level__code=level)
        else:
            found = current.filter(parent__isnull=True)
        found = list(found[:2])
        if not found:
            raise CommandError(
                f"No current area has the code {code!r}." if code else "There is no country yet."
            )
        if len(found) > 1:
            raise CommandError(
                f"Several areas have the code {code!r}: give --area-level."
                if code
                else "Several areas have no parent: give --area."
            )
        return found[0]

    def import_areas(self, *, path: Path, dry_run: bool, verbose_report: bool, **options):
        if not path.exists():
            raise CommandError(f"No such file or folder: {path}")
        format = _format_of(path, options["format"])
        if format == importing.DIVISIONS:
            content = (
                {item.name: item.read_bytes() for item in path.glob("*.csv")}
                if path.is_dir()
                else path.read_bytes()
            )
            import_options = None
        else:
            content = path.read_bytes()
            import_options = self.options_for(options)
        if options["update"] and format == importing.DIVISIONS:
            raise CommandError("--update is for GeoJSON and CSV files; the divisions change all.")
        report = import_areas(
            actor=None,
            format=format,
            content=content,
            source=path.name,
            options=import_options,
            dry_run=dry_run,
        )
        self.print_report(report, verbose_report)
        if not report.ok:
            raise CommandError(
                f"{len(report.problems)} problem(s): nothing was written. Fix the file and "
                "run again."
            )

    def options_for(self, options) -> importing.Options:
        if not options["level"]:
            raise CommandError("GeoJSON and CSV imports need --level (e.g. --level county).")
        level = AreaLevel.objects.filter(code=options["level"]).first()
        if level is None:
            codes = ", ".join(AreaLevel.objects.values_list("code", flat=True))
            raise CommandError(f"No level {options['level']!r}; the levels are: {codes}.")
        parent = None
        if options["parent"]:
            parents = Area.objects.filter(code=options["parent"], valid_to__isnull=True)
            if options["parent_level"]:
                parents = parents.filter(level__code=options["parent_level"])
            found = list(parents.select_related("level")[:2])
            if not found:
                raise CommandError(f"No current area has the code {options['parent']!r}.")
            if len(found) > 1:
                raise CommandError(
                    f"Several areas have the code {options['parent']!r}: give --parent-level."
                )
            parent = found[0]
        updates = None
        if options["update"]:
            try:
                updates = importing.parse_updates(options["update"])
            except ValueError as error:
                raise CommandError(
                    f"--update: unknown {error}; choose from {', '.join(importing.Update.values)}."
                ) from error
            if not updates:
                raise CommandError("--update: name at least one thing the file may change.")
        return importing.Options(
            updates=updates,
            level=level,
            parent=parent,
            code_property=options["code_property"],
            name_property=options["name_property"],
            parent_property=options["parent_property"],
            source_label=options["source_label"],
        )

    def print_report(self, report: importing.Report, verbose: bool) -> None:
        counts = report.counts()
        state = "Dry run" if report.dry_run else ("Imported" if report.applied else "Checked")
        self.stdout.write(
            f"{state} {report.source}: {counts['created']} to create, {counts['changed']} to "
            f"change, {counts['unchanged']} unchanged, {counts['problems']} problem(s)."
        )
        if report.format != importing.DIVISIONS:
            self.stdout.write(f"  May change: {importing.updates_text(report.updates)}.")
        for status in (importing.CREATED, importing.CHANGED):
            rows = report.with_status(status)
            shown = rows if verbose else rows[:LISTED]
            for row in shown:
                detail = f" ({', '.join(row.changes)})" if row.changes else ""
                self.stdout.write(
                    f"  {status}: {row.level.code} {row.code} {row.name_fa or ''}{detail}"
                )
            if len(rows) > len(shown):
                self.stdout.write(f"  … and {len(rows) - len(shown)} more {status}.")
        # Every repair and warning, not the first few: each is a shape someone should look at.
        for row in report.repaired:
            self.stdout.write(
                f"  repaired: {row.where} {row.level.code} {row.code} {row.name_fa or ''}: "
                f"{row.repaired}"
            )
        if report.warnings:
            self.stdout.write(f"{len(report.warnings)} warning(s), which do not stop the import:")
        for warning in report.warnings:
            self.stdout.write(f"  warning: {warning}")
        for problem in report.problems:
            self.stderr.write(f"  {problem}")
