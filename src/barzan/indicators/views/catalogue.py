"""
The catalogue pages: indicators, data sets and validation rules (lists, one of each,
their forms), the list of broken rules for an area and period, and the export of raw
values in Barzan CSV, XLSX or DHIS2 JSON.

The catalogue is shared (`shared_view`): whoever may view anything reads all of it; it
is changed by those who manage the owning organization's area. Figures are read through
the policy and shown through `display`, so small counts stay hidden outside the owner.
"""

from __future__ import annotations

import io
import math
from functools import cache

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, register_converter, reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View
from django.views.generic.detail import SingleObjectMixin

from barzan.access import policy
from barzan.access.actions import CAPTURE, EXPORT, MANAGE, VIEW
from barzan.access.views import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    ScopedViewMixin,
)
from barzan.audit.models import AuditEvent
from barzan.core import exports as core_exports
from barzan.core import jalali
from barzan.core.models import name_order
from barzan.core.text import to_latin_digits
from barzan.geo.models import Area

from .. import actions, comparisons, display, exports, formats, readers, reporting
from .. import periods as period_codes
from ..choices import Dimension, IndicatorKind, PeriodType
from ..filters import DataSetFilterSet, IndicatorFilterSet, ValidationRuleFilterSet
from ..forms import (
    DataSetForm,
    DataSetTemplateForm,
    IndicatorForm,
    ValidationRuleForm,
    ValueExportForm,
    ViolationsForm,
)
from ..models import (
    Breakdown,
    DataSet,
    Indicator,
    IndicatorAggregate,
    IndicatorValue,
    Period,
    ValidationRule,
)
from ..tables import DataSetTable, IndicatorTable, ValidationRuleTable

SERIES_LENGTH = 8
VIOLATIONS_PER_PAGE = 50
RECENT_PERIODS = 12

# -- addresses


@cache
def _other_pages() -> frozenset[str]:
    """Return the first segments of the other indicator pages' addresses (`entry`…)."""
    from . import entry, imports, profile, reporting

    heads = set()
    for module in (entry, imports, profile, reporting):
        for pattern in getattr(module, "urlpatterns", ()):
            head = str(pattern.pattern).split("/", 1)[0]
            if head and "<" not in head and not head.startswith("^"):
                heads.add(head)
    return frozenset(heads)


class IndicatorCodeConverter:
    """An indicator's code in `/indicators/<code>/`, never another indicator page's address.

    The catalogue's patterns come first under `/indicators/`; without this an indicator
    page would shadow `/indicators/entry/` and the like.
    """

    regex = r"[A-Za-z0-9][A-Za-z0-9_.-]*"

    def to_python(self, value: str) -> str:
        if value in _other_pages():
            raise ValueError(value)
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(IndicatorCodeConverter, "indicator_code")


# -- shared helpers


