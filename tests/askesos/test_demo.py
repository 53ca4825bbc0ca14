"""What a newcomer sees of `askesos demo` without running it: the logins table printed
on demand, and pages that name their icon (a browser asking for /favicon.ico gets a 404
that the demo's log shows as an error)."""

import io
import os
import re

from django.core.management import call_command
from django.test import Client

from askesos.demo import DEMO_GOVERNMENT, DEMO_LPAS, DEMO_PASSWORD
from tests.conftest import host_of


def test_demo_logins_prints_every_account_with_its_address_and_the_password(monkeypatch, tmp_path):
    monkeypatch.setenv("ASKESOS_DATA_DIR", str(tmp_path))  # no demo running from here
    out = io.StringIO()

    call_command("demo", "--logins", "--port", "8123", stdout=out)

    table = out.getvalue()
    assert DEMO_PASSWORD in table
    assert "http://localhost:8123/masuk/" in table
    for username, *_rest in DEMO_GOVERNMENT:
        assert re.search(rf"^\s+{re.escape(username)}\s", table, re.MULTILINE)
    for _name, slug, *_rest in DEMO_LPAS:
        assert f"http://{slug}.localhost:8123/masuk/" in table
    assert "bendahara.bina" in table and "petugas.tolaki" in table


def test_demo_logins_uses_the_port_of_the_demo_running_from_the_same_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("ASKESOS_DATA_DIR", str(tmp_path))
    (tmp_path / "demo.json").write_text(f'{{"pid": {os.getpid()}, "port": 8765}}')
    out = io.StringIO()

    call_command("demo", "--logins", stdout=out)

    assert "http://localhost:8765/masuk/" in out.getvalue()


def test_pages_name_their_icon_and_it_is_served(lpa_a, settings):
    for host in (settings.BASE_DOMAIN, host_of(lpa_a)):
        client = Client(HTTP_HOST=host)
        page = client.get("/masuk/").content.decode()
        icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)"', page)
        assert icon, page[:600]

        response = client.get(icon.group(1))

        assert response.status_code == 200
        assert b"<svg" in b"".join(response.streaming_content)
