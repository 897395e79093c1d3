"""
The profile (شناسنامه) of an area for a chosen period: its key figures by category, each
with its period, trend, the comparisons that mean something for it, whether a roll-up is
partial, and its source; as a page and as a PDF.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import get_language_bidi, gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from barzan.access import policy
from barzan.access.actions import CAPTURE, VIEW
from barzan.access.views import ScopedViewMixin
from barzan.core import exports, jalali
from barzan.core.text import format_number, localize_digits
from barzan.geo import readers as geo_readers
from barzan.geo.models import Area

from .. import charts, comparisons, display, pdf, periods, profiles
from ..choices import Aggregation, PeriodType, ValueType
from ..comparisons import Comparison
from ..models import Period


@dataclass
class ProfileEntry:
    """A profile row with what the page draws from it: the chart and the comparisons."""

    row: profiles.ProfileRow
    chart: SafeString
    # For counts: the area's share of the parent's figure (0.25 is a quarter), as shown.
    share: Decimal | None = None
    share_shown: str = ""
    # For rates, percents and means: how far above (positive) or below the parent's figure.
    difference: Decimal | None = None
    difference_shown: str = ""
    # Children that reported, as a whole percent for the bar, when the figure is a roll-up.
    completeness_percent: int | None = None
    # What a partial roll-up is: «مجموع ۱ از ۳۱ استان گزارش‌دهنده».
    partial_label: str = ""
    per_1000_shown: str = ""
    parent_per_1000_shown: str = ""
    yes_label: str = ""
    stale_label: str = ""

    @property
    def has_rank(self) -> bool:
        return self.row.rank is not None and not self.row.is_hidden and not self.row.is_partial


@dataclass
class ProfileSectionView:
    """A category of the profile: the figures it has, the names of those it lacks, and
    those with figures only of another period type."""

    category: object
    entries: list[ProfileEntry]
    missing: str
    elsewhere: list[tuple[object, object]]
    counted: list[profiles.YesCount]


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


def partial_label(indicator, figure, level) -> str:
    """Return what a partial roll-up is, with how many of the areas below it counts."""
    names = {
        "reported": format_number(figure.reported or 0),
        "expected": format_number(figure.expected or 0),
        "level": level.name if level is not None else gettext("area"),
    }
    if indicator.is_calculated:
        text = gettext("From the %(reported)s of %(expected)s %(level)s areas that reported")
    elif indicator.aggregation in (Aggregation.MEAN, Aggregation.WEIGHTED_MEAN):
        text = gettext("Mean of the %(reported)s of %(expected)s %(level)s areas that reported")
    else:
        text = gettext("Total of the %(reported)s of %(expected)s %(level)s areas that reported")
    text %= names
    if (figure.reported or 0) >= (figure.expected or 0):
        # Every child reported, but a child's own figure is itself partial.
        text = gettext("%(label)s; some of them only in part") % {"label": text}
    return text


def entry_for(row: profiles.ProfileRow, viewer: frozenset, profile=None) -> ProfileEntry:
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
    # A partial point of the trend says so, as the figure itself does.
    label = separator.join(
        f"{period.name}: {shown}"
        + (f" ({gettext('partial')})" if comparisons.is_partial(figure, row.threshold) else "")
        for period, figure, shown in row.series
    )
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
    if row.is_partial:
        entry.partial_label = partial_label(
            indicator, figure, profile.child_level if profile is not None else None
        )
    if row.is_stale:
        entry.stale_label = gettext("Latest figure: %(period)s") % {"period": row.period.name}
    comparable = (
        value is not None
        and parent_value is not None
        and not row.is_hidden
        and not parent_hidden
        and not row.is_partial
        and not row.parent_is_partial
    )
    if comparable and row.comparison == Comparison.PER_1000 and parent_value > 0:
        entry.share = Decimal(value) / Decimal(parent_value)
        entry.share_shown = _percent(entry.share)
    elif comparable and row.comparison == Comparison.VALUE:
        entry.difference = Decimal(value) - Decimal(parent_value)
        # Both figures are shown, so their difference is no secret.
        entry.difference_shown = comparisons.difference_text(indicator, entry.difference)
    if row.per_1000 is not None:
        entry.per_1000_shown = comparisons.per_thousand_text(row.per_1000)
    if row.parent_per_1000 is not None:
        entry.parent_per_1000_shown = comparisons.per_thousand_text(row.parent_per_1000)
    if row.yes_of:
        level = profile.area.level.name if profile is not None else gettext("area")
        entry.yes_label = gettext("Yes in %(yes)s of %(count)s %(level)s areas") % {
            "yes": format_number(row.yes_count),
            "count": format_number(row.yes_of),
            "level": level,
        }
    if figure is not None and figure.is_rollup and figure.expected:
        entry.completeness_percent = round(100 * (figure.reported or 0) / figure.expected)
    return entry


def sections_for(profile: profiles.Profile, viewer: frozenset) -> list[ProfileSectionView]:
    """Return the profile's sections with the entries to draw and the figures still missing."""
    separator = "، " if get_language_bidi() else ", "
    return [
        ProfileSectionView(
            category=section.category,
            entries=[
                entry_for(row, viewer, profile) for row in section.rows if row.figure is not None
            ],
            missing=separator.join(
                row.indicator.name
                for row in section.rows
                if row.figure is None
                and row.indicator.pk
                not in {i.pk for i, _p in section.elsewhere}
                | {c.indicator.pk for c in section.counted}
            ),
            counted=section.counted,
            elsewhere=section.elsewhere,
        )
        for section in profile.sections
    ]


def period_choices(profile: profiles.Profile) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return the periods with figures grouped by type for the selector, latest first."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for period in profile.period_choices:
        label = PeriodType(period.period_type).label
        groups.setdefault(str(label), []).append((period.code, period.name))
    return list(groups.items())


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
        profile = profiles.profile(user=user, area=area, period=self.chosen_period())
        sections = sections_for(profile, policy.organizations_of(user))
        context.update(
            page_title=_("Profile of %(area)s") % {"area": area.titled_name},
            profile=profile,
            sections=[
                section
                for section in sections
                if section.entries or section.elsewhere or section.counted
            ],
            period_choices=period_choices(profile),
            # The parent chain is public geography; only the areas the user may see link.
            ancestors=[
                (ancestor, policy.can(user, VIEW, ancestor))
                for ancestor in geo_readers.ancestors_of(area)
            ],
            entry_url=self.entry_url(area),
            pdf_url=reverse("indicators:profile_pdf", args=[area.pk])
            + (f"?period={profile.period.code}" if profile.period else ""),
            small_count_threshold=localize_digits(display.threshold()),
        )
        return context

    def chosen_period(self) -> Period | None:
        """Return the period the address asks for; None (the latest) for none or a wrong one."""
        spec = periods.parse(self.request.GET.get("period") or "")
        if spec is None:
            return None
        return Period.objects.filter(code=spec.code).first()

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
