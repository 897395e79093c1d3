"""
The logged-in home page under load: requests per second and latency.

Sets up the demo (all provinces and counties, organizations, users) in a throwaway data
folder, serves it with gunicorn on loopback, logs in as the national administrator (the
home page with the most to count), and keeps `--concurrency` clients asking for `/`
for `--duration` seconds.

    uv run python -m benchmarks home_page
    uv run python -m benchmarks home_page --postgres postgres://postgres@127.0.0.1:5432/postgres
"""

import threading
import time
from http.client import HTTPConnection

from barzan.serving import default_workers

from .support import Figures, demo_server, log_in, throwaway_database

DEMO_PASSWORD = "barzan-demo-1403"


def add_arguments(parser) -> None:
    parser.add_argument(
        "--duration", type=float, default=15.0, help="Seconds of load (default 15)."
    )
    parser.add_argument("--concurrency", type=int, default=8, help="Parallel clients (default 8).")
    parser.add_argument("--workers", type=int, default=default_workers(), help="gunicorn workers.")
    parser.add_argument("--user", default="admin", help="Demo user to log in as (default admin).")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="Use a throwaway database on this PostgreSQL server instead of SQLite.",
    )


def hammer(host, port, cookie, deadline, latencies, errors, lock) -> None:
    connection = HTTPConnection(host, port, timeout=30)
    mine, failed = [], 0
    while time.monotonic() < deadline:
        start = time.perf_counter()
        try:
            connection.request("GET", "/", headers={"Cookie": cookie})
            response = connection.getresponse()
            body = response.read()
            ok = response.status == 200 and b'lang="fa"' in body
        except OSError:
            ok = False
            connection = HTTPConnection(host, port, timeout=30)
        elapsed = (time.perf_counter() - start) * 1000
        if ok:
            mine.append(elapsed)
        else:
            failed += 1
    with lock:
        latencies.extend(mine)
        errors.append(failed)


def measure(host, port, cookie, concurrency: int, duration: float) -> Figures:
    latencies, errors, lock = [], [], threading.Lock()
    deadline = time.monotonic() + duration
    threads = [
        threading.Thread(
            target=hammer, args=(host, port, cookie, deadline, latencies, errors, lock)
        )
        for _ in range(concurrency)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Figures(len(latencies), sum(errors), time.monotonic() - started, latencies)


def run(options) -> int:
    with (
        throwaway_database(options.postgres) as database_url,
        demo_server(options.workers, database_url) as (host, port, _env),
    ):
        cookie = log_in(host, port, options.user, DEMO_PASSWORD)
        measure(host, port, cookie, options.concurrency, min(3.0, options.duration))  # warm-up
        figures = measure(host, port, cookie, options.concurrency, options.duration)
    database = "PostgreSQL" if options.postgres else "SQLite"
    print(f"home_page: GET / as {options.user}, {database}, gunicorn {options.workers} workers, "
          f"{options.concurrency} clients, {options.duration:g} s")  # fmt: skip
    print(f"  requests/s      {figures.per_second:8.1f}")
    print(f"  median latency  {figures.median:8.1f} ms")
    print(f"  p95 latency     {figures.percentile(0.95):8.1f} ms")
    print(f"  p99 latency     {figures.percentile(0.99):8.1f} ms")
    print(f"  requests        {figures.requests:8d}   errors {figures.errors}")
    return 1 if figures.errors or not figures.requests else 0
