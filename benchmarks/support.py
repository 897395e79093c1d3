"""What benchmarks share: a throwaway Barzan with demo data, served by gunicorn on loopback."""

import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def throwaway_database(postgres_url: str | None):
    """Yield a database URL: SQLite in the data folder, or a fresh PostgreSQL database."""
    if not postgres_url:
        yield None
        return
    import psycopg

    name = f"barzan_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(postgres_url)
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def demo_server(workers: int, database_url: str | None = None, extra_env: dict | None = None):
    """Set up a demo in a temporary data folder and serve it; yield (host, port, env)."""
    data_dir = Path(tempfile.mkdtemp(prefix="barzan-bench-"))
    env = {
        **os.environ,
        "BARZAN_DATA_DIR": str(data_dir),
        "BARZAN_TWO_FACTOR": "optional",
        "DJANGO_SETTINGS_MODULE": "barzan.settings",
        **(extra_env or {}),
    }
    if database_url:
        env["BARZAN_DATABASE_URL"] = database_url
    else:
        env.pop("BARZAN_DATABASE_URL", None)
    port = free_port()
    server = None
    try:
        subprocess.run(
            [sys.executable, "-m", "barzan.cli", "demo", "--no-serve"],
            cwd=PROJECT_DIR,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        command = [
            sys.executable, "-m", "gunicorn", "barzan.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning",
        ]  # fmt: skip
        server = subprocess.Popen(command, cwd=PROJECT_DIR, env=env)
        wait_until_up("127.0.0.1", port)
        yield "127.0.0.1", port, env
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)


def wait_until_up(host: str, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            connection = HTTPConnection(host, port, timeout=2)
            connection.request("GET", "/accounts/login/")
            if connection.getresponse().status == 200:
                return
        time.sleep(0.25)
    raise RuntimeError(f"The server on {host}:{port} did not answer within {timeout} s.")


def log_in(host: str, port: int, username: str, password: str, timeout: float = 10) -> str:
    """Log in through the real form and return the Cookie header of the session."""
    connection = HTTPConnection(host, port, timeout=timeout)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    body = response.read().decode()
    cookies = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            cookies[name] = rest.split(";", 1)[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": password}
    )
    connection.request(
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "Referer": f"http://{host}:{port}/accounts/login/",
        },
    )
    response = connection.getresponse()
    response.read()
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            cookies[name] = rest.split(";", 1)[0]
    if response.status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"Login as {username} failed (HTTP {response.status}).")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


@dataclass
class Figures:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    @property
    def median(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0
