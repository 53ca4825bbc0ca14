"""The claim workflow. Every step re-reads and locks the claim, checks the actor's role,
moves the status and writes a history row in one transaction.

submitted -> verified (Urusan Klaim) -> recapitulated into a payment request ->
approved (Ketua) -> paid (Bendahara, from the reserve; not the Ketua who approved) ->
notified -> closed; or returned (missing documents) -> submitted again; or rejected
with a reason (-> notified -> closed). Referrals to BPJS Ketenagakerjaan go
verified -> referred -> notified -> closed and move no LPA money.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.db import transaction
from django.utils import timezone

from askesos.permissions import Action, ensure
from askesos.sequences import next_id
from programme.claims import rules
from programme.claims.checks import (
    Candidate,
    Check,
    benefit_label,
    claim_checks,
    claim_checks_in_words,
    day_label,
    failed,
)
from programme.claims.documents import Upload, upload_check, upload_store
from programme.claims.errors import ClaimConflict, ClaimError
from programme.claims.labels import STEP_LABELS
from programme.claims.models import (
    Claim,
    ClaimDocument,
    ClaimEvent,
    ClaimStatus,
    PaymentRequest,
    PayoutMethod,
)
from programme.claims.sla import (
    overdue_clear,
    service_days,
)
from programme.participants.lifecycle import policy_transition
from programme.participants.models import (
    OPEN_STATUSES,
    Heir,
    HeirRelation,
    Policy,
    PolicyStatus,
)
from programme.participants.notes import POLICY_NOTES

S = ClaimStatus
MAX_DAYS = 366


def number_take(
    model: type[Claim] | type[PaymentRequest], prefix: str, width: int
) -> tuple[int, str]:
    """The row's id and the number built from it (KLM-2026-00012), before the insert."""
    pk = next_id(model)
    return pk, f"{prefix}-{timezone.localdate():%Y}-{pk:0{width}d}"


