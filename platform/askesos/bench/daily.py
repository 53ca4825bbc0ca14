"""The LPA's daily pages through the whole HTTP stack: a real gunicorn (the demo's
settings) serving a scratch LPA of `participants` generated participants, most of whom
paid up to last month; each page is requested `requests` times by the role that uses
it, one after another, and p50/p95/max are printed. Recording on the collection sheet
posts one ticked row per request, as an officer ticking payers one by one would.

Everything it made (the LPA's schema, its users) is dropped at the end.
"""

from __future__ import annotations

import datetime
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.db import connection
from django.test import Client

from askesos.accounts.models import User
from askesos.accounts.second_factor import session_trusted
from askesos.accounts.services import membership_grant
from askesos.bench.timing import Timing
from askesos.middleware import SESSION_TENANT_KEY
from programme.generator import REFERENCE_DAY, generate
from programme.ledger.bulk import BulkReceipt, premiums_bulk_post
from programme.participants.models import Policy
from tenants.models import Lpa
from tenants.services import domain_for, lpa_provision

SLUG = "bench-daily"
NPWP = "60.000.003.8-741.000"
ROLES = ("petugas_lapangan", "bendahara", "ketua", "klaim")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SHEET_ROW = re.compile(r'name="pay" value="(\d+)"')


def _cleanup() -> None:
    connection.set_schema_to_public()
    lpa = Lpa.objects.filter(slug=SLUG).first()
    if lpa:
        lpa.delete(force_drop=True)
    User.objects.filter(username__startswith=f"{SLUG}-").delete()


def _fill(lpa: Lpa, participants: int) -> None:
    """Participants who paid every month from January to last month, but one in five
    who paid only the first three (in arrears: the sheet and the to-do show them)."""
    generate(lpas=0, participants=participants, seed=11, existing=[lpa])
    connection.set_tenant(lpa)
    policies = list(Policy.objects.order_by("pk").values_list("pk", flat=True))
    last_month = datetime.date.today().replace(day=1) - datetime.timedelta(days=1)
    months = (last_month.year - REFERENCE_DAY.year) * 12 + last_month.month - REFERENCE_DAY.month
    for month in range(months + 1):
        day = (REFERENCE_DAY.replace(day=1) + datetime.timedelta(days=31 * month)).replace(day=10)
        paying = [pk for n, pk in enumerate(policies) if month < 3 or n % 5]
        premiums_bulk_post(
            receipts=[BulkReceipt(f"B{month:02d}-{pk}", pk) for pk in paying],
            received_on=day,
            reference=f"{SLUG}-{month}",
        )
    connection.set_schema_to_public()


def _session(lpa: Lpa, role: str) -> str:
    user = User.objects.create_user(username=f"{SLUG}-{role}")
    membership_grant(lpa=lpa, user=user, role=role)
    client = Client(HTTP_HOST=domain_for(SLUG))
    client.force_login(user)
    session = client.session
    session[SESSION_TENANT_KEY] = lpa.schema_name
    session.save()
    session_trusted(session, user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class Browser:
    """One signed-in member speaking HTTP to the server, with its cookies."""

    def __init__(self, port: int, session: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.host = f"{domain_for(SLUG)}:{port}"
        self.cookies = {settings.SESSION_COOKIE_NAME: session}

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {"Host": self.host, "Cookie": cookie, "Accept-Language": "id"}
        if data is not None:
            headers["Referer"] = f"http://{self.host}{path}"
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                self._remember(response.headers.get_all("Set-Cookie") or [])
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def _remember(self, headers: list[str]) -> None:
        for header in headers:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(port: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "askesos.settings"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "askesos.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/healthz?checks=database,redis", timeout=2
            ):
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


def _time(name: str, count: int, call) -> Timing:
    samples = []
    for n in range(count):
        started = time.perf_counter()
        status = call(n)
        samples.append(time.perf_counter() - started)
        if status != 200:
            raise RuntimeError(f"{name}: answered {status}")
    return Timing(name, samples)


def run(*, participants: int, requests: int) -> list[str]:
    _cleanup()
    server = None
    try:
        lpa = lpa_provision(
            name="Bench Harian", slug=SLUG, legal_form="lsm", regency_code="74.71", npwp=NPWP
        )
        _fill(lpa, participants)
        sessions = {role: _session(lpa, role) for role in ROLES}
        port = _free_port()
        server = _serve(port)
        officer, treasurer, chair, claims = (Browser(port, sessions[r]) for r in ROLES)
        _status, sheet = officer.request("/premi/")  # warm up; the form's token and rows
        token = CSRF.search(sheet).group(1)
        rows = SHEET_ROW.findall(sheet)
        connection.set_tenant(lpa)
        someone = Policy.objects.order_by("pk").values_list("participant_id", flat=True).first()
        connection.set_schema_to_public()
        last_month = f"{datetime.date.today().replace(day=1) - datetime.timedelta(days=1):%Y-%m}"

        def record(n: int) -> int:
            pk = rows[n % len(rows)]
            status, _page = officer.request(
                "/premi/",
                {
                    "csrfmiddlewaretoken": token,
                    "sheet": f"bench-{n:06d}-sheet",
                    "received_on": datetime.date.today().isoformat(),
                    "pay": pk,
                    f"months-{pk}": "1",
                    f"amount-{pk}": "",
                    f"number-{pk}": "",
                },
            )
            return status

        timings = [
            _time(
                "home, Petugas Lapangan (to-do)", requests, lambda n: officer.request("/dasbor/")[0]
            ),
            _time("home, Bendahara (to-do)", requests, lambda n: treasurer.request("/dasbor/")[0]),
            _time("home, Ketua (to-do)", requests, lambda n: chair.request("/dasbor/")[0]),
            _time("home, Urusan Klaim (to-do)", requests, lambda n: claims.request("/dasbor/")[0]),
            _time("collection sheet (GET)", requests, lambda n: officer.request("/premi/")[0]),
            _time("collection sheet: record 1 row (POST)", min(requests, len(rows)), record),
            _time(
                "participant page (payments, months due)",
                requests,
                lambda n: officer.request(f"/peserta/{someone}/")[0],
            ),
            _time(
                "Buku Kas Harian, last month",
                requests,
                lambda n: treasurer.request(f"/buku/kas-harian/?bulan={last_month}")[0],
            ),
        ]
        lines = [
            f"Daily pages through gunicorn (2 workers x 4 threads), one LPA of {participants} "
            f"participants, {len(rows)} on this month's sheet; sequential requests",
            f"{'page':<42} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'mean ms':>8}",
        ]
        for t in timings:
            lines.append(
                f"{t.name:<42} {len(t.samples):>4} {t.pct(0.5):>7.1f} {t.pct(0.95):>7.1f} "
                f"{max(t.samples) * 1000:>7.1f} {statistics.mean(t.samples) * 1000:>8.1f}"
            )
        return lines
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        _cleanup()
