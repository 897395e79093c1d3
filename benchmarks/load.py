"""
Logged-in users under load, optionally while a large area import runs: the issue 9 target.

Sets up the demo in a throwaway data folder, serves it exactly as `barzan serve
--with-worker` does (gunicorn, the supervisor, the background worker), logs in `--users`
clients (the demo's five accounts in turn, each client its own session) and has each
request a mix of pages, API reads, map GeoJSON and fresh logins for `--duration`
seconds, one request at a time, with plain http.client in threads. Reports requests per
second, median and 99th-percentile latency, and every error by status.

With `--with-import`, a GeoJSON of synthetic neighborhoods (`--import-mb`, 41 MB as in
the issue) is checked (`--dry-run`) and then applied through `barzan import areas` on the
same database while the load runs, as a manager previewing and applying it would; the
load then goes on past `--duration` until the import has been applied.

Before the fixes the issue measured 61.5 requests/s, p50 736 ms, p99 1,982 ms and 0
errors for 50 users over 60 s on 2 cores shared with the load generator; with the 41 MB
import, logins returned 500.

    uv run python -m benchmarks load                       # 50 users, 60 s
    uv run python -m benchmarks load --users 20 --duration 20
    uv run python -m benchmarks load --with-import         # SQLite, with the 41 MB import
"""

import contextlib
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from http.client import HTTPConnection, HTTPException
from pathlib import Path

from barzan.serving import default_workers

from .support import PROJECT_DIR, Figures, free_port, log_in, throwaway_database, wait_until_up

DEMO_PASSWORD = "barzan-demo-1403"
DEMO_USERS = ["admin", "tehran-manager", "analyst", "secretary", "focal-point"]
# Tehran's district 6 in the demo: the parent of the imported neighborhoods.
IMPORT_PARENT = "2301021606"
BEFORE = "61.5 requests/s, p50 736 ms, p99 1,982 ms, 0 errors (50 users, 60 s, no import)"

# What a client asks for, and how often (weights). "{area}" is an area the user may see.
MIX = {
    "home": ("/", 20),
    "area list": ("/areas/", 10),
    "area page": ("/areas/{area}/", 15),
    "area profile": ("/indicators/profile/{area}/", 10),
    "indicators": ("/indicators/", 5),
    "organizations": ("/organizations/", 5),
    "API areas": ("/api/v1/areas/", 10),
    "API map GeoJSON": ("/api/v1/areas/{area}/children.geojson", 10),
    "API me": ("/api/v1/me/", 5),
    "login": ("/accounts/login/", 5),
}


def add_arguments(parser) -> None:
    parser.add_argument("--users", type=int, default=50, help="Logged-in clients (default 50).")
    parser.add_argument(
        "--duration",
        type=float,
        default=60.0,
        help="Seconds of load (default 60; with --with-import, at least until it is applied).",
    )
    parser.add_argument("--workers", type=int, default=default_workers(), help="gunicorn workers.")
    parser.add_argument(
        "--with-import",
        action="store_true",
        help="Check and apply a large area import (GeoJSON of neighborhoods) during the load.",
    )
    parser.add_argument(
        "--import-mb", type=float, default=41.0, help="Size of the imported GeoJSON (41 MB)."
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="Use a throwaway database on this PostgreSQL server instead of SQLite.",
    )
    parser.add_argument("--seed", type=int, default=9, help="Random seed of the request mix.")


# -- The server.


