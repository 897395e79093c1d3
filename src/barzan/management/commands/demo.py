"""`barzan demo`: set up everything a demo needs in the data folder, then serve it."""

import sys
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from barzan import demo
from barzan.core.assets import AssetsError, ensure_assets
from barzan.serving import default_workers, run_gunicorn


def static_files_are_current() -> bool:
    """Return whether the collected static files are newer than every file they come from.

    Collecting compresses some 70 MB of front-end packages (gzip and Brotli): more than a
    minute of processor time that a second `barzan demo` need not spend again when nothing
    changed (`barzan serve` always collects).
    """
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return False
    collected_at = manifest.stat().st_mtime
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            if Path(storage.path(path)).stat().st_mtime > collected_at:
                return False
    return True


class Command(BaseCommand):
    help = (
        "Create the database in the data folder (./var/ unless BARZAN_DATA_DIR says otherwise), "
        "install front-end packages, load demo content, print the logins, "
        "and serve on 127.0.0.1:8000. "
        "A second run reuses the data; --reset starts over."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo database and start over."
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument(
            "--no-serve", action="store_true", help="Set up and load, but do not serve."
        )

    def handle(self, *args, reset, host, port, workers, no_serve, **options):
        if reset:
            self.reset_database()
        try:
            ensure_assets(self.stdout)
        except AssetsError as error:
            raise CommandError(str(error)) from None
        self.stdout.write("Preparing the database …")
        call_command("migrate", interactive=False, verbosity=0)
        if static_files_are_current():
            self.stdout.write("Static files are already collected and unchanged.")
        else:
            self.stdout.write(
                "Collecting and compressing the static files (a minute or more, the first time) …"
            )
            call_command("collectstatic", interactive=False, verbosity=0)
        if not demo.is_loaded():
            self.stdout.write(
                "Loading demo content: Iran's divisions with real province and county outlines "
                "(OpenStreetMap), synthetic shapes below them, organizations, figures, users …"
            )
            demo.load()
        self.print_logins(host, port)
        if no_serve:
            return
        # Two-factor authentication is offered, not forced, so the demo opens without a phone.
        sys.exit(
            run_gunicorn(
                host,
                port,
                workers,
                extra_env={"BARZAN_TWO_FACTOR": settings.DEMO_TWO_FACTOR},
                with_worker=True,
            )
        )

    def reset_database(self):
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError(
                "--reset only deletes the embedded SQLite database; "
                "drop a PostgreSQL database yourself."
            )
        connections.close_all()
        path = Path(database["NAME"])
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            candidate.unlink(missing_ok=True)
        self.stdout.write(f"Deleted {path}.")

    def print_logins(self, host, port):
        rows = demo.describe_logins()
        width = max((len(username) for _role, _area, username in rows), default=10)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Barzan demo: http://{host}:{port}/"))
        self.stdout.write(f"Data folder: {settings.DATA_DIR}")
        self.stdout.write(f"Every demo account's password: {demo.DEMO_PASSWORD}")
        for role, area, username in rows:
            self.stdout.write(f"  {username.ljust(width)}  {role} — {area}")
        self.stdout.write(
            "Two-factor authentication is optional in the demo (BARZAN_TWO_FACTOR=optional); "
            "production requires it for privileged roles."
        )
        self.stdout.write("")
