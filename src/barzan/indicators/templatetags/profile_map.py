"""What the profile's map needs, computed where the map is included, so that the profile
view stays as it is: the indicators that can shade it, its addresses and its notes."""

from django import template
from django.urls import reverse

from barzan.access import policy
from barzan.access.actions import VIEW
from barzan.geo import readers as geo_readers
from barzan.geo.models import Area

register = template.Library()


@register.simple_tag(takes_context=True)
def profile_map(context, area, sections):
    """Return the map's context for `area`, or None when it has no child the user may see
    or the profile no figure to shade it with."""
    user = context["request"].user
    indicators = [entry.row.indicator for section in sections for entry in section.entries]
    if not indicators:
        return None
    visible = policy.scope(user, VIEW, Area.objects.defer("boundary", "boundary_simple"))
    children = visible.filter(parent=area, valid_to__isnull=True)
    if not children.exists():
        return None
    return {
        "indicators": indicators,
        "geojson_url": reverse("api:children_geojson", args=[area.pk]),
        "data_url": reverse("indicators:profile_map", args=[area.pk]) + _until(context),
        "notes": geo_readers.map_notes(area, children, geo_readers.siblings_of(area, visible)),
    }


def _until(context) -> str:
    # The profile's chosen period: the map shades the figures the rows above it show.
    profile = context.get("profile")
    period = getattr(profile, "period", None)
    return f"?until={period.code}" if period is not None else ""
