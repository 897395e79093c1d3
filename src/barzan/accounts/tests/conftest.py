"""Fixtures of the accounts tests, on top of the shared ones in the project's conftest.py."""

import pytest


@pytest.fixture
def two_province_user(make_user, roles, areas):
    """An analyst in both Tehran and Isfahan: each province's manager sees them, neither alone
    administers them."""
    from barzan.accounts.actions import grant_role

    user = make_user("two-provinces", "analyst", areas.tehran)
    grant_role(actor=None, user=user, role=roles["analyst"], area=areas.isfahan)
    return user
