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
