"""
`barzan backup` and `barzan restore` round-trip identical (issue 9, finding 8).

As found: copying the SQLite file while Barzan served lost the last four committed
writes, which were still in the write-ahead log. Each SQLite test runs Barzan as a
command on its own data folder (the test database lives in memory, where no other
connection could write beside the backup); the PostgreSQL test backs up the test
database and restores it into a throwaway database named after it.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from barzan import backups

SETUP = """
import django
django.setup()
from barzan.accounts.models import User
from barzan.geo.actions import create_area
from barzan.geo.models import AreaLevel

level = {item.code: item for item in AreaLevel.objects.all()}
country = create_area(actor=None, level=level["country"], code="IR", name_fa="ایران")
for number in range(1, 4):
    create_area(actor=None, level=level["province"], code=f"{number:02}",
                name_fa=f"استان آزمایشی {number}", parent=country)
User.objects.create_user("tester", "tester@barzan.test", "a-long-test-password-1403")
"""


def barzan(data_dir: Path, *arguments, check=True):
    """Run `barzan …` on the SQLite database in `data_dir`; return the finished process."""
    env = {**os.environ, "BARZAN_DATA_DIR": str(data_dir)}
    env.pop("BARZAN_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "barzan.cli", *map(str, arguments)],
        env=env,
        check=check,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def installation(tmp_path_factory):
    """A migrated SQLite installation with a few rows and uploaded files; return its folder."""
    data_dir = tmp_path_factory.mktemp("source")
    barzan(data_dir, "migrate", "-v0")
    env = {**os.environ, "BARZAN_DATA_DIR": str(data_dir)}
    env.pop("BARZAN_DATABASE_URL", None)
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True)
    (data_dir / "imports").mkdir()
    (data_dir / "imports" / "waiting.csv").write_text("indicator,area,period,value\nx,23,1403,5\n")
    (data_dir / "media").mkdir()
    (data_dir / "media" / "photo.bin").write_bytes(bytes(range(256)) * 40)
    return data_dir


@pytest.fixture(scope="module")
def archive(installation, tmp_path_factory):
    """A backup of `installation`, made by `barzan backup`."""
    path = tmp_path_factory.mktemp("archive") / "backup.tar.gz"
    assert "Backed up" in barzan(installation, "backup", path).stdout
    return path


def database(data_dir: Path) -> Path:
    return data_dir / "barzan.sqlite3"


def add_sessions(connection_, keys):
    expires = (timezone.now() + timedelta(days=1)).isoformat(" ")
    for key in keys:
        connection_.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (?, ?, ?)",
            (key, "data", expires),
        )


def session_keys(path: Path) -> set[str]:
    with sqlite3.connect(path) as reader:
        return {key for (key,) in reader.execute("SELECT session_key FROM django_session")}


def test_a_restored_sqlite_copy_is_identical(installation, archive, tmp_path):
    target = tmp_path / "restored"
    result = barzan(target, "restore", archive)
    assert "identical" in result.stdout

    original = backups.sqlite_table_figures(database(installation))
    restored = backups.sqlite_table_figures(database(target))
    assert restored == original
    assert len(original) > 30
    assert original["geo_area"]["rows"] == 4
    assert original["accounts_user"]["rows"] == 1
    for name in ("imports/waiting.csv", "media/photo.bin", "secret_key"):
        assert (target / name).read_bytes() == (installation / name).read_bytes()


def test_the_manifest_lists_version_time_engine_tables_and_files(archive):
    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
    assert manifest["format"] == 1
    assert manifest["engine"] == "sqlite"
    assert manifest["barzan_version"]
    assert manifest["created_at"]
    assert manifest["tables"]["geo_area"]["rows"] == 4
    assert len(manifest["tables"]["geo_area"]["checksum"]) == 64
    assert set(manifest["files"]) == {"imports/waiting.csv", "media/photo.bin", "secret_key"}


def test_writes_still_in_the_write_ahead_log_are_in_the_backup(installation, tmp_path):
    """The finding: four committed writes lived only in the WAL when the file was copied."""
    writer = sqlite3.connect(database(installation), isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # keep them in the WAL, as a busy server does
    try:
        keys = [f"in-the-wal-{number}" for number in range(4)]
        add_sessions(writer, keys)
        assert Path(f"{database(installation)}-wal").stat().st_size > 0
        # What was done before: the database file alone lacks the four writes.
        copied = tmp_path / "copied.sqlite3"
        shutil.copy(database(installation), copied)
        assert not session_keys(copied) & set(keys)

        archive = tmp_path / "backup.tar.gz"
        barzan(installation, "backup", archive)
    finally:
        writer.close()
    target = tmp_path / "restored"
    barzan(target, "restore", archive)
    assert set(keys) <= session_keys(database(target))


def test_writes_made_while_the_backup_runs_leave_a_consistent_copy(installation, tmp_path):
    """Every write committed before the backup began is in it, and the copy is whole."""
    committed, stop = [], threading.Event()

    def keep_writing():
        writer = sqlite3.connect(database(installation), isolation_level=None, timeout=10)
        number = 0
        while not stop.is_set():
            key = f"during-{number}"
            add_sessions(writer, [key])
            committed.append((time.monotonic(), key))
            number += 1
        writer.close()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        time.sleep(0.5)
        started = time.monotonic()
        archive = tmp_path / "backup.tar.gz"
        barzan(installation, "backup", archive)
    finally:
        stop.set()
        thread.join()
    before = {key for moment, key in committed if moment < started}
    assert before
    target = tmp_path / "restored"
    assert "identical" in barzan(target, "restore", archive).stdout
    assert before <= session_keys(database(target))


def test_restore_refuses_a_database_that_is_not_empty_without_force(archive, tmp_path):
    target = tmp_path / "restored"
    barzan(target, "migrate", "-v0")
    refused = barzan(target, "restore", archive, check=False)
    assert refused.returncode != 0
    assert "not empty" in refused.stderr
    assert "--force" in refused.stderr
    assert backups.sqlite_table_figures(database(target))["geo_area"]["rows"] == 0

    assert "identical" in barzan(target, "restore", archive, "--force").stdout
    assert backups.sqlite_table_figures(database(target))["geo_area"]["rows"] == 4


def test_a_damaged_archive_is_refused_before_anything_is_touched(archive, tmp_path):
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as opened:
        opened.extractall(unpacked, filter="data")
    (unpacked / "files" / "media" / "photo.bin").write_bytes(b"not the photo")
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(damaged, "w:gz") as rewritten:
        for path in sorted(unpacked.rglob("*")):
            if path.is_file():
                rewritten.add(path, arcname=path.relative_to(unpacked).as_posix())
    target = tmp_path / "restored"
    refused = barzan(target, "restore", damaged, check=False)
    assert refused.returncode != 0
    assert "checksum" in refused.stderr
    assert not (target / "media").exists()


def test_a_missing_pg_dump_is_reported_clearly(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(backups.BackupError, match="pg_dump was not found on PATH"):
        backups._find_program("pg_dump")


@pytest.mark.django_db(transaction=True)
def test_a_restored_postgresql_copy_is_identical(people, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: run with BARZAN_DATABASE_URL=postgres://…")
    from django.core.management import call_command

    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))
    original = backups.connection_table_figures()
    with tarfile.open(archive) as opened:
        assert json.load(opened.extractfile("manifest.json"))["tables"] == original
    assert original["accounts_user"]["rows"] == 7

    source = settings.DATABASES["default"]
    throwaway = f"{source['NAME']}_restore"
    url = urllib.parse.urlunsplit(
        ("postgres", f"{source['USER']}@{source['HOST']}:{source['PORT']}", f"/{throwaway}", "", "")
    )
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{throwaway}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{throwaway}"')
    try:
        env = {**os.environ, "BARZAN_DATABASE_URL": url, "BARZAN_DATA_DIR": str(tmp_path / "d")}
        command = [sys.executable, "-m", "barzan.cli", "restore", str(archive)]
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        figures = (
            "import django, json; django.setup(); from barzan.backups import live_table_figures; "
            "print(json.dumps(live_table_figures()))"
        )
        restored = subprocess.run(
            [sys.executable, "-c", figures], env=env, capture_output=True, text=True, check=True
        )
        assert json.loads(restored.stdout) == original
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{throwaway}" WITH (FORCE)')
