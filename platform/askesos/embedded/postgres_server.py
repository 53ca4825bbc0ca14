"""The embedded PostgreSQL: pgserver's binaries in `<data>/pgdata`, on a Unix socket.

pgserver initialises and starts the cluster; we find the server through its own
postmaster.pid and stop it ourselves, because pgserver's stop counts handles in a file
that a killed process never leaves, and then refuses to stop.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import subprocess
import time
import warnings
from pathlib import Path
from urllib.parse import quote

import psutil

from askesos.embedded.records import EmbeddedError, process_of, wait_gone

DATABASE = "askesos"
READY_WAIT = 60.0
STOP_WAIT = 60.0


def pgdata_of(folder: Path) -> Path:
    return folder / "pgdata"


def _postmaster(pgdata: Path) -> list[str]:
    # pid, data dir, start time, port, socket directory, listen address, shmem, status
    with contextlib.suppress(FileNotFoundError):
        return (pgdata / "postmaster.pid").read_text().splitlines()
    return []


def running(pgdata: Path) -> psutil.Process | None:
    """The postmaster serving this pgdata, found through its own postmaster.pid."""
    lines = _postmaster(pgdata)
    if not lines or not lines[0].strip().isdigit():
        return None
    try:
        process = psutil.Process(int(lines[0]))
        if process.status() == psutil.STATUS_ZOMBIE or "postgres" not in process.name():
            return None
        if str(pgdata) not in " ".join(process.cmdline()):
            return None
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return process


def stale(pgdata: Path) -> bool:
    """A postmaster.pid without its server: what a killed PostgreSQL leaves behind."""
    return (pgdata / "postmaster.pid").exists() and running(pgdata) is None


def stale_clear(pgdata: Path) -> None:
    """Children of a killed postmaster hold its shared memory for a moment, and its
    postmaster.pid and socket lock name a pid that may be a zombie or another program
    by now: PostgreSQL refuses to start over any of them."""
    orphans = [
        process
        for process in psutil.process_iter(["name", "cwd"])
        if "postgres" in (process.info["name"] or "") and process.info["cwd"] == str(pgdata)
    ]
    for process in orphans:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    for process in orphans:
        wait_gone(process, 10.0)
    lines = _postmaster(pgdata)
    socket_dir = Path(lines[4].strip()) if len(lines) > 4 and lines[4].strip() else pgdata
    for path in [pgdata / "postmaster.pid", *socket_dir.glob(".s.PGSQL.*.lock")]:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def url(pgdata: Path, database: str = DATABASE) -> str:
    socket_dir = quote(_postmaster(pgdata)[4].strip(), safe="/")
    return f"postgresql://postgres:@/{database}?host={socket_dir}"


def wait_ready(pgdata: Path) -> None:
    deadline = time.monotonic() + READY_WAIT
    while time.monotonic() < deadline:
        lines = _postmaster(pgdata)
        if len(lines) >= 8 and lines[7].strip() == "ready":
            return
        if running(pgdata) is None:
            break
        time.sleep(0.2)
    raise EmbeddedError(f"embedded PostgreSQL in {pgdata} is not ready; see {pgdata / 'log'}")


def start(pgdata: Path) -> psutil.Process:
    with warnings.catch_warnings():
        # platformdirs warns at pgserver's import when XDG_RUNTIME_DIR is unset (any
        # shell outside a desktop session); pgserver falls back to /tmp, which is fine.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import pgserver
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    try:
        pgserver.get_server(pgdata, cleanup_mode=None)
    except (subprocess.SubprocessError, OSError, AssertionError) as error:
        stop(pgdata)  # pg_ctl may have given up on a server that came up after all
        raise EmbeddedError(
            f"embedded PostgreSQL did not start in {pgdata} ({error}); see {pgdata / 'log'}"
        ) from error
    wait_ready(pgdata)
    process = running(pgdata)
    if process is None:
        raise EmbeddedError(f"embedded PostgreSQL stopped right after starting in {pgdata}")
    return process


def database_ensure(pgdata: Path) -> None:
    import psycopg

    with psycopg.connect(url(pgdata, "postgres"), autocommit=True, connect_timeout=10) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
        if found.fetchone() is None:
            admin.execute(f'CREATE DATABASE "{DATABASE}"')


def stop(pgdata: Path, entry: dict | None = None) -> None:
    """Fast shutdown (SIGINT): open sessions are rolled back, a checkpoint is written,
    the server exits. Immediate shutdown, then SIGKILL, only past the bound. `entry`
    (pid and start time) finds the server when its postmaster.pid was deleted with the
    data folder."""
    process = running(pgdata) or process_of(entry)
    if process is None:
        return
    for sig, wait in ((signal.SIGINT, STOP_WAIT), (signal.SIGQUIT, 10.0)):
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(sig)
        if wait_gone(process, wait):
            return
    with contextlib.suppress(psutil.NoSuchProcess):
        process.kill()
    wait_gone(process, 5.0)
