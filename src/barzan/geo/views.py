"""The area browser: lists, one area with its map, parents, children and history, the
administrators' changes (create, edit, move, split, merge), imports and locating a point."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, View
from django_tables2 import RequestConfig

from barzan.access import policy
from barzan.access.actions import MANAGE, VIEW
from barzan.access.views import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedOptionsView,
    ScopedUpdateView,
    ScopedViewMixin,
)
from barzan.core.models import ImportStatus, name_order

from . import actions, readers
from .filters import AreaFilterSet
from .forms import (
    AreaForm,
    AreaNameForm,
    BoundaryForm,
    EndForm,
    ImportForm,
    LocateForm,
    MergeForm,
    MoveForm,
    SplitForm,
    area_label,
)
from .models import Area, AreaImport, AreaName
from .tables import AreaTable


def _base_queryset():
    return Area.objects.select_related("level", "parent").defer("boundary")


class AreaListView(ScopedListView):
    model = Area
    table_class = AreaTable
    filterset_class = AreaFilterSet
    export_name = "areas"
    page_title = _("Areas")
    page_description = _("Every area in your scope, from provinces down to neighborhoods.")

    def get_base_queryset(self):
        return _base_queryset().defer("boundary_simple")

    def get_table(self, queryset, paginate=True):
        table = super().get_table(queryset, paginate)
        if not self.request.GET.get("status"):
            table.columns.hide("valid_to")
        return table

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["page_actions"] = [
            (reverse("geo:locate"), _("Find the area at a point"), "crosshair"),
        ]
        if policy.can(user, MANAGE, Area):
            context["page_actions"].append(
                (reverse("geo:import"), _("Import areas or boundaries"), "upload")
            )
        return context


class AreaDetailView(ScopedDetailView):
    model = Area
    template_name = "geo/area_detail.html"
    context_object_name = "area"

    def get_base_queryset(self):
        return _base_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area = self.object
        user = self.request.user
        show_ended = self.request.GET.get("ended") == "1"
        visible = policy.scope(user, VIEW, Area.objects.defer("boundary", "boundary_simple"))
        children = readers.children_of(area, visible, include_ended=show_ended)
        hidden = ("parent",) if show_ended else ("parent", "valid_to")
        table = AreaTable(children, request=self.request, exclude=hidden, prefix="children-")
        RequestConfig(self.request, paginate={"per_page": 50}).configure(table)
        map_children = visible.filter(parent=area, valid_to__isnull=True)
        map_notes = readers.map_notes(area, map_children, readers.siblings_of(area, visible))
        can_manage = policy.can(user, MANAGE, area)
        parent_manageable = area.parent is not None and policy.can(user, MANAGE, area.parent)
        context.update(
            page_title=area.titled_name,
            # The parent chain is named even above the user's grant: a place's name is public
            # geography and the breadcrumb needs it. Those pages themselves stay closed (404).
            ancestors=[
                (ancestor, policy.can(user, VIEW, ancestor))
                for ancestor in readers.ancestors_of(area)
            ],
            children=table,
            child_count=table.paginator.count,
            show_ended=show_ended,
            history=readers.history_of(area),
            map_url=reverse("api:children_geojson", args=[area.pk]),
            map_notes=map_notes,
            can_manage=can_manage and area.is_current,
            can_restructure=parent_manageable and area.is_current,
            alternative_names=list(area.alternative_names.all()),
            can_name=can_manage,
            name_form=AreaNameForm(auto_id="name_%s") if can_manage else None,
        )
        return context


class AreaFormMixin:
    """Pages that change one area: the policy decides in `authorize`, the action writes."""

    model = Area
    template_name = "core/form.html"

    def get_base_queryset(self):
        return _base_queryset()


class AreaCreateView(AreaFormMixin, ScopedUpdateView):
    """A new area under the one in the address."""

    form_class = AreaForm
    success_message = _("The area was created.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["parent"] = kwargs.pop("instance")
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("New area under %(area)s") % {"area": self.object}
        return context

    def perform(self, form):
        data = form.cleaned_data
        return actions.create_area(
            actor=self.request.user,
            parent=self.object,
            level=data["level"],
            code=data["code"],
            name_fa=data["name_fa"],
            name_en=data["name_en"],
            population=data["population"],
            valid_from=data["valid_from"],
        )


class AreaUpdateView(AreaFormMixin, ScopedUpdateView):
    form_class = AreaForm
    success_message = _("The area was saved.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Edit %(area)s") % {"area": self.object}
        return context

    def perform(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        return actions.update_area(
            actor=self.request.user, area=self.object, version=version, **data
        )


class AreaNameCreateView(AreaFormMixin, ScopedUpdateView):
    """Add another name of the area: its page carries the short form, errors come here."""

    form_class = AreaNameForm
    success_message = _("The name was added; search finds the area by it.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Another name for %(area)s") % {"area": self.object}
        return context

    def perform(self, form):
        actions.add_area_name(actor=self.request.user, area=self.object, **form.cleaned_data)
        return self.object


class AreaNameDeleteView(ScopedViewMixin, View):
    """Remove an alternative name (POST only): 404 outside the user's areas, 403 when the
    user may see the area but not manage it."""

    model = AreaName
    http_method_names = ["post"]

    def post(self, request, pk, name_pk):
        area_names = AreaName.objects.select_related("area").filter(area_id=pk)
        area_name = policy.get_object_for(request.user, area_names, MANAGE, pk=name_pk)
        actions.remove_area_name(actor=request.user, area_name=area_name)
        messages.success(request, _("The name «%(name)s» was removed.") % {"name": area_name})
        return HttpResponseRedirect(area_name.area.get_absolute_url())


class AreaMoveView(AreaFormMixin, ScopedUpdateView):
    form_class = MoveForm
    success_message = _("The area was moved.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Move %(area)s") % {"area": self.object}
        context["submit_label"] = _("Move")
        return context

    def perform(self, form):
        data = form.cleaned_data
        return actions.move_area(
            actor=self.request.user,
            area=self.object,
            parent=data["parent"],
            version=data["version"],
            reason=data["reason"],
        )


class AreaBoundaryView(AreaFormMixin, ScopedUpdateView):
    form_class = BoundaryForm
    success_message = _("The boundary was saved.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Boundary of %(area)s") % {"area": self.object}
        return context

    def perform(self, form):
        data = form.cleaned_data
        return actions.set_boundary(
            actor=self.request.user,
            area=self.object,
            data=data["file"],
            source=data["source"],
            version=data["version"],
        )


class RestructureMixin(AreaFormMixin):
    """A split or a merge replaces areas under the parent: the parent is what one manages."""

    def authorize(self, obj):
        if obj.parent is None:
            raise PermissionDenied
        policy.require(self.request.user, self.write_action, obj.parent)


class AreaSplitView(RestructureMixin, ScopedUpdateView):
    form_class = SplitForm
    template_name = "geo/area_split.html"
    success_message = _("The area was split.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        try:
            kwargs["parts"] = int(self.request.GET.get("parts", 2))
        except ValueError:
            kwargs["parts"] = 2
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Split %(area)s") % {"area": self.object}
        return context

    def perform(self, form):
        data = form.cleaned_data
        created = actions.split_area(
            actor=self.request.user,
            area=self.object,
            parts=form.split_parts(),
            date=data["date"],
            version=data["version"],
            reason=data["reason"],
        )
        return created[0].parent

    def get_success_url(self):
        return self.object.get_absolute_url()


class AreaMergeView(RestructureMixin, ScopedUpdateView):
    form_class = MergeForm
    success_message = _("The areas were merged.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Merge %(area)s with its neighbours") % {"area": self.object}
        context["submit_label"] = _("Merge")
        return context

    def perform(self, form):
        data = form.cleaned_data
        return actions.merge_areas(
            actor=self.request.user,
            areas=[self.object, *data["others"]],
            code=data["code"],
            name_fa=data["name_fa"],
            name_en=data["name_en"],
            date=data["date"],
            reason=data["reason"],
        )


class AreaEndView(RestructureMixin, ScopedUpdateView):
    """End an area and everything below it: the form says how many areas end with it."""

    form_class = EndForm
    template_name = "geo/area_end.html"
    success_message = _("The area ended, with the areas below it.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["below_count"] = self.below_count
        return kwargs

    @cached_property
    def below_count(self) -> int:
        return readers.current_areas_below(self.object).count()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("End %(area)s") % {"area": self.object}
        context["below_count"] = self.below_count
        return context

    def perform(self, form):
        data = form.cleaned_data
        actions.end_area(
            actor=self.request.user,
            area=self.object,
            date=data["date"],
            reason=data["reason"],
            version=data["version"],
        )
        return self.object

    def get_success_url(self):
        return self.object.get_absolute_url()


class AreaImportView(ScopedCreateView):
    """Upload a file of areas: it is stored and checked (the dry run), by `barzan worker`
    when it is large; the import's page shows the progress, then the report."""

    model = Area
    form_class = ImportForm
    template_name = "geo/area_import.html"
    success_message = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Import areas or boundaries")
        return context

    def perform(self, form):
        data = form.cleaned_data
        settings = form.settings()
        area_import = actions.upload_areas(
            actor=self.request.user,
            upload=data["file"],
            format=settings["format"],
            level=data.get("level"),
            parent=data.get("parent"),
            code_property=settings["code_property"],
            name_property=settings["name_property"],
            source_label=settings["source_label"],
            attribution=settings.get("attribution", ""),
            updates=settings["updates"],
        )
        return actions.start_area_import(
            actor=self.request.user, area_import=area_import, apply=False
        )


