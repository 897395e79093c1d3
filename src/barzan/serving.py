"""Run Barzan under gunicorn: the one way `barzan demo` and `barzan serve` serve pages."""

import os
import socket
import subprocess
import sys

from django.core.management.base import CommandError


def default_workers() -> int:
    return max(2, min(2 * (os.cpu_count() or 1) + 1, 8))


def check_port_free(host: str, port: int) -> None:
    """Raise CommandError with advice if `host:port` cannot be bound."""
    with socket.socket(
        socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM
    ) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise CommandError(
                f"Cannot listen on {host}:{port} ({error.strerror}). "
                "Is Barzan already running? Stop it, or choose another port with --port."
            ) from None


def gunicorn_command(host: str, port: int, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "barzan.wsgi:application",
        "--bind",
        f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "20",
        "--timeout",
        "120",
    ]


def worker_command() -> list[str]:
    return [sys.executable, "-m", "barzan.cli", "worker", "--no-reload", "--no-startup-delay"]


def run_gunicorn(
    host: str,
    port: int,
    workers: int,
    extra_env: dict[str, str] | None = None,
    with_worker: bool = False,
) -> int:
    """Serve until interrupted and return gunicorn's exit status.

    With `with_worker`, a background-task worker (`barzan worker`) runs beside gunicorn
    and stops with it, so that large imports proceed in the demo without a second command.
    """
    check_port_free(host, port)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "barzan.settings", **(extra_env or {})}
    worker = subprocess.Popen(worker_command(), env=env) if with_worker else None
    process = subprocess.Popen(gunicorn_command(host, port, workers), env=env)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        return process.wait()
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
