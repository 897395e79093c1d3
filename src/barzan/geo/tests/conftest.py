"""Fixtures for the geography tests: the seeded levels by code."""

import pytest


@pytest.fixture
def levels(roles):
    from barzan.geo.models import AreaLevel

    return {level.code: level for level in AreaLevel.objects.all()}


@pytest.fixture
def english():
    """Read messages in English: these tests compare them with the source text."""
    from django.utils import translation

    with translation.override("en"):
        yield
