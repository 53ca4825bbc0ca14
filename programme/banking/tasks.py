"""The daily bank jobs (tenants.jobs.DAILY_JOBS): `bank-statements` fetches each
account's new statement files from the bank (02:00 WIB) and `reconcile` reconciles
every account with a statement and checks the reserve's adequacy (03:00 WIB). Both
are safe to run twice: a file fetched again is recognised by its hash and skipped,
and reconciling again changes nothing that agrees."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.db import connection
from django.db.models import Max

from programme.bank.base import BankFileError, IncomingFile

logger = logging.getLogger(__name__)

Fetch = Callable[..., list[IncomingFile]]


def _connector_fetch() -> Fetch:
    # Imported here: the connector is configured per installation (BANK_CONNECTOR).
    from programme.bank.connectors import connector

    return connector().statements_fetch


def statements_fetch_day(*, on: datetime.date, fetch: Fetch | None = None) -> dict:
    """Import every statement file the bank has for this LPA's accounts since each
    account's last closing date. A bank that cannot be reached raises: the day fails,
    is recorded, and runs again next time."""
    from programme.banking.models import BankStatement
    from programme.banking.services import statement_file_import
    from tenants.models import LpaBankAccount
    from tenants.selectors import lpa_current

    fetch = fetch or _connector_fetch()
    lpa = lpa_current()
    imported = skipped = 0
    for account in LpaBankAccount.objects.filter(lpa_id=lpa.pk).order_by("purpose"):
        since = BankStatement.objects.filter(account=account.purpose).aggregate(
            last=Max("closing_date")
        )["last"]
        for incoming in fetch(account_number=account.number, since=since):
            try:
                # The `reconcile` job (03:00) reconciles once, not once per file.
                statement_file_import(
                    name=incoming.name,
                    content=incoming.content,
                    actor=None,
                    source="bank",
                    reconcile_after=False,
                )
            except BankFileError as exc:
                if exc.code != "file_duplicate":
                    raise
                skipped += 1
            else:
                imported += 1
    logger.info("bank statements %s %s: %s imported", connection.schema_name, on, imported)
    return {"imported": imported, "skipped": skipped}


def reconcile_day(*, on: datetime.date) -> dict:
    """Reconcile every account that has a statement, then the reserve's adequacy."""
    from programme.banking.adequacy import reserve_adequacy_check
    from programme.banking.services import accounts_with_statements, reconcile

    states = {
        account: reconcile(account=account, trigger="job").state
        for account in accounts_with_statements()
    }
    adequacy = reserve_adequacy_check(on=on)
    return {"accounts": states, "reserve_adequate": adequacy.adequate}
