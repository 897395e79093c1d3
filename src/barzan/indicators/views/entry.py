"""
The data-entry grid: one data set's figures for one area and period, saved cell by cell.

The grid shows a row per indicator of the data set, and one per breakdown for an
indicator given by sex, age group or education: the figure, the previous period's figure
beside it, and a comment. Each cell is posted as it is left (htmx) and answered with the
cell again: saved, or the problem under what was typed. Rows the user may not enter, and
calculated figures, are read-only.

Figures are shown as `display.is_hidden` lets the user see them, in the inputs too: a
council secretary entering another organization's indicator sees a stored small count as
«کمتر از ۵» (an empty input with that hint). They may type a new figure over it; leaving
the input empty keeps the stored one. What they save is not echoed back when it is itself
a small count: the cell answers «کمتر از ۵», saved.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from barzan.access import policy
from barzan.access.actions import CAPTURE, VIEW
from barzan.access.views import ModelPermissionMixin, ScopedViewMixin
from barzan.core.exceptions import ConcurrentEditError
from barzan.core.text import format_number
from barzan.geo.models import Area

from .. import actions, display, entry_periods, periods, readers, reporting
from ..choices import Dimension, ValueType
from ..entry_forms import CellForm, EntryStartForm, offered_periods
from ..models import Breakdown, DataSet, DataSetCompletion, Indicator, IndicatorValue, Period

INDICATOR_JOINS = ("owner", "category", "numerator", "denominator")


def editable_text(indicator: Indicator, value) -> str:
    """Return a stored value as the input shows it: «۱٬۲۳۴٫۵» on Persian pages."""
    if value is None:
        return ""
    value = Decimal(value).normalize()
    if indicator.value_type == ValueType.BOOLEAN:
        return "1" if value else "0"
    places = max(0, -value.as_tuple().exponent)
    return format_number(value, decimals=places)


@dataclass
class EntryRow:
    """One line of the grid: an indicator's total or one of its breakdowns."""

    indicator: Indicator
    breakdown: Breakdown
    may_enter: bool
    shown: str
    comment: str
    version: int
    previous: str
    heading: str = ""
    error: str = ""
    conflict: str = ""
    saved: bool = False
    # A stored figure the user may not see: the input is empty, with «کمتر از ۵» as its hint.
    is_masked: bool = False
    # The form's rules this cell takes part in that its figures break now.
    broken: list["BrokenRule"] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.indicator.pk}-{self.breakdown.pk}"

    @property
    def is_total(self) -> bool:
        return self.breakdown.is_total

    @property
    def suppressed_label(self) -> str:
        return display.suppressed_label()

    @property
    def is_boolean(self) -> bool:
        return self.indicator.value_type == ValueType.BOOLEAN


@dataclass(frozen=True)
class BrokenRule:
    """A rule broken by the figures of the grid, as a cell shows it: its name, both sides as
    shown and the operator's code (said in words: a sign such as ≤ mirrors in RTL text)."""

    name: str
    left: str
    operator: str
    right: str


