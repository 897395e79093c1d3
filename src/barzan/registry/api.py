"""Organizations in the API: read and write through the access policy and actions."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from ninja import Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field, StrictBool

from barzan.access.actions import MANAGE
from barzan.access.api import ScopedRouter
from barzan.core.api import ERRORS, WRITE_ERRORS, Id, InputSchema, Integer, Pagination
from barzan.core.models import name_order
from barzan.geo.models import Area

from . import actions
from .choices import OrganizationKind
from .models import Organization, code_validator

CODE_PATTERN = code_validator.regex.pattern

router = ScopedRouter(tags=["organizations"])


class OrganizationOut(Schema):
    code: str
    name_fa: str
    name_en: str
    kind: OrganizationKind
    parent: str | None
    area_id: int
    covered_area_ids: list[int]
    is_active: bool
    version: int

    @staticmethod
    def resolve_parent(organization) -> str | None:
        return organization.parent.code if organization.parent_id else None

    @staticmethod
    def resolve_covered_area_ids(organization) -> list[int]:
        return sorted(area.pk for area in organization.covered_areas.all())


class OrganizationIn(InputSchema):
    code: str = Field(max_length=64, pattern=CODE_PATTERN)
    name_fa: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    kind: OrganizationKind
    area_id: Id
    parent: str | None = None
    covered_area_ids: list[Id] = []
    # Strict: pydantic would read 0 and 1 as false and true; the document says boolean.
    is_active: StrictBool = True


class OrganizationPatch(InputSchema):
    # Only `parent` may be null (no parent); leaving a field out leaves it unchanged.
    version: Integer = Field(
        description="The version you read; a newer stored version answers 409."
    )
    name_fa: str = Field(None, min_length=1, max_length=200)
    name_en: str = Field(None, max_length=200)
    kind: OrganizationKind = None
    area_id: Id = None
    parent: str | None = None
    covered_area_ids: list[Id] = None
    is_active: StrictBool = None


class OrganizationFilters(Schema):
    q: str | None = None
    kind: OrganizationKind | None = None
    area: Id | None = None
    is_active: bool | None = None


def _organizations():
    return (
        Organization.objects.for_display().prefetch_related("covered_areas").order_by(*name_order())
    )


def _area(request, area_id: int):
    return router.get_object(request, Area.objects.all(), MANAGE, pk=area_id)


def _parent(request, code: str | None):
    return (
        router.get_object(request, Organization.objects.all(), "view", code=code) if code else None
    )


@router.get("/", response=list[OrganizationOut], summary="List organizations")
@paginate(Pagination)
def list_organizations(request, filters: Query[OrganizationFilters]):
    organizations = router.scope(request, _organizations())
    if filters.q:
        organizations = organizations.search(filters.q)
    if filters.kind:
        organizations = organizations.filter(kind=filters.kind)
    if filters.area is not None:
        area = router.get_object(request, Area.objects.all(), pk=filters.area)
        organizations = organizations.within(area)
    if filters.is_active is not None:
        organizations = organizations.filter(is_active=filters.is_active)
    return organizations


@router.get("/{code}", response={200: OrganizationOut, **ERRORS}, summary="Read an organization")
def get_organization(request, code: str):
    return router.get_object(request, _organizations(), code=code)


@router.post(
    "/", response={201: OrganizationOut, **WRITE_ERRORS}, summary="Register an organization"
)
def create_organization(request, payload: OrganizationIn):
    covered = [_area(request, area_id) for area_id in payload.covered_area_ids]
    organization = actions.create_organization(
        actor=request.user,
        code=payload.code,
        name_fa=payload.name_fa,
        name_en=payload.name_en,
        kind=payload.kind,
        area=_area(request, payload.area_id),
        parent=_parent(request, payload.parent),
        covered_areas=covered,
        is_active=payload.is_active,
    )
    return Status(201, _organizations().get(pk=organization.pk))


@router.patch(
    "/{code}", response={200: OrganizationOut, **WRITE_ERRORS}, summary="Change an organization"
)
def update_organization(request, code: str, payload: OrganizationPatch):
    organization = router.get_object(request, _organizations(), code=code)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    # Only the parent may be cleared with null; null elsewhere is a mistake, not "no change".
    nulls = sorted(name for name, value in changes.items() if value is None and name != "parent")
    if nulls:
        raise ValidationError({name: _("This field cannot be null.") for name in nulls})
    if "area_id" in changes:
        changes["area"] = _area(request, changes.pop("area_id"))
    if "parent" in changes:
        changes["parent"] = _parent(request, changes["parent"])
    if "covered_area_ids" in changes:
        changes["covered_areas"] = [
            _area(request, area_id) for area_id in changes.pop("covered_area_ids")
        ]
    organization = actions.update_organization(
        actor=request.user, organization=organization, version=version, **changes
    )
    return _organizations().get(pk=organization.pk)
