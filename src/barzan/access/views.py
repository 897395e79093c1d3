"""
Scoped base views: every domain page inherits one, so no page queries past the policy.

Domain views set `model`, `table_class`, `filterset_class` and `form_class`, and for
writes a `perform(form)` that calls the app's action. The base classes build querysets
with `policy.scope()`, answer 404 for rows outside the user's scope and 403 for rows the
user may see but not change, and turn an action's ValidationError into form errors.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView, ListView, View
from django.views.generic.detail import SingleObjectMixin
from django_tables2 import RequestConfig

from barzan.core import exports

from . import policy
from .actions import ALL, EXPORT, MANAGE, VIEW


def access_exempt(reason: str):
    """Mark a view that needs no scoped base class, with the reason (checked by a meta-test)."""

    def mark(view):
        view.access_exempt = reason
        return view

    return mark


def may_open(user, url: str) -> bool:
    """Whether `user` may open the page at `url`, as far as its view can tell without a row.

    Buttons and links are shown only when this holds, so no page offers a link that
    answers 403. Views decide in their `allows(user)`; a view that needs the row to decide
    (an edit page) is judged by the page that links to it.
    """
    try:
        match = resolve(url.split("?", 1)[0])
    except Resolver404:
        return True
    allows = getattr(getattr(match.func, "view_class", None), "allows", None)
    return allows is None or bool(allows(user))


def allowed_links(user, links):
    """Keep the (url, label, icon) links `user` may open."""
    return [link for link in links if may_open(user, link[0])]


class ScopedViewMixin(LoginRequiredMixin):
    """Read rows through `policy.scope()` for `read_action`; writes need `write_action`."""

    model = None
    read_action = VIEW
    write_action = MANAGE

    @classmethod
    def allows(cls, user) -> bool:
        """Whether `user` may open this page at all (its rows are scoped further)."""
        return True

    def get_base_queryset(self):
        """Return the unscoped rows with what the page needs joined (override to add joins)."""
        if self.model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a model.")
        return self.model._default_manager.all()

    def get_queryset(self):
        return policy.scope(self.request.user, self.read_action, self.get_base_queryset())


class ModelPermissionMixin:
    """Refuse outright (403) a page of a kind the user may never see, rather than show it empty.

    Rows a user owns (their own audit events) stay reachable through readers such as the
    home page; the pages of a kind belong to those whose role covers the kind.
    """

    @classmethod
    def allows(cls, user) -> bool:
        return policy.can(user, cls.read_action, cls.model)

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not self.allows(user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedListView(ModelPermissionMixin, ScopedViewMixin, ListView):
    """A filtered, sorted, paginated table of the rows a user may see, with CSV/XLSX export."""

    template_name = "core/list.html"
    results_template_name = "core/list_results.html"
    table_class = None
    filterset_class = None
    per_page = 50
    create_url_name = ""
    export_name = ""
    page_title = None
    page_description = ""

    def get(self, request, *args, **kwargs):
        export_format = request.GET.get("export")
        if export_format in ("csv", "xlsx"):
            return self.export(export_format)
        return super().get(request, *args, **kwargs)

    def get_filterset(self, queryset):
        if self.filterset_class is None:
            return None
        return self.filterset_class(
            self.request.GET or None, queryset=queryset, request=self.request
        )

    def get_queryset(self):
        queryset = super().get_queryset()
        self.filterset = self.get_filterset(queryset)
        if self.filterset is None:
            return queryset
        if self.filterset.is_bound and not self.filterset.is_valid():
            return queryset.none()
        return self.filterset.qs

    def get_table(self, queryset, paginate=True):
        table = self.table_class(queryset, request=self.request)
        RequestConfig(
            self.request, paginate={"per_page": self.per_page} if paginate else False
        ).configure(table)
        return table

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and self.request.htmx.target == "list-results":
            return [self.results_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        table = self.get_table(context["object_list"])
        user = self.request.user
        context.update(
            table=table,
            filterset=self.filterset,
            page_title=self.page_title or self.model._meta.verbose_name_plural,
            page_description=self.page_description,
            can_create=bool(self.create_url_name)
            and policy.can(user, self.write_action, self.model),
            create_url_name=self.create_url_name,
            can_export=policy.can(user, EXPORT, self.model),
            total_count=table.paginator.count if table.page else len(table.rows),
        )
        return context

    def render_to_response(self, context, **response_kwargs):
        # Subclasses add their page's links after this class's context: filter them last.
        if context.get("page_actions"):
            context["page_actions"] = allowed_links(self.request.user, context["page_actions"])
        return super().render_to_response(context, **response_kwargs)

    def get_paginate_by(self, queryset):
        # django-tables2 paginates the table; the ListView's own pagination is not used.
        return None

    def export(self, export_format: str):
        policy.require(self.request.user, EXPORT, self.model)
        queryset = policy.scope(self.request.user, EXPORT, self.get_queryset())
        table = self.get_table(queryset, paginate=False)
        rows = table.as_values(exclude_columns=getattr(table.Meta, "export_exclude", ()))
        stem = self.export_name or self.model._meta.model_name
        if export_format == "csv":
            return exports.csv_response(exports.export_filename(stem, "csv"), rows)
        return exports.xlsx_response(
            exports.export_filename(stem, "xlsx"), str(self.model._meta.verbose_name_plural), rows
        )


class ScopedDetailView(ModelPermissionMixin, ScopedViewMixin, DetailView):
    """One row the user may see; 404 for rows outside their scope."""


class ScopedFormMixin(ScopedViewMixin):
    """Run a form through an action; an action's ValidationError becomes form errors."""

    template_name = "core/form.html"
    success_message = _("Saved.")
    page_title = None
    cancel_url = None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["actor"] = self.request.user
        return kwargs

    def perform(self, form):
        raise ImproperlyConfigured(
            f"{type(self).__name__} must define perform(form) calling an action."
        )

    def form_valid(self, form):
        try:
            self.object = self.perform(form)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        if self.success_url:
            return str(self.success_url)
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("page_title", self.page_title)
        context.setdefault("cancel_url", self.get_cancel_url())
        return context

    def get_cancel_url(self):
        return self.cancel_url