def _area_from(user, text: str | None, action: str = VIEW):
    """Return the area a query parameter names, None when it is empty; 404 outside the
    user's view and for anything that is not an area's id; 403 without `action`."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        pk = int(to_latin_digits(text))
    except ValueError:
        raise Http404 from None
    queryset = Area.objects.select_related("level").defer("boundary", "boundary_simple")
    return policy.get_object_for(user, queryset, action, pk=pk)


def _top_area(user, action: str = VIEW):
    """Return the highest area where `user` may take `action`: the root of their scope."""
    return (
        policy.areas(user, action)
        .select_related("level")
        .defer("boundary", "boundary_simple")
        .order_by("depth", "pk")
        .first()
    )


def _periods_with_figures(user, area, *, limit: int):
    """Return the latest `limit` periods in which the user sees a figure of `area` or of an
    area below it, latest first."""
    raw = policy.scope(
        user, VIEW, IndicatorValue.objects.filter(area__path__startswith=area.path)
    ).values("period_id")
    rolled = policy.scope(user, VIEW, IndicatorAggregate.objects.filter(area=area)).values(
        "period_id"
    )
    return list(
        Period.objects.filter(Q(pk__in=raw) | Q(pk__in=rolled)).order_by("-end", "start")[:limit]
    )


def current_period_code(period_type: str, on=None) -> str:
    """Return the code of the Jalali period of `period_type` that holds `on` (today)."""
    day = jalali.to_jalali(on or jalali.today())
    number = {
        PeriodType.YEAR: 0,
        PeriodType.HALF: 1 if day.month <= 6 else 2,
        PeriodType.QUARTER: (day.month + 2) // 3,
        PeriodType.MONTH: day.month,
    }[PeriodType(period_type)]
    return period_codes.spec(period_type, day.year, number).code


class CatalogueListView(ScopedListView):
    """A catalogue list; its downloads hold what the list shows.

    The catalogue is shared with everyone who views anything, so exporting it needs the
    export right but not a grant over each owner's area.
    """

    def export(self, export_format: str):
        policy.require(self.request.user, EXPORT, self.model)
        table = self.get_table(self.get_queryset(), paginate=False)
        rows = table.as_values(exclude_columns=getattr(table.Meta, "export_exclude", ()))
        stem = self.export_name or self.model._meta.model_name
        if export_format == "csv":
            return core_exports.csv_response(core_exports.export_filename(stem, "csv"), rows)
        return core_exports.xlsx_response(
            core_exports.export_filename(stem, "xlsx"),
            str(self.model._meta.verbose_name_plural),
            rows,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_actions"] = self.page_actions()
        return context

    def page_actions(self) -> list[tuple[str, str, str]]:
        return []


# -- indicators


class IndicatorListView(CatalogueListView):
    model = Indicator
    table_class = IndicatorTable
    filterset_class = IndicatorFilterSet
    template_name = "indicators/indicator_list.html"
    create_url_name = "indicators:indicator_create"
    export_name = "indicators"
    page_title = _("Indicators")
    page_description = _("The catalogue of figures reported about areas and periods.")

    def get_base_queryset(self):
        return Indicator.objects.select_related("category", "owner")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_capture"] = policy.can(self.request.user, CAPTURE, IndicatorValue)
        return context

    def page_actions(self):
        links = [
            (reverse("indicators:dataset_list"), _("Data sets"), "collection"),
            (reverse("indicators:rule_list"), _("Validation rules"), "check2-square"),
            (reverse("indicators:violations"), _("Broken rules"), "exclamation-triangle"),
            (reverse("indicators:reporting"), _("Reporting rates"), "clipboard-check"),
        ]
        if policy.can(self.request.user, EXPORT, IndicatorValue):
            links.append((reverse("indicators:value_export"), _("Export figures"), "download"))
        return links


class IndicatorDetailView(ScopedDetailView):
    model = Indicator
    template_name = "indicators/indicator_detail.html"
    context_object_name = "indicator"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_base_queryset(self):
        return Indicator.objects.select_related(
            "category", "owner", "owner__area", "numerator", "denominator"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicator = self.object
        user = self.request.user
        root = _top_area(user)
        context.update(
            page_title=indicator.name,
            can_edit=policy.can(user, MANAGE, indicator),
            breakdowns=self.breakdowns(indicator),
            data_sets=policy.scope(
                user, VIEW, indicator.data_sets.select_related("level", "owner")
            ).order_by(*name_order()),
            last_change=self.last_change(indicator),
            root=root,
            series=self.series(indicator, root) if root is not None else [],
        )
        return context

    def breakdowns(self, indicator):
        """Return (dimension label, parts) for each dimension the indicator is given by."""
        dimensions = list(indicator.dimensions or [])
        parts: dict[str, list] = {dimension: [] for dimension in dimensions}
        for breakdown in Breakdown.objects.filter(dimension__in=dimensions):
            parts[breakdown.dimension].append(breakdown)
        return [(Dimension(dimension).label, parts[dimension]) for dimension in dimensions]

    def last_change(self, indicator):
        """Return the latest change of the indicator's definition in the audit log, if the
        user may read it (figures entered are audited against the indicator too)."""
        events = AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(Indicator),
            target_id=str(indicator.pk),
            verb__in=(actions.INDICATOR_CREATED, actions.INDICATOR_CHANGED),
        )
        return policy.scope(self.request.user, VIEW, events).first()

    def series(self, indicator, root):
        """Return (period, figure, shown) for the last periods with a figure of `root`."""
        user = self.request.user
        # A calculated figure exists where its numerator does.
        ids = [indicator.numerator_id if indicator.is_calculated else indicator.pk]
        raw = policy.scope(
            user, VIEW, IndicatorValue.objects.filter(area=root, indicator_id__in=ids)
        ).values("period_id")
        rolled = policy.scope(
            user, VIEW, IndicatorAggregate.objects.filter(area=root, indicator_id__in=ids)
        ).values("period_id")
        periods = list(
            Period.objects.filter(Q(pk__in=raw) | Q(pk__in=rolled)).order_by("-end", "start")[
                :SERIES_LENGTH
            ]
        )
        periods.reverse()
        viewer = policy.organizations_of(user)
        threshold = comparisons.thresholds([indicator])[indicator.pk]
        # A partial roll-up says so beside its figure: it is no total to quote.
        return [
            (
                period,
                figure,
                display.show(indicator, figure, viewer),
                comparisons.is_partial(figure, threshold),
            )
            for period, figure in readers.indicator_series(
                user=user, indicator=indicator, area=root, periods=periods
            )
        ]


class IndicatorCreateView(ScopedCreateView):
    model = Indicator
    form_class = IndicatorForm
    page_title = _("New indicator")
    success_message = _("The indicator was added to the catalogue.")
    cancel_url = reverse_lazy("indicators:indicator_list")

    def perform(self, form):
        return actions.create_indicator(actor=self.request.user, **form.changes())


class IndicatorUpdateView(ScopedUpdateView):
    model = Indicator
    form_class = IndicatorForm
    slug_field = "code"
    slug_url_kwarg = "code"
    success_message = _("The indicator was saved.")

    def get_base_queryset(self):
        return Indicator.objects.select_related("owner__area")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Edit %(indicator)s") % {"indicator": self.object.name}
        return context

    def perform(self, form):
        return actions.update_indicator(
            actor=self.request.user,
            indicator=self.object,
            version=form.cleaned_data.get("version"),
            **form.changes(),
        )


# -- data sets


class DataSetListView(CatalogueListView):
    model = DataSet
    table_class = DataSetTable
    filterset_class = DataSetFilterSet
    create_url_name = "indicators:dataset_create"
    export_name = "data-sets"
    page_title = _("Data sets")
    page_description = _("Indicators entered together, for areas of one level and one period type.")

    def get_base_queryset(self):
        return DataSet.objects.select_related("level", "owner")

    def page_actions(self):
        return [(reverse("indicators:indicator_list"), _("Indicators"), "bar-chart")]


class DataSetDetailView(ScopedDetailView):
    model = DataSet
    template_name = "indicators/dataset_detail.html"
    context_object_name = "data_set"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_base_queryset(self):
        return DataSet.objects.select_related("level", "owner", "owner__area")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data_set = self.object
        user = self.request.user
        may_capture = policy.can(user, CAPTURE, IndicatorValue)
        context.update(
            page_title=data_set.name,
            can_edit=policy.can(user, MANAGE, data_set),
            may_capture=may_capture,
            indicators=policy.scope(
                user, VIEW, data_set.indicators.select_related("category", "owner")
            ).order_by("category__order", "order", "code"),
            current_period=current_period_code(data_set.period_type),
        )
        if may_capture:
            context["template_form"] = DataSetTemplateForm(
                actor=user, initial={"period": context["current_period"]}
            )
        return context


class DataSetCreateView(ScopedCreateView):
    model = DataSet
    form_class = DataSetForm
    page_title = _("New data set")
    success_message = _("The data set was created.")
    cancel_url = reverse_lazy("indicators:dataset_list")

    def perform(self, form):
        return actions.create_data_set(actor=self.request.user, **form.changes())


class DataSetUpdateView(ScopedUpdateView):
    model = DataSet
    form_class = DataSetForm
    slug_field = "code"
    slug_url_kwarg = "code"
    success_message = _("The data set was saved.")

    def get_base_queryset(self):
        return DataSet.objects.select_related("owner__area")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Edit %(data_set)s") % {"data_set": self.object.name}
        return context

    def perform(self, form):
        return actions.update_data_set(
            actor=self.request.user,
            data_set=self.object,
            version=form.cleaned_data.get("version"),
            **form.changes(),
        )


class DataSetTemplateView(ScopedViewMixin, SingleObjectMixin, View):
    """An Excel workbook to fill in: each indicator of the data set × each area of its
    level that the user may enter figures for × one period."""

    model = DataSet
    slug_field = "code"
    slug_url_kwarg = "code"

    def get(self, request, *args, **kwargs):
        user = request.user
        data_set = self.get_object()
        if not policy.can(user, CAPTURE, IndicatorValue):
            raise PermissionDenied
        text = request.GET.get("period", "").strip() or current_period_code(data_set.period_type)
        spec = period_codes.parse(text)
        period = Period.objects.filter(code=spec.code).first() if spec else None
        if period is None or period.period_type != data_set.period_type:
            messages.error(
                request,
                _(
                    "«%(code)s» is not a %(type)s: the data set «%(data_set)s» is entered "
                    "by %(type)s."
                )
                % {
                    "code": text,
                    "type": data_set.get_period_type_display(),
                    "data_set": data_set.name,
                },
            )
            return redirect(data_set.get_absolute_url())
        areas = (
            policy.areas(user, CAPTURE)
            .filter(level=data_set.level_id, valid_to__isnull=True)
            .only("pk", "code", "name_fa", "path")
            .order_by("path")
        )
        under = _area_from(user, request.GET.get("area"))
        if under is not None:
            areas = areas.within(under)
        indicators = list(
            policy.scope(
                user, VIEW, data_set.indicators.filter(kind=IndicatorKind.MEASURED, is_active=True)
            ).order_by("category__order", "order", "code")
        )
        # Never more than TEMPLATE_MAX_ROWS rows: read no more areas than can fill them.
        area_limit = math.ceil(exports.TEMPLATE_MAX_ROWS / max(1, len(indicators)))
        buffer = io.BytesIO()
        formats.template_xlsx(
            buffer,
            rows=exports.template_rows(
                indicators=indicators, areas=areas[:area_limit], period=period
            ),
        )
        response = HttpResponse(buffer.getvalue(), content_type=core_exports.XLSX_CONTENT_TYPE)
        filename = f"{data_set.code}-{period.code}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# -- validation rules


class ValidationRuleListView(CatalogueListView):
    model = ValidationRule
    table_class = ValidationRuleTable
    filterset_class = ValidationRuleFilterSet
    create_url_name = "indicators:rule_create"
    export_name = "validation-rules"
    page_title = _("Validation rules")
    page_description = _("Checks between the figures of one area and period.")

    def get_base_queryset(self):
        return ValidationRule.objects.select_related(
            "left__owner__area", "right", "left_breakdown", "right_breakdown"
        )

    def page_actions(self):
        return [
            (reverse("indicators:violations"), _("Broken rules"), "exclamation-triangle"),
            (reverse("indicators:indicator_list"), _("Indicators"), "bar-chart"),
        ]


class ValidationRuleCreateView(ScopedCreateView):
    model = ValidationRule
    form_class = ValidationRuleForm
    page_title = _("New validation rule")
    success_message = _("The validation rule was created.")
    success_url = reverse_lazy("indicators:rule_list")
    cancel_url = reverse_lazy("indicators:rule_list")

    def perform(self, form):
        return actions.create_validation_rule(actor=self.request.user, **form.changes())


class ValidationRuleUpdateView(ScopedUpdateView):
    model = ValidationRule
    form_class = ValidationRuleForm
    slug_field = "code"
    slug_url_kwarg = "code"
    success_message = _("The validation rule was saved.")
    success_url = reverse_lazy("indicators:rule_list")
    cancel_url = reverse_lazy("indicators:rule_list")

    def get_base_queryset(self):
        return ValidationRule.objects.select_related("left__owner__area")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Edit %(rule)s") % {"rule": self.object.name}
        return context

    def perform(self, form):
        return actions.update_validation_rule(
            actor=self.request.user,
            rule=self.object,
            version=form.cleaned_data.get("version"),
            **form.changes(),
        )


# -- broken rules


# The most areas below the chosen one whose own figures are checked on one page.
MAX_AREAS_CHECKED = 5000


class ViolationsView(ScopedViewMixin, TemplateView):
    """The rules broken in an area, the areas directly below it and every area below it
    with figures of its own, in one period."""

    model = IndicatorValue
    template_name = "indicators/violations.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        if not policy.can(user, VIEW, IndicatorValue):
            raise PermissionDenied
        area = _area_from(user, request.GET.get("area")) or _top_area(user)
        if area is None:
            raise PermissionDenied
        recent = _periods_with_figures(user, area, limit=RECENT_PERIODS)
        period_text = request.GET.get("period", "").strip() or (recent[0].code if recent else "")
        if period_text:
            form = ViolationsForm(
                {"area": area.pk, "period": period_text}, actor=user, periods=recent
            )
        else:
            form = ViolationsForm(actor=user, initial={"area": area.pk}, periods=recent)
        found = []
        period = None
        if form.is_bound and form.is_valid():
            period = form.cleaned_data["period"]
            children = policy.scope(
                user,
                VIEW,
                Area.objects.filter(parent=area, valid_to__isnull=True)
                .select_related("level")
                .defer("boundary", "boundary_simple")
                .order_by(*name_order()),
            )
            # Figures are entered deep down (neighborhoods): the areas below with a figure
            # of their own in this period are checked too, not only the direct children.
            reported = (
                policy.scope(
                    user,
                    VIEW,
                    IndicatorValue.objects.filter(period=period, area__path__startswith=area.path),
                )
                .values_list("area_id", flat=True)
                .distinct()[:MAX_AREAS_CHECKED]
            )
            below = (
                Area.objects.filter(pk__in=list(reported))
                .exclude(parent=area)
                .exclude(pk=area.pk)
                .select_related("level")
                .defer("boundary", "boundary_simple")
                .order_by("path")
            )
            found = reporting.once_per_rollup(
                readers.violations(user=user, areas=[area, *children, *below], periods=[period])
            )
        if request.GET.get("export") == "csv" and period is not None:
            policy.require(user, EXPORT, area)
            return core_exports.csv_response(
                core_exports.export_filename(f"violations-{area.code}-{period.code}", "csv"),
                exports.violation_rows(found, user=user),
            )
        page = Paginator(found, VIOLATIONS_PER_PAGE).get_page(request.GET.get("page"))
        viewer = policy.organizations_of(user)
        grids = reporting.grid_urls(page.object_list)
        rows = [
            {
                "violation": violation,
                "grid_url": grids.get(index, ""),
                "left": exports.left_label(violation.rule),
                "left_shown": display.show(violation.rule.left, violation.left_figure, viewer),
                "right": exports.right_label(violation.rule),
                "right_shown": display.show(violation.rule.right, violation.right_figure, viewer),
            }
            for index, violation in enumerate(page.object_list)
        ]
        return self.render_to_response(
            self.get_context_data(
                page_title=_("Broken rules"),
                form=form,
                area=area,
                period=period,
                page=page,
                rows=rows,
                total_count=len(found),
                recent_periods=recent,
                can_export=period is not None and policy.can(user, EXPORT, area),
            )
        )


# -- exporting values


class ValueExportView(ScopedViewMixin, TemplateView):
    """The raw figures of an area (and those below it) as a file, streamed as it is read."""

    model = IndicatorValue
    template_name = "indicators/export.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        if not policy.can(user, EXPORT, IndicatorValue):
            raise PermissionDenied
        if "format" not in request.GET:
            top = _top_area(user, EXPORT)
            form = ValueExportForm(
                actor=user, initial={"area": top.pk if top else None, "format": formats.CSV}
            )
            return self.show(form)
        area = _area_from(user, request.GET.get("area"), EXPORT)
        form = ValueExportForm(request.GET, actor=user)
        if area is None or not form.is_valid():
            return self.show(form, status=400)
        data = form.cleaned_data
        rows = exports.value_rows(
            user=user,
            area=area,
            below=data["below"],
            period=data["period"],
            indicator=data["indicator"],
        )
        stem = f"values-{area.code}" + (f"-{data['period'].code}" if data["period"] else "")
        try:
            return exports.file_response(data["format"], rows, stem=stem)
        except ValueError as error:
            form.add_error(
                None,
                _("Too many figures for one sheet (%(error)s): choose CSV.") % {"error": error},
            )
            return self.show(form, status=400)

    def show(self, form, status: int = 200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "page_title": _("Export figures")},
            status=status,
        )


urlpatterns = [
    path("", IndicatorListView.as_view(), name="indicator_list"),
    path("new/", IndicatorCreateView.as_view(), name="indicator_create"),
    path("data-sets/", DataSetListView.as_view(), name="dataset_list"),
    path("data-sets/new/", DataSetCreateView.as_view(), name="dataset_create"),
    path("data-sets/<str:code>/", DataSetDetailView.as_view(), name="dataset_detail"),
    path("data-sets/<str:code>/edit/", DataSetUpdateView.as_view(), name="dataset_update"),
    path(
        "data-sets/<str:code>/template.xlsx",
        DataSetTemplateView.as_view(),
        name="dataset_template",
    ),
    path("rules/", ValidationRuleListView.as_view(), name="rule_list"),
    path("rules/new/", ValidationRuleCreateView.as_view(), name="rule_create"),
    path("rules/<str:code>/edit/", ValidationRuleUpdateView.as_view(), name="rule_update"),
    path("violations/", ViolationsView.as_view(), name="violations"),
    path("export/", ValueExportView.as_view(), name="value_export"),
    path("<indicator_code:code>/", IndicatorDetailView.as_view(), name="indicator_detail"),
    path("<indicator_code:code>/edit/", IndicatorUpdateView.as_view(), name="indicator_update"),
]
