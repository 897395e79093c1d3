"""
Run Barzan under gunicorn: the one way `barzan demo` and `barzan serve` serve pages.

`Supervisor` starts gunicorn (and, for the demo, a background-task worker), passes
SIGTERM, SIGINT and SIGHUP on to them, restarts a worker that dies with a growing pause,
and leaves no child behind: the children run in their own process group, so a terminal's
Ctrl+C reaches them once, through the supervisor, and on Linux they are told to stop if
the supervisor itself is killed.
"""

import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

logger = logging.getLogger("barzan.serving")
# A Unix socket's path must fit in sockaddr_un (108 bytes on Linux, 104 on BSD).
LONGEST_SOCKET_PATH = 100


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


def control_socket(port: int) -> Path | None:
    """Return where this instance's gunicorn control socket goes, or None for none.

    gunicorn 25+ opens a control socket (for `gunicornc`) at one path per user by
    default, so two instances on a machine would share it. Each gets its own in its data
    folder, named by port; a path too long for a socket disables it instead.
    """
    path = Path(settings.DATA_DIR) / f"gunicorn-{port}.ctl"
    return path if len(str(path)) <= LONGEST_SOCKET_PATH else None


def gunicorn_command(host: str, port: int, workers: int) -> list[str]:
    command = [
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
        str(GRACEFUL_SECONDS),
        "--timeout",
        "120",
        # Where setproctitle is installed gunicorn renames its processes after this name:
        # «gunicorn: master [barzan:8000]» tells two instances on one machine apart.
        "--name",
        f"barzan:{port}",
    ]
    socket_path = control_socket(port)
    if socket_path is None:
        return [*command, "--no-control-socket"]
    return [*command, "--control-socket", str(socket_path)]


def worker_command() -> list[str]:
    return [sys.executable, "-m", "barzan.cli", "worker", "--no-reload", "--no-startup-delay"]


GRACEFUL_SECONDS = 20
# How long a worker that dies waits before its restart: doubling from the first to the
# longest, and back to the first once a worker has run longer than the longest.
FIRST_RESTART_PAUSE = 1.0
LONGEST_RESTART_PAUSE = 60.0
PR_SET_PDEATHSIG = 1


def _stop_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to send SIGTERM to this child when the supervisor dies, even by SIGKILL."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    """Run gunicorn and an optional worker until a signal or gunicorn's exit; see the module."""

    def __init__(self, gunicorn: list[str], worker: list[str] | None, env: dict[str, str]):
        self.gunicorn_command = gunicorn
        self.worker_command = worker
        self.env = env
        self.gunicorn: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.stop_signal: int | None = None
        self.worker_started_at = 0.0
        self.restart_pause = FIRST_RESTART_PAUSE
        self.restart_at: float | None = None
        self.signalled: set[int] = set()

    def start(self, command: list[str]) -> subprocess.Popen:
        return subprocess.Popen(
            command,
            env=self.env,
            process_group=0,
            preexec_fn=_stop_with_parent if sys.platform == "linux" else None,
        )

    def start_worker(self) -> None:
        self.worker = self.start(self.worker_command)
        self.worker_started_at = time.monotonic()
        self.restart_at = None

    def on_signal(self, signum, frame) -> None:
        """Pass `signum` on to the children, once, and stop."""
        if self.stop_signal is not None:
            return
        self.stop_signal = signum
        self.terminate_children()

    def terminate_children(self) -> None:
        """Send SIGTERM, once each, to the children still running.

        SIGTERM whatever arrived: gunicorn's graceful stop and the worker's
        finish-the-task stop (SIGHUP would make gunicorn reload; a second signal would make
        the worker abandon its task).
        """
        for child in (self.gunicorn, self.worker):
            if child is not None and child.poll() is None and child.pid not in self.signalled:
                self.signalled.add(child.pid)
                child.send_signal(signal.SIGTERM)

    def run(self) -> int:
        """Serve until gunicorn exits or a signal arrives; return gunicorn's exit status."""
        previous = {
            signum: signal.signal(signum, self.on_signal)
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
        }
        try:
            self.gunicorn = self.start(self.gunicorn_command)
            if self.worker_command and self.stop_signal is None:
                self.start_worker()
            while self.gunicorn.poll() is None and self.stop_signal is None:
                self.watch_worker()
                time.sleep(0.2)
            return self.shut_down()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def watch_worker(self) -> None:
        """Restart the worker after a pause when it has died."""
        if self.worker is None or self.worker.poll() is None:
            return
        now = time.monotonic()
        if self.restart_at is None:
            if now - self.worker_started_at > LONGEST_RESTART_PAUSE:
                self.restart_pause = FIRST_RESTART_PAUSE
            logger.warning(
                "The background worker (pid %s) exited with status %s; restarting it in %g s.",
                self.worker.pid,
                self.worker.returncode,
                self.restart_pause,
            )
            self.restart_at = now + self.restart_pause
            self.restart_pause = min(self.restart_pause * 2, LONGEST_RESTART_PAUSE)
        elif now >= self.restart_at:
            self.start_worker()
            logger.warning("Restarted the background worker (pid %s).", self.worker.pid)

    def shut_down(self) -> int:
        """Stop whichever child still runs, gracefully first, and return gunicorn's status."""
        self.terminate_children()
        status = self.wait_or_kill(self.gunicorn, GRACEFUL_SECONDS + 10)
        if self.worker is not None:
            self.wait_or_kill(self.worker, 30)
        return status

    @staticmethod
    def wait_or_kill(child: subprocess.Popen, seconds: float) -> int:
        try:
            return child.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            return child.wait()


def run_gunicorn(
    host: str,
    port: int,
    workers: int,
    extra_env: dict[str, str] | None = None,
    with_worker: bool = False,
) -> int:
    """Serve until stopped and return gunicorn's exit status.

    With `with_worker`, a background-task worker (`barzan worker`) runs beside gunicorn,
    is restarted when it dies and stops with it, so that large imports proceed in the demo
    without a second command.
    """
    check_port_free(host, port)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "barzan.settings", **(extra_env or {})}
    supervisor = Supervisor(
        gunicorn_command(host, port, workers), worker_command() if with_worker else None, env
    )
    return supervisor.run()
