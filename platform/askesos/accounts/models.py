"""Users (one login for the whole country) and government users' scopes."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from askesos.roles import GovernmentLevel, GovernmentRole


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")

    def __str__(self) -> str:
        return self.full_name or self.username


class GovernmentScope(models.Model):
    """What a government user sees: the country, one province or one kabupaten/kota.

    The role says what they may do there (see askesos.permissions).
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="government_scope")
    level = models.CharField(_("level"), max_length=10, choices=GovernmentLevel.choices)
    province = models.ForeignKey(
        "geo.Province", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    regency = models.ForeignKey(
        "geo.Regency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, choices=GovernmentRole.choices)
    office_name = models.CharField(_("office"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("government scope")
        constraints = [
            models.CheckConstraint(
                name="government_scope_area_matches_level",
                condition=(
                    Q(level=GovernmentLevel.MINISTRY, province__isnull=True, regency__isnull=True)
                    | Q(
                        level=GovernmentLevel.PROVINCE, province__isnull=False, regency__isnull=True
                    )
                    | Q(level=GovernmentLevel.REGENCY, province__isnull=True, regency__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        area = self.regency or self.province or _("Indonesia")
        return f"{self.get_role_display()} · {area}"
