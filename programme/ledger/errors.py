from django.utils.translation import gettext_lazy as _
from rest_framework import status

from askesos.errors import DomainError


class LedgerError(DomainError):
    messages = {
        "period_locked": _(
            "%(month)s is %(state)s: nothing dated in it can be posted. Ask the Ketua to "
            "reopen it, or date the correction in an open month."
        ),
        "amount_invalid": _("Amounts are whole rupiah above zero; got %(value)s."),
        "insufficient_funds": _(
            "%(account)s holds %(balance)s; %(amount)s cannot be paid out of it."
        ),
        "unbalanced": _("The entry does not balance (difference %(difference)s)."),
        "already_reversed": _("This entry was already reversed."),
        "receipt_number_taken": _("Receipt number %(number)s is already recorded."),
        "receipt_number_long": _("A receipt number has at most %(limit)s characters."),
        "months_not_figures": _("Write the months as a number, e.g. 2."),
        "receipt_policy_closed": _(
            "Policy %(policy)s is %(state)s: premiums can no longer be received for it."
        ),
        "receipt_amount_mismatch": _(
            "%(months)s months at %(premium)s is %(expected)s, not %(amount)s."
        ),
        "receipt_beyond_coverage": _(
            "Only %(left)s months of coverage remain unpaid; %(months)s were entered."
        ),
        "receipt_not_collected": _("Receipt %(number)s is not with a field officer any more."),
        "handover_empty": _("Choose at least one receipt to hand over."),
        "receipt_in_batch": _(
            "Receipt %(number)s was posted as part of a batch; reverse the batch instead."
        ),
        "already_deposited": _("This hand-over was already deposited."),
        "payout_not_due": _("Policy %(policy)s does not end until %(date)s."),
        "payout_policy_state": _("Policy %(policy)s is %(state)s; no savings payout applies."),
        "payout_done": _("The savings of policy %(policy)s were already paid out."),
        "period_state": _("%(month)s is %(state)s; it cannot be %(action)s."),
        "period_same_person": _(
            "The Ketua signs what the Bendahara prepared: the same person cannot do both."
        ),
        "period_earlier_open": _("Close %(month)s first: months are closed in order."),
        "installment_paid": _("Installment %(number)s was already paid."),
        "loan_terms": _("A loan needs a principal above zero and 1 to 36 installments."),
        "policy_unknown": _("Unknown policy number %(number)s."),
        "reference_required": _("Write the bank's reference (from the slip or the transfer)."),
        "field_required": _("%(label)s is required."),
        "source_taken": _(
            "This reference was already used for other money on %(date)s; check it, or "
            "write the reference of this transfer."
        ),
        "payout_reason": _("Choose why the savings are paid back: end of coverage or withdrawal."),
        "card_unknown": _("No participant of this LPA has this member card."),
        "card_other_lpa": _(
            "This member card belongs to another LPA (%(lpa)s): its premiums are paid there."
        ),
        "card_not_read": _("This QR code is not an ASKESOS member card."),
    }


class LedgerConflict(LedgerError):
    http_status = status.HTTP_409_CONFLICT
