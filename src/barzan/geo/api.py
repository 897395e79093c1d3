"""Areas in the API, read through the access policy."""

from ninja import Path, Query, Schema
from ninja.pagination import paginate

from barzan.access.api import ScopedRouter
from barzan.core.api import ERRORS, Id, Pagination

from .models import Area

router = ScopedRouter(tags=["areas"])


class AreaOut(Schema):
    id: int
    code: str
    name_fa: str
    name_en: str
    level: str
    parent_id: int | None
    depth: int
    population: int | None

    @staticmethod
    def resolve_level(area) -> str:
        return area.level.code


class AreaFilters(Schema):
    q: str | None = None
    level: str | None = None
    parent: Id | None = None
    code: str | None = None


def _areas():
    return Area.objects.select_related("level").order_by("path")


@router.get("/", response=list[AreaOut], summary="List areas")
@paginate(Pagination)
def list_areas(request, filters: Query[AreaFilters]):
    """Areas you may see, searchable by Persian or English name (any letters and digits) or code."""
    areas = router.scope(request, _areas())
    if filters.q:
        areas = areas.search(filters.q)
    if filters.level:
        areas = areas.filter(level__code=filters.level)
    if filters.parent is not None:
        areas = areas.filter(parent_id=filters.parent)
    if filters.code:
        areas = areas.filter(code=filters.code)
    return areas


@router.get("/{int:area_id}", response={200: AreaOut, **ERRORS}, summary="Read an area")
def get_area(request, area_id: Path[Id]):
    return router.get_object(request, _areas(), pk=area_id)


@router.get("/{int:area_id}/children", response=list[AreaOut], summary="List an area's children")
@paginate(Pagination)
def list_children(request, area_id: Path[Id]):
    area = router.get_object(request, _areas(), pk=area_id)
    return router.scope(request, _areas().filter(parent=area))
