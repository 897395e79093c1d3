"""`barzan backup [PATH]`: the database and the data folder, in one archive with a manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from barzan import backups


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite's online backup, or pg_dump for PostgreSQL) and the data "
        "folder's files into one .tar.gz archive with a manifest of row counts and checksums. "
        "Safe while Barzan serves."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            type=Path,
            help="The archive to write, or a folder to write it in "
            "(default: <data folder>/backups/barzan-<time>.tar.gz).",
        )

    def handle(self, *args, path, **options):
        try:
            archive, manifest = backups.back_up(path)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(f"Backed up to {archive}")
            + f" ({manifest['engine']}, {len(manifest['tables'])} tables, {rows} rows, "
            f"{len(manifest['files'])} files)."
        )
