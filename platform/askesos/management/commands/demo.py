"""`askesos demo`: the whole platform on this machine, with demo data, in one command.

The demo runs the web server, a Celery worker and beat as its children and relays their
output; it prints the addresses and logins once they are all up and quiet, again when
Enter is pressed, and `askesos demo --logins` prints them from another terminal.
Ctrl-C and SIGTERM stop the children, then the embedded servers (askesos.embedded).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from askesos import embedded
from askesos.demo import DEMO_PASSWORD, DemoLogins, demo_data_create, demo_logins
from askesos.tasks import worker_ping
from programme.bank.fakebank import fake_bank_process
from tenants.models import Lpa

RUNNING_FILE = "demo.json"
CHILD_STOP_WAIT = 20.0


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
        parser.add_argument(
            "--logins",
            action="store_true",
            help="print the addresses and logins of the demo (the running one's port)",
        )

    def handle(self, *args, port: int, bind: str, smoke: bool, logins: bool, **options):
        if logins:
            self._print_logins(demo_logins(), _running_port() or port)
            return
        # SIGTERM (kill, systemd, CI's timeout) stops the demo as Ctrl-C does.
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGHUP, _interrupt)
        self._output = _Relay(self.stdout)
        processes: list[subprocess.Popen] = []
        bank = contextlib.ExitStack()
        try:
            call_command("setup")
            # The fake bank (programme.bank.fakebank) stands in for the government bank:
            # the demo's transfers go through it, and the worker fetches its statements.
            url = bank.enter_context(
                fake_bank_process(
                    port=0,
                    data_dir=Path(settings.MEDIA_ROOT).parent / "fakebank",
                    preexec_fn=_end_with_parent,
                )
            )
            os.environ["BANK_FAKE_URL"] = settings.BANK_FAKE_URL = url
            demo_data_create()
            processes = self._start(bind, port)
            _running_write(port)
            self._wait_until_up(port, processes)
            schema = self._worker_ping()
            if smoke:
                self._smoke(port)
            self._output.settle()
            self._print_logins(demo_logins(), port, smoke=smoke)
            if smoke:
                self._output.write(f"smoke: pages answer, the worker ran a task in {schema}")
                return
            self._serve(processes, port)
        except KeyboardInterrupt:
            self._output.write("\nberhenti / stopping ...")
        finally:
            self._stop(processes)
            bank.close()
            _running_clear()

    def _start(self, bind: str, port: int) -> list[subprocess.Popen]:
        # Children inherit DATABASE_URL / REDIS_URL from this process, so they use the
        # embedded servers it started instead of starting their own.
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "askesos.settings", "PYTHONUNBUFFERED": "1"}
        python = sys.executable
        gunicorn = [
            python,
            "-m",
            "gunicorn",
            "askesos.wsgi",
            # The production settings (no Server header among them); the rest below
            # overrides them for one machine.
            "--config",
            "python:askesos.gunicorn_conf",
            "--bind",
            f"{bind}:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--graceful-timeout",
            "10",
            "--access-logfile",
            "-",
        ]
        if _gunicorn_has_control_socket():
            # One control socket per user ($HOME/.gunicorn): a second demo would fight
            # over it, and the demo does not need it.
            gunicorn.append("--no-control-socket")
        commands = [
            gunicorn,
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
        processes = [
            subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                # Out of the terminal's reach: Ctrl-C comes to the demo, which stops them
                # in order; and they end with the demo even when it is killed.
                start_new_session=True,
                preexec_fn=_end_with_parent,
            )
            for command in commands
        ]
        for process in processes:
            self._output.follow(process.stdout)
        return processes

    def _wait_until_up(self, port: int, processes: list[subprocess.Popen]) -> None:
        timeout = 60
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(process.poll() is not None for process in processes):
                raise CommandError("a platform process stopped; see the output above")
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz?checks=database,redis", timeout=2
                ) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise CommandError(f"the web server did not answer on port {port} within {timeout} s")

    def _worker_ping(self) -> str:
        """Waits for the worker; the answer proves the tenant travelled with the task."""
        _name, domain, _staff = demo_logins().lpas[0]
        lpa = Lpa.objects.get(domains__domain=domain)
        connection.set_tenant(lpa)
        try:
            schema = worker_ping.delay().get(timeout=90)
        finally:
            connection.set_schema_to_public()
        if schema != lpa.schema_name:
            raise CommandError(f"the worker ran the task in {schema}, not {lpa.schema_name}")
        return schema

    def _smoke(self, port: int) -> None:
        _name, domain, _staff = demo_logins().lpas[0]
        for host in (settings.BASE_DOMAIN, domain):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/masuk/", headers={"Host": f"{host}:{port}"}
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                body = response.read().decode()
                if response.status != 200 or "Masuk" not in body:
                    raise CommandError(f"sign-in page on {host} did not render")

    def _serve(self, processes: list[subprocess.Popen], port: int) -> None:
        """Until a child stops or the demo is stopped; Enter prints the logins again."""
        interactive = sys.stdin is not None and sys.stdin.isatty()
        while all(process.poll() is None for process in processes):
            if not interactive:
                time.sleep(1)
                continue
            ready, _, _ = select.select([sys.stdin], [], [], 1.0)
            if ready:
                if sys.stdin.readline():
                    self._print_logins(demo_logins(), port)
                else:
                    interactive = False  # stdin closed
        raise CommandError("a platform process stopped; see the output above")

    def _stop(self, processes: list[subprocess.Popen]) -> None:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + CHILD_STOP_WAIT
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._output.drain()

    def _print_logins(self, logins: DemoLogins, port: int, smoke: bool = False) -> None:
        base = settings.BASE_DOMAIN
        lines = [
            "",
            "=" * 72,
            f"ASKESOS berjalan / is running.  Kata sandi semua akun / password: {DEMO_PASSWORD}",
            "",
            f"Portal pemerintah / government portal: http://{base}:{port}/masuk/",
        ]
        for username, office in logins.government:
            lines.append(f"    {username:<17} {office}")
        for name, domain, staff in logins.lpas:
            lines.append(f"LPA {name}: http://{domain}:{port}/masuk/")
            for username, role in staff:
                lines.append(f"    {username:<17} {role}")
        lines.append(
            f"API: http://{base}:{port}/api/docs/   (per LPA: http://<lpa>.{base}:{port}/api/docs/)"
        )
        lines.append(
            "Ketua, Bendahara dan akun pemerintah: pasang aplikasi autentikator saat masuk "
            "pertama / set up an authenticator app (TOTP) at the first sign-in."
        )
        if not smoke:
            lines.append(
                "Enter: tampilkan lagi / show again (or `askesos demo --logins`).  "
                "Ctrl-C: berhenti / stop."
            )
        lines.append("=" * 72)
        output = getattr(self, "_output", None)
        (output or _Relay(self.stdout)).write("\n".join(lines))


class _Relay:
    """The children's output, relayed line by line through the demo: it knows when the
    start-up logs have settled, and its own table is never cut by another line."""

    def __init__(self, stdout) -> None:
        self._stdout = stdout
        self._lock = threading.Lock()
        self._last = time.monotonic()
        self._threads: list[threading.Thread] = []

    def follow(self, pipe) -> None:
        thread = threading.Thread(target=self._relay, args=(pipe,), daemon=True)
        thread.start()
        self._threads.append(thread)

    def _relay(self, pipe) -> None:
        for line in iter(pipe.readline, b""):
            with self._lock:
                self._stdout.write(line.decode(errors="replace"), ending="")
                self._stdout.flush()
                self._last = time.monotonic()
        pipe.close()

    def write(self, text: str) -> None:
        with self._lock:
            self._stdout.write(text)
            self._stdout.flush()

    def settle(self, quiet: float = 1.5, bound: float = 15.0) -> None:
        """Wait until nothing was printed for `quiet` seconds (at most `bound`)."""
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline and time.monotonic() - self._last < quiet:
            time.sleep(0.1)

    def drain(self) -> None:
        for thread in self._threads:
            thread.join(timeout=5)


def _interrupt(signum, frame) -> None:
    signal.signal(signum, signal.SIG_DFL)  # a second one ends the demo at once
    raise embedded.Terminated(signum)


def _end_with_parent() -> None:
    """In the child, before exec: receive SIGTERM when the demo dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _gunicorn_has_control_socket() -> bool:
    import gunicorn

    return tuple(gunicorn.version_info[:2]) >= (25, 1)


def _running_write(port: int) -> None:
    (embedded.data_dir() / RUNNING_FILE).write_text(json.dumps({"pid": os.getpid(), "port": port}))


def _running_clear() -> None:
    with contextlib.suppress(FileNotFoundError):
        (embedded.data_dir() / RUNNING_FILE).unlink()


def _running_port() -> int | None:
    """The port of the demo running from this data folder, if one is."""
    with contextlib.suppress(OSError, ValueError, KeyError):
        running = json.loads((embedded.data_dir() / RUNNING_FILE).read_text())
        os.kill(running["pid"], 0)
        return int(running["port"])
    return None
