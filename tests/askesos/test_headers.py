"""Response headers: Content-Security-Policy without inline code, Permissions-Policy,
no-store on signed-in answers (askesos.headers), no Server header from gunicorn."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

from askesos.roles import LpaRole
from tests.conftest import client_on, host_of

ROOT = Path(__file__).resolve().parents[2]


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def test_pages_allow_scripts_and_styles_from_this_site_only(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.BENDAHARA))

    for path in ("/masuk/", "/dasbor/", "/peserta/"):
        policy = _directives(client.get(path))
        assert policy["script-src"] == ["'self'"], path
        assert policy["style-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]


def test_only_the_api_docs_page_allows_inline_styles_and_still_no_inline_script(portal_host, db):
    response = Client(HTTP_HOST=portal_host).get("/api/docs/")

    policy = _directives(response)
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]
    page = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "the init script is a file"


_TEMPLATE_GLOBS = (
    "platform/**/templates/**/*.html",
    "programme/**/templates/**/*.html",
    "reporting/**/templates/**/*.html",
    "tenants/**/templates/**/*.html",
)
_INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "on* handler": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_no_template_has_inline_script_or_style():
    found = []
    for pattern in _TEMPLATE_GLOBS:
        for template in ROOT.glob(pattern):
            text = template.read_text()
            found += [
                f"{template.relative_to(ROOT)}: {what}"
                for what, regex in _INLINE.items()
                if regex.search(text)
            ]

    assert found == []


def test_every_answer_says_which_browser_features_it_may_use(lpa_a, make_staff, portal_host):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.PETUGAS_LAPANGAN))

    for response in (
        client.get("/dasbor/"),
        client.get("/api/me/"),
        client.get("/static/askesos/app.css"),
        Client(HTTP_HOST=portal_host).get("/transparansi/"),
    ):
        policy = response["Permissions-Policy"]
        assert "camera=(self)" in policy and "geolocation=()" in policy
        assert "microphone=()" in policy and "payment=()" in policy


def test_signed_in_pages_and_api_answers_are_not_stored(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.BENDAHARA))

    for path in ("/dasbor/", "/peserta/", "/api/me/", "/api/participants/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path


def test_static_files_and_public_pages_keep_their_own_caching(portal_host, lpa_a, make_staff):
    static = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.KETUA)).get(
        "/static/askesos/app.css"
    )
    public = Client(HTTP_HOST=portal_host).get("/transparansi/")

    assert "no-store" not in static.get("Cache-Control", "")
    assert public["Cache-Control"] == "public, max-age=300"


def test_a_view_that_sets_its_own_caching_keeps_it(portal_host, make_government_user):
    officer = client_on(portal_host, make_government_user("ministry"))

    response = officer.get("/transparansi/")

    assert response["Cache-Control"] == "private, max-age=0"


# --- gunicorn -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn_port():
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "askesos.settings"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "askesos.wsgi",
            "--config",
            "python:askesos.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--no-control-socket",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_gunicorn_does_not_say_what_it_is(gunicorn_port, settings):
    request = urllib.request.Request(
        f"http://127.0.0.1:{gunicorn_port}/masuk/", headers={"Host": settings.BASE_DOMAIN}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        headers = response.headers

    assert "Server" not in headers
    assert "Content-Security-Policy" in headers and "Permissions-Policy" in headers
