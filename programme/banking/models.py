"""Bank statements as the bank sent them, and their reconciliation with the books.

A statement file is kept (on disk and as a row, with its import report) whatever
became of it; a statement is stored once (its account, number and closing date are
unique); its lines never change after import (a PostgreSQL trigger refuses it), only
their match to a ledger line does. A statement line matches at most one journal line
and a journal line at most one statement line (a unique column)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class StatementFile(models.Model):
    class Source(models.TextChoices):
        UPLOAD = "upload", _("Uploaded")
        BANK = "bank", _("From the bank")

    class State(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        REFUSED = "refused", _("Nothing imported")

    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveIntegerField()
    # Relative to MEDIA_ROOT: <schema>/bank/<sha256>.<ext>
    path = models.CharField(max_length=300)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.UPLOAD)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # The import report: [{"line": 12, "code": "balance_mismatch", "params": {...},
    # "text": what the line said}], put into words when read (problem_text).
    problems = models.JSONField(default=list)
    statements = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.REFUSED)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class BankStatement(models.Model):
    file = models.ForeignKey(
        StatementFile, on_delete=models.PROTECT, related_name="bank_statements"
    )
    account = models.CharField(max_length=4)  # the ledger account: 1201-1204
    account_number = models.CharField(max_length=34)
    number = models.CharField(max_length=20)  # :28C:
    opening_date = models.DateField()
    opening_balance = models.BigIntegerField()
    closing_date = models.DateField()
    closing_balance = models.BigIntegerField()

    class Meta:
        ordering = ["account", "closing_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "number", "closing_date"], name="bank_statement_once"
            ),
            models.CheckConstraint(
                condition=Q(closing_date__gte=models.F("opening_date")),
                name="bank_statement_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.number} {self.closing_date}"


class MatchKind(models.TextChoices):
    AUTO = "auto", _("Matched automatically")
    MANUAL = "manual", _("Matched by hand")
    POSTED = "posted", _("Posted from the statement")


class StatementLine(models.Model):
    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="lines")
    line = models.PositiveIntegerField()  # where it starts in the file
    value_date = models.DateField()
    amount = models.BigIntegerField()  # + money in, - money out
    kind = models.CharField(max_length=8, blank=True)  # NTRF, NCHG, NINT, ...
    reference = models.CharField(max_length=60, blank=True)
    bank_reference = models.CharField(max_length=60, blank=True)
    text = models.CharField(max_length=400, blank=True)
    journal_line = models.OneToOneField(
        "ledger.JournalLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_line",
    )
    match_kind = models.CharField(max_length=8, choices=MatchKind.choices, blank=True)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    matched_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["statement", "line", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="statement_line_not_zero"),
            models.CheckConstraint(
                condition=Q(journal_line__isnull=True, match_kind="")
                | Q(journal_line__isnull=False) & ~Q(match_kind=""),
                name="statement_line_match_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value_date} {self.amount}"


class ReconciliationState(models.TextChoices):
    AGREES = "agrees", _("Books and bank agree")
    DIFFERENCE = "difference", _("Difference open")
    NO_STATEMENT = "no_statement", _("No statement")


class Reconciliation(models.Model):
    """One run for one account: what the page shows is the latest per account."""

    account = models.CharField(max_length=4)
    as_of = models.DateField(null=True)  # the latest statement's closing date
    ledger_balance = models.BigIntegerField()
    bank_balance = models.BigIntegerField(null=True)
    difference = models.BigIntegerField(default=0)  # bank - books
    unmatched_bank_count = models.PositiveIntegerField(default=0)
    unmatched_bank_amount = models.BigIntegerField(default=0)
    unmatched_books_count = models.PositiveIntegerField(default=0)
    unmatched_books_amount = models.BigIntegerField(default=0)
    state = models.CharField(max_length=12, choices=ReconciliationState.choices)
    run_at = models.DateTimeField(auto_now_add=True)
    trigger = models.CharField(max_length=10)  # job, import, page, match, post
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )

    class Meta:
        ordering = ["-run_at", "-pk"]
        indexes = [models.Index(fields=["account", "-run_at"])]

    def __str__(self) -> str:
        return f"{self.account} {self.as_of} {self.state}"
