"""Gunicorn settings for the production image (infra/Dockerfile)."""

import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_WORKERS", "3"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
# Slow connections are normal for LPA treasurers: keep idle keep-alives short so they
# do not hold threads, and let the proxy buffer request bodies.
keepalive = 5
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def _without_server_header(default_headers):
    """Gunicorn writes `Server: gunicorn` into every answer and has no setting against
    it; the server's name and kind only help an attacker choose their tools."""

    def headers(self):
        return [line for line in default_headers(self) if not line.lower().startswith("server:")]

    headers.askesos_without_server = True
    return headers


def _hide_server_header() -> None:
    from gunicorn.http import wsgi

    if not getattr(wsgi.Response.default_headers, "askesos_without_server", False):
        wsgi.Response.default_headers = _without_server_header(wsgi.Response.default_headers)


_hide_server_header()
