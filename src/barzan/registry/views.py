"""Organization pages: list, detail, create, edit, and a picker's options."""

from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from barzan.access import policy
from barzan.access.actions import MANAGE, VIEW
from barzan.access.views import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedOptionsView,
    ScopedUpdateView,
)
from barzan.core.models import name_order

from . import actions
from .filters import OrganizationFilterSet
from .forms import OrganizationForm
from .models import Organization
from .tables import OrganizationTable


def _base_queryset():
    return Organization.objects.for_display()


class OrganizationListView(ScopedListView):
    model = Organization
    table_class = OrganizationTable
    filterset_class = OrganizationFilterSet
    create_url_name = "registry:organization_create"
    export_name = "organizations"
    page_title = _("Organizations")
    page_description = _(
        "Agencies, municipalities, charities, NGOs and community sites in your areas."
    )

    def get_base_queryset(self):
        return _base_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if policy.can(self.request.user, MANAGE, Organization):
            context["page_actions"] = [
                (reverse("registry:organization_import"), _("Import a list"), "upload")
            ]
        return context


class OrganizationDetailView(ScopedDetailView):
    model = Organization
    template_name = "registry/organization_detail.html"
    context_object_name = "organization"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_base_queryset(self):
        return _base_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organization = self.object
        user = self.request.user
        covered = list(policy.scope(user, VIEW, organization.covered_areas.select_related("level")))
        context.update(
            page_title=organization.name,
            can_edit=policy.can(user, MANAGE, organization),
            covered_areas=covered,
            covered_elsewhere=organization.covered_areas.count() - len(covered),
            units=policy.scope(user, VIEW, organization.children.select_related("area")),
            parent_visible=organization.parent_id is not None
            and policy.can(user, VIEW, organization.parent),
        )
        return context


class OrganizationCreateView(ScopedCreateView):
    model = Organization
    form_class = OrganizationForm
    page_title = _("New organization")
    success_message = _("The organization was registered.")
    cancel_url = reverse_lazy("registry:organization_list")

    def perform(self, form):
        data = form.cleaned_data
        return actions.create_organization(
            actor=self.request.user,
            code=data["code"],
            name_fa=data["name_fa"],
            name_en=data["name_en"],
            kind=data["kind"],
            area=data["area"],
            parent=data["parent"],
            covered_areas=data["covered_areas"],
            is_active=data["is_active"],
        )


class OrganizationUpdateView(ScopedUpdateView):
    model = Organization
    form_class = OrganizationForm
    slug_field = "code"
    slug_url_kwarg = "code"
    success_message = _("The organization was saved.")

    def get_base_queryset(self):
        return _base_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Edit %(organization)s") % {"organization": self.object.name}
        return context

    def perform(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        return actions.update_organization(
            actor=self.request.user, organization=self.object, version=version, **data
        )


class OrganizationOptionsView(ScopedOptionsView):
    model = Organization

    def get_base_queryset(self):
        return Organization.objects.active().select_related("area").order_by(*name_order())

    def label(self, organization):
        return f"{organization.name} — {organization.area.name}"
