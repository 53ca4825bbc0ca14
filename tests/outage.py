"""Outages without touching the machine's PostgreSQL or Redis: the app under test (a
real gunicorn) reaches them through small TCP proxies of the test's own, and closing a
proxy (its listener and every connection through it) is the server going down for
that app alone. Reopened on the same port, the server is back."""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

from django.conf import settings
from django.db import connection


class TcpProxy:
    """Forwards every connection to `target`; `close()` refuses new connections and
    cuts the open ones; `open()` listens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def close(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would not.
            _quietly(listener.shutdown, socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _quietly(sock.shutdown, socket.SHUT_RDWR)
            sock.close()

    @property
    def is_open(self) -> bool:
        return self._listener is not None

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                if listener is not self._listener:  # closed meanwhile
                    client.close()
                    upstream.close()
                    return
                self._sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _quietly(sink.shutdown, socket.SHUT_WR)


def _quietly(call, *args) -> None:
    try:
        call(*args)
    except OSError:
        pass


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        import json

        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class AppServer:
    """A gunicorn serving the test database through `database` and Redis (cache and
    broker) through `redis`."""

    process: subprocess.Popen
    port: int
    database: TcpProxy
    redis: TcpProxy
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        *,
        host: str,
        cookies: dict[str, str] | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = {"Host": host, **(headers or {})}
        if cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            return Answer(response.status, dict(response.getheaders()), response.read())
        finally:
            conn.close()

    def get(self, path: str, *, host: str, cookies: dict[str, str] | None = None) -> Answer:
        return self.request("GET", path, host=host, cookies=cookies)

    def post_json(self, path: str, data: bytes, *, host: str, session: str) -> Answer:
        """A signed-in POST as a browser's script makes it: session and CSRF cookies, and
        the CSRF token in its header."""
        token = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
        cookies = {settings.SESSION_COOKIE_NAME: session, settings.CSRF_COOKIE_NAME: token}
        headers = {"Content-Type": "application/json", "X-CSRFToken": token}
        return self.request("POST", path, host=host, cookies=cookies, body=data, headers=headers)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.database.close()
        self.redis.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_server_start(log_path: str) -> AppServer:
    """gunicorn (one process, four threads) on the test database, behind the proxies."""
    db = connection.settings_dict
    redis_url = urlparse(settings.REDIS_URL)
    database = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    redis = TcpProxy((redis_url.hostname or "127.0.0.1", redis_url.port or 6379))
    database.open()
    redis.open()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="askesos.settings",
        DATABASE_URL=f"postgresql://{db['USER']}@127.0.0.1:{database.port}/{db['NAME']}",
        REDIS_URL=f"redis://127.0.0.1:{redis.port}{redis_url.path or '/0'}",
        DB_CONNECT_TIMEOUT="3",
    )
    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", "askesos.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "--threads", "4", "--graceful-timeout", "5"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = AppServer(process, port, database, redis)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {log_path}")
        try:
            if server.get("/healthz?checks=database", host="localhost").status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer within 60 s; see {log_path}")
