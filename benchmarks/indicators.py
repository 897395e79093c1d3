"""
The indicator targets, measured in-process on a throwaway database (server time, no HTTP):

1. importing a 500,000-row CSV file, validation included: at least 50,000 values per second;
2. importing a 1,000,000-row CSV file: under 300 MB of memory (peak RSS of a child process);
3. refreshing the roll-ups after importing 100,000 values: under 10 s;
4. the national total of one indicator for 8 periods: under 100 ms (the reader, and the
   API's aggregates when it answers);
5. a province's profile page: under 200 ms (the page through the test client, logged in,
   or the reader while there is no page).

The data set is national: 30,000 synthetic neighborhoods under the cities of the official
hierarchy (imported with the same action as an uploaded CSV file of areas; no boundaries,
which roll-ups do not read), 40 measured indicators and 8 yearly periods, so 9.6 million
raw values. They are written straight into the values table (executemany on SQLite, COPY
on PostgreSQL), then rolled up with `rollups.rebuild()`. The import files mix changed
values of a stored period with new values of a later one, spread over every neighborhood
and indicator (the widest roll-up); the refresh is also measured for a file of whole
indicators. Every import goes through `actions.import_values`, timed in parts (checking,
writing, roll-ups, audit, commit). `--scale 0.1` divides every size by ten.

    uv run python -m benchmarks indicators --scale 0.1
    uv run python -m benchmarks indicators --postgres postgres://postgres@127.0.0.1:5432/postgres
"""

import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .support import PROJECT_DIR, throwaway_database

NEIGHBORHOODS = 30_000
YEARS = tuple(range(1395, 1403))  # the 8 stored periods; 1403 and 1404 receive new values
IMPORT_ROWS = 500_000
MEMORY_ROWS = 1_000_000
REFRESH_ROWS = 100_000
SERIES_RUNS = 50
PROFILE_RUNS = 30

# 40 measured indicators: (count, value type, aggregation, minimum, maximum).
INDICATOR_KINDS = (
    (24, "count", "sum", None, None),
    (4, "count", "last", None, None),
    (6, "percent", "weighted_mean", None, None),
    (4, "number", "mean", 0, 10),
    (2, "boolean", "none", None, None),
)
CATEGORIES = ("population", "education", "health", "work", "housing")


def add_arguments(parser) -> None:
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="Use a throwaway database on this PostgreSQL server instead of SQLite.",
    )
    parser.add_argument(
        "--analyze-all",
        action="store_true",
        help="ANALYZE every table after loading, as a database administrator would; by "
        "default only the two large indicator tables are vacuumed and analyzed on PostgreSQL, as "
        "autovacuum would after a bulk load (it never analyzes a catalogue of 40 rows).",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="Multiply every size by this (1.0: national, 9.6 million values; 0.1: quick).",
    )


# -- figures


