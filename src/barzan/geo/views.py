"""The area browser: lists, one area with its parents and children, and a picker's options."""

from django.utils.translation import gettext_lazy as _
from django_tables2 import RequestConfig

from barzan.access import policy
from barzan.access.actions import VIEW
from barzan.access.views import ScopedDetailView, ScopedListView, ScopedOptionsView

from .filters import AreaFilterSet
from .forms import area_label
from .models import Area
from .readers import ancestors_of, children_of
from .tables import AreaTable


class AreaListView(ScopedListView):
    model = Area
    table_class = AreaTable
    filterset_class = AreaFilterSet
    export_name = "areas"
    page_title = _("Areas")
    page_description = _("Every area in your scope, from provinces down to neighborhoods.")

    def get_base_queryset(self):
        return Area.objects.select_related("level", "parent")


class AreaDetailView(ScopedDetailView):
    model = Area
    template_name = "geo/area_detail.html"
    context_object_name = "area"

    def get_base_queryset(self):
        return Area.objects.select_related("level", "parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area = self.object
        user = self.request.user
        visible = policy.scope(user, VIEW, Area.objects.all())
        children = children_of(area, visible)
        table = AreaTable(children, request=self.request, exclude=("parent",), prefix="children-")
        RequestConfig(self.request, paginate={"per_page": 50}).configure(table)
        context.update(
            page_title=area.name,
            # The parent chain is named even above the user's grant: a place's name is public
            # geography and the breadcrumb needs it. Those pages themselves stay closed (404).
            ancestors=[
                (ancestor, policy.can(user, VIEW, ancestor)) for ancestor in ancestors_of(area)
            ],
            children=table,
            child_count=children.count(),
        )
        return context


class AreaOptionsView(ScopedOptionsView):
    model = Area

    def get_base_queryset(self):
        return Area.objects.select_related("level", "parent").order_by("depth", "name_fa")

    def label(self, area):
        return area_label(area)
