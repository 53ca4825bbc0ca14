"""A fake bank for tests and the demo: a small HTTP server that takes batches of
transfers, confirms, fails or returns them, and gives statements of its accounts in
MT940 or CSV, through the same file formats a real bank would use. No database and
no project settings: its state is one JSON file in its data directory, so a bank
that is stopped and started again remembers what it did.

    python -m programme.bank.fakebank --port 8790 --data-dir /tmp/fakebank

or, from a test, `with fake_bank_process(0, tmp_path) as url: ...` (port 0: any free
port; the URL it got is returned). Endpoints: docs/subsystems/bank.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


def _settings_minimal() -> None:
    """Standalone, the bank needs no project settings (and must not start the embedded
    database the project's settings would): just enough for the shared formats."""
    from django.conf import settings

    if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
        settings.configure(USE_I18N=False, USE_TZ=True, TIME_ZONE="Asia/Jakarta")


_settings_minimal()

from askesos.dates import today  # noqa: E402
from programme.bank import formats  # noqa: E402
from programme.bank.base import (  # noqa: E402
    CONFIRMATION_STATES as OUTCOMES,
)
from programme.bank.base import (  # noqa: E402
    BankFileError,
    Confirmation,
    Statement,
    StatementLine,
)
from programme.bank.mt940_files import KIND_RE  # noqa: E402
from programme.bank.reading import REFERENCE_RE  # noqa: E402

ACCOUNT_RE = re.compile(r"^\d{1,34}$")
MAX_BODY = formats.MAX_FILE_BYTES + 1024


class Refused(Exception):
    def __init__(self, status: HTTPStatus, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class FakeBank:
    """The bank's books (`state`) and, once started, its HTTP server."""

    def __init__(self, data_dir: str | Path, port: int = 0, host: str = "127.0.0.1") -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.data_dir / "state.json"
        self.host, self.port = host, port
        self.lock = threading.Lock()
        self.state: dict[str, Any] = (
            json.loads(self.path.read_text("utf-8"))
            if self.path.exists()
            else {
                "counter": 0,
                "fetches": 0,
                "rules": {},
                "batches": {},
                "payments": {},
                "confirmations": [],
                "accounts": {},
            }
        )
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # --- the books ---------------------------------------------------------------------

    def _save(self) -> None:
        """Written whole and renamed: a bank killed mid-write keeps its last state."""
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.state, indent=1, sort_keys=True), "utf-8")
        os.replace(temporary, self.path)

    def _bank_reference(self) -> str:
        self.state["counter"] += 1
        return f"FB{self.state['counter']:010d}"

    def _outcome(self, account: str, reference: str) -> tuple[str, str]:
        rules = self.state["rules"]
        rule = rules.get(f"reference:{reference}") or rules.get(f"account:{account}")
        return (rule["outcome"], rule.get("reason", "")) if rule else ("confirmed", "")

    def rule_set(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or body.get("outcome") not in OUTCOMES:
            raise Refused(HTTPStatus.BAD_REQUEST, "outcome", "outcome: confirmed|failed|returned")
        keys = [f"{what}:{body[what]}" for what in ("account", "reference") if body.get(what)]
        if len(keys) != 1:
            raise Refused(HTTPStatus.BAD_REQUEST, "rule", "give one of account or reference")
        with self.lock:
            if body["outcome"] == "confirmed":
                self.state["rules"].pop(keys[0], None)
            else:
                self.state["rules"][keys[0]] = {
                    "outcome": body["outcome"],
                    "reason": str(body.get("reason") or body["outcome"]),
                }
            self._save()
            return {"rules": self.state["rules"]}

    def batch_receive(self, content: bytes) -> tuple[HTTPStatus, dict[str, Any]]:
        """Each instruction confirmed unless a rule says failed or returned; confirmed
        money credited to the receiving account on the execution date; failed and
        returned ones credit nothing. The same batch again (the same transfers) gives
        the same answer and pays nothing; a reference already paid in another batch is
        not paid again."""
        try:
            batch = formats.batch_csv_parse(content)
        except BankFileError as error:
            raise Refused(HTTPStatus.BAD_REQUEST, error.code, error.message) from None
        # The transfers, not the bytes: a batch sent again the next day carries another
        # execution date and is still the same batch.
        transfers = [[i.reference, i.account_number, i.amount] for i in batch.instructions]
        digest = hashlib.sha256(json.dumps(transfers).encode()).hexdigest()
        with self.lock:
            known = self.state["batches"].get(batch.reference)
            if known is not None:
                if known["transfers_sha256"] != digest:
                    raise Refused(
                        HTTPStatus.CONFLICT,
                        "batch_conflict",
                        f"batch {batch.reference} was received with other transfers",
                    )
                return HTTPStatus.OK, {**known, "duplicate": True}
            (self.data_dir / "batches").mkdir(exist_ok=True)
            (self.data_dir / "batches" / f"{batch.reference}.csv").write_bytes(content)
            results = []
            for instruction in batch.instructions:
                earlier = self.state["payments"].get(instruction.reference)
                if earlier is not None:
                    results.append({**earlier, "duplicate": True})
                    continue
                status, reason = self._outcome(instruction.account_number, instruction.reference)
                payment = {
                    "reference": instruction.reference,
                    "batch": batch.reference,
                    "status": status,
                    "bank_reference": self._bank_reference(),
                    "value_date": batch.execution_date.isoformat(),
                    "amount": instruction.amount,
                    "account": instruction.account_number,
                    "reason": reason,
                }
                self.state["payments"][instruction.reference] = payment
                self.state["confirmations"].append({**payment, "fetched": False})
                if status == "confirmed":
                    self._entry_append(
                        instruction.account_number,
                        day=batch.execution_date.isoformat(),
                        amount=instruction.amount,
                        kind="NTRF",
                        reference=instruction.reference,
                        bank_reference=payment["bank_reference"],
                        text=instruction.purpose,
                        reversal=False,
                    )
                results.append({**payment, "duplicate": False})
            answer = {"batch": batch.reference, "transfers_sha256": digest, "results": results}
            self.state["batches"][batch.reference] = answer
            self._save()
            return HTTPStatus.CREATED, {**answer, "duplicate": False}

    def confirmations_take(self, *, everything: bool) -> bytes | None:
        """The confirmations not fetched yet (all with `everything`), then marked fetched."""
        with self.lock:
            chosen = [c for c in self.state["confirmations"] if everything or not c["fetched"]]
            if not chosen:
                return None
            for confirmation in chosen:
                confirmation["fetched"] = True
            self.state["fetches"] += 1
            self._save()
        return formats.confirmations_csv_write(
            [
                Confirmation(
                    line=0,
                    reference=c["reference"],
                    status=c["status"],
                    bank_reference=c["bank_reference"],
                    value_date=datetime.date.fromisoformat(c["value_date"]),
                    amount=c["amount"],
                    reason=c["reason"],
                )
                for c in chosen
            ]
        )

    def _entry_append(self, account: str, **entry: Any) -> dict[str, Any]:
        entries = self.state["accounts"].setdefault(account, {"entries": []})["entries"]
        entries.append(entry)
        return entry

    def entry_add(self, account: str, body: Any) -> dict[str, Any]:
        """What happened on an account besides our transfers: deposits, withdrawals,
        charges, interest."""
        if not isinstance(body, dict):
            raise Refused(HTTPStatus.BAD_REQUEST, "body", "a JSON object")
        try:
            day = datetime.date.fromisoformat(str(body.get("date")))
        except ValueError:
            raise Refused(HTTPStatus.BAD_REQUEST, "date", "date: YYYY-MM-DD") from None
        amount = body.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0:
            raise Refused(HTTPStatus.BAD_REQUEST, "amount", "amount: whole rupiah, not 0")
        kind = str(body.get("kind") or "NTRF")
        reference = str(body.get("reference") or "")
        if not KIND_RE.match(kind):
            raise Refused(HTTPStatus.BAD_REQUEST, "kind", "kind: 4 capitals, e.g. NCHG")
        if reference and not REFERENCE_RE.match(reference):
            raise Refused(HTTPStatus.BAD_REQUEST, "reference", "reference: 1-16 letters/digits")
        with self.lock:
            entry = self._entry_append(
                account,
                day=day.isoformat(),
                amount=amount,
                kind=kind,
                reference=reference,
                bank_reference=self._bank_reference(),
                text=str(body.get("text") or ""),
                reversal=bool(body.get("reversal")),
            )
            self._save()
            return entry

    def statements(self, account: str, since: datetime.date | None) -> list[Statement]:
        """One statement per day with entries, numbered 1, 2, ... over the account's
        life, each opening with the previous closing; those after `since`."""
        with self.lock:
            entries = list(self.state["accounts"].get(account, {"entries": []})["entries"])
        days: dict[str, list[dict[str, Any]]] = {}
        for entry in sorted(entries, key=lambda e: e["day"]):  # stable: order of arrival
            days.setdefault(entry["day"], []).append(entry)
        statements, balance, previous = [], 0, None
        for number, (day_text, day_entries) in enumerate(sorted(days.items()), start=1):
            day = datetime.date.fromisoformat(day_text)
            lines = tuple(
                StatementLine(
                    line=0,
                    value_date=day,
                    amount=e["amount"],
                    kind=e["kind"],
                    reference=e["reference"],
                    bank_reference=e["bank_reference"],
                    text=e["text"],
                    reversal=e["reversal"],
                )
                for e in day_entries
            )
            closing = balance + sum(line.amount for line in lines)
            if since is None or day > since:
                statements.append(
                    Statement(
                        account_number=account,
                        number=str(number),
                        opening_date=previous or day,
                        opening_balance=balance,
                        closing_date=day,
                        closing_balance=closing,
                        lines=lines,
                        reference=f"FB{account[-8:]}-{number}",
                    )
                )
            balance, previous = closing, day
        return statements

    # --- the server ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def bind(self) -> None:
        self.server = ThreadingHTTPServer((self.host, self.port), _Handler)
        self.server.daemon_threads = True
        self.server.bank = self  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]

    def start(self) -> None:
        """Serve in a thread of this process (stop with `stop()`)."""
        self.bind()
        assert self.server is not None
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        if self.thread is not None:
            self.thread.join()
            self.thread = None


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeBank/1"
    protocol_version = "HTTP/1.1"

    @property
    def bank(self) -> FakeBank:
        return self.server.bank  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the stdlib's name)
        pass  # quiet: tests and the demo read answers, not logs

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        self._answer("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._answer("POST")

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too_large", "at most 5 MB")
        return self.rfile.read(length)

    def _json(self) -> Any:
        try:
            return json.loads(self._body() or b"null")
        except ValueError:
            raise Refused(HTTPStatus.BAD_REQUEST, "json", "the body is not JSON") from None

    def _answer(self, method: str) -> None:
        address = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(address.query).items()}
        path = address.path.rstrip("/") or "/"
        try:
            self._route(method, path, query)
        except Refused as refusal:
            self._send(refusal.status, {"code": refusal.code, "message": refusal.message})

    def _route(self, method: str, path: str, query: dict[str, str]) -> None:
        account = re.fullmatch(r"/accounts/([^/]+)/(entries|statements)", path)
        if account and not ACCOUNT_RE.match(account[1]):
            raise Refused(HTTPStatus.BAD_REQUEST, "account", "account numbers are digits")
        if (method, path) == ("GET", "/health"):
            self._send(HTTPStatus.OK, {"status": "ok"})
        elif (method, path) == ("POST", "/rules"):
            self._send(HTTPStatus.OK, self.bank.rule_set(self._json()))
        elif (method, path) == ("POST", "/batches"):
            self._send(*self.bank.batch_receive(self._body()))
        elif (method, path) == ("GET", "/confirmations"):
            content = self.bank.confirmations_take(everything=query.get("all") == "1")
            name = f"confirmations-{self.bank.state['fetches']:06d}.csv"
            self._file(content, "text/csv; charset=utf-8", name)
        elif account and (method, account[2]) == ("POST", "entries"):
            self._send(HTTPStatus.CREATED, self.bank.entry_add(account[1], self._json()))
        elif account and (method, account[2]) == ("GET", "statements"):
            self._statements(account[1], query)
        else:
            raise Refused(HTTPStatus.NOT_FOUND, "not_found", f"no {method} {path}")

    def _statements(self, account: str, query: dict[str, str]) -> None:
        try:
            since = datetime.date.fromisoformat(query["since"]) if query.get("since") else None
        except ValueError:
            raise Refused(HTTPStatus.BAD_REQUEST, "since", "since: YYYY-MM-DD") from None
        statements = self.bank.statements(account, since)
        stamp = f"{account}-{since or 'all'}-{today():%Y%m%d}"
        if query.get("format") == "csv":
            content = formats.statement_csv_write(statements) if statements else None
            self._file(content, "text/csv; charset=utf-8", f"statement-{stamp}.csv")
        else:
            content = formats.statement_mt940_write(statements) if statements else None
            self._file(content, "text/plain; charset=ascii", f"statement-{stamp}.sta")

    def _file(self, content: bytes | None, media_type: str, name: str) -> None:
        if content is None:
            self.send_response(HTTPStatus.NO_CONTENT)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Disposition", f'attachment; filename="{name}"')
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def _send(self, status: HTTPStatus, body: dict[str, Any]) -> None:
        content = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)


