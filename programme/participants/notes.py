"""Reasons the system writes into a policy's history, in the reader's language
(askesos.notes). Reasons people type (a withdrawal letter, a death reported by a
neighbour) are stored and shown as typed."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from askesos.notes import Notes

POLICY_NOTES = Notes(
    {
        "first_premium": _("first premium, receipt %(number)s"),
        "end_of_coverage": _("end of coverage"),
        "arrears": ngettext_lazy(
            "%(months)s month without a premium", "%(months)s months without a premium", "months"
        ),
        "death_claim": _("death claim %(number)s"),
    }
)
