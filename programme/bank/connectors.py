"""Which bank the platform talks to, chosen by configuration: BANK_CONNECTOR is "fake"
(the fake bank at BANK_FAKE_URL, for tests and the demo) or the dotted path of a class
that implements `programme.bank.base.BankConnector` (a real bank's host-to-host
connector, built with no arguments and reading its own settings)."""

from __future__ import annotations

import datetime
import json
import re
import urllib.error
import urllib.request
from email.message import Message
from urllib.parse import quote, urlencode

from django.conf import settings
from django.utils.module_loading import import_string

from askesos.dates import today
from programme.bank import formats
from programme.bank.base import (
    BankConnector,
    BankFileError,
    IncomingFile,
    OutgoingFile,
    PaymentInstruction,
)

CONNECTOR_METHODS = ("batch_send", "confirmations_fetch", "statements_fetch")


def connector() -> BankConnector:
    """The configured bank (settings.BANK_CONNECTOR)."""
    name = settings.BANK_CONNECTOR
    if name == "fake":
        return FakeBankConnector(settings.BANK_FAKE_URL)
    try:
        connector_class = import_string(name)
    except ImportError:
        raise BankFileError("connector_unknown", name=name) from None
    instance = connector_class()
    if not all(callable(getattr(instance, method, None)) for method in CONNECTOR_METHODS):
        raise BankFileError("connector_unknown", name=name)
    return instance


def _file_name(headers: Message, fallback: str) -> str:
    match = re.search(r'filename="([^"/\\]+)"', headers.get("Content-Disposition", ""))
    return match[1] if match else fallback


class FakeBankConnector:
    """The fake bank (programme.bank.fakebank) over HTTP."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _request(
        self, method: str, path: str, body: bytes | None = None, media_type: str = ""
    ) -> tuple[int, bytes, Message]:
        request = urllib.request.Request(f"{self.url}{path}", data=body, method=method)
        if media_type:
            request.add_header("Content-Type", media_type)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            with error:
                answer = error.read()
            if error.code >= 500:
                raise BankFileError("bank_unreachable", reason=f"HTTP {error.code}") from None
            try:
                reason = json.loads(answer)["message"]
            except (ValueError, KeyError, TypeError):
                reason = f"HTTP {error.code}"
            raise BankFileError("bank_refused", reason=reason) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", None) or error
            raise BankFileError("bank_unreachable", reason=str(reason)) from None

    def batch_send(
        self, *, batch_reference: str, instructions: list[PaymentInstruction]
    ) -> OutgoingFile:
        outgoing = formats.batch_csv_write(
            batch_reference=batch_reference, instructions=instructions, execution_date=today()
        )
        self._request("POST", "/batches", outgoing.content, outgoing.media_type)
        return outgoing

    def confirmations_fetch(self) -> list[IncomingFile]:
        status, content, headers = self._request("GET", "/confirmations")
        if status == 204 or not content:
            return []
        return [IncomingFile(_file_name(headers, "confirmations.csv"), content)]

    def statements_fetch(
        self, *, account_number: str, since: datetime.date | None
    ) -> list[IncomingFile]:
        query = f"?{urlencode({'since': since.isoformat()})}" if since else ""
        path = f"/accounts/{quote(account_number, safe='')}/statements{query}"
        status, content, headers = self._request("GET", path)
        if status == 204 or not content:
            return []
        return [IncomingFile(_file_name(headers, f"statement-{account_number}.sta"), content)]

    def entry_add(
        self,
        *,
        account_number: str,
        date: datetime.date,
        amount: int,
        kind: str,
        reference: str,
        text: str = "",
    ) -> None:
        """Fake bank only: tell it what happened on an account (a deposit, a payout, its
        own charge), as the real bank would know; its statements then show it."""
        body = json.dumps(
            {
                "date": date.isoformat(),
                "amount": amount,
                "kind": kind,
                "reference": reference,
                "text": text,
            }
        ).encode()
        path = f"/accounts/{quote(account_number, safe='')}/entries"
        self._request("POST", path, body, "application/json")
