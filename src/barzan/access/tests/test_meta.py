"""
Meta-tests: access is enforced in one place because nothing can slip past it.

- Every model that has an area is registered with the policy.
- Every page of Barzan inherits a scoped base view, or says why it needs none.
"""

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from barzan.access.policy import registry
from barzan.access.views import ScopedViewMixin
from barzan.geo.models import Area


def models_with_an_area():
    for model in apps.get_models():
        if not model.__module__.startswith("barzan."):
            continue
        for field in model._meta.get_fields():
            points_at_area = field.is_relation and field.related_model is Area
            if points_at_area and field.concrete and (field.many_to_one or field.many_to_many):
                yield model
                break


def test_every_model_with_an_area_is_registered_with_the_policy():
    missing = [
        model._meta.label for model in models_with_an_area() if not registry.is_registered(model)
    ]
    assert missing == [], f"Register these with access.register(): {missing}"


def test_the_meta_test_finds_the_models_it_should():
    found = {model._meta.label for model in models_with_an_area()}
    assert {"geo.Area", "access.Grant", "audit.AuditEvent", "registry.Organization"} <= found


def iter_patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from iter_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def barzan_views():
    for route, callback in iter_patterns(get_resolver().url_patterns):
        view_class = getattr(callback, "view_class", None)
        module = (view_class or callback).__module__
        if module.startswith("barzan."):
            yield route, callback, view_class


def test_every_page_inherits_a_scoped_base_view_or_says_why_not():
    unscoped = []
    for route, callback, view_class in barzan_views():
        if view_class is not None and issubclass(view_class, ScopedViewMixin):
            continue
        if getattr(view_class or callback, "access_exempt", ""):
            continue
        unscoped.append(route)
    assert unscoped == [], (
        f"These views neither inherit a Scoped*View nor carry @access_exempt: {unscoped}"
    )


def test_the_view_walk_sees_pages_of_every_app():
    routes = [route for route, _callback, _view_class in barzan_views()]
    for expected in ("areas/", "organizations/", "audit/", "accounts/users/", "accounts/login/"):
        assert expected in routes
