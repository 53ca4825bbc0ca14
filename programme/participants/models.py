"""The LPA's registry, in the tenant schema. Raw NIKs live only here.

References to public tables (users, villages, scheme versions) carry no database
foreign key: each such key puts a trigger on the public table for every tenant
(docs/decisions/0002). Those rows are never deleted.
"""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class MaritalStatus(models.TextChoices):
    BELUM_KAWIN = "belum_kawin", _("Not married")
    KAWIN = "kawin", _("Married")
    CERAI_HIDUP = "cerai_hidup", _("Divorced")
    CERAI_MATI = "cerai_mati", _("Widowed")


class Occupation(models.TextChoices):
    """Informal-sector work as the programme documents name it."""

    OJEK = "ojek", _("Motorcycle taxi driver (ojek)")
    BECAK = "becak", _("Pedicab/bajaj driver")
    PEDAGANG_KECIL = "pedagang_kecil", _("Small trader")
    PEDAGANG_KELILING = "pedagang_keliling", _("Street food vendor")
    BURUH_BANGUNAN = "buruh_bangunan", _("Construction labourer")
    BURUH_TANI = "buruh_tani", _("Farm labourer")
    NELAYAN = "nelayan", _("Fisher")
    PETANI = "petani", _("Smallholder farmer")
    PEMBANTU_RT = "pembantu_rt", _("Domestic worker")
    TAMBAL_BAN = "tambal_ban", _("Tyre repairer")
    PENGRAJIN = "pengrajin", _("Home-industry craftsperson")
    PETERNAK = "peternak", _("Livestock keeper")
    LAINNYA = "lainnya", _("Other informal work")


class DataSource(models.TextChoices):
    PPLS = "ppls", _("PPLS list")
    DTKS = "dtks", _("DTKS list")
    PKH = "pkh", _("PKH household list")
    OUTREACH = "outreach", _("LPA outreach")


class PovertyStatus(models.TextChoices):
    MISKIN = "miskin", _("Poor")
    RENTAN_MISKIN = "rentan_miskin", _("Near-poor")
    TIDAK_MISKIN = "tidak_miskin", _("Not poor")


