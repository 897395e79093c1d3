"""
The `barzan` command: every Django management command, plus `demo`, `serve` and `worker`.

    barzan demo        set up a demo in ./var/ and serve it on http://127.0.0.1:8000
    barzan serve       serve with gunicorn (production)
    barzan worker      run background tasks (django-tasks' db_worker, surviving database errors)
    barzan migrate …   any other Django command
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "barzan.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "barzan"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
