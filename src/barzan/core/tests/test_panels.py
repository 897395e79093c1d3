"""The home page's panel registry: apps contribute panels, the page shows them in order."""

import pytest

from barzan.core import panels


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(panels, "_providers", {})
    return panels


def test_each_providers_panels_come_most_urgent_first(registry):
    registry.register("later", lambda user: [panels.Panel("b", "B", "t.html", order=100)])
    registry.register("now", lambda user: [panels.Panel("a", "A", "t.html", order=10)])
    assert [panel.key for panel in registry.panels_for(object())] == ["a", "b"]


def test_registering_a_key_again_replaces_its_provider(registry):
    registry.register("one", lambda user: [panels.Panel("a", "A", "t.html")])
    registry.register("one", lambda user: [])
    assert registry.panels_for(object()) == []


def test_a_provider_sees_the_user_and_may_offer_nothing(registry):
    seen = []
    registry.register("one", lambda user: seen.append(user) or [])
    user = object()
    assert registry.panels_for(user) == []
    assert seen == [user]


def test_a_panel_renders_its_context_as_text(registry, settings, tmp_path):
    (tmp_path / "panel.html").write_text("{{ name }}|{{ panel.title }}")
    settings.TEMPLATES = [
        {"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [tmp_path]}
    ]
    panel = panels.Panel("a", "A", "panel.html", context={"name": "<b>x</b>"})
    assert panels.render(panel) == "&lt;b&gt;x&lt;/b&gt;|A"