class MeetingGroup(models.Model):
    """Kelompok: participants of a desa who meet monthly with their field officer, who
    collects the premiums there. The collection sheet is filtered by it."""

    name = models.CharField(_("name"), max_length=100)
    # No single-column indexes: an LPA has a few dozen groups, the unique constraint
    # below leads with the village, and every relation is cloned into each LPA's schema.
    village = models.ForeignKey(
        "geo.Village",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("village"),
        db_constraint=False,
        db_index=False,
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("field officer"),
        db_constraint=False,
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting group")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["village", "name"], name="meeting_group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    nik = models.CharField(_("NIK"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=150)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    marital_status = models.CharField(
        _("marital status"), max_length=12, choices=MaritalStatus.choices
    )
    occupation = models.CharField(_("occupation"), max_length=20, choices=Occupation.choices)
    monthly_income = models.PositiveIntegerField(_("monthly income (Rp)"))
    household_size = models.PositiveSmallIntegerField(_("household members"), default=1)
    is_breadwinner = models.BooleanField(_("main breadwinner"), default=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    village = models.ForeignKey(
        "geo.Village",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("village"),
        db_constraint=False,
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    group = models.ForeignKey(
        MeetingGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
        verbose_name=_("meeting group (kelompok)"),
    )
    data_source = models.CharField(_("data source"), max_length=10, choices=DataSource.choices)
    poverty_status = models.CharField(
        _("poverty status"), max_length=15, choices=PovertyStatus.choices
    )
    documents = models.JSONField(_("documents seen"), default=list, blank=True)
    # Why a NIK that disagrees with the birth date or address was accepted anyway.
    nik_override_reason = models.CharField(_("NIK override reason"), max_length=300, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participant")
        ordering = ["name"]
        indexes = [
            # Word-prefix search on names ("bud" finds Budi) with PostgreSQL's built-in
            # full-text search: pg_trgm is not in every build (not in the embedded one).
            GinIndex(SearchVector("name", config="simple"), name="participant_name_fts"),
            models.Index(fields=["village"]),
        ]

    def __str__(self) -> str:
        return self.name


class HeirRelation(models.TextChoices):
    SPOUSE = "pasangan", _("Spouse")
    CHILD = "anak", _("Child")
    PARENT = "orang_tua", _("Parent")
    SIBLING = "saudara", _("Sibling")
    OTHER = "lainnya", _("Other")


class Heir(models.Model):
    """Ahli waris: receives the death benefit and may continue the membership."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="heirs")
    name = models.CharField(_("name"), max_length=150)
    relation = models.CharField(_("relation"), max_length=10, choices=HeirRelation.choices)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_primary = models.BooleanField(_("primary heir"), default=False)

    class Meta:
        verbose_name = _("heir")
        constraints = [
            models.UniqueConstraint(
                fields=["participant"], condition=Q(is_primary=True), name="heir_one_primary"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PolicyStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ACTIVE = "active", _("Active")
    LAPSED = "lapsed", _("Lapsed")
    MATURED = "matured", _("Matured")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DECEASED = "deceased", _("Deceased")


OPEN_STATUSES = (PolicyStatus.REGISTERED, PolicyStatus.ACTIVE)


class Policy(models.Model):
    number = models.CharField(_("policy number"), max_length=32, unique=True)
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="policies")
    # The version it was written under: a later version never changes this policy.
    scheme_version = models.ForeignKey(
        "schemes.SchemeVersion", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end of coverage"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=PolicyStatus.choices,
        default=PolicyStatus.REGISTERED,
    )
    status_changed_at = models.DateTimeField(auto_now_add=True)
    continued_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="continuations"
    )
    card_token = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                # Written with OR, not IN: PostgreSQL prints an IN-list over varchar in a
                # form that re-parses differently, and the clone check compares text.
                condition=Q(status="registered") | Q(status="active"),
                name="policy_one_open_per_participant",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="policy_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class PolicyEvent(models.Model):
    """One row per lifecycle transition: the policy's history."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, choices=PolicyStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=PolicyStatus.choices)
    effective_date = models.DateField()
    reason = models.CharField(max_length=300, blank=True)
    # A reason the system gave (first premium, arrears, ...) as a code and parameters,
    # shown in the reader's language; `reason` holds it in Bahasa Indonesia too.
    note = models.JSONField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"

    @property
    def reason_text(self) -> str:
        """The reason in the reader's language (as typed, when a person wrote it)."""
        from programme.participants.notes import POLICY_NOTES

        return POLICY_NOTES.render(self.note, fallback=self.reason)


class MemberCard(models.Model):
    """A printed member card and its way to the participant (cards left in LPA drawers
    never reach people: the research found exactly that)."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="cards")
    printed_at = models.DateTimeField(auto_now_add=True)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    handed_over_on = models.DateField(_("handed over on"), null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        blank=True,
        db_constraint=False,
    )
    received_by = models.CharField(_("received by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-printed_at"]

    def __str__(self) -> str:
        return f"card {self.policy_id} {self.printed_at:%Y-%m-%d}"


class ImportBatch(models.Model):
    """One upload of a participant list (CSV/XLSX) and what became of it. The record and
    its stored file are written together (no file is kept without its record); a Celery
    task reads and checks the file (programme.participants.imports): queued, running,
    then done with every row's outcome, whether a dry run or written, or failed with
    the reason the whole file was refused."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Outcome(models.TextChoices):
        DRY_RUN = "dry_run", _("Preview")
        WRITTEN = "written", _("Imported")
        REFUSED = "refused", _("Refused")

    filename = models.CharField(max_length=200)
    stored_as = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField(default=0)
    dry_run = models.BooleanField(default=True)
    skip_invalid = models.BooleanField(default=False)
    # The registered policies' start: the day the import was asked for.
    starts_on = models.DateField(null=True)
    language = models.CharField(max_length=10, blank=True)  # of the report's messages
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # times a worker took it
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    # Why the whole file was refused (state failed, or outcome refused): a code of
    # ParticipantImportError and its message in the requester's language.
    error_code = models.CharField(max_length=40, blank=True)
    error = models.CharField(max_length=500, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    notes = models.JSONField(default=list)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.state} {self.outcome})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
