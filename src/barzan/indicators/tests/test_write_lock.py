"""
Imports and SQLite's write lock (issue 9, finding 3): a dry run never takes the lock, and
an apply releases it between its bounded steps so other writers (a login's session row,
an API write) get through.

These run `barzan` in a child process against a SQLite file of their own, because the
test database is in memory, where connections do not lock the way a file does. They are
SQLite-only: PostgreSQL locks rows, not the whole database, so there a dry run never
blocks writers; the bounded steps themselves are tested on both engines in
`test_import_jobs.py`.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="SQLite's database-wide write lock; PostgreSQL locks rows and never had it",
)

SETUP = Path(__file__).with_name("lock_setup.py")
PERIODS = [f"{year}Q{quarter}" for year in range(1380, 1390) for quarter in range(1, 5)]
ROWS = 5 * 100 * len(PERIODS)  # 20,000 values


def barzan(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "barzan.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


@pytest.fixture(scope="module")
def installation(tmp_path_factory):
    """A migrated SQLite file with Tehran's 100 counties, an organization, 5 indicators."""
    folder = tmp_path_factory.mktemp("lock")
    env = {
        **os.environ,
        "BARZAN_DATA_DIR": str(folder),
        "BARZAN_DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
    }
    assert barzan(env, "migrate", "-v0").returncode == 0
    made = barzan(env, "shell", input=SETUP.read_text())
    assert made.returncode == 0, made.stderr
    values = folder / "values.csv"
    with values.open("w") as output:
        output.write("indicator,area,period,breakdown,value,comment\n")
        for indicator in range(5):
            for county in range(100):
                for period in PERIODS:
                    output.write(f"count{indicator},23{county:02d},{period},total,{county},\n")
    counties = folder / "counties.csv"
    counties.write_text(
        "code,name_fa,parent_code\n"
        + "".join(f"23{county:02d},شهرستان تازه {county},23\n" for county in range(100))
    )
    shutil.copy(folder / "db.sqlite3", folder / "template.sqlite3")
    return folder, env


@pytest.fixture
def fresh(installation):
    """The installation as set up, with no values yet."""
    folder, env = installation
    for suffix in ("-wal", "-shm"):
        (folder / f"db.sqlite3{suffix}").unlink(missing_ok=True)
    shutil.copy(folder / "template.sqlite3", folder / "db.sqlite3")
    return folder, env


def hold_write_lock(database: Path) -> sqlite3.Connection:
    """Take the write lock from another connection, as a long writer would."""
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE geo_area SET population = population WHERE code = 'IR'")
    return holder


def test_a_dry_run_succeeds_while_another_connection_holds_the_write_lock(fresh):
    folder, env = fresh
    holder = hold_write_lock(folder / "db.sqlite3")
    try:
        values = barzan(
            env, "import", "values", str(folder / "values.csv"),
            "--source", "stats", "--area", "23", "--dry-run",
        )  # fmt: skip
        areas = barzan(
            env, "import", "areas", str(folder / "counties.csv"), "--level", "county",
            "--update", "names", "--dry-run",
        )  # fmt: skip
        # The control: writing does need the lock, and gives up after the busy timeout.
        applying = barzan(
            env, "import", "values", str(folder / "values.csv"),
            "--source", "stats", "--area", "23",
        )  # fmt: skip
    finally:
        holder.rollback()
        holder.close()

    assert values.returncode == 0, values.stderr
    assert f"{ROWS} new" in values.stdout
    assert areas.returncode == 0, areas.stderr
    assert "100 to change" in areas.stdout
    assert applying.returncode != 0
    assert "locked" in applying.stderr


def test_other_writes_get_through_while_an_import_applies(fresh):
    folder, env = fresh
    database = folder / "db.sqlite3"
    importing = subprocess.Popen(
        [
            sys.executable, "-m", "barzan.cli", "import", "values", str(folder / "values.csv"),
            "--source", "stats", "--area", "23",
        ],
        env={**env, "BARZAN_IMPORT_STEP_ROWS": "1000"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    waits, seen = [], []
    writer = sqlite3.connect(database, isolation_level=None, timeout=5)
    try:
        number = 0
        while importing.poll() is None:
            number += 1
            started = time.monotonic()
            # What a login writes: a session row, in a transaction of its own.
            writer.execute("BEGIN IMMEDIATE")
            waits.append(time.monotonic() - started)
            seen.append(
                writer.execute("SELECT COUNT(*) FROM indicators_indicatorvalue").fetchone()[0]
            )
            writer.execute(
                "INSERT INTO django_session (session_key, session_data, expire_date) "
                "VALUES (?, '', '2100-01-01')",
                [f"lock-test-{number}"],
            )
            writer.execute("COMMIT")
            time.sleep(0.02)
    finally:
        writer.close()
        stdout, stderr = importing.communicate(timeout=300)

    assert importing.returncode == 0, stderr
    assert f"{ROWS} new" in stdout
    during_apply = [count for count in seen if 0 < count < ROWS]
    assert len(during_apply) >= 3, f"no write landed between the import's steps: {seen}"
    assert max(waits) < 1.5, [(round(w, 2), s) for w, s in zip(waits, seen, strict=True) if w > 0.3]
    final = sqlite3.connect(database)
    assert final.execute("SELECT COUNT(*) FROM indicators_indicatorvalue").fetchone()[0] == ROWS
    final.close()
