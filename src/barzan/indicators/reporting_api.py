"""
Reporting in the API: completing and reopening a data set's form, listing completions,
and reporting rates (DHIS2's completeDataSetRegistrations and reporting rate summary).

Mounted at `/api/v1/reporting/` (`completions`, `rates`).
Completing needs the "capture" action on the form's area (an agency's people only for their
agency's data sets); reopening is for whoever completed it, or a manager of the area.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from barzan.access import policy
from barzan.access.actions import CAPTURE, VIEW
from barzan.access.api import ScopedRouter
from barzan.core.api import ERRORS, WRITE_ERRORS, Id, InputSchema, Pagination, whole_number
from barzan.geo.models import Area

from . import actions, reporting
from .models import DataSet, DataSetCompletion, Period
from .periods import parse as parse_period

router = ScopedRouter(tags=["reporting"], write_action=CAPTURE)


class CompletionOut(Schema):
    id: int
    data_set: str
    area_id: int
    area_code: str
    period: str
    is_completed: bool
    completed_by: str = Field(description="The username of who completed it last.")
    completed_at: datetime
    is_on_time: bool = Field(description="Completed by the period's end plus the days allowed.")
    reopened_by: str
    reopened_at: datetime | None
    version: int

    @staticmethod
    def resolve_data_set(completion) -> str:
        return completion.data_set.code

    @staticmethod
    def resolve_area_code(completion) -> str:
        return completion.area.code

    @staticmethod
    def resolve_period(completion) -> str:
        return completion.period.code

    @staticmethod
    def resolve_completed_by(completion) -> str:
        return completion.completed_by_label

    @staticmethod
    def resolve_reopened_by(completion) -> str:
        return completion.reopened_by_label

    @staticmethod
    def resolve_is_on_time(completion) -> bool:
        return reporting.is_on_time(completion.data_set, completion.period, completion)


class CompletionIn(InputSchema):
    data_set: str = Field(max_length=64, description="A data set code.")
    area_id: Id
    period: str = Field(max_length=20, description="A period code of the data set's type.")
    version: whole_number(ge=0) | None = Field(
        None, description="The completion's version you read (0 for none); a newer one is 409."
    )


class ReopenIn(InputSchema):
    version: whole_number(ge=0) | None = Field(None, description="The version you read.")


class CompletionFilters(Schema):
    data_set: str | None = Field(None, max_length=64)
    period: str | None = Field(None, max_length=20)
    area_id: Id | None = Field(None, description="Forms of this area and every area below it.")
    completed: bool | None = Field(None, description="Only completed (true) or reopened (false).")


class RateOut(Schema):
    area_id: int
    area_code: str
    expected: int
    complete: int
    on_time: int
    complete_percent: str | None
    on_time_percent: str | None


class ReportingOut(Schema):
    data_set: str
    period: str
    total: RateOut
    areas: list[RateOut] = Field(description="Each area directly below, with forms expected.")


class RatesQuery(Schema):
    data_set: str = Field(max_length=64)
    area_id: Id
    period: str = Field(max_length=20)


def _completions():
    return DataSetCompletion.objects.select_related("data_set", "area", "period").defer(
        "area__boundary", "area__boundary_simple"
    )


def _data_set(request, code: str) -> DataSet:
    found = policy.scope(request.user, VIEW, DataSet.objects.select_related("level"))
    found = found.filter(code=code).first()
    if found is None:
        raise ValidationError({"data_set": _("There is no data set with this code.")})
    return found


def _period(text: str) -> Period:
    spec = parse_period(text)
    found = Period.objects.filter(code=spec.code).first() if spec else None
    if found is None:
        raise ValidationError({"period": _("There is no period with this code.")})
    return found


def _area(request, pk: int) -> Area:
    return router.get_object(
        request, Area.objects.select_related("level").defer("boundary", "boundary_simple"),
        VIEW, pk=pk,
    )  # fmt: skip


def _rate(rate) -> dict:
    return {
        "area_id": rate.area.pk,
        "area_code": rate.area.code,
        "expected": rate.expected,
        "complete": rate.complete,
        "on_time": rate.on_time,
        "complete_percent": None
        if rate.complete_percent is None
        else format(rate.complete_percent, "f"),
        "on_time_percent": None
        if rate.on_time_percent is None
        else format(rate.on_time_percent, "f"),
    }


@router.get(
    "/completions", response={200: list[CompletionOut], **ERRORS}, summary="List completions"
)
@paginate(Pagination)
def list_completions(request, filters: Query[CompletionFilters]):
    """The forms marked complete (or reopened) that the user may see, newest first."""
    completions = router.scope(request, _completions())
    if filters.data_set:
        completions = completions.filter(data_set__code=filters.data_set)
    if filters.period:
        spec = parse_period(filters.period)
        completions = completions.filter(period__code=spec.code if spec else filters.period)
    if filters.area_id is not None:
        area = _area(request, filters.area_id)
        completions = completions.filter(area__path__startswith=area.path)
    if filters.completed is not None:
        completions = completions.filter(is_completed=filters.completed)
    return completions.order_by("-completed_at", "-pk")


@router.post(
    "/completions",
    response={201: CompletionOut, **WRITE_ERRORS},
    summary="Complete a data set's form",
)
def complete(request, payload: CompletionIn):
    """Mark a data set's form for an area and period complete; 409 when someone completed
    or reopened it since the `version` you read."""
    data_set = _data_set(request, payload.data_set)
    area = _area(request, payload.area_id)
    completion = actions.complete_data_set(
        actor=request.user,
        data_set=data_set,
        area=area,
        period=_period(payload.period),
        version=payload.version,
    )
    return Status(201, _completions().get(pk=completion.pk))


@router.post(
    "/completions/{completion_id}/reopen",
    response={200: CompletionOut, **WRITE_ERRORS},
    summary="Reopen a completed form",
)
def reopen(request, completion_id: Id, payload: ReopenIn):
    """Reopen a form: by whoever completed it, or by a manager of its area."""
    completion = policy.scope(request.user, VIEW, _completions()).filter(pk=completion_id).first()
    if completion is None:
        raise Http404
    if not actions.may_reopen(request.user, completion) and completion.is_completed:
        raise PermissionDenied
    actions.reopen_data_set(actor=request.user, completion=completion, version=payload.version)
    return _completions().get(pk=completion.pk)


@router.get("/rates", response={200: ReportingOut, **ERRORS}, summary="Read reporting rates")
def reporting_rates(request, query: Query[RatesQuery]):
    """A data set's forms expected, complete and on time under an area in a period, in total
    and for each area directly below it."""
    policy.require(request.user, VIEW, DataSetCompletion)
    data_set = _data_set(request, query.data_set)
    period = _period(query.period)
    if period.period_type != data_set.period_type:
        raise ValidationError({"period": _("This data set is not entered for this period.")})
    result = reporting.reporting_rates(
        user=request.user, data_set=data_set, area=_area(request, query.area_id), period=period
    )
    return {
        "data_set": data_set.code,
        "period": period.code,
        "total": _rate(result.total),
        "areas": [_rate(rate) for rate in result.rows],
    }