def _area_imports():
    return AreaImport.objects.select_related("area", "parent", "level", "created_by")


class AreaImportFailStaleMixin:
    """Show an import orphaned by a crash as failed (and so ready to run again)."""

    def get_object(self, queryset=None):
        actions.fail_stale_area_imports(self.get_queryset().filter(pk=self.kwargs["pk"]))
        return super().get_object(queryset)


class AreaImportDetailView(AreaImportFailStaleMixin, ScopedDetailView):
    """The report of one area import: progress, counts, rows, problems, Apply, Run again."""

    model = AreaImport
    template_name = "geo/area_import_detail.html"
    context_object_name = "area_import"

    def get_base_queryset(self):
        return _area_imports()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        may_manage = policy.can(self.request.user, MANAGE, job)
        is_checked = job.status == ImportStatus.CHECKED
        context.update(
            page_title=_("Import of %(file)s") % {"file": job.file_name},
            is_checked=is_checked,
            is_done=job.status == ImportStatus.DONE,
            is_failed=job.status == ImportStatus.FAILED,
            created_rows=[row for row in job.rows if row["status"] == "created"],
            changed_rows=[row for row in job.rows if row["status"] == "changed"],
            can_apply=is_checked
            and not job.problem_count
            and job.created_count + job.changed_count > 0
            and may_manage,
            can_rerun=job.status == ImportStatus.FAILED and may_manage,
            update_labels=[
                label
                for value, label in AreaImport.Update.choices
                if value in job.updates.split(",")
            ],
        )
        return context


