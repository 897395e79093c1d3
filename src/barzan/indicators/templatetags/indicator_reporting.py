"""Template tags of reporting: the reporting summary an area's profile includes."""

from django import template
from django.urls import reverse

from barzan.access import policy
from barzan.access.actions import VIEW

from .. import reporting
from ..models import DataSet, DataSetCompletion

register = template.Library()

# The profile shows the reporting of at most this many data sets; the page lists them all.
PROFILE_DATA_SETS = 5


@register.simple_tag(takes_context=True)
def reporting_summary(context, area) -> list[dict]:
    """Return each data set's reporting rates below `area` in its last ended period, for
    data sets entered at or below the area's level that expect forms there."""
    user = context["request"].user
    if area is None or not policy.can(user, VIEW, DataSetCompletion):
        return []
    rows = []
    data_sets = policy.scope(
        user, VIEW, DataSet.objects.filter(level__rank__gte=area.level.rank).select_related("level")
    ).order_by("code")[:PROFILE_DATA_SETS]
    for data_set in data_sets:
        period = reporting.last_ended_period(data_set)
        if period is None:
            continue
        rates = reporting.reporting_rates(user=user, data_set=data_set, area=area, period=period)
        if rates.total.expected:
            rows.append(
                {
                    "data_set": data_set,
                    "period": period,
                    "rate": rates.total,
                    "url": reverse("indicators:reporting")
                    + f"?data_set={data_set.code}&area={area.pk}&period={period.code}",
                }
            )
    return rows