def _days(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
        raise ClaimError("days_invalid", field="sick_days")
    return value


def claim_event_record(
    claim: Claim, action: str, from_status: str, actor: Any, note: str = ""
) -> None:
    ClaimEvent.objects.create(
        claim=claim,
        action=action,
        from_status=from_status,
        to_status=claim.status,
        actor_id=getattr(actor, "pk", None),
        note=note[:500],
    )


def _locked(claim: Claim) -> Claim:
    return (
        Claim.objects.select_for_update()
        .select_related("policy__scheme_version", "policy__participant")
        .get(pk=claim.pk)
    )


def claim_state_refusal(claim: Claim, action: str) -> ClaimError:
    return ClaimConflict(
        "claim_state",
        number=claim.number,
        state=ClaimStatus(claim.status).label.lower(),
        action=STEP_LABELS[action],
    )


def _complete(claim: Claim) -> bool:
    kinds = set(claim.documents.values_list("kind", flat=True))
    required = rules.required_documents(claim.policy.scheme_version.rules, claim.benefit)
    return all(kind in kinds for kind in required)


def _mark_complete_if(claim: Claim) -> None:
    """Start the service-level clock when the last required document is in."""
    if claim.complete_at is None and claim.status == S.SUBMITTED and _complete(claim):
        claim.complete_at = timezone.now()
        claim.save(update_fields=["complete_at"])


def claim_submit(
    *,
    policy_number: str,
    benefit: str,
    event_date: datetime.date | None,
    actor: Any,
    sick_days: int | None = None,
    hospital_days: int | None = None,
    description: str = "",
    heir: Heir | None = None,
    heir_name: str = "",
    heir_relation: str = "",
    payout_method: str = PayoutMethod.CASH,
    bank_name: str = "",
    bank_account: str = "",
    account_holder: str = "",
    documents: Sequence[Upload] = (),
    today: datetime.date | None = None,
) -> Claim:
    """The field officer (or Urusan Klaim) submits a claim for a participant. Refused
    with the reason when the scheme cannot pay it whatever the documents say."""
    ensure(actor, Action.CLAIM_SUBMIT)
    today = today or timezone.localdate()
    # Required whatever the browser sent: no field the rules need gets a default.
    if not (benefit or "").strip():
        raise ClaimError("benefit_required", field="benefit")
    if event_date is None:
        raise ClaimError("event_date_required", field="event_date")
    if payout_method not in PayoutMethod.values:
        raise ClaimError("payout_method_required", field="payout_method")
    policy = (
        Policy.objects.select_related("scheme_version", "participant")
        .filter(number=(policy_number or "").strip())
        .first()
    )
    if policy is None:
        raise ClaimError("policy_unknown", field="policy", number=policy_number)
    scheme = policy.scheme_version.rules
    if rules.benefit_of(scheme, benefit) is None:
        raise ClaimError(
            "benefit_unknown",
            field="benefit",
            scheme=policy.scheme_version.name,
            benefit=benefit,
            types=", ".join(benefit_label(b) for b in rules.benefits(scheme)),
        )
    if event_date > today:
        raise ClaimError("event_in_future", field="event_date", date=day_label(event_date))
    sick_days, hospital_days = _days(sick_days), _days(hospital_days)
    if heir is not None and heir.participant_id != policy.participant_id:
        raise ClaimError(
            "heir_not_of_participant",
            field="heir",
            heir=heir.name,
            participant=policy.participant.name,
        )
    bank_name, bank_account, account_holder = (
        bank_name.strip(),
        bank_account.strip(),
        account_holder.strip(),
    )
    referral = rules.is_referral(scheme, benefit)
    if (
        not referral
        and payout_method == PayoutMethod.BANK
        and not (bank_name and bank_account and account_holder)
    ):
        raise ClaimError("bank_details_required", field="bank_account")
    uploads = [upload_check(upload) for upload in documents]
    candidate = Candidate(
        policy=policy,
        benefit=benefit,
        event_date=event_date,
        sick_days=sick_days,
        hospital_days=hospital_days,
        heir_id=heir.pk if heir else None,
        documents=frozenset(u.kind for u in uploads),
    )
    with transaction.atomic():
        # One submission at a time per policy: two officers cannot both use its last limit.
        Policy.objects.select_for_update().filter(pk=policy.pk).first()
        if heir is None and (heir_name or "").strip():
            # An heir the registry did not know yet, named on the claim form; kept only
            # if the claim is accepted (the transaction rolls back otherwise).
            heir = Heir.objects.create(
                participant=policy.participant,
                name=heir_name.strip()[:150],
                relation=heir_relation if heir_relation in HeirRelation.values else "lainnya",
            )
            candidate = replace(candidate, heir_id=heir.pk)
        refusal = failed(claim_checks(candidate), hard_only=True)
        if refusal:
            raise refusal[0].error
        pk, number = number_take(Claim, "KLM", 5)
        year = rules.policy_year(policy.start_date, event_date)
        claim = Claim.objects.create(
            pk=pk,
            number=number,
            policy=policy,
            benefit=benefit,
            payout_route=scheme["benefits"][benefit]["payout"],
            event_date=event_date,
            policy_year=year,
            sick_days=sick_days,
            hospital_days=hospital_days,
            description=(description or "").strip()[:500],
            heir=heir,
            payout_method=PayoutMethod.CASH if referral else payout_method,
            bank_name=bank_name,
            bank_account=bank_account,
            account_holder=account_holder,
            amount=rules.benefit_amount(scheme, benefit, year),
            submitted_by_id=actor.pk,
        )
        claim_event_record(claim, "submit", "", actor)
        for upload in uploads:
            _document_save(claim, upload, actor)
        _mark_complete_if(claim)
        return claim


def _document_save(claim: Claim, upload, actor: Any) -> ClaimDocument:
    return ClaimDocument.objects.create(
        claim=claim,
        kind=upload.kind,
        filename=upload.filename,
        stored_as=upload_store(upload, claim_number=claim.number),
        content_type=upload.content_type,
        size=len(upload.content),
        sha256=upload.sha256,
        uploaded_by_id=actor.pk,
    )


def claim_document_add(*, claim: Claim, upload: Upload, actor: Any) -> ClaimDocument:
    """Another document for a submitted or returned claim."""
    ensure(actor, Action.CLAIM_SUBMIT)
    checked = upload_check(upload)
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status not in (S.SUBMITTED, S.RETURNED):
            raise ClaimConflict(
                "document_closed", state=ClaimStatus(claim.status).label.lower(), field="documents"
            )
        document = _document_save(claim, checked, actor)
        _mark_complete_if(claim)
        return document


def claim_resubmit(*, claim: Claim, actor: Any) -> Claim:
    """A returned claim comes back with what was missing; the clock starts again."""
    ensure(actor, Action.CLAIM_SUBMIT)
    with transaction.atomic():
        claim = _claim_move(
            claim,
            action="resubmit",
            allowed=(S.RETURNED,),
            to=S.SUBMITTED,
            actor=actor,
            fields={"return_reason": ""},
        )
        _mark_complete_if(claim)
        return claim


def claim_candidate(claim: Claim) -> Candidate:
    return Candidate(
        policy=claim.policy,
        benefit=claim.benefit,
        event_date=claim.event_date,
        sick_days=claim.sick_days,
        hospital_days=claim.hospital_days,
        heir_id=claim.heir_id,
        documents=frozenset(claim.documents.values_list("kind", flat=True)),
        claim_pk=claim.pk,
    )


def claim_checks_for(claim: Claim) -> list[Check]:
    """The verification as Urusan Klaim sees it before deciding."""
    return claim_checks(claim_candidate(claim))


def claim_checks_shown(claim: Claim) -> list[dict[str, Any]]:
    """What the claim's page and API show: the live checks while the claim awaits
    verification, the checks as verified afterwards (none for a claim never verified)."""
    if claim.status in (S.SUBMITTED, S.RETURNED):
        return claim_checks_in_words([c.as_dict() for c in claim_checks_for(claim)])
    return claim_checks_in_words(claim.checks)


def claim_verify(*, claim: Claim, actor: Any) -> Claim:
    """Urusan Klaim verifies: every check passes, or the claim is returned or rejected.
    The amount is fixed now from the scheme; a death ends the policy."""
    ensure(actor, Action.CLAIM_VERIFY)
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status != S.SUBMITTED:
            raise claim_state_refusal(claim, "verify")
        checks = claim_checks(claim_candidate(claim))
        problems = failed(checks)
        if problems:
            raise ClaimError(
                "verification_failed",
                number=claim.number,
                reasons=" ".join(c.message for c in problems),
            )
        scheme = claim.policy.scheme_version.rules
        claim.amount = rules.benefit_amount(scheme, claim.benefit, claim.policy_year)
        claim.status = S.VERIFIED
        claim.checks = [c.as_dict() for c in checks]
        claim.verified_by_id = actor.pk
        claim.verified_at = timezone.now()
        claim.save(update_fields=["amount", "status", "checks", "verified_by", "verified_at"])
        claim_event_record(claim, "verify", S.SUBMITTED, actor)
        if rules.ends_policy(scheme, claim.benefit) and claim.policy.status in OPEN_STATUSES:
            policy_transition(
                policy=claim.policy,
                to_status=PolicyStatus.DECEASED,
                actor=actor,
                note=POLICY_NOTES("death_claim", number=claim.number),
                effective_date=claim.event_date,
            )
        return claim


def _required(value: str, code: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ClaimError(code, field=field)
    return value


def _claim_move(
    claim: Claim,
    *,
    action: str,
    allowed: tuple[str, ...],
    to: str,
    actor: Any,
    note: str = "",
    fields: dict[str, Any] | None = None,
    guard: Any = None,
) -> Claim:
    """The shape the plain steps share, in one transaction: lock the claim, refuse a
    step from the wrong state, set the fields (a callable gets the claim), save, and
    write the history row."""
    fields = fields or {}
    with transaction.atomic():
        claim = _locked(claim)
        if guard is not None:
            guard(claim)
        if claim.status not in allowed:
            raise claim_state_refusal(claim, action)
        before = claim.status
        claim.status = to
        for name, value in fields.items():
            setattr(claim, name, value(claim) if callable(value) else value)
        claim.save(update_fields=["status", *fields])
        claim_event_record(claim, action, before, actor, note)
        return claim


def claim_return(*, claim: Claim, reason: str, actor: Any) -> Claim:
    """Back to the field officer for missing documents; the clock stops."""
    ensure(actor, Action.CLAIM_VERIFY)
    reason = _required(reason, "reason_required", "reason")
    claim = _claim_move(
        claim,
        action="return",
        allowed=(S.SUBMITTED,),
        to=S.RETURNED,
        actor=actor,
        note=reason,
        fields={"return_reason": reason[:500], "complete_at": None},
    )
    overdue_clear(claim)
    return claim


def claim_reject(*, claim: Claim, reason: str, actor: Any) -> Claim:
    """Refused, with a reason written for the participant."""
    ensure(actor, Action.CLAIM_VERIFY)
    reason = _required(reason, "reason_required", "reason")
    claim = _claim_move(
        claim,
        action="reject",
        allowed=(S.SUBMITTED, S.RETURNED, S.VERIFIED),
        to=S.REJECTED,
        actor=actor,
        note=reason,
        fields={"rejection_reason": reason[:500]},
    )
    overdue_clear(claim)
    return claim


def _referral_only(claim: Claim) -> None:
    if not claim.is_referral:
        raise ClaimConflict("not_referral", number=claim.number)


def claim_refer(*, claim: Claim, reference: str, actor: Any) -> Claim:
    """A New Initiative benefit goes to BPJS Ketenagakerjaan with a reference."""
    ensure(actor, Action.CLAIM_VERIFY)
    reference = _required(reference, "reference_required", "reference")
    claim = _claim_move(
        claim,
        action="refer",
        allowed=(S.VERIFIED,),
        to=S.REFERRED,
        actor=actor,
        note=reference,
        guard=_referral_only,
        fields={
            "referral_reference": reference[:60],
            "service_days": lambda c: service_days(c, timezone.localdate()),
        },
    )
    overdue_clear(claim)
    return claim


def claim_notify(*, claim: Claim, how: str, actor: Any) -> Claim:
    """The participant (or heir) was told of the payment, rejection or referral."""
    ensure(actor, Action.CLAIM_VERIFY)
    how = _required(how, "notice_required", "how")
    return _claim_move(
        claim,
        action="notify",
        allowed=(S.PAID, S.REJECTED, S.REFERRED),
        to=S.NOTIFIED,
        actor=actor,
        note=how,
        fields={"notified_at": timezone.now(), "notified_how": how[:200]},
    )


def claim_close(*, claim: Claim, actor: Any) -> Claim:
    ensure(actor, Action.CLAIM_VERIFY)
    return _claim_move(
        claim,
        action="close",
        allowed=(S.NOTIFIED,),
        to=S.CLOSED,
        actor=actor,
        fields={"closed_at": timezone.now()},
    )
