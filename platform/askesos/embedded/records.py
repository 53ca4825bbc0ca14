"""What a data folder records about its embedded servers, and the lock around it.

`<data>/embedded.json` holds the live owners, the running servers and a history of
every process started for them; a process is named by its pid *and* start time, so a
pid the kernel has given to another program never passes for ours.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import psutil

STATE_FILE = "embedded.json"
LOCK_FILE = "embedded.lock"
LOG_FILE = "embedded.log"
LOCK_WAIT = 120.0
HISTORY_KEPT = 50


class EmbeddedError(RuntimeError):
    """An embedded server could not be started or stopped; the message says what to do."""


def identity(pid: int) -> dict:
    return {"pid": pid, "started": psutil.Process(pid).create_time()}


def same(entry: dict, other: dict) -> bool:
    return (entry["pid"], entry["started"]) == (other["pid"], other["started"])


def process_of(entry: dict | None) -> psutil.Process | None:
    """The live process an entry names; None when it has ended or its pid was reused."""
    if not entry:
        return None
    try:
        process = psutil.Process(entry["pid"])
        if abs(process.create_time() - entry["started"]) > 0.05:
            return None
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return process


def wait_gone(process: psutil.Process, timeout: float) -> bool:
    """Whether the process ended within `timeout` seconds (a zombie has ended)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def state_read(folder: Path) -> dict:
    state = {"owners": [], "postgres": None, "redis": None, "history": []}
    with contextlib.suppress(FileNotFoundError, ValueError):
        state.update(json.loads((folder / STATE_FILE).read_text()))
    return state


def state_write(folder: Path, state: dict) -> None:
    state["history"] = state["history"][-HISTORY_KEPT:]
    temporary = folder / f"{STATE_FILE}.{os.getpid()}"
    temporary.write_text(json.dumps(state, indent=1))
    os.replace(temporary, folder / STATE_FILE)


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """One process at a time starts, joins, leaves or stops this folder's servers. The
    lock is the kernel's: it ends with its holder, so a killed run cannot leave it."""
    with open(folder / LOCK_FILE, "a") as handle:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise EmbeddedError(
                        f"another command has been starting or stopping the embedded "
                        f"servers in {folder} for {LOCK_WAIT:.0f} s; see {folder / LOG_FILE}"
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def log(folder: Path, message: str) -> None:
    with contextlib.suppress(OSError):
        with open(folder / LOG_FILE, "a") as handle:
            handle.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} [{os.getpid()}] {message}\n")


def leftovers(folder: Path) -> list[dict]:
    """Every process recorded in this data folder's history that is still running."""
    return [entry for entry in state_read(folder)["history"] if process_of(entry)]
