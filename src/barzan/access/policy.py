"""
Every access decision Barzan makes.

A grant means "role R over area A and everything below it", optionally narrowed to one
organization's records. A grant on the root of the tree covers everything, rows that lie
in no area included. Four questions are answered here and nowhere else:

- `can(user, action, obj=None)`: may the user take `action` on `obj` (or on its model at all)?
- `scope(user, action, queryset)`: which rows of `queryset` may the user take `action` on?
- `areas(user, action)`: which areas, for pickers, maps and filters?
- `users_who_can(action, obj)`: who may act on `obj`, for assignment and notifications?

`require()` is `can()` that raises PermissionDenied; `get_object_for()` returns a row the
user may see or raises Http404, then requires the action (403) if it is not "view".
A model answers these questions only once it is registered with `register()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.shortcuts import get_object_or_404

from .actions import ALL, MANAGE, VIEW
from .models import Grant, Role

_CACHE_ATTRIBUTE = "_access_grants"


@dataclass(frozen=True)
class Registration:
    """How the policy reaches a model's area, owning organization and owner."""

    model: type[Model]
    area: str
    organization: str | None = None
    owner: str | None = None
    actions: dict[str, str] = field(default_factory=dict)
    many: bool = False
    shared_view: bool = False

    @property
    def path_lookup(self) -> str:
        return f"{self.area}__path__startswith" if self.area else "path__startswith"

    @property
    def organization_lookup(self) -> str:
        return self.organization or "pk"

    def effective_action(self, action: str) -> str:
        return self.actions.get(action, action)


class Registry:
    """The models the policy knows, with the lookups that reach their area."""

    def __init__(self):
        self._registrations: dict[type[Model], Registration] = {}

    def register(
        self,
        model: type[Model],
        *,
        area: str,
        organization: str | None = None,
        owner: str | None = None,
        actions: dict[str, str] | None = None,
        many: bool = False,
        shared_view: bool = False,
    ) -> None:
        """Register `model`.

        `area` is the lookup from the model to its `geo.Area` ("" when the model is Area);
        `organization` the lookup to the organization that owns a row ("" when the model is
        Organization), which narrows organization-bound grants; `owner` a lookup to a user
        who may always view their own rows; `actions` substitutes actions for this model
        (`{VIEW: AUDIT}` makes viewing the audit log need the audit action); `many` says a
        lookup crosses a to-many relation, so rows are de-duplicated; `shared_view` makes
        every row visible to anyone who may view anything (a catalogue everyone reads, such
        as the indicators), while other actions still follow the area.
        """
        unknown = {*(actions or {}), *(actions or {}).values()} - set(ALL)
        if unknown:
            raise ImproperlyConfigured(f"Unknown actions for {model.__name__}: {unknown}")
        self._registrations[model] = Registration(
            model=model,
            area=area,
            organization=organization,
            owner=owner,
            actions=dict(actions or {}),
            many=many,
            shared_view=shared_view,
        )

    def get(self, model: type[Model]) -> Registration:
        model = model._meta.concrete_model
        try:
            return self._registrations[model]
        except KeyError:
            raise ImproperlyConfigured(
                f"{model._meta.label} is not registered with the access policy; "
                "call access.register() in its app's ready()."
            ) from None

    def is_registered(self, model: type[Model]) -> bool:
        return model._meta.concrete_model in self._registrations


registry = Registry()


@dataclass(frozen=True)
class UserGrant:
    """What one grant allows, read once per request."""

    role_code: str
    actions: frozenset[str]
    rank: int
    is_privileged: bool
    area_id: int
    area_path: str
    organization_id: int | None

    @property
    def is_root(self) -> bool:
        return self.area_path.count("/") == 2

    def covers_path(self, path: str | None) -> bool:
        return self.is_root or (path is not None and path.startswith(self.area_path))


def _follow(obj, lookup: str | None):
    """Return what `lookup` ("council__area") reaches from `obj`; `obj` itself for ""."""
    if lookup is None:
        return None
    for part in filter(None, lookup.split("__")):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def _is_active_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


