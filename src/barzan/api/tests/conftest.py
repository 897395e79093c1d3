"""Fixtures for the API tests: bearer tokens and a CSRF-enforcing client."""

import pytest
from django.test import Client

from .support import token_for


@pytest.fixture
def bearer(db):
    """Return a function giving the headers that authenticate `user` with a new API token
    (read and write unless `scope` says otherwise)."""

    def headers(user, scope="read_write") -> dict:
        _token, raw = token_for(user, scope)
        return {"Authorization": f"Bearer {raw}"}

    return headers


@pytest.fixture
def csrf_client():
    """A client that checks CSRF tokens like a browser session does."""
    return Client(enforce_csrf_checks=True)
