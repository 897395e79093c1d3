"""Area imports: planning and applying a file of areas, and import jobs (an uploaded file
checked and applied, perhaps by `barzan worker`) with their start and rerun."""

import contextlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from barzan import audit
from barzan.access import policy
from barzan.access.actions import MANAGE, VIEW
from barzan.core import jobs
from barzan.core.models import ImportStatus
from barzan.core.text import clean

from .. import import_checks, importing
from ..models import Area, AreaCell, AreaImport, AreaLevel
from .areas import (
    AUDITED_CODES,
    GEOMETRY_FIELDS,
    _index_cells,
    _move_subtree,
    _store_geometry,
    area_search_text,
)
from .names import add_known_area_names

logger = logging.getLogger(__name__)

AREAS_IMPORTED = audit.verb("area.imported", gettext_lazy("Areas imported"))
AREAS_IMPORT_STOPPED = audit.verb(
    "area.import_stopped", gettext_lazy("Import of areas stopped partway")
)
# Imports writing at least this many areas refresh the planner's statistics.
ANALYZE_AFTER = 1000


def _check_import_access(actor, report: importing.Report) -> None:
    """Report every row the actor may not write, instead of failing on the first.

    An area the actor may not even see is not named: the report says "an area outside
    your grants", never its name or code.
    """
    if actor is None:
        return

    def label(area: Area) -> str:
        if policy.can(actor, VIEW, area):
            return area.name_fa
        return str(_("an area outside your grants"))

    for row in report.rows:
        target = row.area if row.area is not None else row.parent
        if row.area is None and row.parent is None and row.parent_row is None:
            report.add(row.where, _("Only the system can create the root of the tree."))
        elif target is not None and not policy.can(actor, MANAGE, target):
            report.add(row.where, _("You may not manage %(area)s.") % {"area": label(target)})
        elif (
            row.area is not None
            and row.parent is not None
            and "parent" in row.changes
            and not policy.can(actor, MANAGE, row.parent)
        ):
            report.add(row.where, _("You may not manage %(area)s.") % {"area": label(row.parent)})
        if actor is not None:
            for area in (row.area, row.parent):
                if area is not None and not policy.can(actor, VIEW, area):
                    row.is_hidden = True


def _create_step(
    rows: list, made: dict, *, boundary_source: str, attribution: str, synthetic: bool
):
    """Return a step creating the areas of `rows` (one level, parents already made)."""

    def step() -> None:
        areas = []
        for row in rows:
            parent = row.parent if row.parent is not None else made.get(id(row.parent_row))
            area = Area(
                level=row.level,
                code=row.code,
                name_fa=row.name_fa,
                name_en=row.name_en,
                parent=parent,
                depth=parent.depth + 1 if parent else 0,
                population=row.population,
                path=f"/new-{row.level.pk}-{row.code}/",
                is_synthetic=synthetic,
            )
            if row.geometry is not None:
                _store_geometry(area, row.geometry, row.placement)
                area.boundary_source = boundary_source if area.boundary else ""
                area.boundary_attribution = attribution if area.boundary else ""
            area.search_text = area_search_text(area)
            area.set_sort_keys()
            areas.append(area)
        Area.objects.bulk_create(areas, batch_size=500)
        # Each parent's path is final by now (parents come a level, or a step, earlier):
        # one statement gives every new area of this step its path.
        parent_path = Subquery(Area.objects.filter(pk=OuterRef("parent_id")).values("path")[:1])
        for has_parent, prefix in ((True, parent_path), (False, Value("/"))):
            Area.objects.filter(
                pk__in=[area.pk for area in areas], parent__isnull=not has_parent
            ).update(
                path=Concat(
                    prefix,
                    Cast("pk", output_field=CharField()),
                    Value("/"),
                    output_field=CharField(),
                )
            )
        for row, area in zip(rows, areas, strict=True):
            area.path = f"{area.parent.path if area.parent else '/'}{area.pk}/"
            made[id(row)] = area
        _index_cells([area for area in areas if area.boundary is not None])

    return step


