"""The LPA's books. Every rupiah is an int and moves only by a balanced journal entry;
PostgreSQL refuses an unbalanced entry, a posting into a month being closed or closed,
a second posting with the same source key, and any change to a posted entry
(programme/dbfunctions). Corrections are reversing entries."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from askesos.dates import PROGRAMME_START


class Fund(models.TextChoices):
    RESERVE = "reserve", _("Claim reserve (Cadangan Dana Klaim)")
    SAVINGS = "savings", _("Premium savings")
    REVOLVING = "revolving", _("Revolving fund (dana perputaran)")
    GRANTS = "grants", _("Grants (hibah)")
    OPERATIONS = "operations", _("Operations")
    CASH = "cash", _("Cash")


class AccountKind(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    EQUITY = "equity", _("Fund balance")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


class Account(models.Model):
    """The chart of accounts, seeded by migration (so the template, and every clone,
    starts with it). Balances are sums of lines: debit positive, credit negative."""

    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=120)
    fund = models.CharField(max_length=12, choices=Fund.choices)
    kind = models.CharField(max_length=10, choices=AccountKind.choices)
    is_bank = models.BooleanField(default=False)
    # Money that physically exists (cash, bank): its balance may never go below zero.
    is_money = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PREPARED = "prepared", _("Prepared, awaiting the Ketua's signature")
    CLOSED = "closed", _("Closed and signed")


class Period(models.Model):
    """A month of the books. Prepared by the Bendahara, signed by the Ketua; from
    preparation on, PostgreSQL accepts no posting dated in it."""

    month = models.DateField(unique=True)  # the first day of the month
    status = models.CharField(
        max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    prepared_at = models.DateTimeField(null=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    signed_at = models.DateTimeField(null=True)
    # The balances the Ketua signed, by account code: what "closed months unchanged" means.
    signed_balances = models.JSONField(default=dict)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="period_month_first_day"),
            # Its upper bound (begun already) and the LPA's start are a trigger's
            # (programme/dbfunctions/migrations/0003): a CHECK cannot read the clock.
            models.CheckConstraint(
                condition=Q(month__gte=PROGRAMME_START), name="period_month_in_programme"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.status}"


class PeriodEvent(models.Model):
    """Who prepared, signed or reopened a month, when and why."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=10)  # prepare, sign, reopen
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    LABELS = {"prepare": _("prepared"), "sign": _("signed"), "reopen": _("reopened")}

    def __str__(self) -> str:
        return f"{self.period} {self.action}"

    @property
    def action_label(self) -> str:
        return str(self.LABELS.get(self.action, self.action))


class EntryKind(models.TextChoices):
    PREMIUM = "premium", _("Premium receipt")
    PREMIUM_AID = "premium_aid", _("Government premium aid")
    HANDOVER = "handover", _("Hand-over to the Bendahara")
    DEPOSIT = "deposit", _("Bank deposit")
    MATURITY = "maturity", _("Savings returned at maturity")
    WITHDRAWAL = "withdrawal", _("Savings returned on withdrawal")
    SUBSIDY = "subsidy", _("Claim-reserve subsidy")
    CLAIM = "claim", _("Claim paid")
    LOAN = "loan", _("Loan disbursed")
    REPAYMENT = "repayment", _("Loan repayment")
    GRANT = "grant", _("Grant received")
    GRANT_USE = "grant_use", _("Grant spent")
    EXPENSE = "expense", _("Operating expense")
    INTEREST = "interest", _("Bank interest")
    REVERSAL = "reversal", _("Reversal")


class JournalEntry(models.Model):
    date = models.DateField()
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    # What caused it (a receipt, a payout, ...): a retried job cannot post it twice.
    source_key = models.CharField(max_length=120, unique=True)
    # In Bahasa Indonesia; `note` says the same as a code and parameters, so that the
    # books put it in the reader's language (programme/ledger/notes.py).
    description = models.CharField(max_length=300)
    note = models.JSONField(null=True, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, related_name="reversed_by"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["date"])]
        constraints = [
            # Also refused by the BEFORE INSERT trigger, with today and the LPA's start.
            models.CheckConstraint(
                condition=Q(date__gte=PROGRAMME_START), name="entry_date_in_programme"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.description}"


class JournalLine(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    amount = models.BigIntegerField()  # debit > 0, credit < 0, never 0
    # The participant whose savings (or loan) the line moves: the sub-ledger.
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="line_not_zero")]
        indexes = [
            models.Index(fields=["account", "entry"]),
            models.Index(fields=["participant", "account"]),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount}"


