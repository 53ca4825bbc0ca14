"""Names of the benefits the shipped schemes define, for people."""

from django.utils.translation import gettext_lazy as _

BENEFIT_LABELS = {
    "sickness": _("Sickness"),
    "accident": _("Accident"),
    "death": _("Death"),
    "treatment": _("Treatment after a work accident"),
    "dentures": _("Dentures"),
    "partial_disability": _("Partial disability"),
    "natural_death": _("Natural death"),
    "work_accident_death": _("Death from a work accident"),
}

# The steps of a claim, for people: its history, and "cannot be ... now" refusals.
STEP_LABELS = {
    "submit": _("submitted"),
    "resubmit": _("submitted again"),
    "verify": _("verified"),
    "return": _("returned for documents"),
    "reject": _("rejected"),
    "refer": _("referred to BPJS Ketenagakerjaan"),
    "recapitulate": _("put in a payment request"),
    "approve": _("approved by the Ketua"),
    "refuse": _("refused by the Ketua"),
    "pay": _("paid by the Bendahara"),
    "notify": _("notified to the participant"),
    "close": _("closed"),
}
