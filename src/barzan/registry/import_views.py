"""Importing organizations from a list: upload (the dry run), then apply, all or nothing.

The uploaded file waits in the default storage between the dry run and the apply; the
report page carries a signed token naming it and the user who uploaded it, so no job row
is needed for a list this size and any web server can apply it.
"""

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views import View

from barzan.access import policy
from barzan.access.actions import MANAGE
from barzan.access.views import ScopedViewMixin
from barzan.core import exports, jobs
from barzan.core.forms import Form
from barzan.core.importing import CHANGED, NEW, problem_rows
from barzan.core.text import format_number

from . import actions
from .importing import COLUMNS
from .models import Organization

_SALT = "barzan.registry.organization-import"
_TOKEN_SECONDS = 24 * 3600
# The report is the answer to the upload, with no pages of its own: the rest are in the CSV.
SHOWN_PROBLEMS = 200


class OrganizationImportForm(Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A CSV (UTF-8) or Excel (.xlsx) list with a header row."),
    )


def _token(request, stored_name: str, file_name: str) -> str:
    return signing.dumps(
        {"name": stored_name, "file": file_name, "user": request.user.pk}, salt=_SALT
    )


def _upload(request, token: str) -> dict:
    """The upload `token` names, if it is this user's and still there; else 404."""
    try:
        found = signing.loads(token or "", salt=_SALT, max_age=_TOKEN_SECONDS)
    except signing.BadSignature:
        raise Http404 from None
    if found.get("user") != request.user.pk or not jobs.upload_exists(found.get("name", "")):
        raise Http404
    return found


class _ImportView(ScopedViewMixin, View):
    """Open to those who may register organizations somewhere (403 otherwise); each row is
    then checked against the areas the user manages."""

    model = Organization

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not policy.can(request.user, MANAGE, Organization):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def report(self, request, outcome, token: str = ""):
        counts = outcome.counts()
        return render(
            request,
            "registry/organization_import_report.html",
            {
                "page_title": _("Importing %(file)s") % {"file": outcome.source},
                "outcome": outcome,
                "counts": counts,
                "problems": outcome.problems.kept[:SHOWN_PROBLEMS],
                "warnings": [
                    {"where": warning.location, "message": warning.message}
                    for warning in outcome.warnings
                ],
                "new_rows": outcome.sample(NEW),
                "changed_rows": [
                    (row, [row.headers.get(name, name) for name in row.changes])
                    for row in outcome.sample(CHANGED)
                ],
                "token": token,
                "problems_url": reverse("registry:organization_import_problems")
                + "?"
                + urlencode({"token": token})
                if token
                else "",
                "can_apply": bool(token) and outcome.ok and (counts[NEW] or counts[CHANGED]),
            },
        )


class OrganizationImportView(_ImportView):
    """Upload a list: it is checked and nothing is written (the dry run)."""

    def get(self, request):
        return self.page(request, OrganizationImportForm(actor=request.user))

    def page(self, request, form):
        return render(
            request,
            "registry/organization_import.html",
            {"form": form, "page_title": _("Import organizations"), "columns": COLUMNS},
        )

    def post(self, request):
        form = OrganizationImportForm(request.POST, request.FILES, actor=request.user)
        if not form.is_valid():
            return self.page(request, form)
        upload = form.cleaned_data["file"]
        stored_name, _size = jobs.store_upload(upload, prefix="organizations")
        with jobs.open_upload(stored_name) as stream:
            outcome = actions.import_organizations(
                actor=request.user, stream=stream, source=upload.name, dry_run=True
            )
        # Kept with its problems too: the problems download reads it again.
        return self.report(request, outcome, _token(request, stored_name, upload.name))


class OrganizationImportApplyView(_ImportView):
    """Apply a checked list; it is checked again first, and applied only without problems."""

    def post(self, request):
        found = _upload(request, request.POST.get("token", ""))
        with jobs.open_upload(found["name"]) as stream:
            outcome = actions.import_organizations(
                actor=request.user, stream=stream, source=found["file"], dry_run=False
            )
        if not outcome.applied:
            return self.report(request, outcome, request.POST.get("token", ""))
        jobs.delete_upload(found["name"])
        counts = outcome.counts()
        messages.success(
            request,
            _("The list was imported: %(new)s new and %(changed)s changed organizations.")
            % {"new": format_number(counts[NEW]), "changed": format_number(counts[CHANGED])},
        )
        return HttpResponseRedirect(reverse("registry:organization_list"))


class OrganizationImportProblemsView(_ImportView):
    """Every problem a checked list has, as a CSV file."""

    def get(self, request):
        found = _upload(request, request.GET.get("token", ""))
        with jobs.open_upload(found["name"]) as stream:
            outcome = actions.import_organizations(
                actor=request.user, stream=stream, source=found["file"], dry_run=True
            )
        return exports.csv_response(
            exports.export_filename("organization-import-problems", "csv"),
            problem_rows(outcome.problems),
        )