def _cells_of(rule, total_id: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """Return the (indicator, breakdown) cells of the two sides of `rule` in the grid.

    A sum of parts is shown on its indicator's total, where the parts are entered below.
    """
    return (
        (rule.left_id, rule.left_breakdown_id or total_id),
        (rule.right_id, rule.right_breakdown_id or total_id),
    )


def broken_rules_by_cell(
    user, grid: "Grid", indicator=None
) -> tuple[dict[tuple[int, int], list[BrokenRule]], set[tuple[int, int]]]:
    """Return the broken rules of the form (those of `indicator`) by the cells they touch,
    and every cell those rules touch (so that a rule mended clears its other side too)."""
    rules = reporting.rules_of(grid.data_set, indicator)
    if not rules:
        return {}, set()
    total_id = readers.total_breakdown_id()
    touched = {cell for rule in rules for cell in _cells_of(rule, total_id)}
    viewer = policy.organizations_of(user)
    found: dict[tuple[int, int], list[BrokenRule]] = defaultdict(list)
    for violation in readers.violations(
        user=user, areas=[grid.area], periods=[grid.period], rules=rules
    ):
        rule = violation.rule
        broken = BrokenRule(
            name=rule.name,
            left=display.show(rule.left, violation.left_figure, viewer),
            operator=rule.operator,
            right=display.show(rule.right, violation.right_figure, viewer),
        )
        for cell in dict.fromkeys(_cells_of(rule, total_id)):
            found[cell].append(broken)
    return found, touched


@dataclass
class Grid:
    """What the grid's address names, resolved and checked."""

    data_set: DataSet
    area: Area
    period: Period
    previous: Period | None

    @property
    def cell_url(self) -> str:
        return reverse(
            "indicators:entry_cell", args=[self.data_set.code, self.area.pk, self.period.code]
        )

    @property
    def url(self) -> str:
        return reverse(
            "indicators:entry_grid", args=[self.data_set.code, self.area.pk, self.period.code]
        )


def previous_period(period: Period, data_set=None, area=None, user=None) -> Period | None:
    """Return the period just before `period`, of its type, when `area` has any of
    `data_set`'s figures `user` may see for it: a census has no previous year to show."""
    spec = periods.parse(period.code)
    before = periods.previous(spec) if spec else None
    if before is None:
        return None
    found = Period.objects.filter(code=before.code).first()
    if found is None or data_set is None or area is None:
        return found
    reported = policy.scope(
        user,
        VIEW,
        IndicatorValue.objects.filter(
            area=area, period=found, indicator__in=data_set.indicators.all()
        ),
    ).exists()
    return found if reported else None


def breakdowns_by_dimension() -> tuple[Breakdown, dict[str, list[Breakdown]]]:
    """Return the total and the breakdowns of each dimension, in their order."""
    total = None
    parts: dict[str, list[Breakdown]] = {}
    for breakdown in Breakdown.objects.order_by("order", "pk"):
        if breakdown.is_total:
            total = breakdown
        else:
            parts.setdefault(breakdown.dimension, []).append(breakdown)
    return total, parts


def build_rows(user, grid: Grid, indicators: list[Indicator]) -> list[EntryRow]:
    """Return the rows of `indicators` for the grid, with what the user may see of each."""
    total, parts = breakdowns_by_dimension()
    dimension_labels = dict(Dimension.choices)
    lines: list[tuple[Indicator, Breakdown, str]] = []
    for indicator in indicators:
        lines.append((indicator, total, ""))
        for dimension in indicator.dimensions or ():
            for index, breakdown in enumerate(parts.get(dimension, ())):
                heading = (
                    gettext("By %(dimension)s") % {"dimension": dimension_labels.get(dimension)}
                    if index == 0
                    else ""
                )
                lines.append((indicator, breakdown, heading))
    if not lines:
        return []
    area, period = grid.area, grid.period
    stored = {
        (value.indicator_id, value.breakdown_id): value
        for value in policy.scope(
            user,
            VIEW,
            IndicatorValue.objects.filter(
                area=area, period=period, indicator__in=[i.pk for i in indicators]
            ),
        )
    }
    shown_periods = [period] + ([grid.previous] if grid.previous else [])
    found = readers.figures(
        user=user,
        indicators=indicators,
        areas=[area],
        periods=shown_periods,
        breakdowns={breakdown.pk for _i, breakdown, _h in lines},
    )
    viewer = policy.organizations_of(user)
    rows = []
    for indicator, breakdown, heading in lines:
        may_enter = (
            not indicator.is_calculated
            and area.is_current
            and policy.can(
                user,
                CAPTURE,
                IndicatorValue(indicator=indicator, area=area, period=period, breakdown=breakdown),
            )
        )
        value = stored.get((indicator.pk, breakdown.pk))
        # The stored raw value, as the effective figure it is (raw values win over roll-ups),
        # so that secondary suppression applies in the grid as everywhere else.
        figure = found.get((indicator.pk, area.pk, period.pk, breakdown.pk))
        if not indicator.is_calculated and value is None:
            figure = None
        is_masked = display.is_hidden(indicator, figure, viewer)
        if may_enter:
            shown = "" if is_masked else editable_text(indicator, value.value if value else None)
        else:
            shown = display.show(indicator, figure, viewer)
        before = (
            found.get((indicator.pk, area.pk, grid.previous.pk, breakdown.pk))
            if grid.previous
            else None
        )
        rows.append(
            EntryRow(
                indicator=indicator,
                breakdown=breakdown,
                may_enter=may_enter,
                shown=shown,
                # A comment may tell what a hidden count is ("3 cases in ...").
                comment=value.comment if value and not is_masked else "",
                version=value.version if value else 0,
                previous=display.show(indicator, before, viewer),
                heading=heading,
                is_masked=is_masked and may_enter,
            )
        )
    return rows


class EntryMixin(ScopedViewMixin):
    """Resolve the data set, area and period of the address; 404 for what does not fit."""

    model = IndicatorValue

    def get_grid(self) -> Grid:
        user = self.request.user
        data_set = get_object_or_404(
            policy.scope(user, VIEW, DataSet.objects.select_related("level")),
            code=self.kwargs["data_set_code"],
        )
        area = policy.get_object_for(
            user, Area.objects.select_related("level").defer("boundary", "boundary_simple"),
            pk=self.kwargs["area_pk"],
        )  # fmt: skip
        if area.level_id != data_set.level_id:
            raise Http404
        spec = periods.parse(self.kwargs["period_code"])
        if spec is None or spec.period_type != data_set.period_type:
            raise Http404
        period = get_object_or_404(Period, code=spec.code)
        return Grid(
            data_set=data_set,
            area=area,
            period=period,
            previous=previous_period(period, data_set, area, user),
        )

    def indicators(self, grid: Grid):
        return grid.data_set.indicators.filter(is_active=True).select_related(*INDICATOR_JOINS)


class EntryStartView(ModelPermissionMixin, ScopedViewMixin, TemplateView):
    """Choose a data set, an area and a period, then go to the grid."""

    model = IndicatorValue
    template_name = "indicators/entry_start.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        code = request.GET.get("data_set", "")
        data_set = None
        if code:
            data_set = (
                policy.scope(user, VIEW, DataSet.objects.select_related("level"))
                .filter(code=code)
                .first()
            )
        chosen = data_set is not None and ("area" in request.GET or "period" in request.GET)
        form = EntryStartForm(request.GET if chosen else None, actor=user, data_set=data_set)
        if chosen and form.is_valid():
            return redirect(
                "indicators:entry_grid",
                data_set.code,
                form.cleaned_data["area"].pk,
                form.cleaned_data["period"],
            )
        return self.render_to_response(
            self.get_context_data(
                form=form,
                data_set=data_set,
                unknown_data_set=bool(code) and data_set is None,
                page_title=_("Enter figures"),
            )
        )


class EntryGridView(EntryMixin, TemplateView):
    """The grid of one data set for one area and period."""

    template_name = "indicators/entry_grid.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        grid = self.get_grid()
        user = self.request.user
        indicators = list(self.indicators(grid))
        rows = build_rows(user, grid, indicators)
        broken, _touched = broken_rules_by_cell(user, grid)
        for row in rows:
            row.broken = broken.get((row.indicator.pk, row.breakdown.pk), [])
        context.update(completion_context(user, grid))
        context.update(
            grid=grid,
            rows=rows,
            period_links=self.period_links(grid, indicators),
            can_enter=any(row.may_enter for row in rows),
            page_title=grid.data_set.name,
            start_url=reverse("indicators:entry_start") + f"?data_set={grid.data_set.code}",
        )
        return context

    def period_links(self, grid: Grid, indicators) -> list[tuple[object, str]]:
        """Return the recent periods of the grid's area, newest first, with their grids."""
        offered = offered_periods(grid.data_set.period_type)
        if grid.period not in offered:
            offered = sorted([*offered, grid.period], key=lambda period: period.start)[::-1]
        progress = entry_periods.period_progress(
            self.request.user,
            grid.data_set,
            offered,
            area=grid.area,
            indicators=indicators,
        )
        return [
            (
                item,
                reverse(
                    "indicators:entry_grid",
                    args=[grid.data_set.code, grid.area.pk, item.period.code],
                ),
            )
            for item in progress
        ]


class EntryCellView(EntryMixin, View):
    """Save one cell (htmx, or a plain form post) and answer with the cell again."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        grid = self.get_grid()
        user = request.user
        form = CellForm(request.POST, actor=user)
        form.is_valid()
        if form.has_key_errors():
            return HttpResponseBadRequest(gettext("This cell is not part of the grid."))
        data = form.cleaned_data
        indicator = self.indicators(grid).filter(code=data["indicator"]).first()
        breakdown = Breakdown.objects.filter(code=data["breakdown"] or Breakdown.TOTAL).first()
        if (
            indicator is None
            or breakdown is None
            or not (breakdown.is_total or breakdown.dimension in (indicator.dimensions or ()))
        ):
            return HttpResponseBadRequest(gettext("This cell is not part of the grid."))
        probe = IndicatorValue(
            indicator=indicator, area=grid.area, period=grid.period, breakdown=breakdown
        )
        policy.require(user, CAPTURE, probe)
        typed = request.POST.get("value", "")
        comment = request.POST.get("comment", "")
        error = conflict = ""
        version = data["version"]
        kept = self.kept(user, grid, indicator, breakdown) if request.POST.get("masked") else None
        if kept is not None and not typed.strip() and not data["comment"].strip():
            # Nothing typed over a figure the user may not see: keep it as it is.
            row = next(
                row
                for row in build_rows(user, grid, [indicator])
                if row.breakdown.pk == breakdown.pk
            )
            if request.htmx:
                return render(request, "indicators/entry_cell.html", {"row": row, "grid": grid})
            return HttpResponseRedirect(f"{grid.url}#row-{row.key}")
        if form.errors:
            error = " ".join(str(message) for errors in form.errors.values() for message in errors)
        else:
            try:
                actions.set_value(
                    actor=user,
                    indicator=indicator,
                    area=grid.area,
                    period=grid.period,
                    breakdown=breakdown,
                    # An empty input over a hidden figure keeps it (and its comment).
                    value=typed if typed.strip() or kept is None else kept.value,
                    comment=data["comment"]
                    if data["comment"].strip() or kept is None
                    else kept.comment,
                    version=version,
                )
            except ConcurrentEditError:
                conflict, version = self.conflict(user, grid, indicator, breakdown)
            except ValidationError as problem:
                error = " ".join(problem.messages)
        row = next(
            row for row in build_rows(user, grid, [indicator]) if row.breakdown.pk == breakdown.pk
        )
        if error or conflict:
            row.shown, row.comment, row.version = typed, comment, version
            row.error, row.conflict = error, conflict
        else:
            row.saved = True
        # The value is kept either way; a broken rule is a warning beside its cells.
        broken, touched = broken_rules_by_cell(user, grid, indicator)
        row.broken = broken.get((indicator.pk, breakdown.pk), [])
        if request.htmx:
            others = [
                {"key": f"{cell[0]}-{cell[1]}", "broken": broken.get(cell, [])}
                for cell in sorted(touched)
                if cell != (indicator.pk, breakdown.pk)
            ]
            return render(
                request,
                "indicators/entry_cell.html",
                {"row": row, "grid": grid, "other_cells": others},
            )
        if error or conflict:
            messages.error(request, f"{self.label(row)}: {error or conflict}")
        else:
            messages.success(request, gettext("%(figure)s saved.") % {"figure": self.label(row)})
            for rule in row.broken:
                messages.warning(request, gettext("Rule broken: %(rule)s.") % {"rule": rule.name})
        return HttpResponseRedirect(f"{grid.url}#row-{row.key}")

    def conflict(self, user, grid, indicator, breakdown) -> tuple[str, int]:
        """Return the message for a figure changed meanwhile, and its version now."""
        stored = (
            policy.scope(user, VIEW, IndicatorValue.objects.all())
            .filter(indicator=indicator, area=grid.area, period=grid.period, breakdown=breakdown)
            .first()
        )
        if stored is None:
            return gettext("Someone else cleared this figure meanwhile."), 0
        key = (indicator.pk, grid.area.pk, grid.period.pk, breakdown.pk)
        figure = readers.Figure(
            stored.value, withheld=key in readers.withheld(user=user, keys=[key])
        )
        message = gettext("Someone else changed this figure; the stored value is %(value)s.") % {
            "value": display.show(indicator, figure, policy.organizations_of(user))
        }
        return message, stored.version

    def kept(self, user, grid, indicator, breakdown) -> IndicatorValue | None:
        """Return the stored figure of the cell when the user may not see it, else None."""
        stored = (
            policy.scope(user, CAPTURE, IndicatorValue.objects.all())
            .filter(indicator=indicator, area=grid.area, period=grid.period, breakdown=breakdown)
            .first()
        )
        if stored is None:
            return None
        key = (indicator.pk, grid.area.pk, grid.period.pk, breakdown.pk)
        figure = readers.Figure(
            stored.value, withheld=key in readers.withheld(user=user, keys=[key])
        )
        hidden = display.is_hidden(indicator, figure, policy.organizations_of(user))
        return stored if hidden else None

    @staticmethod
    def label(row: EntryRow) -> str:
        if row.is_total:
            return row.indicator.name
        return f"{row.indicator.name} ({row.breakdown.name})"


def completion_context(user, grid) -> dict:
    """Return what the grid's completion block shows: the state and the buttons allowed."""
    completion = reporting.completion_of(grid.data_set, grid.area, grid.period)
    probe = DataSetCompletion(data_set=grid.data_set, area=grid.area, period=grid.period)
    is_completed = completion is not None and completion.is_completed
    return {
        "grid": grid,
        "completion": completion,
        "is_completed": is_completed,
        "completion_version": completion.version if completion else 0,
        "may_complete": not is_completed
        and grid.area.is_current
        and policy.can(user, CAPTURE, probe),
        "may_reopen": is_completed and actions.may_reopen(user, completion),
    }


urlpatterns = [
    path("entry/", EntryStartView.as_view(), name="entry_start"),
    path(
        "entry/<str:data_set_code>/<int:area_pk>/<str:period_code>/",
        EntryGridView.as_view(),
        name="entry_grid",
    ),
    path(
        "entry/<str:data_set_code>/<int:area_pk>/<str:period_code>/cell/",
        EntryCellView.as_view(),
        name="entry_cell",
    ),
]
