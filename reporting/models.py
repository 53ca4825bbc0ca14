"""Public reporting data: findings, the LPAs' reconciliation states, and the tiered
reporting schedule (each LPA's period reports, their frozen versions, the tiers'
consolidated reports, their reviews and notices). No personal data: figures only."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
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
        LPA_NOT_READY = "lpa_not_ready", _("LPA appointed but not ready")

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


# --- the tiered reporting schedule (reporting/reports.py) --------------------------------


class ReportLevel(models.TextChoices):
    """Who a report is from: an LPA, or a tier's consolidated report."""

    LPA = "lpa", _("LPA")
    REGENCY = "regency", _("Kabupaten/kota")
    PROVINCE = "province", _("Province")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Not submitted")
    SUBMITTED = "submitted", _("Submitted, awaiting review")
    RETURNED = "returned", _("Returned for correction")
    ACCEPTED = "accepted", _("Accepted")


class ReportSchedule(models.Model):
    """When each period type's reports are due, in days after the period's last day:
    from the LPA, from the kabupaten/kota and from the province; and when an LPA's
    report expires (no edit or submission without the district reopening it; 0: never).
    Seeded by `askesos setup` from reporting/data/schedule.json; the ministry edits it,
    and the seed never overwrites an edited row."""

    period_type = models.CharField(max_length=10, unique=True)
    lpa_due_days = models.PositiveSmallIntegerField(_("LPA report due (days after the period)"))
    regency_due_days = models.PositiveSmallIntegerField(
        _("kabupaten/kota report due (days after the period)")
    )
    province_due_days = models.PositiveSmallIntegerField(
        _("province report due (days after the period)")
    )
    expiry_days = models.PositiveSmallIntegerField(
        _("LPA report locked after (days after the period; 0: never)")
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    edited_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["lpa_due_days"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lpa_due_days__lte=models.F("regency_due_days"))
                & Q(regency_due_days__lte=models.F("province_due_days")),
                name="report_schedule_tiers_in_order",
            ),
            models.CheckConstraint(
                condition=Q(expiry_days=0) | Q(expiry_days__gte=models.F("lpa_due_days")),
                name="report_schedule_expiry_after_due",
            ),
        ]

    def __str__(self) -> str:
        return self.period_type


