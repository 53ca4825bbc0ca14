"""Claims in the tenant schema: the claim, its documents, its history, and the payment
requests (rekapitulasi) the Ketua approves and the Bendahara pays from the reserve.

The database holds the rules that must never be broken whatever the code does: one
live claim per policy, benefit and event date; the Ketua who approved a payment request
is not the Bendahara who paid it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for documents")
    VERIFIED = "verified", _("Verified")
    RECAPITULATED = "recapitulated", _("In a payment request")
    APPROVED = "approved", _("Approved by the Ketua")
    PAID = "paid", _("Paid")
    REFERRED = "referred", _("Referred to BPJS Ketenagakerjaan")
    REJECTED = "rejected", _("Rejected")
    NOTIFIED = "notified", _("Participant notified")
    CLOSED = "closed", _("Closed")


# Claims the LPA still owes an answer on: the service-level clock runs for these.
WAITING_STATUSES = (
    ClaimStatus.SUBMITTED,
    ClaimStatus.VERIFIED,
    ClaimStatus.RECAPITULATED,
    ClaimStatus.APPROVED,
)


class PayoutMethod(models.TextChoices):
    CASH = "cash", _("Cash through Urusan Klaim")
    BANK = "bank", _("Bank transfer")


class DocumentKind(models.TextChoices):
    CLAIM_FORM = "claim_form", _("Signed claim form")
    MEMBER_CARD = "member_card", _("Member card or policy")
    MEDICAL_CERTIFICATE = "medical_certificate", _("Doctor's or hospital letter")
    ACCIDENT_CERTIFICATE = "accident_certificate", _("Accident certificate")
    DEATH_CERTIFICATE = "death_certificate", _("Death certificate")
    HEIR_PROOF = "heir_proof", _("Proof of heirship (family card)")
    BANK_BOOK = "bank_book", _("Bank book")
    OTHER = "other", _("Other")


class PaymentRequest(models.Model):
    """Urusan Klaim's recapitulation of verified claims: the Ketua approves it, then the
    Bendahara pays it from the reserve account. A withdrawal from the reserve carries
    both signatures, and they are two different people (checked by PostgreSQL too)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting the Ketua")
        APPROVED = "approved", _("Approved, awaiting payment")
        PAID = "paid", _("Paid")
        REFUSED = "refused", _("Refused by the Ketua")

    number = models.CharField(max_length=30, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    total = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    approved_at = models.DateTimeField(null=True)
    approved_on = models.DateField(null=True)  # approved_at's day in Asia/Jakarta
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    paid_at = models.DateTimeField(null=True)
    paid_on = models.DateField(null=True)
    reference = models.CharField(max_length=60, blank=True)
    # The Ketua may refuse a request instead of signing it; its claims go back to
    # Urusan Klaim (verified) and the reason stays here and in each claim's history.
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    refused_at = models.DateTimeField(null=True)
    refusal_reason = models.CharField(max_length=300, blank=True)
    refused_claims = models.JSONField(default=list, blank=True)  # the claims' ids it held

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(paid_by__isnull=True) | ~Q(paid_by=F("approved_by")),
                name="payment_two_signatures",
            ),
            models.CheckConstraint(
                condition=Q(paid_by__isnull=True) | Q(approved_by__isnull=False),
                name="payment_approved_first",
            ),
            # Steps in order: paid on or after the day the Ketua approved.
            models.CheckConstraint(
                condition=Q(paid_by__isnull=True) | Q(paid_on__gte=F("approved_on")),
                name="payment_paid_after_approval",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused")
                | (Q(approved_by__isnull=True) & ~Q(refusal_reason="")),
                name="payment_refused_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Claim(models.Model):
    number = models.CharField(_("claim number"), max_length=30, unique=True)
    policy = models.ForeignKey(
        "participants.Policy", on_delete=models.PROTECT, related_name="claims"
    )
    # A key of the policy's scheme version's benefits (sickness, accident, death, ...).
    benefit = models.CharField(_("claim type"), max_length=30)
    # Copied from the scheme at submission: lpa, or bpjs_tk_referral.
    payout_route = models.CharField(max_length=20)
    event_date = models.DateField(_("date of the event"))
    policy_year = models.PositiveSmallIntegerField()
    sick_days = models.PositiveSmallIntegerField(_("consecutive days ill"), null=True, blank=True)
    hospital_days = models.PositiveSmallIntegerField(_("days in hospital"), null=True, blank=True)
    description = models.CharField(_("what happened"), max_length=500, blank=True)
    heir = models.ForeignKey(
        "participants.Heir", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payout_method = models.CharField(
        _("payout"), max_length=5, choices=PayoutMethod.choices, default=PayoutMethod.CASH
    )
    bank_name = models.CharField(_("bank"), max_length=60, blank=True)
    bank_account = models.CharField(_("account number"), max_length=30, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=150, blank=True)
    # What the LPA pays (0 for a referral), from the scheme and the policy year.
    amount = models.PositiveIntegerField(_("amount"))
    status = models.CharField(
        _("status"), max_length=14, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    # When the last required document arrived: the service-level clock starts here.
    complete_at = models.DateTimeField(null=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    verified_at = models.DateTimeField(null=True)
    # The checks as Urusan Klaim saw them when verifying: [{code, passed, message}].
    checks = models.JSONField(default=list)
    payment_request = models.ForeignKey(
        PaymentRequest, on_delete=models.PROTECT, null=True, related_name="claims"
    )
    paid_at = models.DateTimeField(null=True)
    entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, related_name="+"
    )
    # Working days from complete submission to payment (or referral), once known.
    service_days = models.PositiveSmallIntegerField(null=True)
    referral_reference = models.CharField(
        _("BPJS Ketenagakerjaan reference"), max_length=60, blank=True
    )
    rejection_reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)
    return_reason = models.CharField(_("documents missing"), max_length=500, blank=True)
    notified_at = models.DateTimeField(null=True)
    notified_how = models.CharField(_("how the participant was told"), max_length=200, blank=True)
    closed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("claim")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "benefit", "event_date"],
                condition=~Q(status="rejected"),
                name="claim_one_per_event",
            ),
            # Referrals are paid by BPJS Ketenagakerjaan, never from the LPA's reserve.
            # (OR rather than IN: see participants.Policy on the clone check.)
            models.CheckConstraint(
                condition=Q(payout_route="lpa")
                | ~(Q(status="recapitulated") | Q(status="approved") | Q(status="paid")),
                name="claim_referral_not_paid_by_lpa",
            ),
            models.CheckConstraint(
                condition=~Q(payout_route="lpa") | ~Q(status="referred"),
                name="claim_lpa_route_not_referred",
            ),
        ]
        indexes = [models.Index(fields=["status", "complete_at"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_referral(self) -> bool:
        return self.payout_route != "lpa"


class ClaimDocument(models.Model):
    """An uploaded document, stored under the tenant's own media folder and served only
    through the claim's page on the tenant's host (never by a public URL)."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("document"), max_length=24, choices=DocumentKind.choices)
    filename = models.CharField(max_length=200)
    stored_as = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.kind}"


class ClaimEvent(models.Model):
    """Each step of a claim: who, when, from which state to which, and why."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=14, blank=True)
    to_status = models.CharField(max_length=14)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.action}"
