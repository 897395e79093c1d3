"""Areas in the API, read through the access policy."""

import datetime

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Schema
from ninja.pagination import paginate

from barzan.access.actions import VIEW
from barzan.access.api import ScopedRouter
from barzan.core import jalali
from barzan.core.api import (
    ERRORS,
    WRITE_ERRORS,
    Date,
    Id,
    InputSchema,
    Number,
    Pagination,
    whole_number,
)
from barzan.core.models import name_order

from . import actions, readers
from .models import Area, AreaName

router = ScopedRouter(tags=["areas"])
GEOJSON_TYPE = "application/geo+json"


class AreaOut(Schema):
    id: int
    code: str
    name_fa: str
    name_en: str
    level: str
    parent_id: int | None
    depth: int
    population: int | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    latitude: float | None = Field(description="A point inside the area (or its location).")
    longitude: float | None
    has_boundary: bool
    is_synthetic: bool = Field(description="Generated for demonstration, not real geography.")

    @staticmethod
    def resolve_level(area) -> str:
        return area.level.code


class AreaNameOut(Schema):
    name: str
    language: str = Field(description="`fa` or `en`.")
    kind: str = Field(description="`former`, `colloquial`, `spelling` or `official` (elsewhere).")
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    valid_from_jalali: str | None = Field(description="`valid_from` as a Jalali date.")
    valid_to_jalali: str | None
    source: str

    @staticmethod
    def resolve_valid_from_jalali(item) -> str | None:
        return jalali.format_date(item.valid_from, language="en") if item.valid_from else None

    @staticmethod
    def resolve_valid_to_jalali(item) -> str | None:
        return jalali.format_date(item.valid_to, language="en") if item.valid_to else None


class AreaDetailOut(AreaOut):
    alternative_names: list[AreaNameOut] = Field(
        description="Former names, colloquial names and other spellings search also finds."
    )

    @staticmethod
    def resolve_alternative_names(area) -> list[AreaName]:
        return list(area.alternative_names.all())


class AreaFilters(Schema):
    q: str | None = Field(
        None,
        description="Persian, English or alternative name (any letters or digits, with or "
        "without a level word such as «شهر»), or code.",
    )
    level: str | None = None
    parent: Id | None = None
    code: str | None = None
    include_ended: bool = Field(False, description="Also list areas that were split or merged.")


class LocateQuery(Schema):
    lat: Number = Field(
        ..., ge=-90, le=90, description="Latitude (WGS84); Persian digits and «٫» are read."
    )
    lon: Number = Field(..., ge=-180, le=180, description="Longitude (WGS84).")


class LocationOut(Schema):
    area: AreaOut
    ancestors: list[AreaOut]


def _areas():
    return (
        Area.objects.select_related("level").defer("boundary", "boundary_simple").order_by("path")
    )


@router.get("/", response=list[AreaOut], summary="List and search areas")
@paginate(Pagination)
def list_areas(request, filters: Query[AreaFilters]):
    """Areas you may see, searchable by Persian or English name (any letters and digits) or code."""
    areas = router.scope(request, _areas())
    if not filters.include_ended:
        areas = areas.filter(valid_to__isnull=True)
    if filters.q:
        areas = areas.search(filters.q)
    if filters.level:
        areas = areas.filter(level__code=filters.level)
    if filters.parent is not None:
        areas = areas.filter(parent_id=filters.parent)
    if filters.code:
        areas = areas.filter(code=filters.code)
    return areas


@router.get("/locate", response={200: LocationOut, **ERRORS}, summary="Find the area at a point")
def locate(request, point: Query[LocateQuery]):
    """The deepest area you may see whose boundary holds the point, with its parents."""
    found = readers.locate(point.lat, point.lon, router.scope(request, Area.objects.all()))
    if found is None:
        raise Http404(_("No area you may see holds this point."))
    return {"area": found.area, "ancestors": found.ancestors}


@router.get("/{int:area_id}", response={200: AreaDetailOut, **ERRORS}, summary="Read an area")
def get_area(request, area_id: Path[Id]):
    """An area with its alternative names."""
    return router.get_object(request, _areas().prefetch_related("alternative_names"), pk=area_id)


@router.get(
    "/{int:area_id}/ancestors", response={200: list[AreaOut], **ERRORS}, summary="An area's parents"
)
def list_ancestors(request, area_id: Path[Id]):
    """From the root down to the area's parent: names of places are public geography."""
    area = router.get_object(request, _areas(), pk=area_id)
    return readers.ancestors_of(area)


@router.get(
    "/{int:area_id}/children",
    response={200: list[AreaOut], **ERRORS},
    summary="List an area's children",
)
@paginate(Pagination)
def list_children(request, area_id: Path[Id], include_ended: bool = False):
    area = router.get_object(request, _areas(), pk=area_id)
    children = router.scope(request, _areas().filter(parent=area)).order_by(*name_order())
    return children if include_ended else children.filter(valid_to__isnull=True)


@router.get(
    "/{int:area_id}/children.geojson",
    response={200: dict, **ERRORS},
    summary="Simplified GeoJSON of an area and its children",
    openapi_extra={"responses": {200: {"content": {GEOJSON_TYPE: {}}}}},
)
def children_geojson(request, area_id: Path[Id]):
    """A FeatureCollection: the area's outline (`role: self`), the current areas beside it
    that you may see (`role: sibling`) and each current child's simplified boundary, or its
    point where it has no boundary (`role: child`)."""
    area = router.get_object(request, Area.objects.select_related("level"), pk=area_id)
    children = router.scope(request, Area.objects.filter(parent=area, valid_to__isnull=True))
    siblings = readers.siblings_of(area, router.scope(request, Area.objects.all()))
    return HttpResponse(readers.map_of(area, children, siblings), content_type=GEOJSON_TYPE)


class EndIn(InputSchema):
    date: Date = Field(description="The day the area ends (Gregorian, ISO 8601).")
    reason: str = Field(max_length=500, min_length=1, description="Why it ends.")
    version: whole_number(ge=1) | None = Field(
        None, description="The version of the area you read; a newer one answers 409."
    )


class EndedOut(Schema):
    area: AreaOut
    ended_below_count: int = Field(description="How many current areas below it ended too.")


@router.post(
    "/{int:area_id}/end",
    response={200: EndedOut, **WRITE_ERRORS},
    summary="End an area and the areas below it",
)
def end_area(request, area_id: Path[Id], payload: EndIn):
    """End the area and every current area below it on `date`, with nothing in their place
    (to retire synthetic or obsolete areas). Decided by whoever manages its parent; the
    country cannot end."""
    area = router.get_object(request, _areas(), VIEW, pk=area_id)
    below = actions.end_area(
        actor=request.user,
        area=area,
        date=payload.date,
        reason=payload.reason,
        version=payload.version,
    )
    return {"area": _areas().get(pk=area.pk), "ended_below_count": len(below)}
