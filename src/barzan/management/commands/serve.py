"""`barzan serve`: collect static files and serve with gunicorn (production)."""

import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from barzan.serving import default_workers, run_gunicorn


class Command(BaseCommand):
    help = (
        "Serve Barzan with gunicorn and WhiteNoise until SIGTERM or Ctrl+C, which it passes on. "
        "Run `barzan migrate` first after an upgrade."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)."
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="Port to listen on (default 8000)."
        )
        parser.add_argument(
            "--workers", type=int, default=default_workers(), help="gunicorn worker processes."
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also run `barzan worker` beside gunicorn, restarted if it dies "
            "(otherwise run it as its own service).",
        )

        parser.add_argument(
            "--skip-collectstatic",
            action="store_true",
            help="Serve the static files collected before (`barzan collectstatic` at deployment).",
        )

    def handle(self, *args, host, port, workers, with_worker, skip_collectstatic, **options):
        if not skip_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Serving Barzan on http://{host}:{port}/ with {workers} workers.")
        sys.exit(run_gunicorn(host, port, workers, with_worker=with_worker))
