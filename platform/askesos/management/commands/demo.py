"""`askesos demo`: the whole platform on this machine, with demo data, in one command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from askesos.demo import DEMO_PASSWORD, demo_data_create
from askesos.tasks import worker_ping
from tenants.models import Lpa


class Command(BaseCommand):
    help = "Migrate, load wilayah, create demo data, then run web, Celery worker and beat."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1"))
        parser.add_argument(
            "--smoke",
            action="store_true",
            help="start everything, check that pages answer and a task runs, then stop",
        )

    def handle(self, *args, port: int, bind: str, smoke: bool, **options):
        call_command("setup")
        logins = demo_data_create()
        processes = self._start(bind, port)
        try:
            self._wait_until_up(port)
            self._print_logins(logins, port)
            if smoke:
                self._smoke(port, logins)
                return
            while all(p.poll() is None for p in processes):
                time.sleep(1)
            raise CommandError("a platform process stopped; see the output above")
        except KeyboardInterrupt:
            self.stdout.write("\nstopping ...")
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()

    def _start(self, bind: str, port: int) -> list[subprocess.Popen]:
        # Children inherit DATABASE_URL / REDIS_URL from this process, so they use the
        # embedded servers it started instead of starting their own.
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "askesos.settings"}
        python = sys.executable
        commands = [
            [
                python,
                "-m",
                "gunicorn",
                "askesos.wsgi",
                "--bind",
                f"{bind}:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "-",
            ],
            [
                python,
                "-m",
                "celery",
                "-A",
                "askesos",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--hostname",
                "demo@%h",
            ],
            [
                python,
                "-m",
                "celery",
                "-A",
                "askesos",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(settings.MEDIA_ROOT.parent / "celerybeat-schedule"),
            ],
        ]
        return [subprocess.Popen(command, env=env) for command in commands]

    def _wait_until_up(self, port: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise CommandError(f"the web server did not answer on port {port} within {timeout:.0f} s")

    def _print_logins(self, logins, port: int) -> None:
        base = settings.BASE_DOMAIN
        out = self.stdout.write
        out("")
        out("=" * 72)
        out(f"ASKESOS berjalan / is running.  Kata sandi semua akun / password: {DEMO_PASSWORD}")
        out("")
        out(f"Portal pemerintah / government portal: http://{base}:{port}/masuk/")
        for username, office in logins.government:
            out(f"    {username:<16} {office}")
        for name, domain, staff in logins.lpas:
            out(f"LPA {name}: http://{domain}:{port}/masuk/")
            for username, role in staff:
                out(f"    {username:<16} {role}")
        out(
            f"API: http://{base}:{port}/api/docs/   (per LPA: http://<lpa>.{base}:{port}/api/docs/)"
        )
        out("Ctrl-C berhenti / stops.")
        out("=" * 72)

    def _smoke(self, port: int, logins) -> None:
        _name, domain, _staff = logins.lpas[0]
        for host in (settings.BASE_DOMAIN, domain):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/masuk/", headers={"Host": f"{host}:{port}"}
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                body = response.read().decode()
                if response.status != 200 or "Masuk" not in body:
                    raise CommandError(f"sign-in page on {host} did not render")
        lpa = Lpa.objects.get(domains__domain=domain)
        connection.set_tenant(lpa)
        try:
            # Waits for the worker to come up; the answer proves the tenant travelled.
            schema = worker_ping.delay().get(timeout=90)
        finally:
            connection.set_schema_to_public()
        if schema != lpa.schema_name:
            raise CommandError(f"the worker ran the task in {schema}, not {lpa.schema_name}")
        self.stdout.write(f"smoke: pages answer, the worker ran a task in {schema}")