class AreaImportProgressView(AreaImportFailStaleMixin, ScopedDetailView):
    """The progress bar of a queued or running area import (htmx polls it every second)."""

    model = AreaImport
    template_name = "geo/area_import_progress.html"
    context_object_name = "area_import"

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if not self.object.is_pending:
            response["HX-Refresh"] = "true"
        return response


class AreaImportActionView(ScopedViewMixin, View):
    """Apply a checked area import, or run a failed one again (POST only)."""

    model = AreaImport
    http_method_names = ["post"]
    rerun = False

    def post(self, request, pk):
        area_import = policy.get_object_for(request.user, _area_imports(), MANAGE, pk=pk)
        try:
            if self.rerun:
                area_import = actions.rerun_area_import(actor=request.user, area_import=area_import)
            else:
                area_import = actions.start_area_import(
                    actor=request.user, area_import=area_import, apply=True
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if area_import.status == ImportStatus.DONE:
                messages.success(request, _("The import was applied."))
        return HttpResponseRedirect(area_import.get_absolute_url())


class LocateView(ScopedViewMixin, FormView):
    """Which area holds a point: the deepest one the user may see, with its parents."""

    model = Area
    form_class = LocateForm
    template_name = "geo/locate.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["actor"] = self.request.user
        if "latitude" in self.request.GET:
            kwargs["data"] = self.request.GET
        return kwargs

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        location = None
        searched = form.is_bound and form.is_valid()
        if searched:
            location = readers.locate(
                form.cleaned_data["latitude"],
                form.cleaned_data["longitude"],
                self.get_queryset(),
            )
        return self.render_to_response(
            self.get_context_data(
                form=form,
                location=location,
                searched=searched,
                page_title=_("Find the area at a point"),
            )
        )

    def post(self, request, *args, **kwargs):
        return self.get(request, *args, **kwargs)


class AreaOptionsView(ScopedOptionsView):
    model = Area

    def get_base_queryset(self):
        queryset = (
            _base_queryset()
            .defer("boundary_simple")
            .filter(valid_to__isnull=True)
            .order_by("depth", *name_order())
        )
        # Pickers for one level (data entry for a data set) ask for `?level=<code>`.
        level = self.request.GET.get("level", "").strip()
        if level:
            queryset = queryset.filter(level__code=level[:40])
        return queryset

    def label(self, area):
        return area_label(area)
