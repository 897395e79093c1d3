"""
Indicators in the API: the catalogue, periods, raw values, roll-ups and area profiles.

Codes identify indicators, periods, breakdowns and data sets; areas are ids, as in the
areas API. Dates are ISO (Gregorian) and figures are decimal text (`"1250.5"`), never
floats. Every read goes through the access policy; small counts are `null` with
`suppressed: true` for anyone outside the organization that owns the indicator. Writes go
through `indicators.actions`, one value at a time or as a DHIS2 data value set (JSON) or
ADX message, all or nothing.
"""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from barzan.access import policy
from barzan.access.actions import CAPTURE, EXPORT, VIEW
from barzan.access.api import ScopedRouter
from barzan.core import jalali, jobs
from barzan.core.api import (
    ERRORS,
    WRITE_ERRORS,
    Error,
    Id,
    InputSchema,
    Integer,
    Pagination,
    whole_number,
)
from barzan.core.errors import error_response
from barzan.core.models import name_order
from barzan.core.text import clean, format_number, localize_digits
from barzan.geo.actions import add_area_identifier
from barzan.geo.models import Area
from barzan.registry.models import Organization

from . import actions, comparisons, display, exports, formats, profiles, readers
from .choices import Aggregation, Dimension, Direction, IndicatorKind, PeriodType, ValueType
from .identifiers import CODE, IdSchemes, parse_scheme, schemes_from
from .models import Breakdown, DataSet, Indicator, IndicatorValue, Period
from .periods import parse as parse_period

router = ScopedRouter(tags=["indicators"], write_action=CAPTURE)

ADX_TYPES = ("application/adx+xml", "application/xml", "text/xml")
JSON_TYPES = ("application/json", "")
# A request asking for more periods than this is a mistake, not a chart.
MAX_PERIODS = 120
# Area columns no answer here needs: the boundaries are large.
_AREA_HEAVY = ("boundary", "boundary_simple", "search_text")


def decimal_text(value) -> str | None:
    """Return `value` as plain decimal text without trailing zeros: 12.500000 is `12.5`."""
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def _viewer(request) -> frozenset[int]:
    return policy.organizations_of(request.user)


def _require_reader(request) -> None:
    """Refuse (403) someone who may view nothing: periods and breakdowns have no area."""
    policy.require(request.user, VIEW)


def _names(period: Period) -> tuple[str, str]:
    with translation.override("fa"):
        persian = period.name
    with translation.override("en"):
        english = period.name
    return persian, english


def _period_code(text: str) -> str:
    """Return the canonical code of the period `text` names (Persian digits allowed)."""
    spec = parse_period(text)
    return spec.code if spec is not None else clean(text)


def _unknown_period(field: str, text: str) -> ValidationError:
    return ValidationError(
        {
            field: _(
                "«%(code)s» is not a period: write a Jalali year (1402), half (1402H1), "
                "quarter (1402Q3) or month (1402-07)."
            )
            % {"code": localize_digits(text)}
        }
    )


def _areas():
    return Area.objects.select_related("level").defer(*_AREA_HEAVY)


def _visible_area(request, area_id: int) -> Area:
    """Return the area `area_id` if the user may see it, else 404."""
    return router.get_object(request, _areas(), VIEW, pk=area_id)


# -- Schemas -------------------------------------------------------------------------------


class IndicatorOut(Schema):
    code: str
    name_fa: str
    name_en: str
    description_fa: str
    description_en: str
    unit_fa: str
    unit_en: str
    category: str
    owner: str = Field(description="Code of the organization that owns the indicator.")
    kind: IndicatorKind
    value_type: ValueType
    aggregation: Aggregation
    direction: Direction
    numerator: str | None = Field(description="A calculated indicator's numerator.")
    denominator: str | None
    factor: str = Field(description="A calculated indicator is factor × numerator ÷ denominator.")
    minimum: str | None
    maximum: str | None
    dimensions: list[Dimension]
    is_key: bool
    is_active: bool
    version: int

    @staticmethod
    def resolve_category(indicator) -> str:
        return indicator.category.code

    @staticmethod
    def resolve_owner(indicator) -> str:
        return indicator.owner.code

    @staticmethod
    def resolve_numerator(indicator) -> str | None:
        return indicator.numerator.code if indicator.numerator_id else None

    @staticmethod
    def resolve_denominator(indicator) -> str | None:
        return indicator.denominator.code if indicator.denominator_id else None

    @staticmethod
    def resolve_factor(indicator) -> str:
        return decimal_text(indicator.factor)

    @staticmethod
    def resolve_minimum(indicator) -> str | None:
        return decimal_text(indicator.minimum)

    @staticmethod
    def resolve_maximum(indicator) -> str | None:
        return decimal_text(indicator.maximum)