def _summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _timed(call, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


class Stopwatch:
    """Time the calls of module functions while inside `watching`, by name."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)

    @contextlib.contextmanager
    def watching(self, *targets):
        originals = [(owner, name, vars(owner).get(name)) for owner, name in targets]
        for owner, name, _own in originals:
            setattr(owner, name, self._timed(name, getattr(owner, name)))
        try:
            yield self
        finally:
            for owner, name, own in originals:
                if own is None:
                    delattr(owner, name)  # a method of the class again
                else:
                    setattr(owner, name, own)

    def _timed(self, name, original):
        def call(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start

        return call


# -- synthetic values: a value is a function of (indicator, area, period), so files of
# changed values can be written without reading the stored ones back.


def _hash(indicator: int, area: int, period: int) -> int:
    return ((area * 1_000_003 + indicator * 7_919 + period * 104_729) * 2_654_435_761) >> 7


def _value(value_type: str, indicator: int, area: int, period: int, changed: bool) -> str:
    number = _hash(indicator, area, period)
    if value_type == "count":
        return str(100 + number % 5_000 + (1 + area % 7 if changed else 0))
    if value_type == "percent":
        tenths = (number % 1_000 + (7 if changed else 0)) % 1_000
        return f"{tenths // 10}.{tenths % 10}"
    if value_type == "number":
        tenths = (number % 100 + (3 if changed else 0)) % 100
        return f"{tenths // 10}.{tenths % 10}"
    return str((number + changed) % 2)


def _scaled(count: int, scale: float) -> int:
    return max(1, round(count * scale))


# -- the data set


def _neighborhoods_csv(count: int, seed: int = 7) -> bytes:
    """A CSV file of areas: `count` neighborhoods spread over the cities by county population."""
    from barzan.geo.models import Area

    cities_of = defaultdict(list)
    cities = Area.objects.filter(level__code="city", valid_to__isnull=True)
    for code, path in cities.values_list("code", "path"):
        county_id = int(path.strip("/").split("/")[2])  # country / province / county / …
        cities_of[county_id].append(code)
    counties = Area.objects.filter(pk__in=cities_of).order_by("code")
    weights = [(county.population or 1) / len(cities_of[county.pk]) for county in counties]
    cities = [(code, weight) for county, weight in zip(counties, weights, strict=True)
              for code in cities_of[county.pk]]  # fmt: skip
    rng = random.Random(seed)
    parents = rng.choices([code for code, _w in cities], [w for _c, w in cities], k=count)
    lines = ["code,name_fa,parent_code,population"]
    for number, parent in enumerate(parents):
        lines.append(f"N{number:06d},محله {number},{parent},{rng.randint(2_000, 20_000)}")
    return ("\n".join(lines) + "\n").encode()


def _catalogue(owner):
    """Return the 40 measured indicators as (indicator, value type), and add 2 ratios."""
    from barzan.indicators.actions import create_indicator
    from barzan.indicators.models import Category

    categories = [
        Category.objects.create(code=code, name_fa=code, name_en=code.title(), order=order)
        for order, code in enumerate(CATEGORIES)
    ]
    measured = []
    for count, value_type, aggregation, minimum, maximum in INDICATOR_KINDS:
        for _ in range(count):
            number = len(measured)
            indicator = create_indicator(
                actor=None,
                code=f"bench-{number:02d}",
                name_fa=f"شاخص {number}",
                name_en=f"Indicator {number}",
                category=categories[number % len(categories)],
                owner=owner,
                value_type=value_type,
                aggregation=aggregation,
                minimum=minimum,
                maximum=maximum,
                direction=("higher_better", "lower_better", "neutral")[number % 3],
                order=number,
            )
            measured.append((indicator, value_type))
    for number, (numerator, denominator) in enumerate(((0, 1), (2, 3))):
        create_indicator(
            actor=None,
            code=f"bench-ratio-{number}",
            name_fa=f"نسبت {number}",
            category=categories[0],
            owner=owner,
            value_type="percent",
            aggregation="none",
            kind="calculated",
            numerator=measured[numerator][0],
            denominator=measured[denominator][0],
            factor=100,
        )
    return measured


VALUES_TABLE = "indicators_indicatorvalue"


def _secondary_indexes(cursor, vendor: str) -> list[tuple[str, str]]:
    """Return (name, CREATE statement) of the values table's indexes that back no constraint."""
    if vendor == "postgresql":
        cursor.execute(
            """SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s
            AND indexname NOT IN (SELECT conname FROM pg_constraint)""",
            [VALUES_TABLE],
        )
    else:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL",
            [VALUES_TABLE],
        )
    return cursor.fetchall()


