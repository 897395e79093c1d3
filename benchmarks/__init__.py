"""
Benchmarks: `uv run python -m benchmarks NAME [options]` prints the figures an issue asks for.

Each benchmark sets up its own throwaway data folder (and database) and cleans up after
itself; none runs as part of the test suite.
"""