class IndicatorFilters(Schema):
    q: str | None = Field(
        None, max_length=200, description="Part of the code or the Persian or English name."
    )
    category: str | None = Field(None, max_length=40, description="A category code.")
    kind: IndicatorKind | None = None
    value_type: ValueType | None = None


class PeriodOut(Schema):
    code: str = Field(description="`1402`, `1402H1`, `1402Q3` or `1402-07`.")
    period_type: PeriodType
    year: int = Field(description="The Jalali year.")
    number: int = Field(description="The half, quarter or month in the year; 0 for a year.")
    start: date = Field(description="The first (Gregorian) day.")
    end: date = Field(description="The last (Gregorian) day.")
    name_fa: str
    name_en: str

    @staticmethod
    def resolve_name_fa(period) -> str:
        return _names(period)[0]

    @staticmethod
    def resolve_name_en(period) -> str:
        return _names(period)[1]


class PeriodFilters(Schema):
    period_type: PeriodType | None = None
    year: whole_number(ge=1, le=9999) | None = Field(None, description="A Jalali year.")


class BreakdownOut(Schema):
    code: str
    dimension: Dimension
    name_fa: str
    name_en: str
    order: int


class DataSetOut(Schema):
    code: str
    name_fa: str
    name_en: str
    level: str = Field(description="The code of the level of the areas it is entered for.")
    period_type: PeriodType
    owner: str
    description: str
    reporting_threshold: int = Field(
        description="Percent of the areas below that must report for a roll-up to be a total."
    )
    indicators: list[str]
    version: int

    @staticmethod
    def resolve_level(data_set) -> str:
        return data_set.level.code

    @staticmethod
    def resolve_owner(data_set) -> str:
        return data_set.owner.code

    @staticmethod
    def resolve_indicators(data_set) -> list[str]:
        return sorted(indicator.code for indicator in data_set.indicators.all())


def _is_hidden(value: IndicatorValue, context) -> bool:
    viewer = policy.organizations_of(context["request"].user)
    figure = readers.Figure(value.value, withheld=getattr(value, "is_withheld", False))
    return display.is_hidden(value.indicator, figure, viewer)