def _write_values(measured, area_ids, period_ids, source_id) -> int:
    """Write every indicator × area × period straight into the values table.

    The indexes that back no constraint are set aside during the load and made again
    after it, as any bulk load does: the table ends as the migrations made it.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from barzan.indicators.models import Breakdown

    total = Breakdown.objects.get(code=Breakdown.TOTAL).pk
    now = timezone.now()
    columns = (
        "indicator_id, area_id, period_id, breakdown_id, value, source_id, comment, "
        "entered_by_id, entered_at, version"
    )
    indicators = [(index, indicator.pk, value_type)
                  for index, (indicator, value_type) in enumerate(measured)]  # fmt: skip

    def rows_of(area_index, area_id, stamp):
        for index, indicator_id, value_type in indicators:
            for period_index, period_id in enumerate(period_ids):
                value = _value(value_type, index, area_index, period_index, False)
                yield (indicator_id, area_id, period_id, total, value, source_id, "", None,
                       stamp, 1)  # fmt: skip

    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        indexes = _secondary_indexes(cursor, connection.vendor)
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        if connection.vendor == "postgresql":
            # The rows are known to be sound: skip the per-row triggers that check the
            # foreign keys (superuser only), as pg_restore's --disable-triggers does.
            cursor.execute("SET LOCAL session_replication_role = replica")
            with cursor.cursor.copy(f"COPY {VALUES_TABLE} ({columns}) FROM STDIN") as copy:
                for area_index, area_id in enumerate(area_ids):
                    for row in rows_of(area_index, area_id, now):
                        copy.write_row(row)
                        written += 1
        else:
            stamp = connection.ops.adapt_datetimefield_value(now)
            insert = f"INSERT INTO {VALUES_TABLE} ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            raw = cursor.cursor  # sqlite3's own cursor: no conversion of placeholders per batch
            batch = []
            for area_index, area_id in enumerate(area_ids):
                batch.extend(rows_of(area_index, area_id, stamp))
                if len(batch) >= 50_000:
                    raw.executemany(insert, batch)
                    written += len(batch)
                    batch.clear()
            raw.executemany(insert, batch)
            written += len(batch)
        for _name, sql in indexes:
            cursor.execute(sql)
    return written


def _analyze(*, everything: bool = False) -> None:
    """Vacuum and analyze the two large tables of PostgreSQL after a bulk load, as
    autovacuum would (this server may run without it), so the planner knows their sizes.

    With `everything`, analyze every table of either database, as an administrator would.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM (ANALYZE) indicators_indicatorvalue")
            cursor.execute("VACUUM (ANALYZE) indicators_indicatoraggregate")
        if everything:
            cursor.execute("ANALYZE")


def _import_file(path, measured, areas, plan, seed: int, *, columns: bool = False) -> None:
    """Write a Barzan CSV file; `plan` is [(period year, period index, rows, changed)].

    Each part picks its rows at random among every neighborhood × indicator, the widest
    roll-up; with `columns`, it takes whole indicators instead, every neighborhood's
    value of the first indicators, as a national office's file of a few figures would.
    """
    rng = random.Random(seed)
    width = len(measured)
    with open(path, "w", encoding="utf-8", newline="") as output:
        output.write("indicator,area,period,breakdown,value\n")
        for year, period_index, rows, changed in plan:
            if columns:
                picks = sorted(
                    area_index * width + index
                    for index in range(width)
                    for area_index in range(len(areas))
                    if index * len(areas) + area_index < rows
                )
            else:
                picks = sorted(rng.sample(range(len(areas) * width), rows))
            lines = []
            for pick in picks:
                area_index, index = divmod(pick, width)
                indicator, value_type = measured[index]
                value = _value(value_type, index, area_index, period_index, changed)
                lines.append(f"{indicator.code},{areas[area_index][1]},{year},,{value}\n")
            output.writelines(lines)


def _watched() -> tuple:
    """What an import's time is split into: checking, writing, roll-ups, audit, commit."""
    from django.db import DEFAULT_DB_ALIAS, connections

    from barzan import audit
    from barzan.indicators import importing, rollups

    return (
        (importing, "stage"),
        (importing, "apply"),
        (rollups, "refresh"),
        (audit, "record"),
        (connections[DEFAULT_DB_ALIAS], "commit"),
    )


# -- the child process of the memory measurement


