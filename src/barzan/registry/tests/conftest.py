"""Fixtures for the registry tests: a query counter."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


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
