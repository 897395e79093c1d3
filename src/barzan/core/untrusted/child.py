"""Run a job of `jobs` on a file in a child process with limits, and stream its items back."""

import io
import json
import logging
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from .jobs import JOBS
from .limits import (
    MB,
    Limits,
    Malformed,
    UnreadableFile,
    _,
    _megabytes,
    _number,
    _refuse,
    current_limits,
)

logger = logging.getLogger(__name__)

# Frames of the child's output file: a batch of items, the end, or what is malformed.
_ITEMS, _END, _MALFORMED = "items", "end", "malformed"
# Items in a frame: many enough that framing costs little beside reading a row.
_BATCH = 256
# The child's exit status when Python itself runs out of memory.
_OUT_OF_MEMORY = 3
_CHUNK = 64 * 1024


def parse(job: str, source, *, batch: int = _BATCH, **options) -> Iterator:
    """Yield the items that child job `job` reads from `source`, parsed in a child process.

    The child hands items over `batch` at a time: 1 when each item may be large.

    `source` is a path, bytes or a binary file (read from its current position; a file on
    disk read from its start is passed by path, not copied). Raise UnreadableFile when the
    child breaks a limit and Malformed when the file breaks its format; both come before
    the first item, except Malformed after the items read before the error. The child runs
    when the first item is asked for.
    """
    current = current_limits()
    with tempfile.TemporaryDirectory(prefix="barzan-untrusted-") as folder:
        path, passed_by_path = _source_path(source, folder)
        output = os.path.join(folder, "items")
        _run_child(job, path, output, options, current, folder, batch)
        if passed_by_path:
            # The child read the whole file; a progress bar reads the position.
            source.seek(0, io.SEEK_END)
        with open(output, "rb") as items:
            while True:
                try:
                    # Each frame is a pickle of its own (see main).
                    kind, payload = _PlainUnpickler(items).load()
                except EOFError:
                    raise _refuse(_("The file could not be read.")) from None
                if kind == _END:
                    logger.debug(
                        "Read %s in a child process; its peak memory was %s KB",
                        job,
                        payload["peak_kb"],
                    )
                    return
                if kind == _MALFORMED:
                    raise Malformed(*payload)
                yield from payload


def _source_path(source, folder: str) -> tuple[str, bool]:
    """Return a path the child can read `source` from, and whether it is `source`'s own."""
    if isinstance(source, str | os.PathLike):
        return os.fspath(source), False
    if isinstance(source, bytes | bytearray | memoryview):
        path = os.path.join(folder, "source")
        with open(path, "wb") as copy:
            copy.write(source)
        return path, False
    name = getattr(source, "name", None)
    try:
        if (
            isinstance(name, str)
            and os.path.isabs(name)
            and source.tell() == 0
            and os.path.samestat(os.fstat(source.fileno()), os.stat(name))
        ):
            return name, True
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        pass
    path = os.path.join(folder, "source")
    with open(path, "wb") as copy:
        shutil.copyfileobj(source, copy, _CHUNK)
    return path, False