class ValuePagination(Pagination):
    """Pages of raw values, each marked when secondary suppression hides it from the user."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        items = page["items"]
        hidden = readers.withheld(
            user=request.user,
            keys=[(v.indicator_id, v.area_id, v.period_id, v.breakdown_id) for v in items],
        )
        for value in items:
            key = (value.indicator_id, value.area_id, value.period_id, value.breakdown_id)
            value.is_withheld = key in hidden
        return page


class ValueOut(Schema):
    indicator: str
    area_id: int
    area_code: str
    period: str
    breakdown: str
    value: str | None = Field(description="Decimal text; null when suppressed.")
    suppressed: bool = Field(
        description="A small count of an organization you do not belong to, or a figure "
        "hidden so that one cannot be worked out from its total: not shown."
    )
    comment: str
    source: str = Field(description="Code of the organization that reported the figure.")
    entered_at: datetime
    version: int = Field(description="Send it back to change the value; 0 means none.")

    @staticmethod
    def resolve_indicator(value) -> str:
        return value.indicator.code

    @staticmethod
    def resolve_area_code(value) -> str:
        return value.area.code

    @staticmethod
    def resolve_period(value) -> str:
        return value.period.code

    @staticmethod
    def resolve_breakdown(value) -> str:
        return value.breakdown.code

    @staticmethod
    def resolve_source(value) -> str:
        return value.source.code

    @staticmethod
    def resolve_value(value, context) -> str | None:
        return None if _is_hidden(value, context) else decimal_text(value.value)

    @staticmethod
    def resolve_suppressed(value, context) -> bool:
        return _is_hidden(value, context)

    @staticmethod
    def resolve_comment(value, context) -> str:
        # A comment may tell what a suppressed count would ("3 cases in ..."): drop it too.
        return "" if _is_hidden(value, context) else value.comment


class ValueFilters(Schema):
    indicator: str | None = Field(None, max_length=64, description="An indicator code.")
    area: Id | None = Field(None, description="An area id.")
    below: bool = Field(False, description="With `area`: the whole subtree, the area included.")
    period: str | None = Field(None, max_length=20, description="A period code.")
    breakdown: str | None = Field(None, max_length=40, description="A breakdown code.")


class ExportQuery(Schema):
    area: Id = Field(description="An area id.")
    below: bool = Field(False, description="The whole subtree, the area included.")
    period: str | None = Field(None, max_length=20, description="A period code.")
    indicator: str | None = Field(None, max_length=64, description="An indicator code.")
    format: str = Field(
        formats.CSV,
        max_length=20,
        description="`csv` (Barzan), `xlsx`, `dhis2_json`, `dhis2_xml`, `dhis2_csv` or `adx`.",
    )


class ValueIn(InputSchema):
    indicator: str = Field(max_length=64, description="An indicator code.")
    area_id: Id
    period: str = Field(max_length=20, description="A period code: `1402`, `1402Q3`…")
    breakdown: str = Field("total", max_length=40)
    value: str = Field(
        max_length=100, description="Decimal text (Persian digits allowed); empty clears it."
    )
    comment: str = Field("", max_length=2000)
    version: whole_number(ge=0) | None = Field(
        None,
        description="The version of the value you read (0 for none); a newer one answers 409.",
    )


class ImportQuery(Schema):
    dry_run: bool = Field(False, alias="dryRun", description="Check and count only; store nothing.")
    area: Id | None = Field(
        None,
        description="Every value must lie in this area; by default your highest area for "
        "entering figures.",
    )
    source: str | None = Field(
        None,
        max_length=64,
        description="Code of the organization that reported the figures; by default yours.",
    )
    id_scheme: str | None = Field(
        None,
        alias="idScheme",
        max_length=60,
        description="How the values name everything: `code` (the default), `uid` (DHIS2 "
        "uids), `name` (areas only) or a named scheme (`moh`, `attribute:moh`).",
    )
    data_element_id_scheme: str | None = Field(
        None, alias="dataElementIdScheme", max_length=60, description="For indicators."
    )
    org_unit_id_scheme: str | None = Field(
        None, alias="orgUnitIdScheme", max_length=60, description="For areas."
    )
    category_option_combo_id_scheme: str | None = Field(
        None, alias="categoryOptionComboIdScheme", max_length=60, description="For breakdowns."
    )

    def schemes(self) -> IdSchemes:
        return schemes_from(
            {
                "idScheme": self.id_scheme,
                "dataElementIdScheme": self.data_element_id_scheme,
                "orgUnitIdScheme": self.org_unit_id_scheme,
                "categoryOptionComboIdScheme": self.category_option_combo_id_scheme,
            }
        )


class IdentifierIn(InputSchema):
    scheme: str = Field(
        max_length=60, description="`uid` (a DHIS2 uid) or a named scheme such as `moh`."
    )
    value: str = Field(max_length=100, description="The identifier in that scheme.")
    indicator: str | None = Field(None, max_length=64, description="An indicator code.")
    area_id: Id | None = Field(None, description="Or an area id.")
    breakdown: str | None = Field(None, max_length=40, description="Or a breakdown code.")


class IdentifierOut(Schema):
    scheme: str
    value: str
    indicator: str | None = None
    area_id: int | None = None
    breakdown: str | None = None


class ImportCount(Schema):
    imported: int = Field(description="New values.")
    updated: int = Field(description="Values that changed.")
    ignored: int = Field(description="Values already stored as sent, or not imported.")
    deleted: int
    hidden: int = Field(
        description="Cells an export wrote as a suppressed small count (`<5`): skipped, "
        "never stored; counted in `ignored` too."
    )


class ImportConflict(Schema):
    line: int = Field(description="The position of the data value (or the line) in the file.")
    column: str = Field(description="The key or attribute at fault.")
    value: str = Field(description="What is wrong, for a person to read.")


class ImportSummary(Schema):
    response_type: str = Field("ImportSummary", alias="responseType")
    status: str = Field(
        description="SUCCESS, or ERROR when anything is wrong: then nothing is stored."
    )
    description: str
    dry_run: bool = Field(alias="dryRun")
    import_count: ImportCount = Field(alias="importCount")
    conflict_count: int = Field(alias="conflictCount")
    conflicts: list[ImportConflict]


class AggregateQuery(Schema):
    indicator: str = Field(max_length=64, description="An indicator code.")
    area: Id = Field(description="An area id.")
    periods: str | None = Field(
        # 120 codes fit; more would overflow the front server's 4 KB request line once
        # percent-encoded, and be refused there (414) before Barzan could answer.
        None,
        max_length=1000,
        description="Comma-separated period codes: `1401,1402`.",
    )
    last: whole_number(ge=1, le=MAX_PERIODS) | None = Field(
        None,
        description="Or the last N completed periods of `period_type` (8 by default).",
    )
    period_type: PeriodType = PeriodType.YEAR
    breakdown: str = Field("total", max_length=40)


class FigureOut(Schema):
    period: str
    start: date
    end: date
    value: str | None = Field(description="Null when there is no figure or it is suppressed.")
    suppressed: bool
    is_rollup: bool = Field(description="Rolled up from the children, not reported for the area.")
    reported: int | None = Field(description="Children with a figure.")
    expected: int | None = Field(description="Children that could have one.")
    completeness: str | None = Field(description="reported ÷ expected, as decimal text.")
    is_partial: bool = Field(
        description="A roll-up from fewer of the areas below than its data set's reporting "
        "threshold: the sum (or mean) of those that reported, not a total."
    )


class SeriesOut(Schema):
    indicator: str
    area_id: int
    breakdown: str
    items: list[FigureOut]


class AreaRef(Schema):
    id: int
    code: str
    name_fa: str
    name_en: str
    level: str

    @staticmethod
    def resolve_level(area) -> str:
        return area.level.code


class ProfilePoint(Schema):
    period: str
    value: str | None
    suppressed: bool


class ProfileRowOut(Schema):
    indicator: str
    name_fa: str
    name_en: str
    unit_fa: str
    unit_en: str
    value_type: ValueType
    period: str | None
    value: str | None
    suppressed: bool
    is_rollup: bool
    completeness: str | None
    is_partial: bool = Field(
        description="A roll-up from too few of the areas below to be a total: never ranked "
        "or compared."
    )
    reported: int | None = Field(description="Areas below with a figure, for a roll-up.")
    expected: int | None = Field(description="Areas below that could have one.")
    is_stale: bool = Field(description="The latest figure is of a period before the one asked.")
    compared_by: str = Field(
        description="How the figure is compared across areas: `value` (rates, percents, "
        "means), `per_1000` (counts, per 1,000 residents) or `yes_count` (yes/no figures)."
    )
    rank: int | None = Field(
        description="Rank among the siblings you may see, 1 the best; only where ranking "
        "means something (never for a yes/no figure, a raw count or a partial roll-up)."
    )
    rank_of: int | None
    per_1000: str | None = Field(description="A count per 1,000 residents of the area.")
    yes_count: int | None = Field(description="Siblings with a figure that answer yes.")
    yes_of: int | None = Field(description="Siblings with a figure.")
    parent_value: str | None
    parent_is_partial: bool
    source: str | None = Field(description="Code of the organization that reported it.")
    series: list[ProfilePoint]


class YesCountOut(Schema):
    indicator: str
    period: str
    yes: int = Field(description="Areas below that answer yes.")
    reported: int = Field(description="Areas below that reported the yes/no figure.")
    level: str = Field(description="The code of the level of those areas.")


class ProfileSectionOut(Schema):
    category: str
    name_fa: str
    name_en: str
    rows: list[ProfileRowOut]
    yes_counts: list[YesCountOut] = Field(
        description="Yes/no figures the area has none of, counted over the areas below."
    )


class ProfileOut(Schema):
    area: AreaRef
    parent: AreaRef | None
    period: str | None = Field(description="The period shown: the one asked, or the latest.")
    period_type: PeriodType | None
    periods: list[str]
    sibling_count: int
    is_synthetic: bool
    sections: list[ProfileSectionOut]


class ProfileQuery(Schema):
    periods: Integer = Field(8, ge=1, le=40, description="How many periods each trend shows.")
    period: str | None = Field(
        None,
        max_length=20,
        description="The period to show (`1403Q4`); each figure is its latest of that "
        "period's type up to it. The latest period with a figure by default.",
    )


# -- The catalogue ---------------------------------------------------------------------------


def _indicators():
    return Indicator.objects.select_related("category", "owner", "numerator", "denominator")


def _data_sets():
    return (
        DataSet.objects.select_related("level", "owner")
        .prefetch_related("indicators")
        .order_by(*name_order())
    )


@router.get("/", response={200: list[IndicatorOut], **ERRORS}, summary="List indicators")
@paginate(Pagination)
def list_indicators(request, filters: Query[IndicatorFilters]):
    """The catalogue, which everyone who may view anything reads."""
    indicators = router.scope(request, _indicators())
    if filters.q and (text := clean(filters.q)):
        indicators = indicators.filter(
            Q(code__icontains=text) | Q(name_fa__icontains=text) | Q(name_en__icontains=text)
        )
    if filters.category:
        indicators = indicators.filter(category__code=filters.category)
    if filters.kind:
        indicators = indicators.filter(kind=filters.kind)
    if filters.value_type:
        indicators = indicators.filter(value_type=filters.value_type)
    return indicators.order_by("category__order", "order", "code")


@router.get("/periods", response={200: list[PeriodOut], **ERRORS}, summary="List periods")
@paginate(Pagination)
def list_periods(request, filters: Query[PeriodFilters]):
    """Jalali years, halves, quarters and months, oldest first, with their Gregorian days."""
    _require_reader(request)
    periods = Period.objects.all()
    if filters.period_type:
        periods = periods.filter(period_type=filters.period_type)
    if filters.year is not None:
        periods = periods.filter(year=filters.year)
    return periods.order_by("start", "-end")


@router.get("/periods/{code}", response={200: PeriodOut, **ERRORS}, summary="Read a period")
def get_period(request, code: str):
    _require_reader(request)
    found = Period.objects.filter(code=_period_code(code)).first()
    if found is None:
        raise Http404
    return found


@router.get("/breakdowns", response={200: list[BreakdownOut], **ERRORS}, summary="List breakdowns")
def list_breakdowns(request):
    """The fixed list of breakdowns (sex, age groups, education); `total` is none."""
    _require_reader(request)
    return list(Breakdown.objects.order_by("order"))


@router.get("/data-sets", response={200: list[DataSetOut], **ERRORS}, summary="List data sets")
@paginate(Pagination)
def list_data_sets(request):
    return router.scope(request, _data_sets())


@router.get("/data-sets/{code}", response={200: DataSetOut, **ERRORS}, summary="Read a data set")
def get_data_set(request, code: str):
    return router.get_object(request, _data_sets(), code=code)


# -- Values ----------------------------------------------------------------------------------


def _values():
    return IndicatorValue.objects.select_related(
        "indicator", "area", "period", "breakdown", "source"
    ).defer(*(f"area__{name}" for name in _AREA_HEAVY))


@router.get("/values", response={200: list[ValueOut], **ERRORS}, summary="List raw values")
@paginate(ValuePagination)
def list_values(request, filters: Query[ValueFilters]):
    """Figures as their sources reported them, in your areas (and, for a grant bound to an
    organization, of its indicators). Roll-ups are read from `/aggregates`."""
    values = router.scope(request, _values())
    if filters.area is not None:
        area = _visible_area(request, filters.area)
        if filters.below:
            values = values.filter(area__path__startswith=area.path)
        else:
            values = values.filter(area=area)
    if filters.indicator:
        values = values.filter(indicator__code=clean(filters.indicator))
    if filters.period:
        spec = parse_period(filters.period)
        if spec is None:
            raise _unknown_period("period", filters.period)
        values = values.filter(period__code=spec.code)
    if filters.breakdown:
        values = values.filter(breakdown__code=clean(filters.breakdown).casefold())
    return values.order_by("pk")


@router.get(
    "/values/export",
    response={200: None, **ERRORS},
    summary="Export raw values as a file",
    openapi_extra={
        # Keyed by number as ninja keys its own responses: "200" beside 200 would be two
        # keys of the same name in the document, which Swagger UI refuses to read.
        "responses": {
            200: {
                "description": "The file, in any format values are imported in.",
                "content": {
                    item.content_type.split(";")[0]: {
                        "schema": {"type": "string", "format": "binary"}
                    }
                    for item in exports.EXPORT_FORMATS.values()
                },
            }
        }
    },
)
def export_values(request, query: Query[ExportQuery]):
    """The raw figures of an area (and with `below` all under it) in a file that imports
    back as it is. A small count you may not see is written `<5`; importing the file
    again skips those cells and counts them as `hidden`."""
    chosen = clean(query.format).casefold()
    if chosen not in exports.EXPORT_FORMATS:
        raise ValidationError(
            {
                "format": _("Choose one of the formats %(formats)s.")
                % {"formats": ", ".join(exports.EXPORT_FORMATS)}
            }
        )
    router.require_kind(request, IndicatorValue, EXPORT)
    area = router.get_object(request, _areas(), EXPORT, pk=query.area)
    period = None
    if query.period:
        spec = parse_period(query.period)
        period = Period.objects.filter(code=spec.code).first() if spec else None
        if period is None:
            raise _unknown_period("period", query.period)
    indicator = None
    if query.indicator:
        indicator = (
            router.scope(request, Indicator.objects.all(), VIEW)
            .filter(code=clean(query.indicator))
            .first()
        )
        if indicator is None:
            raise ValidationError(
                {
                    "indicator": _("There is no indicator with the code «%(code)s».")
                    % {"code": query.indicator}
                }
            )
    rows = exports.value_rows(
        user=request.user, area=area, below=query.below, period=period, indicator=indicator
    )
    stem = f"values-{area.code}" + (f"-{period.code}" if period else "")
    try:
        return exports.file_response(chosen, rows, stem=stem)
    except ValueError as error:
        message = _("Too many figures for one sheet (%(error)s): choose CSV.")
        raise ValidationError({"format": message % {"error": error}}) from None


def _lookup(queryset, field: str, code: str, message):
    """Return the row of `queryset` with `code`, or refuse the field with `message` (422)."""
    found = queryset.filter(code=code).first()
    if found is None:
        raise ValidationError({field: message % {"code": code}})
    return found


@router.post("/values", response={200: ValueOut, 204: None, **WRITE_ERRORS}, summary="Set a value")
def set_value(request, payload: ValueIn):
    """Enter, change or (with an empty `value`) clear one raw figure; its roll-ups follow.

    Send the `version` you read to be told (409) when someone changed it meanwhile.
    """
    area = _visible_area(request, payload.area_id)
    indicator = _lookup(
        router.scope(request, _indicators(), VIEW),
        "indicator",
        clean(payload.indicator),
        _("There is no indicator with the code «%(code)s»."),
    )
    period = Period.objects.filter(code=_period_code(payload.period)).first()
    if period is None:
        raise _unknown_period("period", payload.period)
    breakdown = _lookup(
        Breakdown.objects.all(),
        "breakdown",
        clean(payload.breakdown).casefold() or Breakdown.TOTAL,
        _("There is no breakdown with the code «%(code)s»."),
    )
    stored = actions.set_value(
        actor=request.user,
        indicator=indicator,
        area=area,
        period=period,
        breakdown=breakdown,
        value=payload.value,
        comment=payload.comment,
        version=payload.version,
    )
    if stored is None:
        return Status(204, None)
    # Read back with the codes the answer names; every role that enters figures views them.
    return router.scope(request, _values(), VIEW).filter(pk=stored.pk).first() or stored


# -- DHIS2 data value sets and ADX ---------------------------------------------------------


def _top_capture_area(request) -> Area:
    """Return the one highest area where the user may enter figures."""
    capturing = [grant for grant in policy.grants(request.user) if CAPTURE in grant.actions]
    if not capturing:
        raise PermissionDenied
    tops = {
        grant.area_id
        for grant in capturing
        if not any(
            other.area_path != grant.area_path and grant.area_path.startswith(other.area_path)
            for other in capturing
        )
    }
    if len(tops) > 1:
        raise ValidationError(
            {"area": _("You enter figures in several areas: say which one with ?area=.")}
        )
    return _visible_area(request, tops.pop())


def _source(request, code: str | None) -> Organization:
    if code:
        return router.get_object(request, Organization.objects.all(), VIEW, code=clean(code))
    mine = policy.organizations_of(request.user)
    if len(mine) != 1:
        raise ValidationError(
            {"source": _("Say which organization reported these figures with ?source=<code>.")}
        )
    return router.get_object(request, Organization.objects.all(), VIEW, pk=next(iter(mine)))


def _summary(outcome, *, dry_run: bool) -> dict:
    valid = outcome.is_valid
    if valid and dry_run:
        description = _("Checked: nothing was stored (dry run).")
    elif valid:
        description = _("Imported.")
    else:
        description = _("Nothing was stored: correct the conflicts and send the values again.")
    return {
        "status": "SUCCESS" if valid else "ERROR",
        "description": description,
        "dryRun": dry_run,
        "importCount": {
            "imported": outcome.new if valid else 0,
            "updated": outcome.changed if valid else 0,
            "ignored": outcome.unchanged + outcome.hidden if valid else outcome.rows,
            "deleted": 0,
            "hidden": outcome.hidden,
        },
        "conflictCount": outcome.problem_count,
        "conflicts": [
            {"line": problem["line"], "column": problem["column"], "value": problem["message"]}
            for problem in outcome.problems
        ],
    }


@router.post(
    "/dataValueSets",
    response={200: ImportSummary, **ERRORS, 413: Error, 415: Error, 503: Error},
    by_alias=True,
    summary="Import a DHIS2 data value set or an ADX message",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/adx+xml": {"schema": {"type": "string"}},
            },
        }
    },
)
def import_data_value_set(request, query: Query[ImportQuery]):
    """Check every value, then store them all or none (`dryRun=true`: check only).

    Storing runs in bounded steps; if one fails the answer is 503 with how many were
    written, each complete, and sending the same values again writes the rest.

    A DHIS2 dataValueSet in JSON (`Content-Type: application/json`) or XML
    (`application/xml`), or an ADX message (`application/adx+xml`); identifiers are codes
    unless `idScheme` (or `dataElementIdScheme`, `orgUnitIdScheme`,
    `categoryOptionComboIdScheme`) says `uid`, `name` (areas) or a named scheme, mapped with
    `POST /identifiers`; periods are Barzan's Jalali codes (ADX: the first Gregorian day and
    a duration). The answer is a DHIS2 import summary: `status` SUCCESS or ERROR,
    `importCount`, and each conflict with its position.
    """
    content_type = (request.content_type or "").lower()
    if content_type in ADX_TYPES:
        file_format = formats.ADX
    elif content_type in JSON_TYPES:
        file_format = formats.DHIS2_JSON
    else:
        return error_response(
            415,
            _("Send a DHIS2 data value set as application/json or ADX as application/adx+xml."),
            code="unsupported_media_type",
        )
    try:
        body = request.body
    except RequestDataTooBig:
        return error_response(
            413,
            _("This is too much to send at once: upload the file on the import page instead."),
            code="too_large",
        )
    if file_format == formats.ADX and content_type != ADX_TYPES[0]:
        # Plain XML is DHIS2's own dataValueSet as often as ADX: the root tells them apart.
        file_format = formats.detect(BytesIO(body)) or formats.ADX
        if file_format not in (formats.ADX, formats.DHIS2_XML):
            file_format = formats.ADX
    area = (
        _visible_area(request, query.area) if query.area is not None else _top_capture_area(request)
    )
    source = _source(request, query.source)
    schemes = query.schemes()
    try:
        outcome = actions.import_values(
            actor=request.user,
            stream=BytesIO(body),
            format=file_format,
            area=area,
            source=source,
            dry_run=query.dry_run,
            schemes=schemes,
        )
    except jobs.StepFailed as stopped:
        # Each step written is whole, and sending the same values again writes the rest.
        return error_response(
            503,
            _(
                "Writing stopped after %(done)s of %(total)s steps; the steps written are "
                "complete. Send the same values again to write the rest."
            )
            % {"done": format_number(stopped.done), "total": format_number(stopped.total)},
            code="import_stopped",
        )
    return _summary(outcome, dry_run=query.dry_run)


@router.post(
    "/identifiers",
    response={201: IdentifierOut, **WRITE_ERRORS},
    summary="Map another system's identifier to an indicator, an area or a breakdown",
)
def add_identifier(request, payload: IdentifierIn):
    """Save that `value` in `scheme` (a DHIS2 uid, a ministry's code) names one object.

    Give exactly one of `indicator`, `area_id` or `breakdown`. Imports with that scheme
    (`idScheme=uid`…) then match it. Whoever manages the indicator or area may map it;
    breakdowns, shared by every indicator, need a grant over the whole country.
    """
    targets = [payload.indicator, payload.area_id, payload.breakdown]
    if sum(target is not None for target in targets) != 1:
        raise ValidationError(
            {"indicator": _("Give exactly one of indicator, area_id or breakdown.")}
        )
    scheme = parse_scheme(payload.scheme, kind="indicator")
    if scheme == CODE:
        raise ValidationError({"scheme": _("Codes are Barzan's own: choose another scheme.")})
    if payload.area_id is not None:
        area = _visible_area(request, payload.area_id)
        found = add_area_identifier(
            actor=request.user, area=area, scheme=scheme, value=payload.value
        )
        return Status(201, {"scheme": found.scheme, "value": found.value, "area_id": area.pk})
    if payload.indicator is not None:
        indicator = router.get_object(
            request, Indicator.objects.all(), VIEW, code=clean(payload.indicator)
        )
        found = actions.add_indicator_identifier(
            actor=request.user, indicator=indicator, scheme=scheme, value=payload.value
        )
        return Status(
            201, {"scheme": found.scheme, "value": found.value, "indicator": indicator.code}
        )
    _require_reader(request)
    breakdown = Breakdown.objects.filter(code=clean(payload.breakdown)).first()
    if breakdown is None:
        raise Http404
    found = actions.add_breakdown_identifier(
        actor=request.user, breakdown=breakdown, scheme=scheme, value=payload.value
    )
    return Status(201, {"scheme": found.scheme, "value": found.value, "breakdown": breakdown.code})


# -- Effective figures -----------------------------------------------------------------------


def _periods_asked(query: AggregateQuery) -> list[Period]:
    if query.periods:
        codes = [text.strip() for text in query.periods.split(",") if text.strip()]
        if len(codes) > MAX_PERIODS:
            raise ValidationError(
                {
                    "periods": _("Ask for %(count)s periods at most.")
                    % {"count": format_number(MAX_PERIODS)}
                }
            )
        wanted = [_period_code(text) for text in codes]
        found = {period.code: period for period in Period.objects.filter(code__in=wanted)}
        for text, code in zip(codes, wanted, strict=True):
            if code not in found:
                raise _unknown_period("periods", text)
        return list(dict.fromkeys(found[code] for code in wanted))
    latest = Period.objects.filter(period_type=query.period_type, end__lt=jalali.today())
    return list(reversed(latest.order_by("-start")[: query.last or 8]))


def _completeness(figure) -> str | None:
    completeness = figure.completeness if figure is not None else None
    if completeness is None:
        return None
    return decimal_text(completeness.quantize(Decimal("0.0001")))


@router.get(
    "/aggregates",
    response={200: SeriesOut, **ERRORS},
    summary="An indicator's effective figures for an area over periods",
)
def get_aggregates(request, query: Query[AggregateQuery]):
    """The area's own figure where it has one, else the roll-up of its children (with how
    many reported), and calculated indicators from their parts; e.g. the national total of
    one indicator for the last 8 quarters: `?indicator=…&area=<country>&last=8&period_type=quarter`.
    """
    indicator = router.get_object(request, _indicators(), code=clean(query.indicator))
    area = _visible_area(request, query.area)
    breakdown = Breakdown.objects.filter(code=clean(query.breakdown).casefold()).first()
    if breakdown is None:
        raise ValidationError(
            {
                "breakdown": _("There is no breakdown with the code «%(code)s».")
                % {"code": query.breakdown}
            }
        )
    periods = _periods_asked(query)
    found = readers.figures(
        user=request.user,
        indicators=[indicator],
        areas=[area],
        periods=periods,
        breakdowns=[breakdown],
    )
    viewer = _viewer(request)
    threshold = comparisons.thresholds([indicator])[indicator.pk]
    items = []
    for period in periods:
        figure = found.get((indicator.pk, area.pk, period.pk, breakdown.pk))
        value = figure.value if figure is not None else None
        hidden = display.is_hidden(indicator, figure, viewer)
        items.append(
            {
                "period": period.code,
                "start": period.start,
                "end": period.end,
                "value": None if hidden else decimal_text(value),
                "suppressed": hidden,
                "is_rollup": bool(figure and figure.is_rollup),
                "reported": figure.reported if figure else None,
                "expected": figure.expected if figure else None,
                "completeness": _completeness(figure),
                "is_partial": comparisons.is_partial(figure, threshold),
            }
        )
    return {
        "indicator": indicator.code,
        "area_id": area.pk,
        "breakdown": breakdown.code,
        "items": items,
    }


def _profile_row(row, viewer) -> dict:
    indicator = row.indicator
    figure = row.figure
    value = figure.value if figure is not None else None
    parent_hidden = display.is_hidden(indicator, row.parent_figure, viewer)
    return {
        "indicator": indicator.code,
        "name_fa": indicator.name_fa,
        "name_en": indicator.name_en,
        "unit_fa": indicator.unit_fa,
        "unit_en": indicator.unit_en,
        "value_type": indicator.value_type,
        "period": row.period.code if row.period else None,
        "value": None if row.is_hidden else decimal_text(value),
        "suppressed": row.is_hidden,
        "is_rollup": bool(figure and figure.is_rollup),
        "completeness": _completeness(figure),
        "is_partial": row.is_partial,
        "reported": figure.reported if figure is not None and figure.is_rollup else None,
        "expected": figure.expected if figure is not None and figure.is_rollup else None,
        "is_stale": row.is_stale,
        "compared_by": str(row.comparison),
        "rank": row.rank if not row.is_partial else None,
        "rank_of": row.rank_of if not row.is_partial else None,
        "per_1000": decimal_text(row.per_1000.quantize(Decimal("0.01")))
        if row.per_1000 is not None
        else None,
        "yes_count": row.yes_count,
        "yes_of": row.yes_of,
        "parent_value": None if parent_hidden else decimal_text(row.parent_value),
        "parent_is_partial": row.parent_is_partial,
        "source": row.source.code if row.source is not None else None,
        "series": [
            {
                "period": period.code,
                "value": None if hidden else decimal_text(point.value),
                "suppressed": hidden,
            }
            for period, point, _shown in row.series
            for hidden in [display.is_hidden(indicator, point, viewer)]
        ],
    }


@router.get(
    "/areas/{int:area_id}/profile",
    response={200: ProfileOut, **ERRORS},
    summary="An area's profile",
)
def get_profile(request, area_id: Path[Id], query: Query[ProfileQuery]):
    """Each key figure's latest value, its trend, its rank among the siblings you may see
    and the parent's figure, by category, as on the area's profile page."""
    areas = Area.objects.select_related("level", "parent__level").defer(
        *_AREA_HEAVY, *(f"parent__{name}" for name in _AREA_HEAVY)
    )
    area = router.get_object(request, areas, pk=area_id)
    period = None
    if query.period:
        spec = parse_period(query.period)
        period = Period.objects.filter(code=spec.code).first() if spec else None
        if period is None:
            raise _unknown_period("period", query.period)
    found = profiles.profile(user=request.user, area=area, periods=query.periods, period=period)
    viewer = _viewer(request)
    return {
        "area": found.area,
        "parent": found.parent,
        "period": found.period.code if found.period else None,
        "period_type": found.period.period_type if found.period else None,
        "periods": [period.code for period in found.periods],
        "sibling_count": found.sibling_count,
        "is_synthetic": found.is_synthetic,
        "sections": [
            {
                "category": section.category.code,
                "name_fa": section.category.name_fa,
                "name_en": section.category.name_en,
                "rows": [_profile_row(row, viewer) for row in section.rows],
                "yes_counts": [
                    {
                        "indicator": count.indicator.code,
                        "period": count.period.code,
                        "yes": count.yes,
                        "reported": count.reported,
                        "level": count.level_code,
                    }
                    for count in section.counted
                ],
            }
            for section in found.sections
        ],
    }


# Last: a code in this path would otherwise shadow `/periods`, `/values` and the others.
@router.get("/{code}", response={200: IndicatorOut, **ERRORS}, summary="Read an indicator")
def get_indicator(request, code: str):
    return router.get_object(request, _indicators(), code=code)
