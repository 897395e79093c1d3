"""
The home-page panels of data sets (registered with `core.panels` in the AppConfig).

A council secretary, who enters figures for a few neighborhoods, sees this period's forms
of those neighborhoods: how many figures are filled, whether the form is complete and
which rules it breaks, each linking to its grid. An officer, who views a province or a
county, sees the reporting rates of the data sets below it and how many rules are broken.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from barzan.access import policy
from barzan.access.actions import CAPTURE, VIEW
from barzan.core.panels import Panel
from barzan.core.text import sort_key
from barzan.geo.models import Area

from . import readers, reporting
from .models import DataSet, DataSetCompletion, IndicatorValue, Period

# A user entering for more areas of a level than this is an officer, not a secretary.
SECRETARY_AREAS = 30
# The levels whose people read reporting rates below them.
OFFICER_LEVELS = ("country", "province", "county")
OFFICER_DATA_SETS = 10


@dataclass
class FormToFill:
    """One data set's form for one area in its current period."""

    data_set: DataSet
    area: Area
    period: Period
    filled: int
    cells: int
    is_completed: bool
    broken_count: int

    @property
    def url(self) -> str:
        return reverse(
            "indicators:entry_grid", args=[self.data_set.code, self.area.pk, self.period.code]
        )

    @property
    def filled_percent(self) -> int:
        return round(100 * self.filled / self.cells) if self.cells else 0


def _data_sets(user):
    return list(policy.scope(user, VIEW, DataSet.objects.select_related("level")).order_by("code"))


def forms_to_fill(user) -> list[Panel]:
    """Return the panel of this period's forms for a user entering a few areas' figures."""
    if not policy.can(user, CAPTURE, IndicatorValue):
        return []
    forms: list[FormToFill] = []
    for data_set in _data_sets(user):
        areas = reporting.capture_areas(user, data_set, limit=SECRETARY_AREAS)
        if not areas or len(areas) > SECRETARY_AREAS:
            continue
        period = reporting.current_period(data_set)
        cells = reporting.cell_count(data_set)
        if period is None or not cells:
            continue
        filled = reporting.filled_counts(user=user, data_set=data_set, areas=areas, period=period)
        completed = set(
            DataSetCompletion.objects.filter(
                data_set=data_set, period=period, area__in=areas, is_completed=True
            ).values_list("area_id", flat=True)
        )
        broken: dict[int, int] = {}
        rules = reporting.rules_of(data_set)
        if rules:
            for violation in readers.violations(
                user=user, areas=areas, periods=[period], rules=rules
            ):
                broken[violation.area.pk] = broken.get(violation.area.pk, 0) + 1
        forms += [
            FormToFill(
                data_set=data_set,
                area=area,
                period=period,
                filled=min(filled.get(area.pk, 0), cells),
                cells=cells,
                is_completed=area.pk in completed,
                broken_count=broken.get(area.pk, 0),
            )
            for area in sorted(areas, key=lambda area: sort_key(area.name_fa))
        ]
    if not forms:
        return []
    waiting = sum(1 for form in forms if not form.is_completed)
    return [
        Panel(
            key="indicators.forms_to_fill",
            title=_("Forms to fill this period"),
            template="indicators/panels/forms_to_fill.html",
            context={"forms": forms},
            order=10,
            badge=waiting or None,
        )
    ]


def _officer_areas(user) -> list[Area]:
    ids = {
        grant.area_id
        for grant in policy.grants(user)
        if VIEW in grant.actions and grant.organization_id is None
    }
    return list(
        Area.objects.filter(pk__in=ids, level__code__in=OFFICER_LEVELS, valid_to__isnull=True)
        .select_related("level")
        .defer("boundary", "boundary_simple")
        .order_by("depth", "name_fa")
    )


def reporting_overview(user) -> list[Panel]:
    """Return, for an officer of a province or county, each data set's reporting rates
    below their area in its last ended period, and how many rules are broken there."""
    panels = []
    for area in _officer_areas(user):
        rows = []
        for data_set in _data_sets(user)[:OFFICER_DATA_SETS]:
            period = reporting.last_ended_period(data_set)
            if period is None:
                continue
            rates = reporting.reporting_rates(
                user=user, data_set=data_set, area=area, period=period
            )
            if not rates.total.expected:
                continue
            rows.append(
                {
                    "data_set": data_set,
                    "period": period,
                    "rate": rates.total,
                    "url": reverse("indicators:reporting")
                    + f"?data_set={data_set.code}&area={area.pk}&period={period.code}",
                    "violations_url": reverse("indicators:violations")
                    + f"?area={area.pk}&period={period.code}",
                }
            )
        if rows:
            panels.append(
                Panel(
                    key=f"indicators.reporting.{area.pk}",
                    title=_("Reporting in %(area)s") % {"area": area.name},
                    template="indicators/panels/reporting.html",
                    context={"area": area, "rows": rows},
                    order=40,
                )
            )
    return panels
