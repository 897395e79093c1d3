"""Fixtures for the API tests: bearer tokens and a CSRF-enforcing client."""

import pytest
from django.test import Client


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