def _child(argv: list[str]) -> int:
    """Import one file as in the parent's database and print what it took, as JSON."""
    options = json.loads(argv[0])
    import django

    django.setup()
    from barzan.accounts.models import User
    from barzan.geo.models import Area
    from barzan.indicators import actions
    from barzan.registry.models import Organization

    baseline = _kib(Path("/proc/self/status").read_text(), "VmRSS")
    watch = Stopwatch()
    start, cpu = time.perf_counter(), time.process_time()
    with (
        open(options["path"], "rb") as stream,
        watch.watching(*_watched()),
    ):
        outcome = actions.import_values(
            actor=User.objects.get(pk=options["actor"]),
            stream=stream,
            format="csv",
            area=Area.objects.get(pk=options["area"]),
            source=Organization.objects.get(pk=options["source"]),
        )
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    status = Path("/proc/self/status").read_text()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu": cpu,
                "rows": outcome.rows,
                "new": outcome.new,
                "changed": outcome.changed,
                "problems": outcome.problem_count,
                "applied": outcome.applied,
                "parts": dict(watch.seconds),
                "vm_hwm_kib": _kib(status, "VmHWM"),
                "baseline_kib": baseline,
            }
        )
    )
    return 0


def _kib(status_text: str, key: str) -> int:
    for line in status_text.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _import_in_child(path, actor, area, source) -> dict:
    """Run the import in a child process, sampling its memory; return its figures."""
    options = json.dumps({"path": str(path), "actor": actor.pk, "area": area.pk,
                          "source": source.pk})  # fmt: skip
    child = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.indicators", "--child", options],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    peaks = {"RssAnon": 0, "RssFile": 0, "VmRSS": 0}
    while child.poll() is None:
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{child.pid}/status").read_text()
            for key in peaks:
                peaks[key] = max(peaks[key], _kib(status, key))
        time.sleep(0.05)
    output = child.stdout.read()
    if child.returncode:
        raise RuntimeError(f"The import in the child process failed ({child.returncode}).")
    figures = json.loads(output.strip().splitlines()[-1])
    figures["sampled_kib"] = peaks
    return figures


# -- the run


def run(args) -> int:
    started = time.perf_counter()
    with throwaway_database(args.postgres) as database_url:
        data_dir = tempfile.mkdtemp(prefix="barzan-bench-indicators-")
        configure(data_dir, database_url)
        try:
            results = _measure(args.scale, data_dir, analyze_all=args.analyze_all)
        finally:
            from django.db import connection

            connection.close()
            shutil.rmtree(data_dir, ignore_errors=True)
    _print_table(results, args.scale, time.perf_counter() - started)
    return 0


def configure(data_dir: str, database_url: str | None) -> None:
    """Point Django (and the child process, through the environment) at the data."""
    os.environ["BARZAN_DATA_DIR"] = data_dir
    # Static files are not served here; the folder only spares whitenoise's warning.
    os.makedirs(os.path.join(data_dir, "static"), exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "barzan.settings")
    if database_url:
        os.environ["BARZAN_DATABASE_URL"] = database_url
    else:
        os.environ.pop("BARZAN_DATABASE_URL", None)
    import django

    django.setup()


