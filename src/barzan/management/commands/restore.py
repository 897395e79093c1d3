"""`barzan restore PATH`: put a `barzan backup` archive back, and check it arrived whole."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from barzan import backups


class Command(BaseCommand):
    help = (
        "Restore a `barzan backup` archive into the configured database and data folder, "
        "then check every table's row count and checksum against its manifest. Stop the "
        "server and the worker first. A database holding any row is replaced only with --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The archive `barzan backup` wrote.")
        parser.add_argument(
            "--force", action="store_true", help="Replace a database that is not empty."
        )

    def handle(self, *args, path, force, **options):
        try:
            manifest = backups.restore(path, force=force)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(f"Restored {path}")
            + f" (made {manifest['created_at']} by Barzan {manifest['barzan_version']}): "
            f"{len(manifest['tables'])} tables, {rows} rows and {len(manifest['files'])} files, "
            "identical to the backup. Run `barzan migrate` if this Barzan is newer."
        )
