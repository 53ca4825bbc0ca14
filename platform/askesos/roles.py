"""The programme's roles, as DOMAIN.md names them. What each may do: askesos.permissions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LpaRole(models.TextChoices):
    """Tim Pengelola ASKESOS: one role per membership in an LPA."""

    KETUA = "ketua", _("Chair (Ketua)")
    SEKRETARIS = "sekretaris", _("Secretary (Sekretaris)")
    BENDAHARA = "bendahara", _("Treasurer (Bendahara)")
    PEMASARAN = "pemasaran", _("Marketing & Participant Guidance")
    PREMI_KEUANGAN = "premi_keuangan", _("Premiums & Finance")
    KLAIM = "klaim", _("Claims (Urusan Klaim)")
    PETUGAS_LAPANGAN = "petugas_lapangan", _("Field Officer (Petugas Lapangan)")


class GovernmentLevel(models.TextChoices):
    MINISTRY = "ministry", _("Ministry (national)")
    PROVINCE = "province", _("Province")
    REGENCY = "regency", _("Regency/City")


class GovernmentRole(models.TextChoices):
    OFFICER = "officer", _("Social Affairs Officer (Dinas Sosial)")
    PENGENDALI = "pengendali", _("Control Team (Tim Pengendali)")
    PENDAMPING = "pendamping", _("Field Companion (Tim Pendamping)")
    AUDITOR = "auditor", _("Auditor (read-only)")
