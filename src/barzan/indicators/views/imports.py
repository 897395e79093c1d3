"""
Imports of figures from files: upload, the dry run's report, applying it, and progress.

An upload is checked first and nothing is written: the report counts the new, changed and
unchanged values and lists every problem with its line and column. A file without
problems can then be applied, all or nothing. Large files are checked and applied in the
background (`tasks.run_value_import`) while the page shows a progress bar.
"""

from abc import ABC, abstractmethod

import django_tables2 as tables
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from barzan.access import policy
from barzan.access.actions import CAPTURE
from barzan.access.views import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedViewMixin,
)
from barzan.core import exports
from barzan.core.models import ImportStatus
from barzan.core.tables import DESKTOP, PHONE, JalaliDateTimeColumn, NumberColumn, Table

from .. import actions
from ..entry_forms import ImportValuesForm
from ..identifiers import KINDS, IdSchemes
from ..models import ValueImport

PROBLEMS_PER_PAGE = 100


def template_url() -> str:
    """Return the page of the data sets, where each one's template is downloaded."""
    return reverse("indicators:dataset_list")


def _base_queryset():
    return ValueImport.objects.select_related("area", "area__level", "source", "created_by")


class ValueImportTable(Table):
    file_name = tables.Column(verbose_name=_("File"), linkify=True)
    status = tables.Column(verbose_name=_("Status"))
    area = tables.Column(verbose_name=_("Into area"), order_by=("area__name_fa",))
    source = tables.Column(verbose_name=_("Source"), order_by=("source__name_fa",))
    new_count = NumberColumn(verbose_name=_("New"))
    changed_count = NumberColumn(verbose_name=_("Changed"))
    unchanged_count = NumberColumn(verbose_name=_("Unchanged"))
    problem_count = NumberColumn(verbose_name=_("Problems"))
    created_by = tables.Column(verbose_name=_("By"), order_by=("created_by__username",))
    created_at = JalaliDateTimeColumn(verbose_name=_("Uploaded at"))

    def render_status(self, record):
        return record.status_label

    priorities = {
        "area": PHONE, "source": DESKTOP, "new_count": DESKTOP, "changed_count": DESKTOP,
        "unchanged_count": DESKTOP, "problem_count": PHONE, "created_by": DESKTOP,
        "created_at": DESKTOP,
    }  # fmt: skip

    class Meta(Table.Meta):
        model = ValueImport
        fields = (
            "file_name", "status", "area", "source", "new_count", "changed_count",
            "unchanged_count", "problem_count", "created_by", "created_at",
        )  # fmt: skip
        empty_text = _("No files have been imported yet.")


class ImportListView(ScopedListView):
    model = ValueImport
    table_class = ValueImportTable
    write_action = CAPTURE
    create_url_name = "indicators:import_create"
    export_name = "value-imports"
    page_title = _("Imports of figures")
    page_description = _("Files of figures uploaded in your areas: checked first, then applied.")

    def get_base_queryset(self):
        return _base_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_actions"] = [
            (reverse("indicators:entry_start"), _("Enter figures"), "pencil-square"),
            (template_url(), _("Download a template"), "file-earmark-arrow-down"),
        ]
        return context


class ImportCreateView(ScopedCreateView):
    """Upload a file and check it (the dry run): nothing is written yet."""

    model = ValueImport
    write_action = CAPTURE
    form_class = ImportValuesForm
    template_name = "indicators/import_create.html"
    page_title = _("Import figures from a file")
    success_message = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["template_url"] = template_url()
        return context

    def get_cancel_url(self):
        return reverse("indicators:import_list")

    def perform(self, form):
        data = form.cleaned_data
        value_import = actions.upload_values(
            actor=self.request.user,
            upload=data["file"],
            format=data["format"],
            area=data["area"],
            source=data["source"],
            schemes=form.schemes(),
        )
        return actions.start_import(actor=self.request.user, value_import=value_import, apply=False)


class FailStaleMixin:
    """Show an import orphaned by a crash as failed (and so ready to run again)."""

    def get_object(self, queryset=None):
        actions.fail_stale_imports(self.get_queryset().filter(pk=self.kwargs["pk"]))
        return super().get_object(queryset)


