"""Run one benchmark by name: `uv run python -m benchmarks home_page --duration 20`."""

import argparse
import importlib
import sys

BENCHMARKS = {
    "home_page": "Requests per second and latency of the logged-in home page under gunicorn.",
    "geography": "Importing the divisions, map GeoJSON, locating points, subtree queries.",
    "indicators": "Importing values, memory, roll-up refresh, national series, profiles.",
    "load": "Logged-in users under load: requests/s, p50, p99, errors; --with-import too.",
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in BENCHMARKS:
        print("usage: python -m benchmarks NAME [options]\n\nbenchmarks:")
        for name, text in BENCHMARKS.items():
            print(f"  {name:12} {text}")
        return 2
    module = importlib.import_module(f"benchmarks.{argv[0]}")
    parser = argparse.ArgumentParser(
        prog=f"python -m benchmarks {argv[0]}", description=BENCHMARKS[argv[0]]
    )
    module.add_arguments(parser)
    return module.run(parser.parse_args(argv[1:]))


if __name__ == "__main__":
    sys.exit(main())
