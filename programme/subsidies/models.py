"""The state's money to the LPAs, in public. PostgreSQL refuses what must never happen
whatever the code does (migrations/0002): allocating more than the budget or the
province's share, paying more than an allocation, a batch approved by its maker, a
transfer posted without its entry or changed once final."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    APBN = "apbn", _("APBN (central)")
    DEKONSENTRASI = "dekonsentrasi", _("Deconcentration funds (dana dekonsentrasi)")


class Purpose(models.TextChoices):
    CLAIM_RESERVE = "claim_reserve", _("Claim-reserve aid (Cadangan Dana Klaim)")
    PREMIUM_AID = "premium_aid", _("Premium aid (bantuan iuran)")


class FiscalYearRates(models.Model):
    """The amounts and rates of one fiscal year, as the ministry sets them: never a
    Python literal. Seeded from programme/subsidies/data/rates.json by `askesos setup`;
    editable by the ministry."""

    year = models.PositiveSmallIntegerField(_("fiscal year"), unique=True)
    reserve_aid_per_participant = models.BigIntegerField(_("claim-reserve aid per participant"))
    premium_aid_per_month = models.BigIntegerField(_("premium aid per participant per month"))
    premium_aid_months = models.PositiveSmallIntegerField(_("months of premium aid"))
    # The LPA's honorarium on premium aid channelled, in basis points (1250 = 12,5%).
    honorarium_bp = models.PositiveIntegerField(_("honorarium (basis points)"))
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("fiscal year rates")
        verbose_name_plural = _("fiscal year rates")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2003, year__lte=2100), name="rates_year_range"
            ),
            models.CheckConstraint(
                condition=Q(reserve_aid_per_participant__gte=0, premium_aid_per_month__gte=0)
                & Q(honorarium_bp__lte=10000),
                name="rates_amounts_valid",
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)


class Budget(models.Model):
    """A fiscal year's budget line of one channel and purpose, under its DIPA."""

    year = models.PositiveSmallIntegerField(_("fiscal year"))
    channel = models.CharField(_("channel"), max_length=15, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=15, choices=Purpose.choices)
    dipa_reference = models.CharField(_("DIPA reference"), max_length=60)
    amount = models.BigIntegerField(_("amount"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "channel", "purpose"]
        verbose_name = _("budget")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "channel", "purpose"], name="budget_one_per_year_channel_purpose"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.channel} {self.purpose}"


