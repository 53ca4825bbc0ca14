"""The policy lifecycle as an explicit state machine, with a history row per transition.

registered -> active -> lapsed (grace rule, by the premiums job) / matured / withdrawn /
deceased. A participant whose last policy ended (other than by death) may re-register;
a deceased participant's policy may be continued by an heir as a new policy.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from askesos.dates import date_not_before, date_not_before_start
from askesos.notes import StoredNote
from programme.participants.errors import ParticipantError
from programme.participants.models import OPEN_STATUSES, Policy, PolicyEvent, PolicyStatus
from programme.participants.notes import POLICY_NOTES
from programme.registry.services import national_index_set_active

S = PolicyStatus
EFFECTIVE_DATE = _("Effective date")
TRANSITIONS: dict[str, frozenset[str]] = {
    S.REGISTERED: frozenset({S.ACTIVE, S.WITHDRAWN, S.DECEASED}),
    S.ACTIVE: frozenset({S.LAPSED, S.MATURED, S.WITHDRAWN, S.DECEASED}),
    S.LAPSED: frozenset(),
    S.MATURED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.DECEASED: frozenset(),
}
# Withdrawal needs the written request; death the certificate or a witness's word.
REASON_REQUIRED = frozenset({S.WITHDRAWN, S.DECEASED})
REREGISTRATION_FROM = frozenset({S.MATURED, S.LAPSED, S.WITHDRAWN})


def policy_transition(
    *,
    policy: Policy,
    to_status: str,
    actor: Any = None,
    reason: str = "",
    note: StoredNote | None = None,
    effective_date: datetime.date | None = None,
) -> Policy:
    """Move `policy` to `to_status` or refuse; writes the history row and keeps the
    national index and the card check in step, all in one transaction. A reason the
    system gives is a `note` (POLICY_NOTES), shown in the reader's language."""
    reason = (reason or "").strip()
    if note is not None and not reason:
        reason = POLICY_NOTES.stored_text(note)
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        if effective_date is not None:
            # Not after today is the caller's to say (the API's field; the lapse job
            # dates its run); never before the programme, the LPA or the policy began.
            label = EFFECTIVE_DATE
            effective_date = date_not_before_start(
                effective_date, field="effective_date", label=label
            )
            date_not_before(
                effective_date,
                policy.start_date,
                field="effective_date",
                label=label,
                step=_("the policy's start"),
            )
        if to_status not in TRANSITIONS.get(policy.status, frozenset()):
            raise ParticipantError(
                "transition_refused",
                current=PolicyStatus(policy.status).label,
                target=PolicyStatus(to_status).label if to_status in S.values else to_status,
            )
        if to_status in REASON_REQUIRED and not reason:
            raise ParticipantError(
                "reason_required", field="reason", target=PolicyStatus(to_status).label
            )
        PolicyEvent.objects.create(
            policy=policy,
            from_status=policy.status,
            to_status=to_status,
            effective_date=effective_date or timezone.localdate(),
            reason=reason,
            note=note,
            actor=actor if getattr(actor, "pk", None) else None,
        )
        policy.status = to_status
        policy.status_changed_at = timezone.now()
        policy.save(update_fields=["status", "status_changed_at"])
        if to_status not in OPEN_STATUSES:
            national_index_set_active(participant=policy.participant, is_active=False)
            from programme.registry.services import card_check_update

            card_check_update(policy=policy)
        return policy
