"""Tenant-schema app: who belongs to this LPA's Tim Pengelola, and in which role.

Memberships live in the tenant's own schema (they point at the shared user), so an
LPA's staff list is part of what is isolated and archived with the LPA.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from askesos.roles import LpaRole


class Membership(models.Model):
    # No database foreign key to the public user (docs/decisions/0002: one per tenant
    # would pile thousands of triggers on accounts_user). Users are never deleted, only
    # deactivated; Django's collector could not see tenant tables anyway.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    role = models.CharField(_("role"), max_length=20, choices=LpaRole.choices)
    is_active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        ordering = ["role", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"