class Clock:
    """Wall and CPU seconds of this process since the last lap, printed as progress."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self, text: str) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        spent = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        load = os.getloadavg()[0]
        print(f"   {text}: {spent[0]:.1f} s (CPU {spent[1]:.1f} s, load {load:.1f})", flush=True)
        return spent


@dataclass
class DataSet:
    """The national data set and who and what the measurements use."""

    country: object
    admin: object
    source: object
    measured: list  # (indicator, value type), the 40 measured indicators
    areas: list  # (pk, code) of the neighborhoods, by code
    stored_periods: list
    figures: dict


def build(scale: float, *, analyze_all: bool = False) -> DataSet:
    """Make the tree, the catalogue and the values of a national data set, and roll them up."""
    from django.core.management import call_command

    from barzan.access.models import Role
    from barzan.accounts.actions import create_user
    from barzan.geo import demo, importing
    from barzan.geo.actions import import_areas
    from barzan.geo.models import Area, AreaLevel
    from barzan.indicators import rollups
    from barzan.indicators.models import Period
    from barzan.registry.actions import create_organization

    clock, figures = Clock(), {}
    call_command("migrate", verbosity=0)
    import_areas(
        actor=None, format=importing.DIVISIONS, content=demo.division_files(), source="bench"
    )
    demo._set_populations()
    clock.lap("migrated; the official hierarchy and census populations imported")
    # Neighborhoods under the cities, through the same import as an uploaded CSV of areas.
    report = import_areas(
        actor=None,
        format=importing.CSV,
        content=_neighborhoods_csv(_scaled(NEIGHBORHOODS, scale)),
        source="bench-neighborhoods.csv",
        options=importing.Options(level=AreaLevel.objects.get(code="neighborhood")),
        synthetic=True,
    )
    assert report.ok, report.problems[:5]
    areas = list(
        Area.objects.filter(level__code="neighborhood").order_by("code").values_list("pk", "code")
    )
    clock.lap(f"{len(areas):,} neighborhoods imported under the cities")
    country = Area.objects.get(level__code="country")
    admin = create_user(
        actor=None,
        username="bench-admin",
        email="bench@example.org",
        password="bench-password-1403",
        role=Role.objects.get(code="national_admin"),
        area=country,
    )
    source = create_organization(
        actor=None, code="bench-statistics", name_fa="مرکز آمار", kind="agency", area=country
    )
    measured = _catalogue(source)
    periods = {p.year: p for p in Period.objects.filter(period_type="year")}
    stored_periods = [periods[year] for year in YEARS]
    written = _write_values(measured, [pk for pk, _code in areas],
                            [p.pk for p in stored_periods], source.pk)  # fmt: skip
    _analyze(everything=analyze_all)
    figures["generate"] = (written, *clock.lap(f"{written:,} values written"))
    rolled = rollups.rebuild()
    _analyze()
    figures["rebuild"] = (rolled, *clock.lap(f"rollups.rebuild(): {rolled:,} roll-ups"))
    return DataSet(country, admin, source, measured, areas, stored_periods, figures)


def import_watched(data: DataSet, path) -> tuple[object, float, float, dict]:
    """Import the file at `path` as the national administrator; time its parts.

    Return the outcome, wall and CPU seconds, and the seconds of each part (`_watched`).
    """
    from barzan.indicators import actions

    watch = Stopwatch()
    wall, cpu = time.perf_counter(), time.process_time()
    with (
        open(path, "rb") as stream,
        watch.watching(*_watched()),
    ):
        outcome = actions.import_values(
            actor=data.admin, stream=stream, format="csv", area=data.country, source=data.source
        )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert outcome.applied and outcome.is_valid, outcome.problems[:5]
    return outcome, wall, cpu, dict(watch.seconds)


def _measure(scale: float, data_dir: str, *, analyze_all: bool = False) -> dict:
    from django.db import connection
    from django.test import Client
    from django.urls import Resolver404, resolve
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from barzan.accounts.actions import create_api_token
    from barzan.geo.models import Area
    from barzan.indicators import readers
    from barzan.indicators.models import IndicatorAggregate

    print(f"database: {connection.vendor}, scale {scale:g}", flush=True)
    data = build(scale, analyze_all=analyze_all)
    results: dict = {"database": connection.vendor, "analyze_all": analyze_all, **data.figures}
    clock = Clock()
    measured, areas = data.measured, data.areas

    # 1. 500,000 values: half changed in the last stored year, half new in the next.
    half = _scaled(IMPORT_ROWS, scale) // 2
    path = os.path.join(data_dir, "import.csv")
    _import_file(path, measured, areas, [(1402, 7, half, True), (1403, 8, half, False)], 1)
    clock.lap("file of the import written")
    results["import"] = import_watched(data, path)
    clock.lap(f"import of {results['import'][0].rows:,} rows")

    # 2. 1,000,000 values in a child process: its peak memory.
    half = _scaled(MEMORY_ROWS, scale) // 2
    path = os.path.join(data_dir, "memory.csv")
    _import_file(path, measured, areas, [(1401, 6, half, True), (1404, 9, half, False)], 2)
    clock.lap("file of the memory import written")
    results["memory"] = _import_in_child(path, data.admin, data.country, data.source)
    clock.lap(f"import of {results['memory']['rows']:,} rows in a child process")

    # 3. 100,000 changed values: the roll-up refresh, for values spread over every
    # indicator (every roll-up of the period is rewritten) and for a few whole indicators.
    rows = _scaled(REFRESH_ROWS, scale)
    path = os.path.join(data_dir, "refresh.csv")
    _import_file(path, measured, areas, [(1400, 5, rows, True)], 3)
    results["refresh"] = import_watched(data, path)
    clock.lap(f"import of {rows:,} changed values spread over every indicator")
    _import_file(path, measured, areas, [(1399, 4, rows, True)], 4, columns=True)
    results["refresh_columns"] = import_watched(data, path)
    clock.lap(f"import of {rows:,} changed values of whole indicators")
    _analyze()
    if connection.vendor == "postgresql":
        clock.lap("tables vacuumed and analyzed")

    # 4. The national total of one indicator for the 8 stored years.
    indicator, country, periods = measured[0][0], data.country, data.stored_periods
    series = readers.indicator_series(user=None, indicator=indicator, area=country, periods=periods)
    assert len(series) == len(periods) and all(f.is_rollup for _p, f in series), series
    for key, user in (("series", None), ("series_admin", data.admin)):
        results[key] = _summary(_timed(
            lambda user=user: readers.indicator_series(
                user=user, indicator=indicator, area=country, periods=periods
            ),
            SERIES_RUNS,
        ))  # fmt: skip
    # A national administrator's token needs a two-factor device.
    TOTPDevice.objects.get_or_create(user=data.admin, name="bench", confirmed=True)
    _token, raw_token = create_api_token(actor=data.admin, name="bench")
    api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {raw_token}")
    url = (
        f"/api/v1/indicators/aggregates?indicator={indicator.code}&area={country.pk}"
        f"&periods={','.join(p.code for p in periods)}"
    )
    response = api.get(url)
    if response.status_code == 200:
        results["api"] = _summary(_timed(lambda: api.get(url), SERIES_RUNS))
    else:
        results["api"] = f"HTTP {response.status_code}"
    clock.lap("national series read")

    # 5. The profile of the province with the most neighborhoods.
    province = max(
        Area.objects.filter(level__code="province"),
        key=lambda p: Area.objects.filter(
            level__code="neighborhood", path__startswith=p.path
        ).count(),
    )
    results["province"] = province.name_en or province.code
    profile_url = f"/indicators/profile/{province.pk}/"
    try:
        resolve(profile_url)
        has_page = True
    except Resolver404:
        has_page = False
    if has_page:
        browser = Client(HTTP_HOST="127.0.0.1")
        browser.force_login(data.admin)
        device = TOTPDevice.objects.get(user=data.admin, name="bench")
        session = browser.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        response = browser.get(profile_url)
        assert response.status_code == 200, (response.status_code, response.content[:300])
        results["profile"] = ("page", _summary(_timed(lambda: browser.get(profile_url),
                                                      PROFILE_RUNS)))  # fmt: skip
    else:
        profile = readers.profile(user=data.admin, area=province)
        assert profile.sections, "The province's profile is empty."
        results["profile"] = ("reader", _summary(_timed(
            lambda: readers.profile(user=data.admin, area=province), PROFILE_RUNS)))  # fmt: skip
    results["aggregates"] = IndicatorAggregate.objects.count()
    clock.lap("profile read")
    results["load"] = os.getloadavg()
    return results


def _print_table(results: dict, scale: float, total_seconds: float) -> None:
    database = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[results["database"]]
    if results.get("analyze_all"):
        database += ", every table analyzed"
    written, generate, generate_cpu = results["generate"]
    rolled, rebuild, rebuild_cpu = results["rebuild"]
    print(f"\nindicators: {database}, scale {scale:g} (wall seconds; CPU of this process)")
    print(f"  data set: {written:,} values written in {generate:.1f} s (CPU {generate_cpu:.1f} s, "
          f"{written / generate:,.0f}/s); rollups.rebuild() {rebuild:.1f} s "
          f"(CPU {rebuild_cpu:.1f} s) for {rolled:,} roll-ups")  # fmt: skip
    rows = []

    outcome, wall, cpu, parts = results["import"]
    rate = outcome.rows / wall
    refresh = parts.get("refresh", 0)
    write = parts.get("apply", 0) - refresh
    other = wall - sum(parts.get(name, 0) for name in ("stage", "apply", "record", "commit"))
    rows.append((
        f"import {outcome.rows:,} rows ({outcome.new:,} new, {outcome.changed:,} changed)",
        "≥ 50,000 values/s",
        f"{rate:,.0f}/s: {wall:.1f} s (CPU {cpu:.1f} s) = check {parts.get('stage', 0):.1f} s "
        f"+ write {write:.1f} s + roll-ups {refresh:.1f} s + audit {parts.get('record', 0):.1f} s "
        f"+ commit {parts.get('commit', 0):.1f} s (other {other:.1f} s); "
        f"without the roll-ups {outcome.rows / (wall - refresh):,.0f}/s",
        rate >= 50_000,
    ))  # fmt: skip

    memory = results["memory"]
    peak = memory["vm_hwm_kib"] / 1024
    sampled = memory["sampled_kib"]
    refresh = memory["parts"].get("refresh", 0)
    rows.append((
        f"import {memory['rows']:,} rows in a child process, peak RSS (VmHWM)",
        "< 300 MB",
        f"{peak:.0f} MB, {memory['baseline_kib'] / 1024:.0f} MB before reading (sampled: "
        f"anonymous {sampled['RssAnon'] / 1024:.0f} MB + file-backed "
        f"{sampled['RssFile'] / 1024:.0f} MB); {memory['seconds']:.1f} s (CPU "
        f"{memory['cpu']:.1f} s), {memory['rows'] / memory['seconds']:,.0f}/s, roll-ups "
        f"{refresh:.1f} s",
        peak < 300,
    ))  # fmt: skip

    for key, shape in (("refresh", "spread over every indicator"),
                       ("refresh_columns", "of whole indicators")):  # fmt: skip
        outcome, wall, _cpu, parts = results[key]
        refresh = parts.get("refresh", 0)
        rows.append((
            f"rollups.refresh after importing {outcome.changed:,} changed values {shape}",
            "< 10 s",
            f"{refresh:.2f} s (whole import {wall:.1f} s, {outcome.rows / wall:,.0f}/s)",
            refresh < 10,
        ))  # fmt: skip

    median, p95 = results["series"]
    admin_median, admin_p95 = results["series_admin"]
    rows.append((
        "national total of one indicator, 8 periods (indicator_series)",
        "< 100 ms",
        f"median {median:.2f} ms, p95 {p95:.2f} ms (as the admin: median "
        f"{admin_median:.2f} ms, p95 {admin_p95:.2f} ms)",
        p95 < 100,
    ))  # fmt: skip
    api = results["api"]
    if isinstance(api, str):
        rows.append(("the same through GET /api/v1/indicators/aggregates", "< 100 ms",
                     f"skipped: {api} (not there yet)", None))  # fmt: skip
    else:
        rows.append(("the same through GET /api/v1/indicators/aggregates", "< 100 ms",
                     f"median {api[0]:.2f} ms, p95 {api[1]:.2f} ms", api[1] < 100))  # fmt: skip

    kind, (median, p95) = results["profile"]
    what = "GET /indicators/profile/<pk>/" if kind == "page" else "readers.profile (no page yet)"
    rows.append((f"profile of {results['province']}: {what}", "< 200 ms",
                 f"median {median:.1f} ms, p95 {p95:.1f} ms", p95 < 200))  # fmt: skip

    for target, goal, figure, passed in rows:
        verdict = "—" if passed is None else ("pass" if passed else "FAIL")
        print(f"  {verdict:4}  {target}  [{goal}]\n        {figure}")
    load = ", ".join(f"{value:.1f}" for value in results["load"])
    print(f"  {results['aggregates']:,} roll-ups stored at the end; total time "
          f"{total_seconds / 60:.1f} min; load average at the end {load} on "
          f"{os.cpu_count()} cores")  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        sys.exit(_child(sys.argv[2:]))