class Report(models.Model):
    """One report owed for one period: by an LPA (created when the period ends, for
    every active LPA: the obligation completeness counts), or a tier's consolidated
    report (kabupaten/kota, province). Its submitted versions are ReportVersion rows
    that never change; this row carries the state and the working draft."""

    level = models.CharField(max_length=10, choices=ReportLevel.choices)
    lpa = models.ForeignKey(
        "tenants.Lpa", on_delete=models.PROTECT, null=True, related_name="reports"
    )
    regency = models.ForeignKey(
        "geo.Regency", on_delete=models.PROTECT, null=True, related_name="+"
    )
    province = models.ForeignKey("geo.Province", on_delete=models.PROTECT, related_name="+")
    period_type = models.CharField(max_length=10)
    period_start = models.DateField()
    period_end = models.DateField()
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.DRAFT)
    due_on = models.DateField()
    expires_on = models.DateField(null=True)  # LPA reports; None: never
    # The draft: figures computed from the books (LPA) or from accepted reports below
    # (tiers), and the narrative being written.
    figures = models.JSONField(default=dict)
    computed_at = models.DateTimeField(null=True)
    narrative = models.TextField(blank=True)
    planned_actions = models.TextField(blank=True)
    versions = models.PositiveSmallIntegerField(default=0)
    first_submitted_at = models.DateTimeField(null=True)
    last_submitted_at = models.DateTimeField(null=True)
    reviewed_at = models.DateTimeField(null=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    review_comment = models.CharField(max_length=1000, blank=True)
    reopened_until = models.DateField(null=True)  # an expired report opened again

    class Meta:
        ordering = ["-period_start", "level", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lpa", "period_type", "period_start"],
                condition=Q(level="lpa"),
                name="report_one_per_lpa_period",
            ),
            models.UniqueConstraint(
                fields=["regency", "period_type", "period_start"],
                condition=Q(level="regency"),
                name="report_one_per_regency_period",
            ),
            models.UniqueConstraint(
                fields=["province", "period_type", "period_start"],
                condition=Q(level="province"),
                name="report_one_per_province_period",
            ),
            models.CheckConstraint(
                condition=(
                    Q(level="lpa", lpa__isnull=False, regency__isnull=False)
                    | Q(level="regency", lpa__isnull=True, regency__isnull=False)
                    | Q(level="province", lpa__isnull=True, regency__isnull=True)
                ),
                name="report_area_matches_level",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(versions__gt=0),
                name="report_submitted_has_version",
            ),
            models.CheckConstraint(
                condition=~Q(state="returned") | ~Q(review_comment=""),
                name="report_returned_with_comment",
            ),
        ]
        indexes = [
            models.Index(fields=["period_type", "period_start", "level", "regency"]),
            models.Index(fields=["period_type", "period_start", "level", "province"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.level} {self.lpa_id or self.regency_id or self.province_id} {self.period_start}"
        )


class ReportVersion(models.Model):
    """A submitted report as it was submitted: never changed nor deleted (PostgreSQL
    refuses it, migration 0006). A correction is the next version, with its reason."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="version_set")
    number = models.PositiveSmallIntegerField()
    figures = models.JSONField()
    narrative = models.TextField(blank=True)
    planned_actions = models.TextField(blank=True)
    reason = models.CharField(max_length=500, blank=True)  # why this correction
    # Tier reports: the versions below they add up, {report id: version number}.
    sources = models.JSONField(default=dict)
    computed_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["report_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_once"),
            models.CheckConstraint(
                condition=Q(number=1) | ~Q(reason=""), name="report_correction_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} v{self.number}"


class ReportEvent(models.Model):
    """Who did what to a report and when: generated, submitted, accepted, returned,
    reopened. Never changed (PostgreSQL refuses it)."""

    class Action(models.TextChoices):
        GENERATED = "generated", _("figures computed")
        SAVED = "saved", _("narrative saved")
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")
        REOPENED = "reopened", _("reopened")

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    version = models.PositiveSmallIntegerField(null=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    comment = models.CharField(max_length=1000, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.action}"


class ReportNotice(models.Model):
    """An in-app notice (and the e-mail sent with it) about a report: a reminder before
    the due day, a late report for the district. One per report, kind and person: the
    reminder job may run any number of times."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Report due soon")
        DUE_TOMORROW = "due_tomorrow", _("Report due tomorrow")
        LATE = "late", _("Report late")
        LATE_DISTRICT = "late_district", _("LPA report late")
        RETURNED = "returned", _("Report returned")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    emailed = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "kind", "user"], name="report_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind} {self.user_id}"


class FactLevel(models.TextChoices):
    LPA = "lpa", _("LPA")
    REGENCY = "regency", _("Regency/City")
    PROVINCE = "province", _("Province")


# Headline figures kept as columns (trends and rankings read them without opening the
# JSON): column name -> the month figure it copies (reporting.figures); a figure with a
# breakdown is summed over it.
FACT_COLUMNS = {
    "participants_active": "participants.status:active",
    "participants_open": "participants.open",
    "premiums_due": "premiums.due",
    "premiums_collected": "premiums.collected",
    "claims_paid": "claims.paid",
    "claims_paid_amount": "claims.paid_amount",
    "claims_overdue": "claims.overdue",
    "reserve_closing": "reserve.closing",
    "savings_owed": "savings.owed",
    "subsidy_in": "reserve.subsidy_in",
}


