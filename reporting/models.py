"""Public reporting data. Report periods, snapshots and rollup facts arrive with the
reporting issues; findings are here already because claims raise them."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Finding(models.Model):
    """Something the LPA and its district (and above) must look at: a claim waiting
    past the service level, a reserve that cannot cover an approved claim. Written from
    the LPA's jobs and services into public; carries no personal data (claim numbers
    and amounts only), so government users read it without entering the LPA."""

    class Kind(models.TextChoices):
        CLAIM_OVERDUE = "claim_overdue", _("Claim waiting past the service level")
        RESERVE_SHORT = "reserve_short", _("Claim reserve cannot cover approved claims")
        RECONCILIATION_DIFFERENCE = (
            "reconciliation_difference",
            _("Books and bank statement disagree"),
        )
        RESERVE_LOW = "reserve_low", _("Claim reserve below three months' expected claims")

    lpa = models.ForeignKey("tenants.Lpa", on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # What it is about, unique per LPA while open: "claim:KLM-2026-00012", "reserve".
    subject = models.CharField(max_length=60)
    summary = models.CharField(max_length=300)
    amount = models.BigIntegerField(null=True)
    days = models.PositiveIntegerField(null=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["lpa", "kind", "subject"],
                condition=Q(resolved_at__isnull=True),
                name="finding_one_open_per_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lpa_id} {self.kind} {self.subject}"


class ReconciliationStatus(models.Model):
    """Where each LPA's books and bank stand, per bank account, written by the LPA's
    reconciliation (an upsert on lpa + account). Public and without personal data, so
    the district reads it without entering the LPA."""

    class State(models.TextChoices):
        AGREES = "agrees", _("Books and bank agree")
        DIFFERENCE = "difference", _("Difference open")
        NO_STATEMENT = "no_statement", _("No statement this month")

    lpa = models.ForeignKey(
        "tenants.Lpa", on_delete=models.CASCADE, related_name="reconciliation_statuses"
    )
    account = models.CharField(max_length=4)
    month = models.DateField()  # first day of the month of the statement's closing date
    state = models.CharField(max_length=12, choices=State.choices)
    difference = models.BigIntegerField(default=0)  # bank - books
    statement_closing_date = models.DateField(null=True)
    checked_at = models.DateTimeField()

    class Meta:
        ordering = ["lpa_id", "account"]
        constraints = [
            models.UniqueConstraint(fields=["lpa", "account"], name="reconciliation_status_once"),
            models.CheckConstraint(
                condition=Q(month__day=1), name="reconciliation_status_month_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lpa_id} {self.account} {self.state}"
