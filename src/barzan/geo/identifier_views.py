"""
Pages of an object's identifiers in other systems (a DHIS2 uid, a ministry's code): the
list, adding one and removing one. `IdentifiersView` serves areas here and indicators in
the indicators app.
"""

from abc import ABC, abstractmethod

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from barzan.access import policy
from barzan.access.views import ScopedUpdateView
from barzan.core.identifiers import IdentifierForm

from . import actions
from .models import Area, AreaIdentifier


class IdentifiersView(ABC, ScopedUpdateView):
    """An object's identifiers: 404 outside the user's areas, 403 to who may not map them."""

    template_name = "core/identifiers.html"
    form_class = IdentifierForm
    success_message = _("The identifier was saved.")
    identifier_model = None
    owner_field = ""

    def authorize(self, obj):
        policy.require_map_identifiers(self.request.user, obj)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        del kwargs["instance"]
        return kwargs

    def identifiers(self):
        return self.identifier_model.objects.filter(**{self.owner_field: self.object})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = gettext("Identifiers of %(name)s in other systems") % {
            "name": self.object
        }
        context["identifiers"] = self.identifiers().order_by("scheme", "value")
        return context

    def post(self, request, *args, **kwargs):
        remove = request.POST.get("remove", "")
        if remove:
            identifier = self.identifiers().filter(pk=int(remove) if remove.isdigit() else 0)
            identifier = identifier.first()
            if identifier is None:
                raise Http404
            self.remove(identifier)
            messages.success(request, gettext("The identifier was removed."))
            return HttpResponseRedirect(request.path)
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        self.add(form.cleaned_data["scheme"], form.cleaned_data["value"])
        return self.object

    def get_success_url(self):
        return self.request.path

    @abstractmethod
    def add(self, scheme: str, value: str) -> None:
        """Give the object the identifier `value` in `scheme`, through the app's actions."""

    @abstractmethod
    def remove(self, identifier) -> None:
        """Take `identifier` from the object, through the app's actions."""


class AreaIdentifiersView(IdentifiersView):
    model = Area
    identifier_model = AreaIdentifier
    owner_field = "area"

    def get_base_queryset(self):
        return Area.objects.select_related("level")

    def add(self, scheme, value):
        actions.add_area_identifier(
            actor=self.request.user, area=self.object, scheme=scheme, value=value
        )

    def remove(self, identifier):
        actions.remove_area_identifier(actor=self.request.user, identifier=identifier)