def _run_child(
    job: str, path: str, output: str, options: dict, limits: Limits, folder: str, batch: int
):
    request = {
        "job": job,
        "batch": batch,
        "source": path,
        "output": output,
        "options": options,
        "memory": limits.memory_bytes,
        "seconds": limits.seconds,
        # What the child writes is about the size of what it reads, with room for framing.
        "output_limit": 2 * limits.uncompressed_bytes + 16 * MB,
        "columns": limits.columns,
        "rows": limits.rows,
    }
    package_root = str(Path(__file__).resolve().parents[3])
    command = [
        sys.executable,
        "-I",
        "-c",
        f"import sys; sys.path.insert(0, {package_root!r}); "
        "from barzan.core.untrusted.child import main; main()",
    ]
    errors_path = os.path.join(folder, "errors")
    with open(errors_path, "wb") as errors:
        try:
            finished = subprocess.run(
                command,
                input=json.dumps(request).encode(),
                stdout=subprocess.DEVNULL,
                stderr=errors,
                cwd=folder,
                timeout=limits.seconds,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise _too_slow(limits) from None
    code = finished.returncode
    if code == 0:
        return
    with open(errors_path, "rb") as errors:
        errors.seek(max(0, os.path.getsize(errors_path) - 2000))
        logger.warning(
            "The reader of an untrusted file stopped with status %s: %s",
            code,
            errors.read().decode("utf-8", "replace"),
        )
    if code == -signal.SIGXCPU:
        raise _too_slow(limits)
    if code == -signal.SIGXFSZ:
        raise _refuse(
            _(
                "The file expands to more than %(limit)s MB; at most %(limit)s MB are accepted. "
                "Upload a smaller file."
            ),
            limit=_megabytes(limits.uncompressed_bytes),
        )
    if code in (_OUT_OF_MEMORY, -signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV):
        raise _refuse(
            _(
                "Reading the file needed more than %(limit)s MB of memory, so it was stopped. "
                "Check that it holds only the data to import, or split it into smaller files."
            ),
            limit=_megabytes(limits.memory_bytes),
        )
    raise _refuse(_("The file could not be read."))


def _too_slow(limits: Limits) -> UnreadableFile:
    return _refuse(
        _(
            "Reading the file took longer than %(seconds)s seconds, so it was stopped. Split it "
            "into smaller files and upload them one by one."
        ),
        seconds=_number(limits.seconds),
    )


class _PlainUnpickler(pickle.Unpickler):
    """Build lists, dicts, text and numbers only: what the child writes, and nothing else."""

    def find_class(self, module, name):
        if (module, name) == ("decimal", "Decimal"):
            return Decimal
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def _limit(resource, kind: int, soft: int, hard: int) -> None:
    """Lower the limit `kind` to (soft, hard), never above the hard limit this process
    inherited: a process may not raise it, and one started under a tighter limit (a
    worker with a CPU budget, `ulimit -t`) would otherwise fail before reading a byte."""
    inherited = resource.getrlimit(kind)[1]
    if inherited != resource.RLIM_INFINITY:
        soft, hard = min(soft, inherited), min(hard, inherited)
    resource.setrlimit(kind, (soft, hard))


def main() -> None:
    """Run one job on a file in this (child) process, within the limits the parent sends."""
    import resource

    request = json.loads(sys.stdin.buffer.read())
    memory = request["memory"]
    seconds = request["seconds"]
    _limit(resource, resource.RLIMIT_CORE, 0, 0)
    _limit(resource, resource.RLIMIT_AS, memory, memory)
    _limit(resource, resource.RLIMIT_CPU, seconds, seconds + 1)
    _limit(resource, resource.RLIMIT_FSIZE, request["output_limit"], request["output_limit"])
    job = JOBS[request["job"]]
    options = {**request["options"], "limits": (request["columns"], request["rows"])}
    protocol = pickle.HIGHEST_PROTOCOL
    try:
        with open(request["output"], "wb") as output:
            batch: list = []
            try:
                for item in job(request["source"], **options):
                    batch.append(item)
                    if len(batch) >= request["batch"]:
                        # Pickled whole before it is written: a batch that cannot be
                        # pickled leaves no half frame behind.
                        output.write(pickle.dumps((_ITEMS, batch), protocol=protocol))
                        batch = []
                if batch:
                    output.write(pickle.dumps((_ITEMS, batch), protocol=protocol))
            except Malformed as error:
                if batch:
                    output.write(pickle.dumps((_ITEMS, batch), protocol=protocol))
                output.write(pickle.dumps((_MALFORMED, (error.kind, error.details))))
            except RecursionError:
                output.write(pickle.dumps((_MALFORMED, ("depth", {}))))
            else:
                output.write(pickle.dumps((_END, {"peak_kb": _peak_kb()})))
    except MemoryError:
        os._exit(_OUT_OF_MEMORY)


def _peak_kb() -> int | None:
    """Return this process's peak resident memory since it started the job's interpreter."""
    # Not ru_maxrss: it keeps the parent's size from before the child's exec.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None
