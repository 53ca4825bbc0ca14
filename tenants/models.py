"""The LPA (Lembaga Pelaksana ASKESOS) tenant and its domains, in the public schema."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class LegalForm(models.TextChoices):
    ORSOS = "orsos", _("Social organisation (Orsos)")
    YAYASAN = "yayasan", _("Foundation (Yayasan)")
    LSM = "lsm", _("NGO (LSM)")
    LEMBAGA_ADAT = "lembaga_adat", _("Customary institution (Lembaga Adat)")
    LKM = "lkm", _("Micro-finance institution (LKM)")


class LpaStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ARCHIVED = "archived", _("Archived")


class Lpa(TenantMixin):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("address name"), max_length=40, unique=True)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    regency = models.ForeignKey(
        "geo.Regency", on_delete=models.PROTECT, related_name="lpas", verbose_name=_("regency/city")
    )
    npwp = models.CharField(_("NPWP"), max_length=16, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=LpaStatus.choices, default=LpaStatus.ACTIVE
    )
    # The scheme version new policies are written under; a policy keeps its own.
    scheme_version = models.ForeignKey(
        "schemes.SchemeVersion",
        on_delete=models.PROTECT,
        related_name="lpas",
        verbose_name=_("scheme"),
    )
    # False from the moment the row exists until its schema is cloned and its domain
    # written; requests to a tenant that is not ready get "being prepared", never data.
    is_ready = models.BooleanField(_("ready"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    # Provisioning (tenants.services) creates the schema itself, by cloning the template.
    auto_create_schema = False

    class Meta:
        verbose_name = _("LPA")
        verbose_name_plural = _("LPAs")
        ordering = ["name"]
        indexes = [models.Index(fields=["regency", "status"])]

    def __str__(self) -> str:
        return self.name


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
