from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NationalParticipant(models.Model):
    """One row per participant per LPA. `nik_digest` is an HMAC of the NIK under a key
    only the platform holds; the raw NIK never enters the public schema."""

    nik_digest = models.CharField(max_length=64)
    lpa = models.ForeignKey("tenants.Lpa", on_delete=models.CASCADE, related_name="+")
    # The participant's id inside the LPA's schema (no FK across schemas).
    participant_ref = models.BigIntegerField()
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # The national rule: one NIK active in at most one LPA, enforced by PostgreSQL.
            models.UniqueConstraint(
                fields=["nik_digest"],
                condition=Q(is_active=True),
                name="national_participant_one_active_lpa",
            ),
            models.UniqueConstraint(
                fields=["lpa", "participant_ref"], name="national_participant_unique_ref"
            ),
        ]
        indexes = [models.Index(fields=["nik_digest"])]

    def __str__(self) -> str:
        return f"{self.lpa_id}:{self.participant_ref}"


class NikConflict(models.Model):
    """An LPA tried to register a NIK that is active in another LPA. Districts and the
    ministry see these (which LPAs, when), never the NIK."""

    nik_digest = models.CharField(max_length=64)
    active_lpa = models.ForeignKey("tenants.Lpa", on_delete=models.CASCADE, related_name="+")
    attempted_lpa = models.ForeignKey("tenants.Lpa", on_delete=models.CASCADE, related_name="+")
    attempted_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("NIK conflict")
        ordering = ["-attempted_at"]

    def __str__(self) -> str:
        return f"{self.active_lpa_id} / {self.attempted_lpa_id}"


class CardCheck(models.Model):
    """What the QR code on a member card verifies: validity only, no personal data."""

    token = models.CharField(max_length=32, unique=True)
    lpa = models.ForeignKey("tenants.Lpa", on_delete=models.CASCADE, related_name="+")
    policy_number = models.CharField(max_length=32, unique=True)
    is_valid = models.BooleanField(default=True)
    valid_until = models.DateField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.policy_number
