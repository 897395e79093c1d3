"""Fixtures for the API tests: bearer tokens, a CSRF-enforcing client, and a query counter."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


@pytest.fixture
def bearer(db):
    """Return a function giving the headers that authenticate `user` with a new API token."""
    from barzan.accounts.actions import create_api_token

    def headers(user) -> dict:
        _token, raw = create_api_token(actor=user, name="t")
        return {"Authorization": f"Bearer {raw}"}

    return headers


@pytest.fixture
def csrf_client():
    """A client that checks CSRF tokens like a browser session does."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def count_queries():
    """Return a function that runs `call` and returns how many queries it made."""

    def count(call) -> int:
        with CaptureQueriesContext(connection) as context:
            call()
        return len(context.captured_queries)

    return count