# --- as a process --------------------------------------------------------------------------

_LISTENING = "fakebank listening on "


def _health(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as response:
            return response.status == HTTPStatus.OK
    except OSError:
        return False


@contextlib.contextmanager
def fake_bank_process(
    port: int, data_dir: str | Path, *, wait: float = 30.0, preexec_fn: Any = None
) -> Iterator[str]:
    """The fake bank as a real process (`python -m programme.bank.fakebank`) while the
    block runs; gives its URL. Port 0 takes any free port. Its stderr goes to
    data_dir/fakebank.log. `preexec_fn` runs in the child before it starts (the demo
    makes the bank end with it even when the demo is killed)."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    root = Path(__file__).resolve().parents[2]
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(root), str(root / "platform"), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    command = [sys.executable, "-m", "programme.bank.fakebank", "--port", str(port)]
    command += ["--data-dir", str(data_dir)]
    with open(data_dir / "fakebank.log", "ab") as log:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            text=True,
            cwd=root,
            preexec_fn=preexec_fn,
        )
    try:
        url = _listening_url(process, wait)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()


def _listening_url(process: subprocess.Popen[str], wait: float) -> str:
    deadline = time.monotonic() + wait
    assert process.stdout is not None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the fake bank stopped at start (exit {process.returncode})")
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            line = process.stdout.readline()
            if line.startswith(_LISTENING):
                url = line[len(_LISTENING) :].strip()
                if _health(url):
                    return url
    raise RuntimeError("the fake bank did not answer in time")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A fake bank for tests and the demo.")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--data-dir", required=True)
    args = parser.parse_args(argv)
    bank = FakeBank(args.data_dir, args.port, args.host)
    bank.bind()
    assert bank.server is not None

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    print(f"{_LISTENING}{bank.url}", flush=True)
    try:
        bank.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        bank.server.server_close()


if __name__ == "__main__":
    main()
