"""What each kind of journal entry says in the books, in the reader's language.

An entry stores its note (code and parameters, askesos.notes) and, beside it, the
same sentence in Bahasa Indonesia as `description`. The books read the note; entries
posted before notes existed, and descriptions people typed (an operating expense),
have none and are shown as stored.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from askesos.notes import Notes, as_date


def _benefit(key: Any) -> str:
    from programme.claims.labels import BENEFIT_LABELS

    return str(BENEFIT_LABELS.get(key, key))


ENTRY_NOTES = Notes(
    {
        "premium_receipt": ngettext_lazy(
            "Premium %(policy)s, receipt %(number)s (%(months)s month)",
            "Premium %(policy)s, receipt %(number)s (%(months)s months)",
            "months",
        ),
        "premium_batch": ngettext_lazy(
            "Premium summary %(reference)s (%(count)s receipt)",
            "Premium summary %(reference)s (%(count)s receipts)",
            "count",
        ),
        "handover": ngettext_lazy(
            "Field officer's hand-over to the Bendahara (%(count)s receipt)",
            "Field officer's hand-over to the Bendahara (%(count)s receipts)",
            "count",
        ),
        "deposit": _("Deposit to the bank %(reference)s"),
        "premium_aid": _("Government premium aid %(reference)s"),
        "savings_returned": _("Premium savings returned, policy %(policy)s"),
        "correction": _("Correction: %(entry)s %(reason)s"),
        "revolving_capital": _("Revolving fund capital %(reference)s"),
        "subsidy": _("Claim reserve subsidy %(reference)s"),
        "loan": _("Bridging loan to %(name)s: %(purpose)s"),
        "repayment": _("Installment %(number)s of the bridging loan to %(name)s"),
        "grant": _("Grant from %(donor)s: %(purpose)s"),
        "grant_use": _("Grant from %(donor)s spent: %(description)s"),
        "claim_paid": _("Claim %(number)s, %(benefit)s, %(name)s"),
        "bank_charge": _("Bank charge of %(day)s %(reference)s"),
        "bank_interest": _("Bank interest of %(day)s %(reference)s"),
    },
    formats={"benefit": _benefit, "day": as_date},
)


def entry_text(entry: Any) -> str:
    """An entry's description in the reader's language."""
    return ENTRY_NOTES.render(entry.note, fallback=entry.description)