@contextlib.contextmanager
def served_demo(workers: int, database_url: str | None):
    """Set up the demo in a temporary data folder and run `barzan serve --with-worker` on it."""
    data_dir = Path(tempfile.mkdtemp(prefix="barzan-load-"))
    env = {
        **os.environ,
        "BARZAN_DATA_DIR": str(data_dir),
        "BARZAN_TWO_FACTOR": "optional",
        "DJANGO_SETTINGS_MODULE": "barzan.settings",
    }
    env.pop("BARZAN_DATABASE_URL", None)
    if database_url:
        env["BARZAN_DATABASE_URL"] = database_url
    port = free_port()
    server = None
    try:
        print("Setting up the demo data set (a few minutes) …", flush=True)
        subprocess.run(
            [sys.executable, "-m", "barzan.cli", "demo", "--no-serve"],
            cwd=PROJECT_DIR, env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        # demo --no-serve has collected the static files; the rest is `barzan serve`.
        server = subprocess.Popen(
            [sys.executable, "-m", "barzan.cli", "serve", "--port", str(port),
             "--workers", str(workers), "--with-worker", "--skip-collectstatic"],
            cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until_up("127.0.0.1", port, timeout=180)
        yield "127.0.0.1", port, env, data_dir
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(data_dir, ignore_errors=True)


# -- The clients.


@dataclass
class Tally:
    """What every client measured, gathered under a lock."""

    latencies_ms: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    error_kinds: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, milliseconds: float, failure: str | None) -> None:
        with self.lock:
            if failure is None:
                self.latencies_ms.append(milliseconds)
                self.by_kind.setdefault(kind, []).append(milliseconds)
            else:
                self.errors[failure] += 1
                self.error_kinds[f"{kind}: {failure}"] += 1


class Client:
    """One logged-in person, asking for one thing after another."""

    def __init__(self, host: str, port: int, username: str, areas: list[int], seed: int):
        self.host, self.port, self.username = host, port, username
        self.areas = areas
        self.random = random.Random(seed)
        self.cookie = log_in(host, port, username, DEMO_PASSWORD)
        self.connection = HTTPConnection(host, port, timeout=120)

    def get(self, path: str, cookie: str | None = None) -> tuple[int, bytes, list]:
        self.connection.request("GET", path, headers={"Cookie": cookie or self.cookie})
        response = self.connection.getresponse()
        return response.status, response.read(), response.getheaders()

    def reconnect(self) -> None:
        self.connection.close()
        self.connection = HTTPConnection(self.host, self.port, timeout=120)

    def log_in_again(self) -> int:
        """Open the login page and log in: the writes (session, last login) a login makes."""
        status, body, headers = self.get("/accounts/login/", cookie="")
        if status != 200:
            return status
        cookies = dict(
            value.split(";", 1)[0].split("=", 1)
            for name, value in headers
            if name.lower() == "set-cookie"
        )
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": self.username, "password": DEMO_PASSWORD}
        )
        self.connection.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            },
        )
        response = self.connection.getresponse()
        response.read()
        return response.status

    def run(self, deadline: float, tally: Tally | None) -> None:
        kinds = list(MIX)
        weights = [MIX[kind][1] for kind in kinds]
        while time.monotonic() < deadline:
            kind = self.random.choices(kinds, weights)[0]
            path = MIX[kind][0].format(area=self.random.choice(self.areas))
            start = time.perf_counter()
            failure = None
            try:
                if kind == "login":
                    status = self.log_in_again()
                    if status != 302:
                        failure = f"HTTP {status}"
                else:
                    status, _body, _headers = self.get(path)
                    if status != 200:
                        failure = f"HTTP {status}"
            except (OSError, HTTPException, ValueError, AttributeError) as error:
                failure = type(error).__name__
                self.reconnect()
            if tally is not None:
                tally.add(kind, (time.perf_counter() - start) * 1000, failure)


def visible_areas(host: str, port: int, cookie: str) -> list[int]:
    """Return ids of areas the logged-in user sees (from the API), for pages that take one."""
    connection = HTTPConnection(host, port, timeout=60)
    connection.request("GET", "/api/v1/areas/?limit=30", headers={"Cookie": cookie})
    response = connection.getresponse()
    data = json.loads(response.read())
    items = data.get("items", []) if isinstance(data, dict) else data
    return [item["id"] for item in items if "id" in item] or [1]


def log_in_clients(host: str, port: int, users: int, seed: int) -> list[Client]:
    areas = {}
    clients = []
    for number in range(users):
        username = DEMO_USERS[number % len(DEMO_USERS)]
        client = Client(host, port, username, [], seed + number)
        if username not in areas:
            areas[username] = visible_areas(host, port, client.cookie)
        client.areas = areas[username]
        clients.append(client)
    return clients


def load(clients: list[Client], seconds: float, tally: Tally | None) -> float:
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=c.run, args=(deadline, tally)) for c in clients]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


# -- The import.


