"""The national index and card checks: written only by the participants services, in
the same transaction as the tenant's own change (one database, two schemas)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from programme.registry.models import CardCheck, NationalParticipant, NikConflict
from tenants.selectors import lpa_current as _lpa


def national_active_elsewhere(*, digest: str) -> NationalParticipant | None:
    return (
        NationalParticipant.objects.filter(nik_digest=digest, is_active=True)
        .exclude(lpa_id=_lpa().pk)
        .first()
    )


def national_conflict_record(*, digest: str, active: NationalParticipant) -> None:
    """Kept even though the registration that found it is refused."""
    NikConflict.objects.create(
        nik_digest=digest, active_lpa_id=active.lpa_id, attempted_lpa_id=_lpa().pk
    )


def national_index_claim(*, participant: Any, digest: str) -> None:
    """Mark the participant active nationally; IntegrityError if active elsewhere."""
    with transaction.atomic():
        NationalParticipant.objects.update_or_create(
            lpa_id=_lpa().pk,
            participant_ref=participant.pk,
            defaults={"nik_digest": digest, "is_active": True},
        )


def national_index_set_active(*, participant: Any, is_active: bool) -> None:
    NationalParticipant.objects.filter(lpa_id=_lpa().pk, participant_ref=participant.pk).update(
        is_active=is_active
    )


def card_check_update(*, policy: Any) -> None:
    from programme.participants.models import OPEN_STATUSES

    CardCheck.objects.update_or_create(
        token=policy.card_token,
        defaults={
            "lpa_id": _lpa().pk,
            "policy_number": policy.number,
            "is_valid": policy.status in OPEN_STATUSES,
            "valid_until": policy.end_date,
        },
    )
