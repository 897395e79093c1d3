"""
Writes to indicators: the catalogue, single values, imports and validation rules.

Each action runs in one transaction, checks the access policy, records an audit event
(values also keep every change in `ValueChange`), and refreshes the roll-ups of the
ancestors of what changed before it commits.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from barzan import audit
from barzan.access import policy
from barzan.access.actions import CAPTURE, MANAGE
from barzan.core import identifiers, jobs
from barzan.core.concurrency import check_version, field_values, unchanged
from barzan.core.exceptions import ConcurrentEditError
from barzan.core.models import ImportStatus
from barzan.core.text import clean, clean_multiline

from . import importing, rollups
from .checks import Rule, ValueProblem, parse
from .choices import Dimension
from .identifiers import IdSchemes
from .models import (
    Breakdown,
    BreakdownIdentifier,
    DataSet,
    DataSetCompletion,
    Indicator,
    IndicatorIdentifier,
    IndicatorValue,
    ValidationRule,
    ValueChange,
    ValueImport,
)

logger = logging.getLogger(__name__)

INDICATOR_CREATED = audit.verb("indicator.created", _("Indicator created"))
INDICATOR_CHANGED = audit.verb("indicator.changed", _("Indicator changed"))
DATA_SET_CREATED = audit.verb("data_set.created", _("Data set created"))
DATA_SET_CHANGED = audit.verb("data_set.changed", _("Data set changed"))
VALUE_SET = audit.verb("indicator_value.set", _("Figure entered"))
VALUE_CLEARED = audit.verb("indicator_value.cleared", _("Figure cleared"))
VALUES_IMPORTED = audit.verb("indicator_value.imported", _("Figures imported"))
VALUES_IMPORT_STOPPED = audit.verb(
    "indicator_value.import_stopped", _("Import of figures stopped partway")
)
VALUES_IMPORT_RERUN = audit.verb("indicator_value.import_rerun", _("Import of figures run again"))
IDENTIFIER_ADDED = audit.verb(
    "indicator.identifier_added", _("Identifier from another system added")
)
IDENTIFIER_REMOVED = audit.verb(
    "indicator.identifier_removed", _("Identifier from another system removed")
)
RULE_CREATED = audit.verb("validation_rule.created", _("Validation rule created"))
RULE_CHANGED = audit.verb("validation_rule.changed", _("Validation rule changed"))
DATA_SET_COMPLETED = audit.verb("data_set.completed", _("Form marked complete"))
DATA_SET_REOPENED = audit.verb("data_set.reopened", _("Completed form reopened"))

INDICATOR_FIELDS = (
    "code", "name_fa", "name_en", "description_fa", "description_en", "unit_fa", "unit_en",
    "value_type", "aggregation", "direction", "category", "owner", "kind", "numerator",
    "denominator", "factor", "minimum", "maximum", "dimensions", "is_key", "order", "is_active",
)  # fmt: skip
DATA_SET_FIELDS = (
    "code", "name_fa", "name_en", "level", "period_type", "owner", "description",
    "reporting_threshold", "timely_days", "requires_valid_rules",
)  # fmt: skip
RULE_FIELDS = (
    "code", "name_fa", "name_en", "left", "left_breakdown", "left_dimension", "operator",
    "right", "right_breakdown", "is_active",
)  # fmt: skip
_TEXT_FIELDS = {"code", "name_fa", "name_en", "unit_fa", "unit_en"}
_MULTILINE_FIELDS = {"description_fa", "description_en", "description"}


def _cleaned(name: str, value):
    if name in _TEXT_FIELDS and isinstance(value, str):
        return clean(value)
    if name in _MULTILINE_FIELDS and isinstance(value, str):
        return clean_multiline(value)
    return value


def _assign(instance, fields, changes) -> None:
    for name, value in changes.items():
        if name not in fields:
            raise ValueError(f"{name} cannot be set here")
        setattr(instance, name, _cleaned(name, value))


def _check_formula(indicator: Indicator) -> None:
    """Refuse a calculated indicator whose parts cannot be summed up the tree."""
    if not indicator.is_calculated:
        return
    for name in ("numerator", "denominator"):
        part = getattr(indicator, name)
        if part is None:
            continue
        if part.pk == indicator.pk or part.is_calculated:
            raise ValidationError({name: _("Choose a measured indicator.")})
        if part.aggregation not in ("sum", "last"):
            raise ValidationError(
                {name: _("A ratio is a ratio of sums: its parts must add up (aggregation sum).")}
            )


def _check_still_a_part(indicator: Indicator) -> None:
    """Refuse a change that would break a ratio this indicator is a part of."""
    ratios = Indicator.objects.filter(
        Q(numerator=indicator) | Q(denominator=indicator)
    ).values_list("code", flat=True)
    if not ratios:
        return
    if indicator.is_calculated or indicator.aggregation not in ("sum", "last"):
        raise ValidationError(
            {
                "aggregation": _(
                    "%(codes)s divide this indicator's sums; it must stay measured and summed."
                )
                % {"codes": ", ".join(ratios)}
            }
        )


# -- catalogue


@transaction.atomic
def create_indicator(*, actor, **fields) -> Indicator:
    """Add an indicator to the catalogue, owned by an organization the actor manages."""
    indicator = Indicator()
    _assign(indicator, INDICATOR_FIELDS, fields)
    if actor is not None:
        policy.require(actor, MANAGE, indicator)
    indicator.full_clean()
    _check_formula(indicator)
    indicator.save()
    audit.record(
        actor=actor,
        verb=INDICATOR_CREATED,
        target=indicator,
        after=audit.snapshot(indicator, INDICATOR_FIELDS),
    )
    return indicator


@transaction.atomic
def update_indicator(*, actor, indicator: Indicator, version: int | None, **changes) -> Indicator:
    """Change an indicator; refuses a stale `version`."""
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if actor is not None:
        policy.require(actor, MANAGE, indicator)
    before = audit.snapshot(indicator, INDICATOR_FIELDS)
    original = field_values(indicator, INDICATOR_FIELDS)
    check_version(indicator, version)
    aggregation_before = indicator.aggregation
    kind_before = indicator.kind
    _assign(indicator, INDICATOR_FIELDS, changes)
    indicator.full_clean()
    _check_formula(indicator)
    if indicator.aggregation != aggregation_before or indicator.kind != kind_before:
        _check_still_a_part(indicator)
    if actor is not None:
        policy.require(actor, MANAGE, indicator)
    if unchanged(indicator, original):
        return indicator
    indicator.save()
    if indicator.aggregation != aggregation_before:
        # The stored roll-ups follow the old rule: recompute them from the raw values.
        area_ids = set(indicator.values.values_list("area_id", flat=True).distinct())
        period_ids = set(indicator.values.values_list("period_id", flat=True).distinct())
        indicator.aggregates.all().delete()
        rollups.refresh(area_ids=area_ids, indicator_ids=[indicator.pk], period_ids=period_ids)
    audit.record(
        actor=actor,
        verb=INDICATOR_CHANGED,
        target=indicator,
        before=before,
        after=audit.snapshot(indicator, INDICATOR_FIELDS),
    )
    return indicator


@transaction.atomic
def create_data_set(*, actor, indicators=(), **fields) -> DataSet:
    """Group indicators for entry at one level and period type."""
    data_set = DataSet()
    _assign(data_set, DATA_SET_FIELDS, fields)
    if actor is not None:
        policy.require(actor, MANAGE, data_set)
    data_set.full_clean()
    data_set.save()
    data_set.indicators.set(indicators)
    audit.record(
        actor=actor,
        verb=DATA_SET_CREATED,
        target=data_set,
        after=audit.snapshot(data_set, (*DATA_SET_FIELDS, "indicators")),
    )
    return data_set


@transaction.atomic
def update_data_set(
    *, actor, data_set: DataSet, version: int | None, indicators=None, **changes
) -> DataSet:
    """Change a data set; refuses a stale `version`."""
    data_set = DataSet.objects.select_for_update().get(pk=data_set.pk)
    if actor is not None:
        policy.require(actor, MANAGE, data_set)
    before = audit.snapshot(data_set, (*DATA_SET_FIELDS, "indicators"))
    original = field_values(data_set, (*DATA_SET_FIELDS, "indicators"))
    check_version(data_set, version)
    _assign(data_set, DATA_SET_FIELDS, changes)
    data_set.full_clean()
    if actor is not None:
        policy.require(actor, MANAGE, data_set)
    if indicators is not None:
        indicators = list(indicators)
    if unchanged(data_set, original, indicators=indicators):
        return data_set
    data_set.save()
    if indicators is not None:
        data_set.indicators.set(indicators)
    audit.record(
        actor=actor,
        verb=DATA_SET_CHANGED,
        target=data_set,
        before=before,
        after=audit.snapshot(data_set, (*DATA_SET_FIELDS, "indicators")),
    )
    return data_set


@transaction.atomic
def create_validation_rule(*, actor, **fields) -> ValidationRule:
    """Add a rule between two figures of the same area and period."""
    rule = ValidationRule()
    _assign(rule, RULE_FIELDS, fields)
    if actor is not None:
        policy.require(actor, MANAGE, rule)
    rule.full_clean()
    _check_rule(rule)
    rule.save()
    audit.record(
        actor=actor, verb=RULE_CREATED, target=rule, after=audit.snapshot(rule, RULE_FIELDS)
    )
    return rule


@transaction.atomic
def update_validation_rule(
    *, actor, rule: ValidationRule, version: int | None, **changes
) -> ValidationRule:
    """Change a validation rule; refuses a stale `version`."""
    rule = ValidationRule.objects.select_for_update().get(pk=rule.pk)
    if actor is not None:
        policy.require(actor, MANAGE, rule)
    before = audit.snapshot(rule, RULE_FIELDS)
    original = field_values(rule, RULE_FIELDS)
    check_version(rule, version)
    _assign(rule, RULE_FIELDS, changes)
    rule.full_clean()
    _check_rule(rule)
    if actor is not None:
        # Checked again after the change: moving a rule onto another area's indicators
        # is refused.
        policy.require(actor, MANAGE, rule)
    if unchanged(rule, original):
        return rule
    rule.save()
    audit.record(
        actor=actor,
        verb=RULE_CHANGED,
        target=rule,
        before=before,
        after=audit.snapshot(rule, RULE_FIELDS),
    )
    return rule


def _check_rule(rule: ValidationRule) -> None:
    if rule.left_dimension and rule.left_breakdown_id:
        raise ValidationError(
            {"left_dimension": _("Compare either the sum of the parts or one breakdown.")}
        )
    if rule.left_dimension and rule.left_dimension not in (rule.left.dimensions or []):
        raise ValidationError(
            {"left_dimension": _("The left indicator is not broken down this way.")}
        )
    for side, breakdown in (("left", rule.left_breakdown), ("right", rule.right_breakdown)):
        indicator = getattr(rule, side)
        if (
            breakdown is not None
            and breakdown.dimension != Dimension.TOTAL
            and breakdown.dimension not in (indicator.dimensions or [])
        ):
            raise ValidationError(
                {f"{side}_breakdown": _("This indicator is not broken down this way.")}
            )


# -- completing a data set's form


COMPLETION_FIELDS = ("is_completed", "completed_by_label", "completed_at", "reopened_by_label")


def _label(actor) -> str:
    return actor.get_username() if getattr(actor, "pk", None) else "system"


@transaction.atomic
def complete_data_set(
    *, actor, data_set: DataSet, area, period, version: int | None = None
) -> DataSetCompletion:
    """Mark the form of `data_set` for `area` and `period` complete.

    `version` is the completion's version the person saw (0 for none): completing a form
    someone else completed or reopened since is refused with ConcurrentEditError. Broken
    rules do not stop it unless the data set requires valid rules (DHIS2's choice).
    """
    from . import reporting

    probe = DataSetCompletion(data_set=data_set, area=area, period=period)
    if actor is not None:
        policy.require(actor, CAPTURE, probe)
    if area.level_id != data_set.level_id or period.period_type != data_set.period_type:
        raise ValidationError(_("This data set is not entered for this area or period."))
    if not area.is_current:
        raise ValidationError(_("This area has ended; enter figures for its successors."))
    stored = (
        DataSetCompletion.objects.select_for_update()
        .filter(data_set=data_set, area=area, period=period)
        .first()
    )
    if version is not None and (stored.version if stored else 0) != version:
        raise ConcurrentEditError()
    if stored is not None and stored.is_completed:
        raise ValidationError(_("This form is already complete."))
    if data_set.requires_valid_rules and reporting.broken_rules(
        user=actor, data_set=data_set, area=area, period=period
    ):
        raise ValidationError(
            _("Correct the broken rules first: this data set is completed only without them.")
        )
    before = audit.snapshot(stored, COMPLETION_FIELDS) if stored else None
    completion = stored or probe
    if stored is not None:
        stored.version += 1
    completion.is_completed = True
    completion.completed_by = actor if getattr(actor, "pk", None) else None
    completion.completed_by_label = _label(actor)
    completion.completed_at = timezone.now()
    try:
        # Two people completing the same new form at once: the second meets the unique key.
        with transaction.atomic():
            completion.save()
    except IntegrityError:
        raise ConcurrentEditError() from None
    audit.record(
        actor=actor,
        verb=DATA_SET_COMPLETED,
        target=completion,
        area=area,
        before=before,
        after=audit.snapshot(completion, COMPLETION_FIELDS),
    )
    return completion


def may_reopen(actor, completion: DataSetCompletion) -> bool:
    """Return whether `actor` may reopen `completion`: who completed it, or a manager."""
    if not completion.is_completed:
        return False
    if policy.can(actor, MANAGE, completion):
        return True
    return completion.completed_by_id == getattr(actor, "pk", None) and policy.can(
        actor, CAPTURE, completion
    )


@transaction.atomic
def reopen_data_set(
    *, actor, completion: DataSetCompletion, version: int | None = None
) -> DataSetCompletion:
    """Reopen a completed form, by whoever completed it or by a manager of its area."""
    completion = DataSetCompletion.objects.select_for_update().get(pk=completion.pk)
    check_version(completion, version)
    if not completion.is_completed:
        raise ValidationError(_("This form is not complete."))
    if actor is not None and not may_reopen(actor, completion):
        raise PermissionDenied
    before = audit.snapshot(completion, COMPLETION_FIELDS)
    completion.is_completed = False
    completion.reopened_by = actor if getattr(actor, "pk", None) else None
    completion.reopened_by_label = _label(actor)
    completion.reopened_at = timezone.now()
    completion.save()
    audit.record(
        actor=actor,
        verb=DATA_SET_REOPENED,
        target=completion,
        area=completion.area,
        before=before,
        after=audit.snapshot(completion, COMPLETION_FIELDS),
    )
    return completion


# -- values


def _breakdown(breakdown) -> Breakdown:
    if breakdown is None:
        return Breakdown.objects.get(code=Breakdown.TOTAL)
    return breakdown


@transaction.atomic
def set_value(
    *,
    actor,
    indicator: Indicator,
    area,
    period,
    value,
    breakdown: Breakdown | None = None,
    source=None,
    comment: str = "",
    version: int | None = None,
) -> IndicatorValue | None:
    """Enter, change or (with an empty `value`) clear one figure, and roll it up.

    `value` is text as typed (Persian digits allowed) or a Decimal. `version` is the
    version of the figure the person saw (0 for none): a figure changed by someone else
    since then is refused with ConcurrentEditError rather than overwritten.
    """
    breakdown = _breakdown(breakdown)
    if indicator.is_calculated:
        raise ValidationError({"value": _("A calculated figure is not entered.")})
    if breakdown.dimension != Dimension.TOTAL and breakdown.dimension not in (
        indicator.dimensions or []
    ):
        raise ValidationError({"breakdown": _("This indicator is not broken down this way.")})
    probe = IndicatorValue(indicator=indicator, area=area, period=period, breakdown=breakdown)
    if actor is not None:
        policy.require(actor, CAPTURE, probe)
    if not area.is_current:
        raise ValidationError({"area": _("This area has ended; enter figures for its successors.")})
    text = value if isinstance(value, str) else ("" if value is None else format(value, "f"))
    stored = (
        IndicatorValue.objects.select_for_update(of=("self",))
        .filter(indicator=indicator, area=area, period=period, breakdown=breakdown)
        .first()
    )
    seen = version if version is not None else None
    if seen is not None and (stored.version if stored else 0) != seen:
        raise ConcurrentEditError()
    comment = clean_multiline(comment)
    now = timezone.now()
    if not text.strip():
        if stored is None:
            return None
        old = stored.value
        stored.delete()
        _remember(actor, indicator, area, period, breakdown, old, None, now)
        audit.record(
            actor=actor,
            verb=VALUE_CLEARED,
            target=indicator,
            area=area,
            before=_snapshot(stored),
        )
        rollups.refresh(area_ids=[area.pk], indicator_ids=[indicator.pk], period_ids=[period.pk])
        return None
    try:
        number = parse(Rule.of(indicator), text)
    except ValueProblem as problem:
        raise ValidationError({"value": str(problem)}) from None
    if source is None:
        source = stored.source if stored else indicator.owner
    if stored is not None and stored.value == number and stored.comment == comment:
        return stored
    before = _snapshot(stored) if stored else None
    old = stored.value if stored else None
    if stored is None:
        stored = IndicatorValue(
            indicator=indicator, area=area, period=period, breakdown=breakdown, version=0
        )
    stored.value = number
    stored.comment = comment
    stored.source = source
    stored.entered_by = actor if getattr(actor, "pk", None) else None
    stored.entered_at = now
    stored.version += 1
    stored.save()
    _remember(actor, indicator, area, period, breakdown, old, number, now)
    audit.record(
        actor=actor,
        verb=VALUE_SET,
        target=indicator,
        area=area,
        before=before,
        after=_snapshot(stored),
    )
    rollups.refresh(area_ids=[area.pk], indicator_ids=[indicator.pk], period_ids=[period.pk])
    return stored


def _snapshot(value: IndicatorValue) -> dict:
    return {
        "indicator": value.indicator.code,
        "area": value.area.code,
        "period": value.period.code,
        "breakdown": value.breakdown.code,
        "value": format(Decimal(value.value).normalize(), "f"),
        "comment": value.comment,
        "source": value.source_id,
    }


def _remember(actor, indicator, area, period, breakdown, old, new, when) -> None:
    is_user = getattr(actor, "pk", None) is not None
    ValueChange.objects.create(
        indicator=indicator,
        area=area,
        period=period,
        breakdown=breakdown,
        old_value=old,
        new_value=new,
        changed_by=actor if is_user else None,
        changed_by_label=actor.get_username() if is_user else "system",
        changed_at=when,
    )


# -- imports


def upload_values(
    *, actor, upload, format: str, area, source, schemes: IdSchemes | None = None
) -> ValueImport:
    """Store an uploaded file and register it for checking; nothing is read yet.

    `schemes` says how the file names indicators, areas and breakdowns (codes by default).
    """
    if actor is not None:
        policy.require(actor, CAPTURE, area)
    stored_name, size = jobs.store_upload(upload, prefix="values")
    return ValueImport.objects.create(
        area=area,
        source=source,
        created_by=actor if getattr(actor, "pk", None) else None,
        file_name=clean(getattr(upload, "name", "") or stored_name)[:255],
        stored_name=stored_name,
        file_size=size,
        format=format,
        id_schemes=(schemes or IdSchemes()).as_dict(),
        status=ImportStatus.QUEUED,
    )


def run_import(*, actor, value_import: ValueImport, apply: bool) -> ValueImport:
    """Check `value_import` (and apply it when `apply` and it is clean), all or nothing.

    Checking reads the file into a temporary staging table and takes no write lock; a
    file with any problem writes nothing. Applying then writes in bounded steps
    (`importing.apply`), recording each step done on the import: if one fails, or the
    process dies, the import is marked failed with the steps done, and running it again
    re-checks the file and writes what is left. The outcome (counts of new, changed and
    unchanged values, every problem with its line and column) is saved on the import.
    """
    if actor is not None:
        policy.require(actor, CAPTURE, value_import.area)
    # Steps an earlier attempt wrote before it stopped (0 when none did).
    resumed_after = value_import.steps_done if apply else 0
    jobs.mark_running(value_import, apply=apply)
    heartbeat = jobs.Heartbeat(value_import)
    try:
        with jobs.open_upload(value_import.stored_name) as handle, importing.without_mmap():
            outcome = importing.stage(
                actor=actor,
                area=value_import.area,
                stream=handle,
                format=value_import.format,
                progress=lambda rows: heartbeat(processed_bytes=handle.tell()),
                schemes=IdSchemes.of(value_import.id_schemes),
            )
        _save_outcome(value_import, outcome)
        if apply and outcome.is_valid:

            def finish() -> None:
                after = {
                    "file": value_import.file_name,
                    "format": value_import.format,
                    "rows": outcome.rows,
                    "new": outcome.new,
                    "changed": outcome.changed,
                    "unchanged": outcome.unchanged,
                    "hidden": outcome.hidden,
                }
                if resumed_after:
                    after["resumed_after_steps"] = resumed_after
                audit.record(
                    actor=actor,
                    verb=VALUES_IMPORTED,
                    target=value_import,
                    area=value_import.area,
                    after=after,
                )
                # Done commits with the last step: no window where all is written but
                # the import still looks unfinished.
                ValueImport.objects.filter(pk=value_import.pk).update(
                    status=ImportStatus.DONE, finished_at=timezone.now()
                )

            importing.apply(
                actor=actor,
                source=value_import.source,
                outcome=outcome,
                value_import=value_import,
                last_step=finish,
                heartbeat=heartbeat,
            )
        else:
            importing.drop_staging()
    except Exception as error:
        importing.drop_staging()
        _record_failure(actor, value_import, error)
        raise
    jobs.mark_finished(value_import, applied=outcome.applied)
    return value_import


def _save_outcome(value_import: ValueImport, outcome: importing.Outcome) -> None:
    ValueImport.objects.filter(pk=value_import.pk).update(
        row_count=outcome.rows,
        new_count=outcome.new,
        changed_count=outcome.changed,
        unchanged_count=outcome.unchanged,
        hidden_count=outcome.hidden,
        problem_count=outcome.problem_count,
        problems=outcome.problems,
        unknown_identifiers=outcome.unknown_identifiers(),
        id_schemes=outcome.schemes.as_dict(),
        processed_bytes=value_import.file_size,
        heartbeat_at=timezone.now(),
    )


def _record_failure(actor, value_import: ValueImport, error: Exception) -> None:
    """Mark the import failed, and audit how far an apply got when it wrote something."""
    logger.exception("Import %s failed", value_import.pk)
    steps_done = error.done if isinstance(error, jobs.StepFailed) else 0
    try:
        with transaction.atomic():
            jobs.mark_failed(value_import, error)
            if steps_done:
                audit.record(
                    actor=actor,
                    verb=VALUES_IMPORT_STOPPED,
                    target=value_import,
                    area=value_import.area,
                    after={"steps_done": steps_done, "steps": error.total},
                )
    except Exception:
        # The database itself is failing; the heartbeat stops and the import is marked
        # failed as stale later.
        logger.exception("Could not mark import %s failed", value_import.pk)


def fail_stale_imports(queryset=None) -> int:
    """Mark imports orphaned by a crash (their heartbeat stopped) as failed."""
    return jobs.fail_stale(ValueImport.objects.all() if queryset is None else queryset)


def start_import(*, actor, value_import: ValueImport, apply: bool) -> ValueImport:
    """Check or apply `value_import` now, or in the background when the file is large."""
    if actor is not None:
        policy.require(actor, CAPTURE, value_import.area)
    jobs.check_startable(value_import, apply=apply)
    return _start(actor, value_import, apply)


def _start(actor, value_import: ValueImport, apply: bool) -> ValueImport:
    def enqueue():
        from .tasks import run_value_import

        run_value_import.enqueue(value_import.pk, getattr(actor, "pk", None), apply)

    return jobs.start(
        value_import,
        apply=apply,
        run=lambda: run_import(actor=actor, value_import=value_import, apply=apply),
        enqueue=enqueue,
    )


def rerun_import(*, actor, value_import: ValueImport) -> ValueImport:
    """Run a failed import again: what it was doing (checking or applying), from the start.

    An apply that stopped midway re-checks the file and writes only what is left: the
    rows its earlier steps wrote are now unchanged.
    """
    if actor is not None:
        policy.require(actor, CAPTURE, value_import.area)
    jobs.check_rerunnable(value_import)
    audit.record(
        actor=actor,
        verb=VALUES_IMPORT_RERUN,
        target=value_import,
        area=value_import.area,
        after={"applying": value_import.is_applying, "steps_done": value_import.steps_done},
    )
    return _start(actor, value_import, value_import.is_applying)


def import_values(
    *,
    actor,
    stream,
    format: str,
    area,
    source,
    dry_run: bool = False,
    schemes: IdSchemes | None = None,
):
    """Check and (unless `dry_run`) apply a stream of values in one go; return the Outcome.

    For commands, the API and the demo: no file is kept and no ValueImport is written.
    Checking takes no write lock; applying writes in bounded steps, and if one fails
    `jobs.StepFailed` says how many were written (an audit event records it too):
    importing the same stream again writes what is left.
    """
    if actor is not None:
        policy.require(actor, CAPTURE, area)
    with importing.without_mmap():
        try:
            outcome = importing.stage(
                actor=actor, area=area, stream=stream, format=format, schemes=schemes
            )
            if dry_run or not outcome.is_valid:
                importing.drop_staging()
                return outcome

            def finish() -> None:
                audit.record(
                    actor=actor,
                    verb=VALUES_IMPORTED,
                    target=source,
                    area=area,
                    after={
                        "format": format,
                        "rows": outcome.rows,
                        "new": outcome.new,
                        "changed": outcome.changed,
                        "unchanged": outcome.unchanged,
                        "hidden": outcome.hidden,
                    },
                )

            importing.apply(actor=actor, source=source, outcome=outcome, last_step=finish)
        except jobs.StepFailed as error:
            importing.drop_staging()
            with transaction.atomic():
                audit.record(
                    actor=actor,
                    verb=VALUES_IMPORT_STOPPED,
                    target=source,
                    area=area,
                    after={"format": format, "steps_done": error.done, "steps": error.total},
                )
            raise
        except Exception:
            importing.drop_staging()
            raise
    return outcome


# -- identifiers from other systems


@transaction.atomic
def add_indicator_identifier(
    *, actor, indicator: Indicator, scheme: str, value: str
) -> IndicatorIdentifier:
    """Give `indicator` the identifier `value` in `scheme` (a DHIS2 dataElement uid…).

    Adding an identifier the indicator already has changes nothing; one that names
    another indicator is refused.
    """
    return _add_identifier(actor, IndicatorIdentifier, "indicator", indicator, scheme, value)


@transaction.atomic
def add_breakdown_identifier(
    *, actor, breakdown: Breakdown, scheme: str, value: str
) -> BreakdownIdentifier:
    """Give `breakdown` the identifier `value` in `scheme` (a DHIS2 categoryOptionCombo uid)."""
    return _add_identifier(actor, BreakdownIdentifier, "breakdown", breakdown, scheme, value)


def _add_identifier(actor, model, field: str, target, scheme: str, value: str):
    if actor is not None:
        policy.require_map_identifiers(actor, target)
    identifier, is_new = identifiers.prepare(model, field, target, scheme, value)
    if is_new:
        identifier.save()
        audit.record(
            actor=actor,
            verb=IDENTIFIER_ADDED,
            target=target,
            after={"scheme": identifier.scheme, "value": identifier.value},
        )
    return identifier


@transaction.atomic
def remove_identifier(*, actor, identifier: IndicatorIdentifier | BreakdownIdentifier) -> None:
    """Remove an identifier of an indicator or a breakdown."""
    owner = getattr(identifier, "indicator", None) or identifier.breakdown
    if actor is not None:
        policy.require_map_identifiers(actor, owner)
    identifier.delete()
    audit.record(
        actor=actor,
        verb=IDENTIFIER_REMOVED,
        target=owner,
        before={"scheme": identifier.scheme, "value": identifier.value},
    )


@transaction.atomic
def map_identifiers(
    *,
    actor,
    schemes: IdSchemes,
    indicators: dict | None = None,
    areas: dict | None = None,
    breakdowns: dict | None = None,
) -> int:
    """Save what a file's unknown identifiers stand for, all or none; return how many.

    `indicators`, `areas` and `breakdowns` map an identifier to the object it names, in
    the scheme `schemes` gives that kind. Importing the file again then matches them.
    """
    from barzan.geo.actions import add_area_identifier

    count = 0
    for kind, mapping, add, owner in (
        ("indicator", indicators, add_indicator_identifier, "indicator"),
        ("area", areas, add_area_identifier, "area"),
        ("breakdown", breakdowns, add_breakdown_identifier, "breakdown"),
    ):
        if not mapping:
            continue
        scheme = schemes.external(kind)
        if scheme is None:
            raise ValidationError(
                _("The file names these by Barzan's codes or names: there is nothing to map.")
            )
        for value, target in mapping.items():
            add(actor=actor, scheme=scheme, value=value, **{owner: target})
            count += 1
    return count