class ScopedCreateView(ScopedFormMixin, FormView):
    """Create a row: 403 unless the user may take `write_action` on the model somewhere."""

    @classmethod
    def allows(cls, user) -> bool:
        return policy.can(user, cls.write_action, cls.model)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.allows(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedUpdateView(ScopedFormMixin, SingleObjectMixin, FormView):
    """Change a row: 404 outside the user's scope, 403 when visible but not changeable."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        self.authorize(self.object)
        return super().dispatch(request, *args, **kwargs)

    def authorize(self, obj):
        """Raise PermissionDenied unless the user may change `obj` (the policy decides)."""
        policy.require(self.request.user, self.write_action, obj)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def get_cancel_url(self):
        return self.cancel_url or self.object.get_absolute_url()


class ScopedOptionsView(ScopedViewMixin, View):
    """`<option>` elements for a `SearchSelect`: the rows matching `?q=` that the user may use.

    `?action=` names the action the choice is for (a grant's area needs "manage"); rows
    come from `policy.scope()` for that action and the model's `search()` queryset method.
    """

    limit = 50

    def get(self, request, *args, **kwargs):
        action = request.GET.get("action", VIEW)
        if action not in ALL:
            action = VIEW
        text = request.GET.get("q", "")
        for key, value in request.GET.items():
            if key.endswith("__search"):
                text = value
        queryset = policy.scope(request.user, action, self.get_base_queryset())
        if text.strip():
            queryset = queryset.search(text)
        options = [(str(obj.pk), self.label(obj)) for obj in queryset[: self.limit]]
        return render(request, "core/options.html", {"options": options, "selected": []})

    def label(self, obj) -> str:
        return str(obj)
