"""The data of the profile's map: how each child of the area is shaded by one of the
profile's indicators (see `choropleth`), as JSON for `profile_map.js`."""

from django.http import Http404, JsonResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.generic import View

from barzan.access import policy
from barzan.access.actions import VIEW
from barzan.access.views import ScopedViewMixin
from barzan.geo.models import Area

from .. import choropleth
from ..models import Indicator, Period


class ProfileMapDataView(ScopedViewMixin, View):
    """`?indicator=<code>[&period=<code>][&until=<code>]`: 404 for an area the user may not
    see, or an unknown indicator or period. `until` is the profile's chosen period: the map
    shades the latest figures of its type not after it."""

    model = Area

    def get(self, request, area_pk):
        user = request.user
        area = policy.get_object_for(
            user, Area.objects.defer("boundary", "boundary_simple"), VIEW, pk=area_pk
        )
        indicators = policy.scope(
            user,
            VIEW,
            Indicator.objects.filter(is_active=True).select_related("numerator", "denominator"),
        )
        indicator = indicators.filter(code=request.GET.get("indicator", "")).first()
        if indicator is None:
            raise Http404(_("No such indicator."))
        period, until = (self.period(request, name) for name in ("period", "until"))
        shading = choropleth.shade_children(
            user=user, area=area, indicator=indicator, period=period, until=until
        )
        title = indicator.name
        if shading.per_1000:
            title = _("%(indicator)s per 1,000 residents") % {"indicator": indicator.name}
        if shading.period is not None:
            title = _("%(indicator)s, %(period)s") % {
                "indicator": title,
                "period": shading.period.name,
            }
        return JsonResponse(
            {
                "title": title,
                "areas": {
                    str(pk): {"state": shade.state, "shown": shade.shown, "class": shade.klass}
                    for pk, shade in shading.shades.items()
                },
                "legend": [
                    {"label": item.label, "state": item.state, "class": item.klass}
                    for item in shading.legend
                ],
                "empty": ""
                if shading.shades
                else _("No area below has a figure of this indicator yet."),
            },
            json_dumps_params={"ensure_ascii": False},
        )

    @staticmethod
    def period(request, name: str) -> Period | None:
        if not request.GET.get(name):
            return None
        period = Period.objects.filter(code=request.GET[name]).first()
        if period is None:
            raise Http404(_("No such period."))
        return period


urlpatterns = [
    path("profile/<int:area_pk>/map/", ProfileMapDataView.as_view(), name="profile_map"),
]
