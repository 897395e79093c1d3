"""Production settings: Django's deployment checks pass, passwords use Argon2, SQLite uses WAL."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

import barzan.settings

HTTPS_WARNINGS = {"security.W004", "security.W008", "security.W012", "security.W016"}


def deploy_check(tmp_path, **extra):
    env = {
        key: value
        for key, value in os.environ.items()
        # The check must see only what this test sets: SQLite, no debug, no HTTPS unless
        # asked, and none of the test run's own switches (the browser tests' async one).
        if key not in {"BARZAN_DATABASE_URL", "BARZAN_HTTPS", "BARZAN_DEBUG"}
        and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        BARZAN_SECRET_KEY=secrets.token_urlsafe(45),
        BARZAN_ALLOWED_HOSTS="barzan.example.ir",
        BARZAN_DATA_DIR=str(tmp_path),
        **extra,
    )
    assert len(env["BARZAN_SECRET_KEY"]) == 60
    return subprocess.run(
        [sys.executable, "-m", "barzan.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=barzan.settings.PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def warning_ids(result):
    return set(re.findall(r"\((\w+\.[WE]\d+)\)", result.stdout + result.stderr))


# Django's static files check warns about a missing STATICFILES_DIRS folder: in a fresh clone
# node_modules does not exist until the front-end packages are installed.
@pytest.mark.usefixtures("front_end_assets")
def test_the_deployment_check_passes_behind_https(tmp_path):
    result = deploy_check(tmp_path, BARZAN_HTTPS="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert warning_ids(result) == set()


@pytest.mark.usefixtures("front_end_assets")
def test_without_https_only_the_https_warnings_are_reported(tmp_path):
    result = deploy_check(tmp_path)
    assert result.returncode == 1
    assert warning_ids(result) == HTTPS_WARNINGS


def test_production_hashes_passwords_with_argon2():
    # The conftest swaps django.conf.settings to a fast hasher; the module keeps the real one.
    assert barzan.settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_sqlite_connections_run_in_wal_mode(tmp_path, django_db_blocker):
    if connection.vendor != "sqlite":
        pytest.skip("WAL is a SQLite journal mode")
    # The test database lives in memory, where WAL does not apply; open a file like production.
    settings_dict = {**connection.settings_dict, "NAME": str(tmp_path / "barzan.sqlite3")}
    wrapper = SQLiteDatabaseWrapper(settings_dict, alias="wal_check")
    with django_db_blocker.unblock():
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone()[0] == "wal"
                cursor.execute("PRAGMA foreign_keys")
                assert cursor.fetchone()[0] == 1
        finally:
            wrapper.close()
