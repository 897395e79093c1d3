"""
`barzan serve` and `barzan demo` manage their processes (issue 9, finding 6).

As found: SIGTERM to `barzan serve` left gunicorn running, orphaned; a worker that died
beside the demo stayed dead; and two instances on one machine shared gunicorn's control
socket. The demo serves through the same Supervisor as `serve --with-worker`.
"""

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from barzan import serving
from benchmarks.support import free_port, wait_until_up


def processes_with(*words: str) -> dict[int, str]:
    """Return {pid: command line} of live processes whose command line has every word."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and all(word in command for word in words):
            found[int(entry.name)] = command
    return found


def wait_until(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    return condition()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    subprocess.run(
        [sys.executable, "-m", "barzan.cli", "migrate", "-v0"], env=environment(folder), check=True
    )
    return folder


def environment(folder: Path) -> dict[str, str]:
    env = {**os.environ, "BARZAN_DATA_DIR": str(folder), "BARZAN_LOG_LEVEL": "WARNING"}
    env.pop("BARZAN_DATABASE_URL", None)
    return env


def serve(folder: Path, port: int, *options: str) -> subprocess.Popen:
    # Collecting and compressing the static files takes minutes on a busy machine; no
    # test here needs them.
    command = [
        sys.executable, "-m", "barzan.cli", "serve", "--port", str(port), "--workers", "1",
        "--skip-collectstatic",
    ]  # fmt: skip
    process = subprocess.Popen(
        [*command, *options],
        env=environment(folder),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_up("127.0.0.1", port, timeout=120)
    except RuntimeError:
        process.kill()
        raise
    return process


def command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


class Leftovers(list):
    """The pids a test started, each with its command line, so a reused pid is never killed."""

    def extend(self, pids):
        super().extend((pid, command_line(pid)) for pid in pids)

    def append(self, pid):
        self.extend([pid])


@pytest.fixture
def stop_leftovers():
    """Kill whatever a failing test left running, by the pids it found."""
    started = Leftovers()
    yield started
    for pid, line in started:
        if line and command_line(pid) == line:
            os.kill(pid, signal.SIGKILL)


def test_sigterm_to_barzan_serve_leaves_no_gunicorn_behind(data_dir, stop_leftovers):
    port = free_port()
    process = serve(data_dir, port, "--with-worker")
    stop_leftovers.append(process.pid)
    gunicorns = set(wait_until(lambda: processes_with("gunicorn", f":{port}")))
    workers = wait_until(lambda: worker_pids(process))
    stop_leftovers.extend(gunicorns | workers)
    assert gunicorns, "gunicorn did not start"
    assert workers, "the worker did not start"

    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)

    assert wait_until(lambda: not processes_with("gunicorn", f":{port}"), seconds=10)
    assert not any(Path(f"/proc/{pid}").exists() for pid in gunicorns | workers)


def test_a_killed_supervisor_takes_gunicorn_with_it(data_dir, stop_leftovers):
    """Even SIGKILL, which cannot be passed on: Linux stops the children itself."""
    if sys.platform != "linux":
        pytest.skip("PR_SET_PDEATHSIG is Linux only")
    port = free_port()
    process = serve(data_dir, port)
    stop_leftovers.extend([process.pid, *processes_with("gunicorn", f":{port}")])
    process.kill()
    process.wait(timeout=10)
    assert wait_until(lambda: not processes_with("gunicorn", f":{port}"), seconds=40)


def test_a_worker_that_dies_is_restarted_and_the_restart_logged(data_dir, stop_leftovers):
    port = free_port()
    process = serve(data_dir, port, "--with-worker")
    stop_leftovers.append(process.pid)
    stop_leftovers.extend(processes_with("gunicorn", f":{port}"))

    first = wait_until(lambda: worker_pids(process))
    assert len(first) == 1
    os.kill(next(iter(first)), signal.SIGKILL)
    second = wait_until(lambda: worker_pids(process) - first, seconds=20)
    assert second, "the worker was not restarted"
    stop_leftovers.extend(second)

    process.send_signal(signal.SIGTERM)
    _out, errors = process.communicate(timeout=60)
    assert "exited with status -9; restarting it in 1 s" in errors
    assert "Restarted the background worker" in errors


def worker_pids(supervisor: subprocess.Popen) -> set[int]:
    """Return the pids of the background workers `supervisor` started."""
    return set(processes_with("barzan.cli", "worker", "--no-reload")) & children(supervisor.pid)


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == pid:
                found.add(int(entry.name))
    return found


def test_each_instance_has_its_own_control_socket_in_its_data_folder(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    first = serving.gunicorn_command("127.0.0.1", 8001, 2)
    second = serving.gunicorn_command("127.0.0.1", 8002, 2)
    assert first[first.index("--control-socket") + 1] == str(tmp_path / "gunicorn-8001.ctl")
    assert second[second.index("--control-socket") + 1] == str(tmp_path / "gunicorn-8002.ctl")


def test_a_data_folder_too_deep_for_a_socket_disables_it(tmp_path, settings):
    settings.DATA_DIR = tmp_path / ("deep" * 30)
    assert "--no-control-socket" in serving.gunicorn_command("127.0.0.1", 8001, 2)


def test_the_running_server_listens_on_its_own_control_socket(data_dir, stop_leftovers):
    port = free_port()
    process = serve(data_dir, port)
    stop_leftovers.extend([process.pid, *processes_with("gunicorn", f":{port}")])
    try:
        socket_path = data_dir / f"gunicorn-{port}.ctl"
        assert wait_until(socket_path.exists, seconds=10)
        assert stat.S_ISSOCK(socket_path.stat().st_mode)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
