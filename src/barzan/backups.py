"""
Back up and restore an installation: the database and the data folder, in one archive.

An archive (`.tar.gz`) holds `manifest.json`, the database and the data folder's files:

- SQLite: `database.sqlite3`, a copy made with SQLite's online backup API, which reads a
  consistent snapshot through the write-ahead log; copying the file lost the writes still
  in the WAL.
- PostgreSQL: `database.dump`, `pg_dump`'s custom format, from the same snapshot as the
  manifest's figures (an exported snapshot shared with `pg_dump --snapshot`).
- `files/`: every file of the data folder but the database, collected static files and
  earlier backups: uploads waiting for import, media, the generated secret key.

The manifest records the format, Barzan's version, the time, the database engine, each
table's row count and checksum, and each file's checksum. Restoring checks the archive
against the manifest before it touches anything, and the restored database after.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRESQL_MEMBER = "database.dump"
FILES_PREFIX = "files/"
# Rows are hashed in batches of this many, so a table of millions never sits in memory.
BATCH = 5000


class BackupError(Exception):
    """A backup or restore that cannot go on, with a message for the person running it."""


# -- Table figures: row counts and checksums, the same way for a live database and a copy.


def _checksum_rows(cursor, query: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    cursor.execute(query)
    while rows := cursor.fetchmany(BATCH):
        for row in rows:
            values = tuple(
                bytes(value) if isinstance(value, memoryview) else value for value in row
            )
            digest.update(repr(values).encode())
            digest.update(b"\n")
        count += len(rows)
    return count, digest.hexdigest()


def sqlite_table_figures(path: Path) -> dict[str, dict]:
    """Return {table: {"rows", "checksum"}} for every table of the SQLite file at `path`."""
    database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cursor = database.cursor()
        tables = [
            name
            for (name,) in cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            ).fetchall()
        ]
        figures = {}
        for table in tables:
            columns = cursor.execute(f'PRAGMA table_info("{table}")').fetchall()
            key = [column[1] for column in sorted(columns, key=lambda c: c[5]) if column[5]]
            order = ", ".join(f'"{name}"' for name in key) or "1"
            if not key:
                order = ", ".join(str(position + 1) for position in range(len(columns)))
            rows, checksum = _checksum_rows(cursor, f'SELECT * FROM "{table}" ORDER BY {order}')
            figures[table] = {"rows": rows, "checksum": checksum}
        return figures
    finally:
        database.close()


def connection_table_figures(using: str = "default") -> dict[str, dict]:
    """Return {table: {"rows", "checksum"}} for every table of a Django database connection."""
    database = connections[using]
    quote = database.ops.quote_name
    queries = {}
    with database.cursor() as cursor:
        for table in sorted(database.introspection.table_names(cursor)):
            key = database.introspection.get_primary_key_columns(cursor, table) or []
            if key:
                order = ", ".join(quote(name) for name in key)
            else:
                width = len(database.introspection.get_table_description(cursor, table))
                order = ", ".join(str(position + 1) for position in range(width))
            queries[table] = f"SELECT * FROM {quote(table)} ORDER BY {order}"
    figures = {}
    for table, query in queries.items():
        # A server-side cursor on PostgreSQL: a table of millions of values streams
        # through in batches instead of arriving whole.
        with database.chunked_cursor() as cursor:
            rows, checksum = _checksum_rows(cursor, query)
        figures[table] = {"rows": rows, "checksum": checksum}
    return figures


def live_table_figures() -> dict[str, dict]:
    """Return the figures of the configured database, read as a backup's copy is read."""
    if engine() == "sqlite":
        # Raw sqlite3, as for the copy: Django's connection converts dates and decimals.
        return sqlite_table_figures(Path(str(settings.DATABASES["default"]["NAME"])))
    return connection_table_figures()


