from django.utils.translation import gettext_lazy as _
from rest_framework import status

from askesos.errors import DomainError


class SubsidyError(DomainError):
    messages = {
        "year_invalid": _("The fiscal year must be between 2003 and %(last)s."),
        "rates_missing": _(
            "No rates are recorded for fiscal year %(year)s. The ministry records them first."
        ),
        "channel_invalid": _("Unknown channel: %(value)s."),
        "purpose_invalid": _("Unknown purpose: %(value)s."),
        "dipa_required": _("Give the DIPA reference of this budget."),
        "budget_exists": _(
            "A %(purpose)s budget through %(channel)s for %(year)s is already recorded."
        ),
        "over_budget": _(
            "This allocation would take the provinces to %(allocated)s; the budget is "
            "%(budget)s (%(left)s left)."
        ),
        "below_allocated": _("%(allocated)s is already allocated; the amount cannot go below it."),
        "province_allocated": _("%(province)s already has an allocation from this budget."),
        "over_share": _(
            "This would allocate %(allocated)s to the LPAs of %(province)s; its share is "
            "%(share)s (%(left)s left)."
        ),
        "rule_over_share": _(
            "By the rule the LPAs need %(needed)s; %(left)s of the share is left. Lower the "
            "rate, or ask the ministry for a larger share."
        ),
        "lpa_outside_province": _("%(lpa)s is not in %(province)s."),
        "province_unknown": _("Unknown province code: %(code)s."),
        "lpa_allocated": _("%(lpa)s already has an allocation from this share."),
        "lpa_not_active": _("%(lpa)s is %(status)s; it cannot receive an allocation."),
        "rule_nothing": _("No active LPA of %(province)s without an allocation has participants."),
        "reason_required": _("Say why this amount was chosen by hand."),
        "no_reserve_account": _(
            "%(lpa)s has no %(account)s account recorded: record it before building a batch."
        ),
        "batch_empty": _("Choose at least one allocation to pay."),
        "allocation_fully_paid": _("Nothing is left to pay of the allocation of %(lpa)s."),
        "over_allocation": _(
            "The transfers to %(lpa)s would come to %(paid)s; its allocation is "
            "%(allocation)s (%(left)s left)."
        ),
        "allocation_elsewhere": _("The allocation of %(lpa)s is not from %(province)s."),
        "execution_date_invalid": _("The execution date is from today to %(last)s; got %(value)s."),
        "batch_state": _("Batch %(batch)s is %(state)s; it cannot be %(action)s."),
        "maker_cannot_approve": _(
            "You built batch %(batch)s; another officer must approve it (four eyes)."
        ),
        "transfer_unknown": _("No transfer has the reference %(reference)s."),
        "transfer_final": _("Transfer %(reference)s is already %(state)s."),
        "transfer_not_sent": _("Transfer %(reference)s was never sent (it is %(state)s)."),
        "amount_mismatch": _("The bank confirmed %(bank)s for %(reference)s; we sent %(ours)s."),
        "status_unknown": _("Unknown status %(value)s."),
    }


class SubsidyConflict(SubsidyError):
    http_status = status.HTTP_409_CONFLICT


# What a PostgreSQL rule's name means for people (migrations/0002 and the models).
CONSTRAINT_CODES = {
    "allocation_within_budget": "over_budget",
    "allocation_within_share": "over_share",
    "allocation_lpa_in_province": "lpa_outside_province",
    "batch_checker_is_not_maker": "maker_cannot_approve",
}
