"""
Reporting pages: completing and reopening a form from its grid, and the reporting rates
of a data set below an area (a table of the areas directly below, sortable, paginated and
exported as CSV).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from barzan.access import policy
from barzan.access.actions import EXPORT, VIEW
from barzan.access.views import ModelPermissionMixin, ScopedViewMixin
from barzan.core import exports as core_exports
from barzan.core.text import sort_key, to_latin_digits
from barzan.geo.models import Area

from .. import actions, reporting
from ..entry_forms import offered_periods
from ..models import DataSet, DataSetCompletion, Period
from .catalogue import _area_from, _top_area
from .entry import EntryMixin, completion_context

ROWS_PER_PAGE = 50
SORTS = {
    "name": lambda rate: sort_key(rate.area.name_fa),
    "expected": lambda rate: rate.expected,
    "complete": lambda rate: (rate.complete_percent is None, rate.complete_percent or 0),
    "on_time": lambda rate: (rate.on_time_percent is None, rate.on_time_percent or 0),
}


class CompletionView(EntryMixin, View):
    """Complete (or reopen) the grid's form; answer with the completion block (htmx)."""

    http_method_names = ["post"]
    reopen = False

    def post(self, request, *args, **kwargs):
        grid = self.get_grid()
        user = request.user
        try:
            version = int(to_latin_digits(request.POST.get("version", "")))
        except ValueError:
            version = None
        error = ""
        try:
            if self.reopen:
                completion = reporting.completion_of(grid.data_set, grid.area, grid.period)
                if completion is None:
                    raise Http404
                actions.reopen_data_set(actor=user, completion=completion, version=version)
            else:
                actions.complete_data_set(
                    actor=user,
                    data_set=grid.data_set,
                    area=grid.area,
                    period=grid.period,
                    version=version,
                )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        if request.htmx:
            context = completion_context(user, grid) | {"completion_error": error}
            return render(request, "indicators/entry_completion.html", context)
        if error:
            messages.error(request, error)
        elif self.reopen:
            messages.success(request, gettext("The form is open again for changes."))
        else:
            messages.success(request, gettext("The form is marked complete."))
        return HttpResponseRedirect(grid.url)


class ReportingView(ModelPermissionMixin, ScopedViewMixin, TemplateView):
    """A data set's reporting rates below an area in a period, area by area."""

    model = DataSetCompletion
    template_name = "indicators/reporting.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        data_sets = list(
            policy.scope(user, VIEW, DataSet.objects.select_related("level")).order_by("code")
        )
        code = request.GET.get("data_set", "")
        data_set = next((item for item in data_sets if item.code == code), None)
        if code and data_set is None:
            raise Http404
        data_set = data_set or (data_sets[0] if data_sets else None)
        area = _area_from(user, request.GET.get("area")) or _top_area(user)
        if area is None:
            raise PermissionDenied
        choices = offered_periods(data_set.period_type) if data_set else []
        period = None
        period_code = request.GET.get("period", "")
        if period_code and data_set is not None:
            period = next((item for item in choices if item.code == period_code), None) or (
                Period.objects.filter(code=period_code, period_type=data_set.period_type).first()
            )
        if period is None and data_set is not None:
            # Another data set chosen with the period of the last one: its own latest period.
            period = reporting.last_ended_period(data_set) or (choices[0] if choices else None)
        result = None
        rows = []
        sort = request.GET.get("sort", "name")
        descending = sort.startswith("-")
        if sort.lstrip("-") not in SORTS:
            sort, descending = "name", False
        if data_set is not None and period is not None:
            result = reporting.reporting_rates(
                user=user, data_set=data_set, area=area, period=period
            )
            rows = sorted(result.rows, key=SORTS[sort.lstrip("-")], reverse=descending)
            if request.GET.get("export") == "csv":
                policy.require(user, EXPORT, area)
                return core_exports.csv_response(
                    core_exports.export_filename(
                        f"reporting-{data_set.code}-{area.code}-{period.code}", "csv"
                    ),
                    self.csv_rows(result, rows),
                )
        page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        if period is not None and period not in choices:
            choices = [period, *choices]
        return self.render_to_response(
            self.get_context_data(
                page_title=_("Reporting rates"),
                data_sets=data_sets,
                data_set=data_set,
                area=area,
                period=period,
                periods=choices,
                result=result,
                page=page,
                sort=sort,
                can_export=result is not None and policy.can(user, EXPORT, area),
                may_go_up=area.parent_id is not None
                and policy.scope(user, VIEW, Area.objects.filter(pk=area.parent_id)).exists(),
            )
        )

    @staticmethod
    def csv_rows(result, rows):
        yield [
            gettext("Area"),
            gettext("Area code"),
            gettext("Forms expected"),
            gettext("Complete"),
            gettext("Complete %"),
            gettext("On time"),
            gettext("On time %"),
        ]
        for rate in [*rows, result.total]:
            yield [
                rate.area.name,
                rate.area.code,
                rate.expected,
                rate.complete,
                "" if rate.complete_percent is None else format(rate.complete_percent, "f"),
                rate.on_time,
                "" if rate.on_time_percent is None else format(rate.on_time_percent, "f"),
            ]


urlpatterns = [
    path("reporting/", ReportingView.as_view(), name="reporting"),
    path(
        "entry/<str:data_set_code>/<int:area_pk>/<str:period_code>/complete/",
        CompletionView.as_view(),
        name="entry_complete",
    ),
    path(
        "entry/<str:data_set_code>/<int:area_pk>/<str:period_code>/reopen/",
        CompletionView.as_view(reopen=True),
        name="entry_reopen",
    ),
]