class Fact(models.Model):
    """The rollup facts the government's dashboards read (DHIS2's analytics tables,
    kept fresh within a minute instead of nightly): one row per LPA and month with its
    month figures (reporting.figures.month_figures), and the same figures added up per
    kabupaten/kota and per province for each group of LPAs that the filters tell apart
    (scheme, subsidy channels), so that every dashboard query is a plain indexed read
    of a few rows and never enters an LPA's schema. No personal data."""

    level = models.CharField(max_length=8, choices=FactLevel.choices)
    month = models.DateField()  # the month's first day
    province = models.ForeignKey("geo.Province", on_delete=models.PROTECT, related_name="+")
    regency = models.ForeignKey(
        "geo.Regency", on_delete=models.PROTECT, null=True, related_name="+"
    )
    lpa = models.ForeignKey("tenants.Lpa", on_delete=models.CASCADE, null=True, related_name="+")
    # The LPA's scheme code, and the subsidy channels that funded it in the month's
    # fiscal year as bits (reporting.rollup.CHANNEL_BITS).
    scheme = models.CharField(max_length=40)
    channels = models.PositiveSmallIntegerField(default=0)
    lpas = models.PositiveIntegerField(default=0)  # LPAs taking part (active)
    participants_active = models.BigIntegerField(default=0)
    participants_open = models.BigIntegerField(default=0)
    premiums_due = models.BigIntegerField(default=0)
    premiums_collected = models.BigIntegerField(default=0)
    claims_paid = models.BigIntegerField(default=0)
    claims_paid_amount = models.BigIntegerField(default=0)
    claims_overdue = models.BigIntegerField(default=0)
    reserve_closing = models.BigIntegerField(default=0)
    savings_owed = models.BigIntegerField(default=0)
    subsidy_in = models.BigIntegerField(default=0)
    # One LPA's own: the median working days to pay a claim in the month, and the
    # state of its reserve's reconciliation (areas combine the counts in `figures`).
    claims_days_median = models.FloatField(null=True)
    reconciliation = models.CharField(max_length=14, blank=True)
    figures = models.JSONField(default=dict)
    # The claims paid per type and working days ("death:3": 2), apart from `figures`
    # so that a median over any area and months reads a few small values.
    claims_days = models.JSONField(default=dict)
    # Computed after the month ended (by the month-end job or a later refresh).
    final = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "month", "province", "regency", "lpa", "scheme", "channels"],
                nulls_distinct=False,
                name="fact_one_row",
            ),
            models.CheckConstraint(
                condition=(
                    Q(level="lpa", regency__isnull=False, lpa__isnull=False)
                    | Q(level="regency", regency__isnull=False, lpa__isnull=True)
                    | Q(level="province", regency__isnull=True, lpa__isnull=True)
                ),
                name="fact_level_matches_area",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="fact_month_first_day"),
        ]
        indexes = [
            models.Index(fields=["level", "province", "month"], name="fact_province_month"),
            models.Index(fields=["level", "regency", "month"], name="fact_regency_month"),
            models.Index(fields=["level", "month"], name="fact_level_month"),
            models.Index(fields=["lpa", "month"], name="fact_lpa_month"),
        ]

    def __str__(self) -> str:
        area = self.lpa_id or self.regency_id or self.province_id
        return f"{self.level} {self.month:%Y-%m} {area}"


class FactMark(models.Model):
    """The outbox of the near-real-time rollup: a trigger on the LPA's tables writes one
    row per changing statement, in the change's own transaction, naming the schema and
    the earliest month it touches (reporting/migrations/0008, programme/migrations).
    The sweep (reporting.tasks.rollup_sweep) takes them and refreshes each LPA's months
    from that one to the current. Append-only: a writer never waits for another."""

    schema_name = models.CharField(max_length=63)
    month = models.DateField()
    marked_at = models.DateTimeField(auto_now_add=True, db_default=Now())

    def __str__(self) -> str:
        return f"{self.schema_name} {self.month:%Y-%m}"


class DrillView(models.Model):
    """A government user's look at an area's dashboard or an LPA's summary: who, what,
    when (the drill-down log the ministry can audit)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=8)  # nation, province, regency, lpa
    area = models.CharField(max_length=40, blank=True)  # a province/regency code, an LPA slug
    query = models.CharField(max_length=300, blank=True)  # period and filters
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "at"], name="drillview_user_at")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.level} {self.area}"


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AuditExport(models.Model):
    """A ministry audit export of one period and area: made by a Celery job into its
    own folder (tables as XLSX and CSV, a PDF summary, a signed manifest.json, all in
    one ZIP). The same request while one runs joins it (a unique constraint)."""

    class Kind(models.TextChoices):
        TABLES = "tables", _("Tables (aggregates)")
        PERSONS = "persons", _("Participants (person level, without NIK)")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    period = models.CharField(max_length=10)  # a period code: 2026-10, 2026-T3, 2026
    level = models.CharField(max_length=8)  # nation, province, regency
    area = models.CharField(max_length=5, blank=True)  # the province or regency code
    # What makes two requests the same: kind, period, area and filters.
    key = models.CharField(max_length=120)
    params = models.JSONField(default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=8, choices=ExportState.choices, default=ExportState.QUEUED)
    done = models.PositiveIntegerField(default=0)  # steps done, of `steps`
    steps = models.PositiveIntegerField(default=1)
    finished_at = models.DateTimeField(null=True)
    error = models.CharField(max_length=500, blank=True)
    # The manifest as signed, the ZIP's name under EXPORT_ROOT and its SHA-256.
    manifest = models.JSONField(default=dict)
    path = models.CharField(max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(state__in=["queued", "running"]),
                name="audit_export_one_running",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} {self.level} {self.area}"