def write_neighborhoods(path: Path, megabytes: float, seed: int = 41) -> int:
    """Write a GeoJSON of non-overlapping synthetic neighborhoods of about `megabytes` MB
    around Tehran's district 6; return how many."""
    generator = random.Random(seed)
    vertices = 240
    feature_bytes = vertices * 24 + 200
    count = max(1, int(megabytes * 1_000_000 / feature_bytes))
    side = math.ceil(math.sqrt(count))
    west, south, spacing = 51.36, 35.70, 0.0008
    radius = spacing * 0.4
    with path.open("w", encoding="utf-8") as stream:
        stream.write('{"type": "FeatureCollection", "features": [\n')
        for number in range(count):
            row, column = divmod(number, side)
            x, y = west + column * spacing, south + row * spacing
            ring = [
                [
                    round(x + radius * math.cos(2 * math.pi * k / vertices), 6),
                    round(y + radius * math.sin(2 * math.pi * k / vertices), 6),
                ]
                for k in range(vertices)
            ]
            ring.append(ring[0])
            feature = {
                "type": "Feature",
                "properties": {
                    "code": f"LOAD{number:06d}",
                    "name_fa": f"محلهٔ آزمایشی {number + 1}",
                    "population": generator.randint(2_000, 40_000),
                },
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
            stream.write(("," if number else "") + json.dumps(feature, ensure_ascii=False) + "\n")
        stream.write("]}\n")
    return count


@dataclass
class ImportRun:
    steps: list[tuple[str, float, int, str]] = field(default_factory=list)

    def run(self, env: dict, path: Path) -> None:
        base = [sys.executable, "-m", "barzan.cli", "import", "areas", str(path),
                "--level", "neighborhood", "--parent", IMPORT_PARENT]  # fmt: skip
        for name, extra in (("dry run", ["--dry-run"]), ("apply", [])):
            start = time.monotonic()
            result = subprocess.run(
                [*base, *extra], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
            )
            output = (result.stdout + result.stderr).strip().splitlines()
            self.steps.append(
                (name, time.monotonic() - start, result.returncode, output[-1] if output else "")
            )
            if result.returncode != 0:
                return


# -- The report.


def percentile(values: list[float], fraction: float) -> float:
    return Figures(len(values), 0, 1, values).percentile(fraction)


def report(options, tally: Tally, seconds: float, database: str, imported: ImportRun | None):
    figures = Figures(
        len(tally.latencies_ms), sum(tally.errors.values()), seconds, tally.latencies_ms
    )
    print()
    print(f"load: {options.users} users, {options.duration:g} s, {database}, gunicorn "
          f"{options.workers} workers{', with the area import' if imported else ''}")  # fmt: skip
    print(f"  requests/s      {figures.per_second:8.1f}")
    print(f"  p50 latency     {figures.median:8.0f} ms")
    print(f"  p99 latency     {figures.percentile(0.99):8.0f} ms")
    print(f"  requests        {figures.requests:8d}")
    print(f"  errors          {figures.errors:8d}")
    for failure, count in tally.error_kinds.most_common():
        print(f"    {count:6d}  {failure}")
    print("  by kind (requests, p50, p99 ms):")
    for kind in MIX:
        times = tally.by_kind.get(kind, [])
        if times:
            print(f"    {kind:18} {len(times):6d} {percentile(times, 0.5):8.0f} "
                  f"{percentile(times, 0.99):8.0f}")  # fmt: skip
    if imported is not None:
        print("  import (barzan import areas, at the same time):")
        for name, took, code, last in imported.steps:
            print(f"    {name:8} {took:7.1f} s  exit {code}  {last[:90]}")
    print(f"  before the fixes: {BEFORE}")


def run(options) -> int:
    database = "PostgreSQL" if options.postgres else "SQLite"
    with (
        throwaway_database(options.postgres) as database_url,
        served_demo(options.workers, database_url) as (host, port, env, data_dir),
    ):
        print(f"Logging in {options.users} users …", flush=True)
        clients = log_in_clients(host, port, options.users, options.seed)
        load(clients, min(5.0, options.duration), None)  # warm-up: caches, connections
        imported, importer = None, None
        if options.with_import:
            geojson = data_dir / "neighborhoods.geojson"
            count = write_neighborhoods(geojson, options.import_mb)
            size = geojson.stat().st_size / 1_000_000
            print(f"Importing {count} neighborhoods ({size:.1f} MB) during the load …", flush=True)
            imported = ImportRun()
            importer = threading.Thread(target=imported.run, args=(env, geojson))
            importer.start()
        print(f"Measuring for {options.duration:g} s …", flush=True)
        tally = Tally()
        seconds = load(clients, options.duration, tally)
        if importer is not None:
            # The apply, not the check, takes the write lock: keep the load on until the
            # import has been both checked and applied.
            print("Measuring until the import has finished …", flush=True)
            while importer.is_alive():
                seconds += load(clients, 5.0, tally)
            importer.join()
    report(options, tally, seconds, database, imported)
    return 1 if tally.errors or not tally.latencies_ms else 0