def _change_step(
    rows: list, made: dict, *, boundary_source: str, attribution: str, synthetic: bool
):
    """Return a step writing the changes of `rows` to their stored areas."""

    def step() -> None:
        changed = []
        stored = Area.objects.select_for_update().in_bulk([row.area.pk for row in rows])
        for row in rows:
            area = stored[row.area.pk]
            if "parent" in row.changes:
                parent = row.parent if row.parent is not None else made[id(row.parent_row)]
                _move_subtree(area, parent)
            fields = {
                name: getattr(row, name)
                for name in ("name_fa", "name_en", "code", "population")
                if name in row.changes
            }
            for name, value in fields.items():
                setattr(area, name, value)
            if "boundary" in row.changes:
                _store_geometry(area, row.geometry, row.placement)
                area.boundary_source = boundary_source if area.boundary else ""
                area.boundary_attribution = attribution if area.boundary else ""
                area.is_synthetic = synthetic
                fields.update(
                    {name: getattr(area, name) for name in GEOMETRY_FIELDS},
                    boundary_source=area.boundary_source,
                    boundary_attribution=area.boundary_attribution,
                    is_synthetic=synthetic,
                )
            area.search_text = area_search_text(area)
            if Area.NAME_FIELDS & fields.keys():
                fields.update(area.set_sort_keys())
            Area.objects.filter(pk=area.pk).update(
                **fields,
                search_text=area.search_text,
                version=F("version") + 1,
                updated_at=timezone.now(),
            )
            changed.append(area)
        _index_cells([area for area in changed if area.boundary is not None])

    return step


def _write_steps(
    report: importing.Report, *, boundary_source: str, attribution: str, synthetic: bool
) -> list:
    """Split a checked plan into bounded steps: new areas level by level, then changes.

    Each step is idempotent in the sense that matters: planning the same file again
    matches the areas earlier steps created (by code, then by name under their parent)
    and finds them unchanged, so running a stopped import again writes only the rest.
    """
    # Area rows carry whole boundaries, several kilobytes each: fewer per step than values.
    size = settings.BARZAN_IMPORT_AREA_STEP_ROWS
    made: dict[int, Area] = {}
    options = {
        "boundary_source": boundary_source,
        "attribution": attribution,
        "synthetic": synthetic,
    }
    new_rows = sorted(report.created, key=lambda row: row.level.rank)
    steps = []
    for rank in sorted({row.level.rank for row in new_rows}):
        level_rows = [row for row in new_rows if row.level.rank == rank]
        steps += [_create_step(rows, made, **options) for rows in jobs.chunks(level_rows, size)]
    steps += [_change_step(rows, made, **options) for rows in jobs.chunks(report.changed, size)]
    return steps


def _refresh_statistics() -> None:
    """Let the query planner see a large import at once: before autovacuum gets to it,
    PostgreSQL would plan the spatial index as empty and scan it whole."""
    with connection.cursor() as cursor:
        for table in (Area._meta.db_table, AreaCell._meta.db_table):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def plan_import(
    *, actor, format: str, content, source: str, options: importing.Options | None = None
) -> importing.Report:
    """Read a file of areas into a plan and check every row, writing nothing.

    Runs outside any transaction: planning only reads, so it never takes the write lock.
    """
    try:
        if format == importing.DIVISIONS:
            report = importing.plan_divisions(content, source=source)
        elif format == importing.GEOJSON:
            report = importing.plan_geojson(content, source=source, options=options)
        elif format == importing.CSV:
            report = importing.plan_csv(content, source=source, options=options)
        else:
            raise ValueError(f"Unknown import format {format!r}")
    except importing.UnreadableFile as error:
        report = importing.Report(source=source, format=format)
        report.add("", error)
    except RecursionError:
        # A crafted file of lists within lists thousands deep.
        report = importing.Report(source=source, format=format)
        report.add("", _("The file is nested too deeply to be a real file of areas."))
    _check_import_access(actor, report)
    if format != importing.DIVISIONS:

        def visible(area: Area) -> bool:
            return actor is None or policy.can(actor, VIEW, area)

        import_checks.check_containment(report, visible=visible)
        import_checks.check_new_names(report, visible=visible)
    return report


