from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicHoliday(models.Model):
    """A day that is not a working day besides Saturday and Sunday. Seeded from the
    python-holidays calendar for Indonesia (national holidays and cuti bersama); the
    government fixes some dates by decree each year, so rows may be added or removed."""

    class Kind(models.TextChoices):
        NATIONAL = "national", _("National holiday")
        COLLECTIVE_LEAVE = "cuti_bersama", _("Collective leave (cuti bersama)")

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    # "holidays" when seeded, otherwise who added it (a decree number, say).
    source = models.CharField(_("source"), max_length=150, default="holidays")

    class Meta:
        verbose_name = _("public holiday")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
