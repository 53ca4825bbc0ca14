"""Registering many participants at once (imports, the data generator).

Every row is checked first without writing; the writes are a handful of multi-row
INSERTs in one transaction, so 10.000 rows take seconds and a failure leaves nothing.
Per-row audit entries are replaced by the batch record of the caller (ImportBatch).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction

from programme.participants.models import (
    Heir,
    Participant,
    Policy,
    PolicyEvent,
    PolicyStatus,
)
from programme.participants.services import (
    CheckedParticipant,
    heirs_build,
    participant_build,
    policy_number_for,
    policy_start,
)
from programme.registry.models import CardCheck, NationalParticipant
from programme.schemes.rules import coverage_months
from tenants.selectors import lpa_current

BATCH = 2000


def nik_conflicts(*, rows: Sequence[CheckedParticipant]) -> dict[str, str]:
    """For each NIK that cannot be registered here: 'here' (already in this LPA) or
    'elsewhere' (active in another LPA). Two queries for any number of rows."""
    lpa = lpa_current()
    niks = [r.nik for r in rows]
    found = dict.fromkeys(
        Participant.objects.filter(nik__in=niks).values_list("nik", flat=True), "here"
    )
    by_digest = {r.digest: r.nik for r in rows}
    elsewhere = (
        NationalParticipant.objects.filter(nik_digest__in=list(by_digest), is_active=True)
        .exclude(lpa_id=lpa.pk)
        .values_list("nik_digest", flat=True)
    )
    for digest in elsewhere:
        found.setdefault(by_digest[digest], "elsewhere")
    return found


def participants_bulk_register(
    *, rows: Sequence[CheckedParticipant], actor: Any = None, start_date: datetime.date
) -> int:
    """Write checked rows: participants, heirs, policies, their first history rows, the
    national index and card checks. All or nothing; returns the number written."""
    if not rows:
        return 0
    start_date = policy_start(start_date)
    lpa = lpa_current()
    actor_id = getattr(actor, "pk", None)
    with transaction.atomic():
        for start in range(0, len(rows), BATCH):
            _write_batch(rows[start : start + BATCH], lpa, actor_id, start_date)
    return len(rows)


def _write_batch(rows, lpa, actor_id, start_date) -> None:
    participants = Participant.objects.bulk_create(
        [participant_build(r, actor_id=actor_id) for r in rows]
    )
    Heir.objects.bulk_create(
        [
            heir
            for p, r in zip(participants, rows, strict=True)
            for heir in heirs_build(p, r.data.heirs)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('participants_policy', 'id')) "
            "FROM generate_series(1, %s)",
            [len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    policies = Policy.objects.bulk_create(
        [
            Policy(
                pk=pk,
                number=policy_number_for(lpa=lpa, policy_pk=pk),
                participant=p,
                scheme_version=r.scheme,
                start_date=start_date,
                end_date=start_date + relativedelta(months=coverage_months(r.scheme.rules)),
                card_token=secrets.token_urlsafe(12),
            )
            for pk, p, r in zip(ids, participants, rows, strict=True)
        ]
    )
    PolicyEvent.objects.bulk_create(
        [
            PolicyEvent(
                policy=policy,
                from_status="",
                to_status=PolicyStatus.REGISTERED,
                effective_date=start_date,
                actor_id=actor_id,
            )
            for policy in policies
        ]
    )
    NationalParticipant.objects.bulk_create(
        [
            NationalParticipant(nik_digest=r.digest, lpa_id=lpa.pk, participant_ref=p.pk)
            for p, r in zip(participants, rows, strict=True)
        ]
    )
    CardCheck.objects.bulk_create(
        [
            CardCheck(
                token=policy.card_token,
                lpa_id=lpa.pk,
                policy_number=policy.number,
                is_valid=True,
                valid_until=policy.end_date,
            )
            for policy in policies
        ]
    )
