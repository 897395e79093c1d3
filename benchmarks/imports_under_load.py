"""
Logins and pages under load while a large area import is checked and applied (issue 9,
finding 3: a 41 MB area import's preview used to make every login fail on SQLite).

Sets up the demo in a throwaway data folder, serves it with gunicorn on loopback, and
keeps `--concurrency` clients busy for `--duration` seconds (and, in the second round,
until the import is done): each logs in through the
real form (a write: the session and the last login), asks for the home page, and logs in
again every `--login-every` requests. Meanwhile `barzan import areas` checks (dry run),
then applies, a GeoJSON of `--import-mb` megabytes of detailed neighborhoods under one
Tehran district. Measures the same load alone first, then with the import, and prints
requests per second, latency and errors of each, and how long the import took.

    uv run python -m benchmarks imports_under_load --duration 60 --concurrency 50
    uv run python -m benchmarks imports_under_load --no-import
"""

import collections
import json
import math
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection
from pathlib import Path

from barzan.serving import default_workers

from .support import PROJECT_DIR, Figures, demo_server, log_in, throwaway_database

DEMO_PASSWORD = "barzan-demo-1403"
USERS = ("admin", "tehran-manager", "analyst", "secretary", "focal-point")
# A district of the demo's Tehran, under which the neighborhoods are imported.
DISTRICT = "2301021606"


def add_arguments(parser) -> None:
    parser.add_argument("--duration", type=float, default=60.0, help="Seconds of load (60).")
    parser.add_argument("--concurrency", type=int, default=50, help="Parallel clients (50).")
    parser.add_argument("--workers", type=int, default=default_workers(), help="gunicorn workers.")
    parser.add_argument("--import-mb", type=float, default=41.0, help="Size of the file (41).")
    parser.add_argument("--login-every", type=int, default=10, help="Log in again every N (10).")
    parser.add_argument("--no-import", action="store_true", help="Measure the load alone.")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="Use a throwaway database on this PostgreSQL server instead of SQLite.",
    )


def write_neighborhoods(path: Path, megabytes: float) -> int:
    """Write a GeoJSON of detailed round neighborhoods near Tehran; return how many."""
    vertices = 400
    size = 26 * vertices  # bytes of one feature, about
    count = max(1, int(megabytes * 1024 * 1024 / size))
    per_row = math.ceil(math.sqrt(count))
    features = []
    for number in range(count):
        lon = 51.30 + (number % per_row) * 0.3 / per_row
        lat = 35.60 + (number // per_row) * 0.2 / per_row
        radius = 0.3 / per_row / 2.5
        ring = [
            [
                round(lon + radius * math.cos(2 * math.pi * k / vertices), 7),
                round(lat + radius * math.sin(2 * math.pi * k / vertices), 7),
            ]
            for k in range(vertices)
        ]
        ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"code": f"B{number:05d}", "name_fa": f"محله آزمون {number}"},
            }
        )
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    )
    return count


def client(host, port, username, deadline, login_every, latencies, errors, lock) -> None:
    """Log in and read the home page until `deadline` (and while the import runs)."""
    kinds = errors.kinds
    connection = HTTPConnection(host, port, timeout=60)
    mine, failed, cookie, number = [], 0, None, 0
    while time.monotonic() < deadline or errors.importing.is_set():
        start = time.perf_counter()
        try:
            if cookie is None or number % login_every == 0:
                cookie = log_in(host, port, username, DEMO_PASSWORD, timeout=60)
            else:
                connection.request("GET", "/", headers={"Cookie": cookie})
                response = connection.getresponse()
                body = response.read()
                if response.status != 200 or b'lang="fa"' not in body:
                    raise RuntimeError(f"HTTP {response.status}")
            mine.append((time.perf_counter() - start) * 1000)
        except (OSError, RuntimeError, AttributeError) as error:
            failed += 1
            kinds[type(error).__name__ + ": " + str(error)[:60]] += 1
            connection = HTTPConnection(host, port, timeout=60)
        number += 1
    with lock:
        latencies.extend(mine)
        errors.append(failed)


def importer(env, path: Path, timings: dict) -> None:
    base = [
        sys.executable, "-m", "barzan.cli", "import", "areas", str(path),
        "--level", "neighborhood", "--parent", DISTRICT,
    ]  # fmt: skip
    for name, extra in (("dry run", ["--dry-run"]), ("apply", [])):
        started = time.monotonic()
        done = subprocess.run(
            [*base, *extra], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
        )
        timings[name] = (time.monotonic() - started, done.returncode, done.stdout.split("\n")[0])
        if done.returncode:
            timings[name] += (done.stderr[-500:],)


def load(host, port, options, import_env=None, path=None) -> tuple[Figures, dict]:
    """Run the clients for `options.duration` seconds, with the import when `path` is set."""
    latencies, errors, lock, timings = [], Errors(), threading.Lock(), {}
    deadline = time.monotonic() + options.duration
    threads = [
        threading.Thread(
            target=client,
            args=(
                host,
                port,
                USERS[n % len(USERS)],
                deadline,
                options.login_every,
                latencies,
                errors,
                lock,
            ),
        )
        for n in range(options.concurrency)
    ]
    started = time.monotonic()
    loader = None
    if path is not None:
        # The clients go on until the import has been checked and applied, at least.
        errors.importing.set()

        def run_import() -> None:
            try:
                importer(import_env, path, timings)
            finally:
                errors.importing.clear()

        loader = threading.Thread(target=run_import)
        loader.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    figures = Figures(len(latencies), sum(errors), time.monotonic() - started, latencies)
    if loader is not None:
        loader.join()
    figures.kinds = errors.kinds
    return figures, timings


class Errors(list):
    """Failed requests per client, and how many of each kind."""

    def __init__(self):
        super().__init__()
        self.kinds = collections.Counter()
        self.importing = threading.Event()


def report(title: str, figures: Figures, timings: dict) -> None:
    print(f"  {title}")
    print(f"    requests/s      {figures.per_second:8.1f}")
    print(f"    median latency  {figures.median:8.1f} ms")
    print(f"    p99 latency     {figures.percentile(0.99):8.1f} ms")
    print(f"    requests        {figures.requests:8d}   errors {figures.errors}")
    for kind, count in figures.kinds.most_common(3):
        print(f"      {count} × {kind}")
    for name, timing in timings.items():
        print(f"    import {name:8} {timing[0]:6.1f} s, exit {timing[1]}: {timing[2]}")
        if len(timing) > 3:
            print(f"      {timing[3]}")


def run(options) -> int:
    with (
        throwaway_database(options.postgres) as database_url,
        demo_server(options.workers, database_url) as (host, port, env),
    ):
        path = Path(env["BARZAN_DATA_DIR"]) / "neighborhoods.geojson"
        count = write_neighborhoods(path, options.import_mb)
        megabytes = path.stat().st_size / 2**20
        alone, _ = load(host, port, options)
        loaded, timings = (None, {}) if options.no_import else load(host, port, options, env, path)
    database = "PostgreSQL" if options.postgres else "SQLite"
    print(f"imports_under_load: {database}, gunicorn {options.workers} workers, "
          f"{options.concurrency} clients, {options.duration:g} s each, "
          f"a login every {options.login_every} requests")  # fmt: skip
    report("alone", alone, {})
    if loaded is not None:
        report(f"with a {megabytes:.0f} MB import of {count} neighborhoods", loaded, timings)
    failed = any(timing[1] for timing in timings.values())
    errors = alone.errors + (loaded.errors if loaded else 0)
    return 1 if errors or not alone.requests or failed else 0
