"""Indonesian administrative areas (wilayah), national reference data in the public schema.

Codes are the Ministry of Home Affairs' dotted codes and serve as primary keys, so a
NIK's first six digits map to a kecamatan without a lookup table.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    """One level of the hierarchy; `code` is the primary key each level defines."""

    name = models.CharField(_("name"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Province(Area):
    code = models.CharField(_("code"), max_length=2, primary_key=True)

    class Meta(Area.Meta):
        verbose_name = _("province")


class Regency(Area):
    """Kabupaten/kota."""

    code = models.CharField(_("code"), max_length=5, primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="regencies")

    class Meta(Area.Meta):
        verbose_name = _("regency/city")
        verbose_name_plural = _("regencies/cities")


class District(Area):
    """Kecamatan."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="districts")

    class Meta(Area.Meta):
        verbose_name = _("district")


class Village(Area):
    """Desa/kelurahan."""

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="villages")

    class Meta(Area.Meta):
        verbose_name = _("village")