class ReceiptStatus(models.TextChoices):
    COLLECTED = "collected", _("With the field officer")
    HANDED_OVER = "handed_over", _("With the Bendahara")
    DEPOSITED = "deposited", _("In the bank")
    REVERSED = "reversed", _("Reversed")


class PremiumReceipt(models.Model):
    """A premium paid to a field officer against a numbered receipt (Buku Setoran Premi)."""

    number = models.CharField(_("receipt number"), max_length=30, unique=True)
    policy = models.ForeignKey(
        "participants.Policy", on_delete=models.PROTECT, related_name="receipts"
    )
    first_month = models.PositiveSmallIntegerField()  # 0-based coverage month
    months = models.PositiveSmallIntegerField()
    amount = models.PositiveIntegerField()
    received_on = models.DateField()
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    status = models.CharField(
        max_length=12, choices=ReceiptStatus.choices, default=ReceiptStatus.COLLECTED
    )
    # One entry per receipt when typed in; one entry per batch on the bulk path, with a
    # savings line per participant.
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="receipts")
    handover = models.ForeignKey(
        "CashHandover", on_delete=models.PROTECT, null=True, related_name="receipts"
    )
    # The collection sheet's row key: a sheet sent twice (a reload, a double tap) finds
    # the receipt it already wrote instead of taking the money twice. Empty elsewhere;
    # a database default so that the bulk path's COPY need not name it.
    request_key = models.CharField(max_length=40, blank=True, default="", db_default="")

    class Meta:
        ordering = ["received_on", "pk"]
        indexes = [models.Index(fields=["policy", "first_month"])]
        constraints = [
            models.UniqueConstraint(
                fields=["request_key"],
                condition=~Q(request_key=""),
                name="receipt_request_key_unique",
            ),
            models.CheckConstraint(condition=Q(months__gte=1), name="receipt_months_positive"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.number


class CashHandover(models.Model):
    """Receipts a field officer hands to the Bendahara, and later the bank deposit."""

    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    date = models.DateField()
    amount = models.PositiveIntegerField()
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")
    deposit_entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, null=True, related_name="+"
    )
    bank_reference = models.CharField(max_length=60, blank=True)

    def __str__(self) -> str:
        return f"{self.date} {self.amount}"


class Payout(models.Model):
    """Savings returned to a participant: at maturity or on withdrawal (with a slip)."""

    class Reason(models.TextChoices):
        MATURITY = "maturity", _("End of coverage")
        WITHDRAWAL = "withdrawal", _("Withdrawal")

    policy = models.OneToOneField(
        "participants.Policy", on_delete=models.PROTECT, related_name="payout"
    )
    reason = models.CharField(max_length=10, choices=Reason.choices)
    amount = models.PositiveIntegerField()
    paid_on = models.DateField()
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    # None when nothing was saved (a policy withdrawn before its first premium).
    entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, related_name="+", null=True
    )

    def __str__(self) -> str:
        return f"{self.policy_id} {self.amount}"


class Loan(models.Model):
    """Dana talangan: a bridging loan from the revolving fund (an ojek driver's tyre)."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="loans"
    )
    purpose = models.CharField(max_length=200)
    principal = models.PositiveIntegerField()
    fee = models.PositiveIntegerField(default=0)  # the revolving fund's profit
    installments = models.PositiveSmallIntegerField()
    disbursed_on = models.DateField()
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.participant_id} {self.principal}"


class LoanInstallment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="schedule")
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    principal = models.PositiveIntegerField()
    fee = models.PositiveIntegerField()
    paid_on = models.DateField(null=True)
    entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["loan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="installment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.loan_id}#{self.number}"


class Grant(models.Model):
    donor = models.CharField(max_length=150)
    purpose = models.CharField(max_length=300)
    amount = models.PositiveIntegerField()
    received_on = models.DateField()
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.donor} {self.amount}"
