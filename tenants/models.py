"""The LPA (Lembaga Pelaksana ASKESOS) tenant and its domains, in the public schema."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from askesos.dates import PROGRAMME_START


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
    # The day the LPA joined ASKESOS (its appointment or MoU), when recorded: nothing in
    # its books or registry is dated before it (askesos.dates). Empty: the programme's
    # start, the only bound an LPA that brought its paper books along may know.
    started_on = models.DateField(_("joined ASKESOS on"), null=True, blank=True)

    # Provisioning (tenants.services) creates the schema itself, by cloning the template.
    auto_create_schema = False

    class Meta:
        verbose_name = _("LPA")
        verbose_name_plural = _("LPAs")
        ordering = ["name"]
        indexes = [models.Index(fields=["regency", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(started_on__gte=PROGRAMME_START),
                name="lpa_started_in_programme",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")


class JobRunState(models.TextChoices):
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule")
    OPERATOR = "operator", _("Operator")


class JobRun(models.Model):
    """One run of a job for one day, for one LPA (or for the whole platform when `lpa`
    is empty). A done row is written in the same transaction as the day's work, so the
    work and its record commit together or not at all; PostgreSQL keeps one done row
    per job, LPA and day (a forced re-run is a further row, marked `forced`). Failed
    attempts are rows too: the history an operator reads (tenants.jobs)."""

    job = models.CharField(_("job"), max_length=40)
    lpa = models.ForeignKey(
        Lpa,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="job_runs",
        verbose_name=_("LPA"),
    )
    day = models.DateField(_("day"))
    state = models.CharField(_("state"), max_length=10, choices=JobRunState.choices)
    trigger = models.CharField(_("started by"), max_length=10, choices=JobTrigger.choices)
    forced = models.BooleanField(_("forced re-run"), default=False)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-day", "job", "lpa_id", "-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "lpa", "day"],
                condition=models.Q(state="done", forced=False),
                nulls_distinct=False,
                name="jobrun_one_done_per_day",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["done", "failed"]), name="jobrun_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(forced=False) | models.Q(state="done"),
                name="jobrun_forced_is_done",
            ),
        ]
        indexes = [models.Index(fields=["job", "day"], name="jobrun_job_day")]

    def __str__(self) -> str:
        return f"{self.job} {self.day} {self.state}"


class BankAccountPurpose(models.TextChoices):
    """Which bank account of the LPA's chart (programme.ledger.accounts) it is."""

    RESERVE = "1201", _("Claim reserve (Cadangan Dana Klaim)")
    SAVINGS = "1202", _("Premium savings")
    REVOLVING = "1203", _("Revolving fund")
    GRANTS = "1204", _("Grants")


class LpaBankAccount(models.Model):
    """An account the LPA holds at a bank, in the Tim Pengelola's name: where transfers
    go (the reserve account) and whose statements reconcile which account of the books.
    Public, because the province pays into it and a bank statement names only the
    account number (MT940 `:25:`); an organisation's account carries no personal data."""

    lpa = models.ForeignKey(
        Lpa, on_delete=models.CASCADE, related_name="bank_accounts", verbose_name=_("LPA")
    )
    purpose = models.CharField(_("account"), max_length=4, choices=BankAccountPurpose.choices)
    bank_name = models.CharField(_("bank"), max_length=60)
    number = models.CharField(_("account number"), max_length=34, unique=True)
    holder = models.CharField(_("account holder"), max_length=140)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("LPA bank account")
        verbose_name_plural = _("LPA bank accounts")
        ordering = ["lpa_id", "purpose"]
        constraints = [
            models.UniqueConstraint(
                fields=["lpa", "purpose"], name="lpa_bank_account_one_per_purpose"
            ),
            models.CheckConstraint(
                condition=models.Q(number__regex=r"^[0-9]{6,20}$"),
                name="lpa_bank_account_number_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.number}"
