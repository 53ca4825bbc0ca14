"""PostgreSQL's own dump tools, pg_dump and pg_restore, run against the database Django
uses (DATABASE_URL; the password goes through the environment, never the command line).

pg_dump refuses a server newer than itself, and pg_restore an archive newer than itself,
so a tool is taken only when its major version is at least the one needed. Where to
look, in order: PG_BIN_DIR, PATH, the embedded server's binaries (pgserver's wheel
carries them, so the newcomer's route needs nothing installed).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from tenants.backup.errors import BackupError

_VERSION = re.compile(r"\)\s*(\d+)(?:\.(\d+))?")


def server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


@functools.cache
def tool_major(path: str) -> int:
    """The major version a PostgreSQL client tool reports ("pg_dump (PostgreSQL) 15.20")."""
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    match = _VERSION.search(out)
    return int(match.group(1)) if match else 0


def _candidates(name: str) -> list[str]:
    found: list[str] = []
    bin_dir = getattr(settings, "PG_BIN_DIR", "")
    if bin_dir:
        found.append(str(Path(bin_dir) / name))
    on_path = shutil.which(name)
    if on_path:
        found.append(on_path)
    try:
        import pgserver

        found.append(str(Path(pgserver.__file__).parent / "pginstall" / "bin" / name))
    except ImportError:  # pragma: no cover - pgserver is a dependency
        pass
    return [path for path in found if os.access(path, os.X_OK)]


def tool(name: str, *, at_least: int) -> tuple[str, int]:
    """The first `name` whose major version is `at_least` or newer, and that version."""
    for path in _candidates(name):
        major = tool_major(path)
        if major >= at_least:
            return path, major
    raise BackupError("pg_tool_missing", tool=name, version=at_least)


def libpq_env() -> dict[str, str]:
    """The environment that points libpq at Django's database (host may be a socket
    directory, as on the embedded route)."""
    db = connection.settings_dict
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGDATABASE", db.get("NAME")),
    ):
        if value:
            env[key] = str(value)
        else:
            env.pop(key, None)
    return env


def run(args: list[str], *, name: str) -> None:
    """Run a tool; its complaint (the last lines of stderr) becomes a BackupError."""
    done = subprocess.run(args, env=libpq_env(), capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        detail = " / ".join(lines[-4:]) or f"exit status {done.returncode}"
        raise BackupError("pg_tool_failed", tool=name, detail=detail)


@contextmanager
def snapshot_exported() -> Iterator[tuple[str, object, str]]:
    """A read-only REPEATABLE READ transaction whose snapshot pg_dump shares
    (`--snapshot`), so that what is counted and what is dumped are of one moment;
    yields (snapshot id, when it was taken, the server's version)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), now(), current_setting('server_version')")
            snapshot = cursor.fetchone()
        yield snapshot