def import_areas(
    *,
    actor,
    format: str,
    content,
    source: str,
    options: importing.Options | None = None,
    dry_run: bool = False,
    synthetic: bool = False,
    job=None,
    heartbeat=None,
    plan: importing.Report | None = None,
) -> importing.Report:
    """Plan an import and, unless it is a dry run or has problems, write all of it.

    Every row is checked before the first write, outside any transaction (a dry run
    takes no write lock), and a problem in any row writes nothing. The plan is then
    written in bounded steps (`BARZAN_IMPORT_STEP_ROWS` areas each), each its own short
    transaction, so other writers get in between; the audit event commits with the last
    step. If a step fails, `jobs.StepFailed` says how many were written, an audit event
    records it, and running the same file again writes only the rest (rows match by code,
    then by name under their parent, so nothing is created twice). `job`, an AreaImport,
    records the steps done; `plan`, a report `plan_import` made already, is not made again.
    """
    report = plan or plan_import(
        actor=actor, format=format, content=content, source=source, options=options
    )
    report.dry_run = dry_run
    if dry_run or not report.ok or not (report.created or report.changed):
        return report
    label = (options.source_label if options else "") or source
    for row in [*report.created, *report.changed]:
        if row.geometry is not None:
            # Simplify and place every shape now, before the write lock is taken: it is
            # the slow part of writing an area.
            row.placement  # noqa: B018
    steps = _write_steps(
        report,
        boundary_source=label,
        attribution=options.attribution if options else "",
        synthetic=synthetic,
    )
    target = options.parent if options and options.parent else None

    def finish() -> None:
        changed_codes = [row.code for row in [*report.created, *report.changed]]
        audit.record(
            actor=actor,
            verb=AREAS_IMPORTED,
            target=target,
            after={
                "source": source,
                "format": format,
                **report.counts(),
                # What the importer let the file change, and what it was warned of.
                "updates": importing.updates_text(report.updates),
                "warnings": len(report.warnings),
                "codes": changed_codes[:AUDITED_CODES],
            },
        )
        if len(report.created) + len(report.changed) >= ANALYZE_AFTER:
            _refresh_statistics()
        if job is not None:
            # Done commits with the last step: no window where all is written but the
            # job still looks unfinished.
            type(job).objects.filter(pk=job.pk).update(
                status=ImportStatus.DONE, finished_at=timezone.now()
            )

    last = steps[-1]

    def last_step() -> None:
        last()
        if format == importing.DIVISIONS:
            # The shipped table of renamed counties belongs with the divisions it names;
            # the import itself was authorised, so the table is added as the system.
            add_known_area_names(actor=None)
        finish()

    steps[-1] = last_step
    try:
        jobs.run_steps(steps, job=job, heartbeat=heartbeat)
    except jobs.StepFailed as error:
        with transaction.atomic():
            audit.record(
                actor=actor,
                verb=AREAS_IMPORT_STOPPED,
                target=target,
                after={"source": source, "steps_done": error.done, "steps": error.total},
            )
        raise
    finally:
        if actor is not None:
            policy.forget(actor)
    report.applied = True
    return report


# -- Import jobs: an uploaded file checked and applied, perhaps by `barzan worker` ------------

AREA_IMPORT_RERUN = audit.verb("area.import_rerun", gettext_lazy("Import of areas run again"))
REPORTED_ROWS = 500
MAX_PROBLEMS_KEPT = 10_000


def _import_home(actor, parent: Area | None) -> Area:
    """The area an import job belongs to (who may see and run it): the chosen parent,
    else the highest area the actor manages (the root for the system)."""
    if parent is not None:
        return parent
    if actor is not None:
        home = policy.areas(actor, MANAGE).order_by("depth", "pk").first()
        if home is not None:
            return home
    return Area.objects.filter(parent__isnull=True).order_by("pk").first()


def upload_areas(
    *,
    actor,
    upload,
    format: str,
    level: AreaLevel | None = None,
    parent: Area | None = None,
    code_property: str = "code",
    name_property: str = "name_fa",
    source_label: str = "",
    attribution: str = "",
    updates=None,
) -> AreaImport:
    """Store an uploaded file of areas and register it for checking; nothing is read yet.

    `updates`, the `AreaImport.Update` values the file may change, defaults to the format's
    (`importing.default_updates`)."""
    home = _import_home(actor, parent)
    if home is None:
        raise ValidationError(_("There is no area tree yet; import the official divisions."))
    if actor is not None:
        policy.require(actor, MANAGE, home)
    stored_name, size = jobs.store_upload(upload, prefix="areas")
    return AreaImport.objects.create(
        area=home,
        created_by=actor if getattr(actor, "pk", None) else None,
        file_name=clean(getattr(upload, "name", "") or stored_name)[:255],
        stored_name=stored_name,
        file_size=size,
        format=format,
        level=level,
        parent=parent,
        code_property=code_property or "code",
        name_property=name_property or "name_fa",
        source_label=clean(source_label or ""),
        attribution=clean(attribution or ""),
        updates=importing.updates_text(
            importing.default_updates(format) if updates is None else updates
        ),
        status=ImportStatus.QUEUED,
    )


