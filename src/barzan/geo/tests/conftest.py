"""Fixtures for the geography tests: the seeded levels by code and a query counter."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture
def levels(roles):
    from barzan.geo.models import AreaLevel

    return {level.code: level for level in AreaLevel.objects.all()}


@pytest.fixture
def count_queries():
    """Return a function that runs `call` and returns how many queries it made."""

    def count(call) -> int:
        with CaptureQueriesContext(connection) as context:
            response = call()
            # Streaming exports run their queries while the body is read.
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
        return len(context.captured_queries)

    return count


@pytest.fixture
def english():
    """Read messages in English: these tests compare them with the source text."""
    from django.utils import translation

    with translation.override("en"):
        yield