def database_is_empty(using: str = "default") -> bool:
    """Return whether the database has no table holding a row."""
    database = connections[using]
    quote = database.ops.quote_name
    with database.cursor() as cursor:
        for table in database.introspection.table_names(cursor):
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")
            if cursor.fetchone() is not None:
                return False
    return True


# -- The data folder's files.


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def data_files() -> Iterator[tuple[Path, str]]:
    """Yield (path, name inside the data folder) of every file a backup keeps."""
    data_dir = Path(settings.DATA_DIR)
    skipped = {Path(settings.STATIC_ROOT).resolve(), (data_dir / "backups").resolve()}
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        name = Path(str(database["NAME"]))
        skipped |= {name.resolve(), Path(f"{name}-wal").resolve(), Path(f"{name}-shm").resolve()}
    for root, folders, files in os.walk(data_dir):
        folders[:] = sorted(f for f in folders if (Path(root) / f).resolve() not in skipped)
        for file in sorted(files):
            path = Path(root) / file
            if path.resolve() not in skipped and path.is_file():
                yield path, path.relative_to(data_dir).as_posix()


# -- Backup.


def engine() -> str:
    """Return "sqlite" or "postgresql", the engine of the default database."""
    name = settings.DATABASES["default"]["ENGINE"]
    if name == "django.db.backends.sqlite3":
        return "sqlite"
    if name == "django.db.backends.postgresql":
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")


def barzan_version() -> str:
    try:
        return version("barzan")
    except PackageNotFoundError:
        return "unknown"


def default_archive_path() -> Path:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"barzan-{stamp}.tar.gz"


def back_up(target: Path | None = None) -> tuple[Path, dict]:
    """Write a backup archive to `target` (a file, or a folder to put it in); return its path
    and manifest."""
    kind = engine()
    if target is None:
        target = default_archive_path()
    elif target.is_dir():
        target = target / default_archive_path().name
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="barzan-backup-") as scratch:
        if kind == "sqlite":
            member = SQLITE_MEMBER
            database_path = Path(scratch) / member
            figures = _sqlite_snapshot(database_path)
        else:
            member = POSTGRESQL_MEMBER
            database_path = Path(scratch) / member
            figures = _postgresql_dump(database_path)
        files = [(path, name) for path, name in data_files()]
        manifest = {
            "format": FORMAT,
            "barzan_version": barzan_version(),
            "created_at": timezone.now().isoformat(),
            "engine": kind,
            "database": {"member": member, "sha256": _sha256_file(database_path)},
            "tables": figures,
            "files": {name: _sha256_file(path) for path, name in files},
        }
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mtime = int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(body))
            archive.add(database_path, arcname=member)
            for path, name in files:
                archive.add(path, arcname=FILES_PREFIX + name)
        # Renamed only when complete, so a half-written archive never looks like a backup.
        partial.replace(target)
    target.chmod(0o600)
    return target, manifest


def _sqlite_snapshot(copy_path: Path) -> dict:
    """Copy the live SQLite database with the online backup API; return the copy's figures."""
    source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
    copy = sqlite3.connect(copy_path)
    try:
        # One step: the copy is a single consistent snapshot, WAL included, while other
        # connections go on writing.
        source.backup(copy)
        # A single self-contained file in the archive, without a -wal beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
        source.close()
    return sqlite_table_figures(copy_path)


def _postgresql_arguments(database: dict) -> tuple[list[str], dict[str, str]]:
    arguments = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            arguments += [flag, str(database[key])]
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return arguments, env


def _find_program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH. Install PostgreSQL's client programs in the "
            f"version of the server or newer (Debian: apt install postgresql-client)."
        )
    return found