class ImportDetailView(FailStaleMixin, ScopedDetailView):
    """The report of one import: counts, problems, progress, and the Apply button."""

    model = ValueImport
    template_name = "indicators/import_detail.html"
    context_object_name = "value_import"

    def get_base_queryset(self):
        return _base_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        value_import = self.object
        problems = Paginator(value_import.problems or [], PROBLEMS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        is_checked = value_import.status == ImportStatus.CHECKED
        context.update(
            page_title=value_import.file_name,
            problems=problems,
            is_checked=is_checked,
            is_done=value_import.status == ImportStatus.DONE,
            is_failed=value_import.status == ImportStatus.FAILED,
            has_more_problems=value_import.problem_count > len(value_import.problems or []),
            to_write=value_import.new_count + value_import.changed_count,
            can_apply=is_checked
            and not value_import.problem_count
            and value_import.new_count + value_import.changed_count > 0
            and policy.can(self.request.user, CAPTURE, value_import),
            template_url=template_url(),
            can_rerun=value_import.status == ImportStatus.FAILED
            and policy.can(self.request.user, CAPTURE, value_import),
            unknown_identifiers=_unknown_identifiers(value_import),
            can_map_identifiers=value_import.status == ImportStatus.CHECKED
            and policy.can_map_identifiers(self.request.user),
        )
        return context


def _unknown_identifiers(value_import) -> list[tuple[str, str, list[str]]]:
    """Return (kind's label, scheme, identifiers) for each kind the check did not know."""
    labels = {
        "indicator": gettext("Indicators"),
        "area": gettext("Areas"),
        "breakdown": gettext("Breakdowns"),
    }
    schemes = IdSchemes.of(value_import.id_schemes)
    unknown = value_import.unknown_identifiers or {}
    return [
        (labels[kind], schemes.external(kind) or "", unknown[kind])
        for kind in KINDS
        if unknown.get(kind)
    ]


class ImportProgressView(FailStaleMixin, ScopedDetailView):
    """The progress bar of a queued or running import (htmx polls it every second)."""

    model = ValueImport
    template_name = "indicators/import_progress.html"
    context_object_name = "value_import"

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if not self.object.is_pending:
            # Done: reload the page to show the report.
            response["HX-Refresh"] = "true"
        return response


def _where(problem: dict):
    """Return the line of a problem, `value 3` when lines count values, or "" for the file."""
    line = problem.get("line") or ""
    if line and problem.get("where") == "value":
        return gettext("value %(number)s") % {"number": line}
    return line


class ImportProblemsView(ScopedDetailView):
    """Every problem of an import as a CSV file: line, column, message."""

    model = ValueImport

    def get(self, request, *args, **kwargs):
        value_import = self.get_object()
        header = [gettext("Line"), gettext("Column"), gettext("Problem")]
        rows = (
            [_where(problem), problem.get("column", ""), problem.get("message", "")]
            for problem in value_import.problems or []
        )
        return exports.csv_response(
            exports.export_filename(f"import-{value_import.pk}-problems", "csv"),
            [header, *rows],
        )


class _ImportRunView(ABC, ScopedViewMixin, View):
    """Start an import (`run`), then show its page, saying so when the figures were written."""

    model = ValueImport
    http_method_names = ["post"]

    @abstractmethod
    def run(self, request, value_import: ValueImport) -> ValueImport:
        """Start the import through the app's actions and return it."""

    def post(self, request, pk):
        value_import = policy.get_object_for(request.user, _base_queryset(), CAPTURE, pk=pk)
        try:
            value_import = self.run(request, value_import)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if value_import.status == ImportStatus.DONE:
                messages.success(request, gettext("The figures were written."))
        return HttpResponseRedirect(value_import.get_absolute_url())


class ImportApplyView(_ImportRunView):
    """Write a checked file without problems (in the background when it is large)."""

    def run(self, request, value_import):
        return actions.start_import(actor=request.user, value_import=value_import, apply=True)


class ImportRerunView(_ImportRunView):
    """Run a failed import again (an apply that stopped midway writes what is left)."""

    def run(self, request, value_import):
        return actions.rerun_import(actor=request.user, value_import=value_import)


urlpatterns = [
    path("imports/", ImportListView.as_view(), name="import_list"),
    path("imports/new/", ImportCreateView.as_view(), name="import_create"),
    path("imports/<int:pk>/", ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/progress/", ImportProgressView.as_view(), name="import_progress"),
    path("imports/<int:pk>/problems.csv", ImportProblemsView.as_view(), name="import_problems"),
    path("imports/<int:pk>/apply/", ImportApplyView.as_view(), name="import_apply"),
    path("imports/<int:pk>/run-again/", ImportRerunView.as_view(), name="import_rerun"),
]
