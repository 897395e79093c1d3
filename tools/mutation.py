"""
Run mutmut over the modules that decide access, roll-ups, geometry, display and imports,
one module at a time, and print each module's figures (docs/mutation.md).

    uv run python tools/mutation.py                      # every module, then the table
    uv run python tools/mutation.py policy rollups       # some modules
    uv run python tools/mutation.py --report             # the table of the last run only
    uv run python tools/mutation.py --retest geometry    # the survivors and the unchecked only

Mutants named in tools/mutation_equivalent.txt (one per line: the mutant's name, then why
no test can tell it from the original) count as equivalent, not as survivors. The kill
rate is killed ÷ (mutants − equivalent).
"""

import argparse
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = ROOT / "tools" / "mutation_equivalent.txt"
MODULES = {
    "policy": "barzan.access.policy",
    "geometry": "barzan.geo.geometry",
    "rollups": "barzan.indicators.rollups",
    "display": "barzan.indicators.display",
    "importing": "barzan.indicators.importing",
    "identifiers": "barzan.indicators.identifiers",
    "containment": "barzan.geo.import_checks",
    "names": "barzan.geo.names",
}

# Each module's mutants run against its own tests only (conftest.py deselects the rest):
# the functions of the policy and the roll-ups are called by nearly every test.
OWN_TESTS = {
    "policy": "src/barzan/access/tests/",
    "geometry": "src/barzan/geo/tests/test_geometry.py",
    "rollups": "src/barzan/indicators/tests/test_rollups.py",
    # test_small_counts.py checks display's suppression through the readers and pages too
    # (about five seconds more).
    "display": "src/barzan/indicators/tests/test_display.py,"
    "src/barzan/indicators/tests/test_small_counts.py",
    # The engine is reached by the reading, round-trip, identifier and all-or-nothing suites
    # as well as its own.
    "importing": "src/barzan/indicators/tests/test_importing.py,"
    "src/barzan/indicators/tests/test_exchange_reading.py,"
    "src/barzan/indicators/tests/test_exchange_round_trip.py,"
    "src/barzan/indicators/tests/test_identifiers.py,"
    "src/barzan/indicators/tests/test_import_all_or_nothing.py",
    "identifiers": "src/barzan/indicators/tests/test_identifiers.py",
    "containment": "src/barzan/geo/tests/test_exchange_areas.py,"
    "src/barzan/geo/tests/test_import_checks.py",
    "names": "src/barzan/geo/tests/test_names.py",
}


def refresh_copied_tests() -> None:
    """Drop the tests mutmut copied to mutants/ on an earlier run, so it copies them anew.

    mutmut copies src/ once and never again over an existing file: without this, tests
    added since the first run would not run against the mutants.
    """
    for tests in (ROOT / "mutants" / "src" / "barzan").glob("*/tests"):
        shutil.rmtree(tests)


def equivalent_mutants() -> dict[str, str]:
    """Return the mutants judged equivalent, with the reason given for each."""
    if not EQUIVALENT.exists():
        return {}
    found = {}
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            found[name] = reason.strip()
    return found


def results() -> dict[str, str]:
    """Return every mutant's status from mutmut's last runs."""
    if not (ROOT / "mutants").exists():
        return {}
    output = subprocess.run(
        ["mutmut", "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    statuses = {}
    for line in output.splitlines():
        name, separator, status = line.strip().rpartition(": ")
        if separator and "__mutmut_" in name:
            statuses[name] = status.strip()
    return statuses


def report(modules) -> int:
    """Print the figures of `modules`; return how many survivors are not judged equivalent."""
    statuses = results()
    equivalent = equivalent_mutants()
    print(
        f"{'module':<32} {'mutants':>7} {'killed':>6} {'survived':>8} {'equivalent':>10} "
        f"{'timeout':>7} {'no tests':>8} {'unchecked':>9} {'killed %':>8}"
    )
    open_survivors = 0
    for key in modules:
        prefix = MODULES[key] + "."
        mine = {name: status for name, status in statuses.items() if name.startswith(prefix)}
        counts = Counter(mine.values())
        judged = sum(1 for name in mine if name in equivalent)
        survived = sum(
            1
            for name, status in mine.items()
            if status in ("survived", "no tests") and name not in equivalent
        )
        open_survivors += survived
        killed = counts["killed"]
        timeout = counts["timeout"]
        no_tests = sum(1 for n, s in mine.items() if s == "no tests" and n not in equivalent)
        unchecked = counts["not checked"]
        # A mutant that made the tests time out was caught by them too.
        scored = len(mine) - judged
        rate = 100 * (killed + timeout) / scored if scored else 0.0
        print(
            f"{MODULES[key]:<32} {len(mine):>7} {killed:>6} {survived:>8} {judged:>10} "
            f"{timeout:>7} {no_tests:>8} {unchecked:>9} {rate:>7.1f}%"
        )
        for name, status in sorted(mine.items()):
            if status in ("survived", "no tests") and name not in equivalent:
                print(f"    {status}: {name}")
    return open_survivors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"some of: {', '.join(MODULES)}")
    parser.add_argument("--report", action="store_true", help="print the last figures only")
    parser.add_argument(
        "--retest", action="store_true", help="test only survivors and unchecked mutants"
    )
    parser.add_argument(
        "--max-children", type=int, default=1, help="mutants tested at once (default 1)"
    )
    options = parser.parse_args()
    modules = options.modules or list(MODULES)
    unknown = set(modules) - set(MODULES)
    if unknown:
        parser.error(f"unknown modules: {', '.join(sorted(unknown))}")
    if not options.report:
        refresh_copied_tests()
        run = ["mutmut", "run", "--max-children", str(options.max_children)]
        statuses = results() if options.retest else {}
        equivalent = equivalent_mutants()
        for key in modules:
            names = [MODULES[key] + ".*"]
            if options.retest:
                names = [
                    name
                    for name, status in statuses.items()
                    if status in ("survived", "no tests", "not checked")
                    and name not in equivalent
                    and name.startswith(MODULES[key] + ".")
                ]
            if names:
                env = {**os.environ, "BARZAN_MUTATION_TESTS": OWN_TESTS[key]}
                subprocess.run([*run, *names], cwd=ROOT, env=env, check=False)
    return 1 if report(modules) else 0


if __name__ == "__main__":
    sys.exit(main())