def _postgresql_dump(dump_path: Path) -> dict:
    """Dump the database with pg_dump from one snapshot, and return that snapshot's figures."""
    program = _find_program("pg_dump")
    database = settings.DATABASES["default"]
    arguments, env = _postgresql_arguments(database)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        dump = subprocess.run(
            [program, "--format=custom", f"--snapshot={snapshot}", "--no-owner",
             "--no-privileges", f"--file={dump_path}", *arguments, str(database["NAME"])],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        if dump.returncode != 0:
            raise BackupError(f"pg_dump failed: {dump.stderr.strip()}")
        return connection_table_figures()


# -- Restore.


def read_manifest(archive_path: Path) -> dict:
    """Return the archive's manifest after checking that every member matches it."""
    if not archive_path.is_file():
        raise BackupError(f"There is no backup archive at {archive_path}.")
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            manifest = json.load(archive.extractfile(MANIFEST))
            if manifest.get("format") != FORMAT:
                raise BackupError(
                    f"This archive has format {manifest.get('format')}; "
                    f"this Barzan reads format {FORMAT}."
                )
            expected = {manifest["database"]["member"]: manifest["database"]["sha256"]}
            expected |= {FILES_PREFIX + name: sha for name, sha in manifest["files"].items()}
            for member in archive.getmembers():
                if member.name == MANIFEST:
                    continue
                if member.name not in expected or not member.isfile():
                    raise BackupError(f"The archive holds {member.name}, which its manifest lacks.")
                digest = hashlib.sha256()
                stream = archive.extractfile(member)
                while block := stream.read(1 << 20):
                    digest.update(block)
                if digest.hexdigest() != expected.pop(member.name):
                    raise BackupError(f"{member.name} does not match its checksum: damaged?")
            if expected:
                raise BackupError(f"The archive lacks {', '.join(sorted(expected))}.")
    except (tarfile.TarError, KeyError, ValueError, OSError, EOFError) as error:
        raise BackupError(f"{archive_path} is not a readable Barzan backup ({error}).") from None
    return manifest


def restore(archive_path: Path, *, force: bool = False) -> dict:
    """Restore the archive into the configured database and data folder; return its manifest.

    Refuse to replace a database that holds any row unless `force`. Check the restored
    tables against the manifest's row counts and checksums.
    """
    manifest = read_manifest(archive_path)
    kind = engine()
    if manifest["engine"] != kind:
        raise BackupError(
            f"This is a {manifest['engine']} backup; the configured database is {kind}."
        )
    if not force and not database_is_empty():
        raise BackupError(
            "The configured database is not empty. Restoring replaces all of it: "
            "add --force to do so."
        )
    with tempfile.TemporaryDirectory(prefix="barzan-restore-") as scratch:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(scratch, filter="data")
        database_file = Path(scratch) / manifest["database"]["member"]
        if kind == "sqlite":
            _restore_sqlite(database_file)
        else:
            _restore_postgresql(database_file)
        files_dir = Path(scratch) / FILES_PREFIX
        for name in manifest["files"]:
            destination = Path(settings.DATA_DIR) / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(files_dir / name, destination)
    restored = live_table_figures()
    differing = sorted(
        table
        for table in set(manifest["tables"]) | set(restored)
        if manifest["tables"].get(table) != restored.get(table)
    )
    if differing:
        raise BackupError(
            "The restored database differs from the backup in: " + ", ".join(differing)
        )
    return manifest


def _restore_sqlite(copy_path: Path) -> None:
    connections.close_all()
    target = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
    source = sqlite3.connect(f"file:{copy_path}?mode=ro", uri=True)
    try:
        # Through SQLite, not by copying files, so an old -wal cannot replay over the copy.
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        source.close()
        target.close()


def _restore_postgresql(dump_path: Path) -> None:
    program = _find_program("pg_restore")
    database = settings.DATABASES["default"]
    with transaction.atomic(), connection.cursor() as cursor:
        # Every table goes, also ones a newer version added, so nothing stale is left.
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
    connections.close_all()
    arguments, env = _postgresql_arguments(database)
    result = subprocess.run(
        [program, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
         f"--dbname={database['NAME']}", *arguments, str(dump_path)],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
