"""The district's view of its LPAs' bank reconciliation, from the public status rows
the LPAs' reconciliations write (no query enters an LPA's schema)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from askesos.dates import today
from programme.ledger.services import month_of
from reporting.models import ReconciliationStatus
from tenants.selectors import lpa_list_for_scope

AGREES = ReconciliationStatus.State.AGREES
DIFFERENCE = ReconciliationStatus.State.DIFFERENCE
NO_STATEMENT = ReconciliationStatus.State.NO_STATEMENT


@dataclass(frozen=True)
class LpaReconciliation:
    lpa: Any
    state: str  # agrees, difference (open), no_statement (this month)
    difference: int  # the sum of the open differences (bank - books)
    accounts_open: tuple[str, ...]
    last_statement: datetime.date | None

    @property
    def state_label(self) -> str:
        return str(ReconciliationStatus.State(self.state).label)


def reconciliation_status_for_scope(
    *, scope: Any, on: datetime.date | None = None
) -> list[LpaReconciliation]:
    """Per LPA of the scope: a difference open on any account; else no statement whose
    closing date is in this month; else the books and the bank agree."""
    month = month_of(on or today())
    lpas = list(lpa_list_for_scope(scope=scope).order_by("regency_id", "name")[:500])
    rows: dict[int, list[ReconciliationStatus]] = {}
    for row in ReconciliationStatus.objects.filter(lpa__in=[lpa.pk for lpa in lpas]):
        rows.setdefault(row.lpa_id, []).append(row)
    result = []
    for lpa in lpas:
        statuses = rows.get(lpa.pk, [])
        open_rows = [s for s in statuses if s.state == DIFFERENCE]
        dates = [s.statement_closing_date for s in statuses if s.statement_closing_date]
        last = max(dates) if dates else None
        if open_rows:
            state = DIFFERENCE
        elif last is None or last < month:
            state = NO_STATEMENT
        else:
            state = AGREES
        result.append(
            LpaReconciliation(
                lpa=lpa,
                state=state,
                difference=sum(s.difference for s in open_rows),
                accounts_open=tuple(sorted(s.account for s in open_rows)),
                last_statement=last,
            )
        )
    return result
