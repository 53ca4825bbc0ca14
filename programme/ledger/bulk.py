"""Posting many premium receipts at once (a month of an LPA's premiums, an import of a
paper Buku Setoran Premi): one journal entry for the batch with a savings line per
participant, receipts and lines written with COPY, all in one transaction. The same
rules as one receipt at a time: open policy, months x the scheme's premium, no more
months than coverage left, receipt numbers unique; the first premium activates.
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from askesos.dates import money_date
from programme.ledger import accounts as acc
from programme.ledger.errors import LedgerError
from programme.ledger.models import Account, EntryKind, JournalEntry, PremiumReceipt
from programme.ledger.notes import ENTRY_NOTES
from programme.ledger.premiums import premiums_lock, receipt_amount
from programme.ledger.services import period_ensure_open
from programme.participants.models import OPEN_STATUSES, Policy, PolicyStatus
from programme.participants.notes import POLICY_NOTES
from programme.schemes.models import SchemeVersion


@dataclass(frozen=True)
class BulkReceipt:
    number: str
    policy_id: int
    months: int = 1


def _copy_text(value: Any) -> str:
    """A value in COPY's text format: NULL as \\N, backslash, tab and newlines escaped
    (a receipt number or a typed reference may hold any of them)."""
    if value is None:
        return "\\N"
    text = str(value)
    for raw, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        text = text.replace(raw, escaped)
    return text


def _copy(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_text(v) for v in row))
        buffer.write("\n")
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        copy.write(buffer.getvalue())


def premiums_bulk_post(
    *,
    receipts: Sequence[BulkReceipt],
    received_on: datetime.date,
    reference: str,
    actor: Any = None,
) -> JournalEntry:
    """Post a batch of receipts; any invalid receipt refuses the whole batch (with the
    first reason), so that a batch is either in the books or not."""
    if not receipts:
        raise LedgerError("handover_empty")
    received_on = money_date(received_on, field="received_on", label=_("Date received"))
    period_ensure_open(received_on)
    actor_id = getattr(actor, "pk", None)
    with transaction.atomic():
        premiums_lock()  # instead of locking every policy row of the batch
        # Plain rows, and each scheme's rules parsed once: building 250 model instances,
        # each with its scheme's JSON, was about half of the time per LPA.
        policies = {
            row[0]: row
            for row in Policy.objects.filter(pk__in=[r.policy_id for r in receipts]).values_list(
                "pk", "participant_id", "status", "scheme_version_id", "number"
            )
        }
        schemes = dict(
            SchemeVersion.objects.filter(pk__in={row[3] for row in policies.values()}).values_list(
                "pk", "rules"
            )
        )
        paid = dict(
            PremiumReceipt.objects.filter(policy_id__in=list(policies))
            .exclude(status="reversed")
            .values_list("policy_id")
            .annotate(m=Sum("months"))
        )
        taken = set(
            PremiumReceipt.objects.filter(number__in=[r.number for r in receipts]).values_list(
                "number", flat=True
            )
        )
        if taken or len({r.number for r in receipts}) != len(receipts):
            number = next(iter(taken)) if taken else "?"
            raise LedgerError("receipt_number_taken", number=number)
        rows, savings, activate, total = [], [], [], 0
        for r in receipts:
            row = policies.get(r.policy_id)
            if row is None or row[2] not in OPEN_STATUSES:
                raise LedgerError(
                    "receipt_policy_closed",
                    policy=row[4] if row else r.policy_id,
                    state=PolicyStatus(row[2]).label.lower() if row else "?",
                )
            pk, participant_id, status, scheme_id, _number = row
            rules = schemes[scheme_id]
            already = paid.get(pk, 0)
            amount = receipt_amount(rules=rules, already=already, months=r.months)
            paid[pk] = already + r.months
            total += amount
            rows.append((r.number, pk, already, r.months, amount))
            savings.append((participant_id, -amount))
            if status == PolicyStatus.REGISTERED:
                activate.append((pk, r.number))
        note = ENTRY_NOTES("premium_batch", reference=reference, count=len(rows))
        entry = JournalEntry.objects.create(
            date=received_on,
            kind=EntryKind.PREMIUM,
            source_key=f"premium-batch:{reference}",
            description=ENTRY_NOTES.stored_text(note),
            note=note,
            created_by_id=actor_id,
        )
        ids = dict(
            Account.objects.filter(code__in=[acc.CASH_OFFICERS, acc.PREMIUM_SAVINGS]).values_list(
                "code", "pk"
            )
        )
        _copy(
            "ledger_journalline",
            ("entry_id", "account_id", "amount", "participant_id"),
            [(entry.pk, ids[acc.CASH_OFFICERS], total, None)]
            + [
                (entry.pk, ids[acc.PREMIUM_SAVINGS], amount, participant)
                for participant, amount in savings
            ],
        )
        _copy(
            "ledger_premiumreceipt",
            (
                "number",
                "policy_id",
                "first_month",
                "months",
                "amount",
                "received_on",
                "collected_by_id",
                "status",
                "entry_id",
            ),
            [(*row, received_on.isoformat(), actor_id, "collected", entry.pk) for row in rows],
        )
        if activate:
            now = timezone.now()
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE participants_policy SET status = 'active', status_changed_at = %s "
                    "WHERE id = ANY(%s) AND status = 'registered'",
                    [now, [pk for pk, _receipt in activate]],
                )
            # The reason in the platform's language beside its note; one override for
            # the batch (a first month activates every policy of the LPA).
            with translation.override(settings.LANGUAGE_CODE):
                events = [
                    (pk, note, POLICY_NOTES.render(note))
                    for pk, note in (
                        (pk, POLICY_NOTES("first_premium", number=receipt))
                        for pk, receipt in activate
                    )
                ]
            _copy(
                "participants_policyevent",
                (
                    "policy_id",
                    "from_status",
                    "to_status",
                    "effective_date",
                    "reason",
                    "note",
                    "actor_id",
                    "at",
                ),
                [
                    (
                        pk,
                        "registered",
                        "active",
                        received_on.isoformat(),
                        reason,
                        json.dumps(note),
                        actor_id,
                        now.isoformat(),
                    )
                    for pk, note, reason in events
                ],
            )
        return entry
