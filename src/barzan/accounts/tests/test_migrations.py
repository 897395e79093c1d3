"""Migration 0002 keeps existing API tokens working, read-and-write, with an expiry."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("accounts", "0001_initial")]
AFTER = [("accounts", "0002_token_expiry_and_scope")]


@pytest.mark.django_db(transaction=True)
def test_existing_tokens_get_read_and_write_and_an_expiry():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old_apps = executor.loader.project_state(BEFORE).apps
        User = old_apps.get_model("accounts", "User")
        ApiToken = old_apps.get_model("accounts", "ApiToken")
        user = User.objects.create(username="old-script-owner", password="!")
        far = timezone.now() + timedelta(days=10 * 365)
        soon = timezone.now() + timedelta(days=3)
        for name, expires_at in (("forever", None), ("far", far), ("soon", soon)):
            ApiToken.objects.create(
                user=user, name=name, key_hash=name * 8, prefix=name[:8], expires_at=expires_at
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
    new_apps = executor.loader.project_state(AFTER).apps
    tokens = {
        token.name: token for token in new_apps.get_model("accounts", "ApiToken").objects.all()
    }
    now = timezone.now()
    assert {token.scope for token in tokens.values()} == {"read_write"}
    default = now + timedelta(days=settings.BARZAN_API_TOKEN_DAYS)
    latest = now + timedelta(days=settings.BARZAN_API_TOKEN_MAX_DAYS)
    assert abs(tokens["forever"].expires_at - default) < timedelta(minutes=1)
    assert abs(tokens["far"].expires_at - latest) < timedelta(minutes=1)
    assert abs(tokens["soon"].expires_at - soon) < timedelta(seconds=1)