class AccessPolicy:
    """The one object that decides access; see the module docstring."""

    def __init__(self, registry: Registry):
        self.registry = registry

    # -- the user's grants, read once per request

    def grants(self, user) -> tuple[UserGrant, ...]:
        """Return the grants of `user`, cached on the user object for the request."""
        if not _is_active_user(user):
            return ()
        cached = getattr(user, _CACHE_ATTRIBUTE, None)
        if cached is None:
            cached = tuple(
                UserGrant(
                    role_code=grant.role.code,
                    actions=frozenset(grant.role.actions),
                    rank=grant.role.rank,
                    is_privileged=grant.role.is_privileged,
                    area_id=grant.area_id,
                    area_path=grant.area.path,
                    organization_id=grant.organization_id,
                )
                for grant in Grant.objects.filter(user_id=user.pk).select_related("role", "area")
            )
            setattr(user, _CACHE_ATTRIBUTE, cached)
        return cached

    def forget(self, user) -> None:
        """Drop the cached grants of `user` (after its grants changed)."""
        if hasattr(user, _CACHE_ATTRIBUTE):
            delattr(user, _CACHE_ATTRIBUTE)

    def is_privileged(self, user) -> bool:
        """Return whether `user` holds a role that requires two-factor authentication."""
        return any(grant.is_privileged for grant in self.grants(user))

    # -- decisions

    def can(self, user, action: str, obj=None) -> bool:
        """Return whether `user` may take `action` on `obj`, or on its model (class or None)."""
        if action not in ALL:
            raise ValueError(f"Unknown action {action!r}")
        grants = self.grants(user)
        if obj is None:
            return any(action in grant.actions for grant in grants)
        # obj.__class__, not type(obj): request.user is a lazy proxy whose type is not User.
        registration = self.registry.get(obj if isinstance(obj, type) else obj.__class__)
        effective = registration.effective_action(action)
        if isinstance(obj, type) or (action == VIEW and registration.shared_view):
            return any(effective in grant.actions for grant in grants)
        if registration.many:
            return (
                obj.pk is not None
                and self.scope(
                    user, action, registration.model._base_manager.filter(pk=obj.pk)
                ).exists()
            )
        if action == VIEW and registration.owner is not None:
            owner = _follow(obj, registration.owner)
            if owner is not None and getattr(owner, "pk", owner) == user.pk:
                return True
        area = _follow(obj, registration.area)
        path = getattr(area, "path", None)
        organization = None
        if registration.organization is not None:
            organization = _follow(obj, registration.organization)
            organization = getattr(organization, "pk", organization)
        for grant in grants:
            if effective not in grant.actions or not grant.covers_path(path):
                continue
            restricted = grant.organization_id is not None and registration.organization is not None
            if restricted and organization != grant.organization_id:
                continue
            return True
        return False

    def require(self, user, action: str, obj=None) -> None:
        """Raise PermissionDenied unless `user` may take `action` on `obj`."""
        if not self.can(user, action, obj):
            raise PermissionDenied

    def scope(self, user, action: str, queryset: QuerySet) -> QuerySet:
        """Return the rows of `queryset` on which `user` may take `action`."""
        registration = self.registry.get(queryset.model)
        effective = registration.effective_action(action)
        if action == VIEW and registration.shared_view:
            visible = any(effective in grant.actions for grant in self.grants(user))
            return queryset if visible else queryset.none()
        condition: Q | None = None
        for grant in self.grants(user):
            if effective not in grant.actions:
                continue
            restricted = grant.organization_id is not None and registration.organization is not None
            if grant.is_root and not restricted:
                return queryset
            this = Q() if grant.is_root else Q(**{registration.path_lookup: grant.area_path})
            if restricted:
                this &= Q(**{registration.organization_lookup: grant.organization_id})
            condition = this if condition is None else condition | this
        if action == VIEW and registration.owner is not None and _is_active_user(user):
            mine = Q(**{registration.owner: user.pk})
            condition = mine if condition is None else condition | mine
        if condition is None:
            return queryset.none()
        if registration.many:
            matching = registration.model._base_manager.filter(condition).values("pk")
            return queryset.filter(pk__in=matching)
        return queryset.filter(condition)

    def areas(self, user, action: str) -> QuerySet:
        """Return the areas in which `user` may take `action`."""
        area_model = Grant._meta.get_field("area").related_model
        return self.scope(user, action, area_model.objects.all())

    def users_who_can(self, action: str, obj) -> QuerySet:
        """Return the active users who may take `action` on `obj`."""
        registration = self.registry.get(obj.__class__)
        effective = registration.effective_action(action)
        area = self.area_of(obj)
        role_ids = [role.pk for role in Role.objects.all() if effective in role.actions]
        grant_on = Q(grants__role_id__in=role_ids)
        if area is not None:
            grant_on &= Q(grants__area_id__in=area.ancestor_ids)
        else:
            grant_on &= Q(grants__area__parent__isnull=True)
        if registration.organization is not None:
            organization = _follow(obj, registration.organization)
            organization = getattr(organization, "pk", organization)
            grant_on &= Q(grants__organization__isnull=True) | Q(
                grants__organization_id=organization
            )
        users = get_user_model().objects.filter(is_active=True)
        return users.filter(pk__in=users.filter(grant_on).values("pk"))

    def get_object_for(self, user, queryset: QuerySet, action: str = VIEW, **lookup):
        """Return the row of `queryset` matching `lookup` that `user` may view, else 404.

        For another action, raise PermissionDenied (403) when the user may see the row but
        not take the action on it.
        """
        obj = get_object_or_404(self.scope(user, VIEW, queryset), **lookup)
        if action != VIEW:
            self.require(user, action, obj)
        return obj

    def belongs_to(self, user, organization) -> bool:
        """Return whether `user` works for `organization` (holds a grant bound to it).

        Figures an organization owns are shown to its own people unsuppressed, small
        counts included; everyone else, administrators too, sees them suppressed.
        """
        organization_id = getattr(organization, "pk", organization)
        return organization_id is not None and any(
            grant.organization_id == organization_id for grant in self.grants(user)
        )

    def organizations_of(self, user) -> frozenset[int]:
        """Return the ids of the organizations `user` holds a grant for."""
        return frozenset(
            grant.organization_id
            for grant in self.grants(user)
            if grant.organization_id is not None
        )

    def area_of(self, obj):
        """Return the area `obj` lies in, by the lookup its model registered, or None."""
        # obj.__class__, not type(obj): request.user is a lazy proxy whose type is not User.
        if obj is None or not self.registry.is_registered(obj.__class__):
            return None
        registration = self.registry.get(obj.__class__)
        if not registration.many:
            return _follow(obj, registration.area)
        if obj.pk is None:
            return None
        # Linked to several areas (a user through their grants): the highest one.
        area_model = Grant._meta.get_field("area").related_model
        linked = registration.model._base_manager.filter(pk=obj.pk).values(registration.area)
        return area_model.objects.filter(pk__in=linked).order_by("depth", "pk").first()

    # -- granting

    def can_grant(self, user, role: Role, area, organization=None) -> bool:
        """Return whether `user` may give `role` over `area` (for `organization`) to someone.

        The user must manage `area`, and a privileged role may be given only up to the
        rank of the user's own managing grant there.
        """
        organization_id = getattr(organization, "pk", organization)
        covering = [
            grant
            for grant in self.grants(user)
            if MANAGE in grant.actions
            and grant.covers_path(area.path)
            and (grant.organization_id is None or grant.organization_id == organization_id)
        ]
        if not covering:
            return False
        return not role.is_privileged or role.rank <= max(grant.rank for grant in covering)

    def can_administer(self, user, account) -> bool:
        """Return whether `user` may change `account` (another user): its details, its
        password, its two-factor devices, its active flag.

        Every grant `account` holds must be one `user` could give; an account with no grant
        can be administered only from the root. Nobody administers their own account here.
        """
        if not _is_active_user(user) or account.pk == user.pk:
            return False
        account_grants = list(
            Grant.objects.filter(user_id=account.pk).select_related("role", "area")
        )
        if not account_grants:
            return any(grant.is_root and MANAGE in grant.actions for grant in self.grants(user))
        return all(
            self.can_grant(user, grant.role, grant.area, grant.organization_id)
            for grant in account_grants
        )

    def require_administer(self, user, account) -> None:
        """Raise PermissionDenied unless `user` may administer `account`."""
        if not self.can_administer(user, account):
            raise PermissionDenied

    # -- identifiers from other systems

    def can_map_identifiers(self, user, obj=None) -> bool:
        """Return whether `user` may give `obj` identifiers of other systems (a DHIS2 uid).

        Whoever manages an indicator or an area maps its identifiers. Breakdowns (and
        other rows with no area of their own) are shared by every indicator, so mapping
        them takes a managing grant over the whole tree. Without `obj`: whether the user
        may map anything at all.
        """
        if obj is None:
            return any(MANAGE in grant.actions for grant in self.grants(user))
        if self.registry.is_registered(obj.__class__):
            return self.can(user, MANAGE, obj)
        return any(grant.is_root and MANAGE in grant.actions for grant in self.grants(user))

    def require_map_identifiers(self, user, obj=None) -> None:
        """Raise PermissionDenied unless `user` may map identifiers of `obj`."""
        if not self.can_map_identifiers(user, obj):
            raise PermissionDenied


policy = AccessPolicy(registry)

can = policy.can
require = policy.require
scope = policy.scope
areas = policy.areas
users_who_can = policy.users_who_can
get_object_for = policy.get_object_for
can_grant = policy.can_grant
is_privileged = policy.is_privileged
area_of = policy.area_of
belongs_to = policy.belongs_to
organizations_of = policy.organizations_of
grants = policy.grants
can_administer = policy.can_administer
require_administer = policy.require_administer
can_map_identifiers = policy.can_map_identifiers
require_map_identifiers = policy.require_map_identifiers
forget = policy.forget
