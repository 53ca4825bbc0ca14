from django.utils.translation import gettext_lazy as _
from rest_framework import status

from askesos.errors import DomainError


class ClaimError(DomainError):
    messages = {
        "policy_unknown": _("Unknown policy number %(number)s."),
        "policy_not_active": _(
            "Policy %(policy)s was %(state)s on %(date)s: claims are paid only for events "
            "while the policy is active."
        ),
        "event_in_future": _("The date of the event (%(date)s) is in the future."),
        "event_before_start": _(
            "The event (%(date)s) happened before policy %(policy)s started (%(start)s)."
        ),
        "event_after_coverage": _(
            "The event (%(date)s) happened after the coverage of policy %(policy)s ended (%(end)s)."
        ),
        "benefit_unknown": _("%(scheme)s has no claim type %(benefit)s; it has: %(types)s."),
        "duplicate": _("Claim %(number)s already covers this event (%(benefit)s, %(date)s)."),
        "limit_per_year": _(
            "%(benefit)s is paid %(limit)s time(s) per policy year; policy year %(year)s "
            "already has claim %(numbers)s."
        ),
        "limit_shared": _(
            "%(benefits)s are paid at most %(limit)s times per policy together; claims "
            "%(numbers)s were already made."
        ),
        "sickness_too_short": _(
            "The sickness benefit needs %(needed)s; entered: %(sick)s days ill, %(hospital)s "
            "days in hospital."
        ),
        "days_invalid": _("Days are whole numbers from 0 to 366."),
        "heir_required": _("A death claim names the heir who receives the benefit."),
        "heir_not_of_participant": _("%(heir)s is not an heir of %(participant)s."),
        "bank_details_required": _(
            "A bank payout needs the bank, the account number and the account holder."
        ),
        "premiums_not_paid": _(
            "Premiums were not paid up to date on %(date)s: %(months)s month(s) unpaid."
        ),
        "documents_missing": _("Documents missing: %(documents)s."),
        "claim_state": _("Claim %(number)s is %(state)s; it cannot be %(action)s now."),
        "verification_failed": _(
            "Claim %(number)s does not meet the scheme's conditions: %(reasons)s Reject it "
            "with the reason, or return it for the missing documents."
        ),
        "reason_required": _("Write the reason in words the participant will understand."),
        "notice_required": _("Write how the participant was told (in person, by phone, ...)."),
        "reference_required": _("Enter BPJS Ketenagakerjaan's reference for the referral."),
        "not_referral": _("Claim %(number)s is paid by the LPA; it is not referred."),
        "referral_not_paid": _(
            "Claim %(number)s is a referral to BPJS Ketenagakerjaan; the LPA does not pay it."
        ),
        "request_empty": _("Choose at least one verified claim."),
        "refusal_reason_required": _(
            "Write why the request is refused, so that Urusan Klaim can correct it."
        ),
        "payment_reference_required": _(
            "Write the bank's reference of the withdrawal or transfer (on the bank slip)."
        ),
        "event_date_required": _("Enter the date of the event."),
        "benefit_required": _("Choose the claim type."),
        "payout_method_required": _("Choose how the benefit is paid: cash or bank transfer."),
        "request_state": _("Payment request %(number)s is %(state)s; it cannot be %(action)s."),
        "same_person": _(
            "You approved payment request %(number)s: a withdrawal from the claim reserve "
            "needs two different people, the Ketua and the Bendahara."
        ),
        "reserve_short": _(
            "The claim reserve holds %(balance)s; payment request %(number)s needs %(amount)s. "
            "Payment is blocked and the district office has been notified."
        ),
        "document_kind_unknown": _("Unknown document kind %(kind)s."),
        "document_empty": _("%(filename)s is empty."),
        "document_too_large": _("%(filename)s is %(size)s; a document may be at most %(limit)s."),
        "document_type": _(
            "%(filename)s is not a PDF, JPEG, PNG or WebP file (it looks like %(found)s)."
        ),
        "document_closed": _(
            "Documents are added while the claim is submitted or returned; it is %(state)s."
        ),
    }


class ClaimConflict(ClaimError):
    http_status = status.HTTP_409_CONFLICT