class ProvinceAllocation(models.Model):
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="allocations")
    province = models.ForeignKey("geo.Province", on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("amount"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["budget", "province_id"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "province"], name="province_allocation_once"),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="province_allocation_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget} {self.province_id}"


class AllocationRule(models.TextChoices):
    PARTICIPANTS = "participants", _("Active participants x rate")
    MANUAL = "manual", _("By hand")


class LpaAllocation(models.Model):
    province_allocation = models.ForeignKey(
        ProvinceAllocation, on_delete=models.PROTECT, related_name="lpa_allocations"
    )
    lpa = models.ForeignKey("tenants.Lpa", on_delete=models.PROTECT, related_name="allocations")
    amount = models.BigIntegerField(_("amount"))
    rule = models.CharField(_("rule"), max_length=12, choices=AllocationRule.choices)
    participants = models.PositiveIntegerField(_("active participants"), null=True)
    rate = models.BigIntegerField(_("rate per participant"), null=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["province_allocation", "lpa__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["province_allocation", "lpa"], name="lpa_allocation_once"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="lpa_allocation_amount_positive"
            ),
            models.CheckConstraint(
                condition=(
                    Q(rule="manual") & ~Q(reason="")
                    | Q(rule="participants", amount=F("participants") * F("rate"))
                ),
                name="lpa_allocation_rule_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lpa_id} {self.amount}"


class BatchState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent to the bank")
    DONE = "done", _("Done")


class TransferBatch(models.Model):
    """Transfers a province officer puts together and another approves (maker-checker,
    checked by PostgreSQL), sent to the bank as one file."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    province = models.ForeignKey("geo.Province", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("state"), max_length=10, choices=BatchState.choices, default=BatchState.PLANNED
    )
    execution_date = models.DateField(_("execution date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    approved_at = models.DateTimeField(null=True)
    sent_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("created_by")),
                name="batch_checker_is_not_maker",
            ),
            models.CheckConstraint(
                condition=Q(state="planned") | Q(approved_by__isnull=False),
                name="batch_approved_before_sent",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["planned", "approved"]) | Q(sent_at__isnull=False),
                name="batch_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class TransferState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")
    CONFIRMED = "confirmed", _("Confirmed by the bank")
    POSTED = "posted", _("Posted to the LPA's books")
    FAILED = "failed", _("Failed")
    RETURNED = "returned", _("Returned by the bank")


FINAL_TRANSFER_STATES = (TransferState.POSTED, TransferState.FAILED, TransferState.RETURNED)


class Transfer(models.Model):
    """A tranche (termin) of one LPA's allocation, paid in one batch. The transfers of
    an allocation that did not fail never add up to more than it (PostgreSQL). The
    account is copied when the batch is built: the file the checker approved is the
    file the bank gets."""

    batch = models.ForeignKey(TransferBatch, on_delete=models.PROTECT, related_name="transfers")
    allocation = models.ForeignKey(
        LpaAllocation, on_delete=models.PROTECT, related_name="transfers"
    )
    lpa = models.ForeignKey("tenants.Lpa", on_delete=models.PROTECT, related_name="transfers")
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    amount = models.BigIntegerField(_("amount"))
    account_purpose = models.CharField(max_length=4)  # the LPA's chart code: 1201 or 1202
    account_number = models.CharField(_("account number"), max_length=34)
    bank_name = models.CharField(_("bank"), max_length=60)
    holder = models.CharField(_("account holder"), max_length=140)
    state = models.CharField(
        _("state"), max_length=10, choices=TransferState.choices, default=TransferState.PLANNED
    )
    bank_reference = models.CharField(_("bank reference"), max_length=60, blank=True)
    value_date = models.DateField(_("value date"), null=True)
    reason = models.CharField(_("bank's reason"), max_length=300, blank=True)
    # The LPA's JournalEntry (in its schema; no database key across schemas).
    entry_id = models.BigIntegerField(null=True)
    posted_at = models.DateTimeField(null=True)
    # Why the last attempt to post failed (a closed month, ...); cleared when posted.
    post_error = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["batch", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(
                condition=~Q(state="posted") | Q(entry_id__isnull=False, posted_at__isnull=False),
                name="transfer_posted_has_entry",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["failed", "returned"]) | ~Q(reason=""),
                name="transfer_failure_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["lpa", "state"], name="transfer_lpa_state")]

    def __str__(self) -> str:
        return self.reference


class TransferEvent(models.Model):
    """Every change of a transfer's state: who or which file, when, from what to what."""

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="events")
    from_state = models.CharField(max_length=10)
    to_state = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    bank_file = models.ForeignKey("BankFile", on_delete=models.PROTECT, null=True, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.from_state}->{self.to_state}"


class BankFileKind(models.TextChoices):
    BATCH = "batch", _("Transfer batch (to the bank)")
    CONFIRMATIONS = "confirmations", _("Confirmations (from the bank)")


class BankFile(models.Model):
    """A file sent to or received from the bank, kept with its report: the per-line
    problems, how many lines were used. Stored under MEDIA_ROOT/public/bank/."""

    kind = models.CharField(max_length=15, choices=BankFileKind.choices)
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveIntegerField()
    path = models.CharField(max_length=300)
    batch = models.ForeignKey(
        TransferBatch, on_delete=models.PROTECT, null=True, related_name="files"
    )
    lines = models.PositiveIntegerField(default=0)
    used = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