def _report_row(row: importing.Row) -> dict:
    """A row of the report as kept on the job; withheld names stay withheld."""
    hidden = str(_("an area outside your grants"))
    stored_name = row.area.name_fa if row.area is not None and not row.is_hidden else ""
    return {
        "status": row.status,
        "level": str(row.level),
        "code": row.code,
        "name": row.name_fa or stored_name,
        "parent": hidden if row.is_hidden else row.parent_label,
        "changes": list(row.changes),
        "repaired": str(row.repaired or ""),
    }


def _save_report(area_import: AreaImport, report: importing.Report) -> None:
    shown = [*report.created[:REPORTED_ROWS], *report.changed[:REPORTED_ROWS]]
    AreaImport.objects.filter(pk=area_import.pk).update(
        created_count=len(report.created),
        changed_count=len(report.changed),
        unchanged_count=len(report.unchanged),
        problem_count=len(report.problems),
        problems=[
            {"where": problem.where, "message": problem.message}
            for problem in report.problems[:MAX_PROBLEMS_KEPT]
        ],
        rows=[_report_row(row) for row in shown],
        warnings=[
            {"where": warning.where, "message": warning.message}
            for warning in report.warnings[:MAX_PROBLEMS_KEPT]
        ],
        processed_bytes=area_import.file_size,
        heartbeat_at=timezone.now(),
    )


def _options(area_import: AreaImport) -> importing.Options | None:
    if area_import.format == importing.DIVISIONS:
        return None
    return importing.Options(
        level=area_import.level,
        parent=area_import.parent,
        code_property=area_import.code_property,
        name_property=area_import.name_property,
        source_label=area_import.source_label,
        attribution=area_import.attribution,
        updates=importing.parse_updates(area_import.updates),
    )


def run_area_import(*, actor, area_import: AreaImport, apply: bool) -> AreaImport:
    """Check `area_import` (and apply it when `apply` and it is clean), all or nothing.

    The same plan and steps as `import_areas`; the report is kept on the job. If applying
    stops midway the job records the steps written, and running it again plans the file
    again and writes only what is left.
    """
    if actor is not None:
        policy.require(actor, MANAGE, area_import.area)
    jobs.mark_running(area_import, apply=apply)
    heartbeat = jobs.Heartbeat(area_import)
    applied = False
    try:
        with jobs.open_upload(area_import.stored_name) as handle:
            content = handle.read()
        heartbeat(force=True, processed_bytes=len(content) // 2)
        report = plan_import(
            actor=actor,
            format=area_import.format,
            content=content,
            source=area_import.file_name,
            options=_options(area_import),
        )
        del content
        _save_report(area_import, report)
        if apply and report.ok and (report.created or report.changed):
            report = import_areas(
                actor=actor,
                format=area_import.format,
                content=None,
                source=area_import.file_name,
                options=_options(area_import),
                job=area_import,
                heartbeat=heartbeat,
                plan=report,
            )
            applied = report.applied
    except Exception as error:
        logger.exception("Area import %s failed", area_import.pk)
        with contextlib.suppress(Exception):
            jobs.mark_failed(area_import, error)
        raise
    jobs.mark_finished(area_import, applied=applied)
    return area_import


def fail_stale_area_imports(queryset=None) -> int:
    """Mark area imports orphaned by a crash (their heartbeat stopped) as failed."""
    return jobs.fail_stale(AreaImport.objects.all() if queryset is None else queryset)


def _start(actor, area_import: AreaImport, apply: bool) -> AreaImport:
    def enqueue():
        from ..tasks import run_area_import as task

        task.enqueue(area_import.pk, getattr(actor, "pk", None), apply)

    return jobs.start(
        area_import,
        apply=apply,
        run=lambda: run_area_import(actor=actor, area_import=area_import, apply=apply),
        enqueue=enqueue,
    )


def start_area_import(*, actor, area_import: AreaImport, apply: bool) -> AreaImport:
    """Check or apply `area_import` now, or by `barzan worker` when the file is large."""
    if actor is not None:
        policy.require(actor, MANAGE, area_import.area)
    jobs.check_startable(area_import, apply=apply)
    return _start(actor, area_import, apply)


def rerun_area_import(*, actor, area_import: AreaImport) -> AreaImport:
    """Run a failed area import again, from the start of what it was doing."""
    if actor is not None:
        policy.require(actor, MANAGE, area_import.area)
    jobs.check_rerunnable(area_import)
    with transaction.atomic():
        audit.record(
            actor=actor,
            verb=AREA_IMPORT_RERUN,
            target=area_import.parent,
            after={
                "file": area_import.file_name,
                "applying": area_import.is_applying,
                "steps_done": area_import.steps_done,
            },
        )
    return _start(actor, area_import, area_import.is_applying)
