"""
The profile (شناسنامه) of an area: its key figures by category, each with its period,
trend, rank among the siblings, comparison with the parent, completeness and source;
as a page and as a PDF.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from barzan.access import policy
from barzan.access.actions import CAPTURE, VIEW
from barzan.access.views import ScopedViewMixin
from barzan.core import exports, jalali
from barzan.core.text import format_number, localize_digits
from barzan.geo import readers as geo_readers
from barzan.geo.models import Area

from .. import charts, display, pdf, readers
from ..choices import Aggregation, ValueType


@dataclass
class ProfileEntry:
    """A profile row with what the page draws from it: the chart and the comparisons."""

    row: readers.ProfileRow
    chart: SafeString
    # For sums: the area's share of the parent's figure (0.25 is a quarter), as shown.
    share: Decimal | None = None
    share_shown: str = ""
    # For means and ratios: how far above (positive) or below the parent's figure.
    difference: Decimal | None = None
    difference_shown: str = ""
    # Children that reported, as a whole percent for the bar, when the figure is a roll-up.
    completeness_percent: int | None = None

    @property
    def has_rank(self) -> bool:
        return self.row.rank is not None and not self.row.is_hidden


@dataclass
class ProfileSectionView:
    """A category of the profile: the figures it has and the names of those it lacks."""

    category: object
    entries: list[ProfileEntry]
    missing: str


def _compares_by_share(indicator) -> bool:
    return (
        not indicator.is_calculated
        and indicator.aggregation in (Aggregation.SUM, Aggregation.LAST)
        and indicator.value_type in (ValueType.COUNT, ValueType.NUMBER)
    )


def _compares_by_difference(indicator) -> bool:
    return indicator.value_type != ValueType.BOOLEAN and (
        indicator.is_calculated
        or indicator.aggregation in (Aggregation.MEAN, Aggregation.WEIGHTED_MEAN)
    )


def _percent(fraction: Decimal) -> str:
    """Return `fraction` as a percent in the page's digits: 25٪, 2.5٪, 0.03٪."""
    number = 100 * fraction
    if number >= 10 or number == number.to_integral_value():
        decimals = 0
    elif number >= Decimal("0.1"):
        decimals = 1
    else:
        decimals = 2
    text = format_number(number, decimals=decimals)
    return f"{text}٪" if text and not text.isascii() else f"{text}%"


def entry_for(row: readers.ProfileRow, viewer: frozenset) -> ProfileEntry:
    """Return what the profile shows of `row` to a viewer of `viewer` organizations."""
    indicator = row.indicator
    # A suppressed value is a gap in the line: neither drawn nor used for the scale.
    points = [
        None
        if figure.value is None or display.is_hidden(indicator, figure, viewer)
        else figure.value
        for _period, figure, _shown in row.series
    ]
    separator = "، " if get_language_bidi() else ", "
    label = separator.join(f"{period.name}: {shown}" for period, _figure, shown in row.series)
    entry = ProfileEntry(
        row=row,
        chart=charts.sparkline(points, label=label)
        if indicator.value_type != ValueType.BOOLEAN
        else SafeString(""),
    )
    figure = row.figure
    value = figure.value if figure else None
    parent_value = row.parent_value
    parent_hidden = display.is_hidden(indicator, row.parent_figure, viewer)
    if value is not None and parent_value is not None and not row.is_hidden and not parent_hidden:
        if _compares_by_share(indicator) and parent_value > 0:
            entry.share = Decimal(value) / Decimal(parent_value)
            entry.share_shown = _percent(entry.share)
        elif _compares_by_difference(indicator):
            entry.difference = Decimal(value) - Decimal(parent_value)
            # Both figures are shown, so their difference is no secret.
            entry.difference_shown = display.formatted(indicator, abs(entry.difference))
    if figure is not None and figure.is_rollup and figure.expected:
        entry.completeness_percent = round(100 * (figure.reported or 0) / figure.expected)
    return entry


def sections_for(profile: readers.Profile, viewer: frozenset) -> list[ProfileSectionView]:
    """Return the profile's sections with the entries to draw and the figures still missing."""
    separator = "، " if get_language_bidi() else ", "
    return [
        ProfileSectionView(
            category=section.category,
            entries=[entry_for(row, viewer) for row in section.rows if row.figure is not None],
            missing=separator.join(
                row.indicator.name for row in section.rows if row.figure is None
            ),
        )
        for section in profile.sections
    ]


class ProfileView(ScopedViewMixin, DetailView):
    """The profile of one area the user may see; 404 for any other area."""

    model = Area
    template_name = "indicators/profile.html"
    context_object_name = "area"

    def get_base_queryset(self):
        return Area.objects.select_related("level", "parent").defer("boundary", "boundary_simple")

    def get_object(self, queryset=None):
        return policy.get_object_for(
            self.request.user, self.get_base_queryset(), VIEW, pk=self.kwargs["area_pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        area = self.object
        profile = readers.profile(user=user, area=area)
        sections = sections_for(profile, policy.organizations_of(user))
        context.update(
            page_title=_("Profile of %(area)s") % {"area": area.titled_name},
            profile=profile,
            sections=[section for section in sections if section.entries],
            # The parent chain is public geography; only the areas the user may see link.
            ancestors=[
                (ancestor, policy.can(user, VIEW, ancestor))
                for ancestor in geo_readers.ancestors_of(area)
            ],
            entry_url=self.entry_url(area),
            pdf_url=reverse("indicators:profile_pdf", args=[area.pk]),
            small_count_threshold=localize_digits(display.threshold()),
        )
        return context

    def entry_url(self, area) -> str:
        """Return where the user may enter figures for `area`, or "" when they may not."""
        if not policy.can(self.request.user, CAPTURE, area):
            return ""
        return reverse("indicators:entry_start")


class ProfilePdfView(ProfileView):
    """The profile as an A4 PDF download, rendered offline with WeasyPrint."""

    template_name = "indicators/profile_pdf.html"

    def render_to_response(self, context, **response_kwargs):
        user = self.request.user
        context.update(
            printed_on=jalali.format_date(jalali.today(), style="long"),
            printed_by=(user.get_full_name() or user.get_username()),
            # Margin boxes are named left and right, not start and end: mirror them for RTL.
            page_start="right" if get_language_bidi() else "left",
            page_end="left" if get_language_bidi() else "right",
            page_counter="persian" if get_language_bidi() else "decimal",
        )
        html = render_to_string(self.template_name, context, request=self.request)
        response = HttpResponse(pdf.render(html), content_type="application/pdf")
        filename = exports.export_filename(
            f"profile-{slugify(self.object.code) or self.object.pk}", "pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


urlpatterns = [
    path("profile/<int:area_pk>/", ProfileView.as_view(), name="profile"),
    path("profile/<int:area_pk>/pdf/", ProfilePdfView.as_view(), name="profile_pdf"),
]
