"""Registering participants: NIK checks, the scheme's eligibility, the national
one-LPA rule, the policy and its first history row, all or nothing."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from askesos.dates import past_date
from askesos.geo.models import Village
from askesos.money import INCOME_CEILING, rupiah_check
from askesos.sequences import next_id
from programme.participants.errors import ParticipantConflict, ParticipantError
from programme.participants.lifecycle import REREGISTRATION_FROM
from programme.participants.models import (
    OPEN_STATUSES,
    Heir,
    Participant,
    Policy,
    PolicyEvent,
    PolicyStatus,
)
from programme.participants.nik import nik_clean, nik_digest, nik_mismatches
from programme.registry.services import (
    card_check_update,
    national_active_elsewhere,
    national_conflict_record,
    national_index_claim,
)
from programme.schemes.models import SchemeVersion
from programme.schemes.rules import Applicant, coverage_months, eligibility_check
from tenants.selectors import lpa_current

# Nobody older than this is registered: a birth year of 1890 is a typing mistake.
BIRTH_DATE_EARLIEST = datetime.date(1900, 1, 1)


@dataclass(frozen=True)
class HeirInput:
    name: str
    relation: str
    nik: str = ""
    phone: str = ""
    is_primary: bool = False


@dataclass(frozen=True)
class ParticipantInput:
    nik: str
    name: str
    sex: str
    birth_date: datetime.date
    marital_status: str
    occupation: str
    monthly_income: int
    village_code: str
    data_source: str
    poverty_status: str
    household_size: int = 1
    is_breadwinner: bool = True
    address: str = ""
    phone: str = ""
    documents: tuple[str, ...] = ("ktp_or_domicile",)
    heirs: tuple[HeirInput, ...] = field(default_factory=tuple)
    group_id: int | None = None  # the meeting group (kelompok), if chosen


@dataclass(frozen=True)
class WilayahCodes:
    """Every desa and kecamatan code, loaded once for a bulk run (about 4 MB)."""

    villages: frozenset[str]
    districts: frozenset[str]

    @classmethod
    def load(cls) -> WilayahCodes:
        from askesos.geo.models import District

        return cls(
            villages=frozenset(Village.objects.values_list("code", flat=True)),
            districts=frozenset(District.objects.values_list("code", flat=True)),
        )


@dataclass(frozen=True)
class CheckedParticipant:
    """Input that passed every check that needs no write (used by import's dry run)."""

    data: ParticipantInput
    nik: str
    digest: str
    scheme: SchemeVersion
    override_reason: str


def participant_check(
    *,
    data: ParticipantInput,
    scheme: SchemeVersion,
    lpa_regency_code: str,
    on: datetime.date,
    nik_override_reason: str = "",
    wilayah: WilayahCodes | None = None,
) -> CheckedParticipant:
    """Every check short of writing: NIK, wilayah, the scheme's eligibility. Raises
    ParticipantError with all reasons of one kind at once."""
    nik = nik_clean(data.nik)
    name = (data.name or "").strip()
    if not name:
        raise ParticipantError("field_invalid", field="name", **_required(Participant, "name"))
    if wilayah is not None:
        known = data.village_code in wilayah.villages
    else:
        known = Village.objects.filter(code=data.village_code).exists()
    if not known:
        raise ParticipantError("village_unknown", field="village_code", code=data.village_code)
    if data.birth_date > timezone.localdate():
        raise ParticipantError("birth_date_future", field="birth_date")
    if data.birth_date < BIRTH_DATE_EARLIEST:
        raise ParticipantError("birth_date_implausible", field="birth_date")
    rupiah_check(
        data.monthly_income, field="monthly_income", zero_allowed=True, ceiling=INCOME_CEILING
    )
    mismatches = nik_mismatches(
        nik=nik,
        birth_date=data.birth_date,
        sex=data.sex,
        village_code=data.village_code,
        lpa_regency_code=lpa_regency_code,
        districts=wilayah.districts if wilayah is not None else None,
    )
    override = (nik_override_reason or "").strip()
    if mismatches and not override:
        raise ParticipantError("nik_mismatch", field="nik", details="; ".join(mismatches))
    violations = eligibility_check(
        scheme.rules,
        Applicant(
            birth_date=data.birth_date,
            marital_status=data.marital_status,
            monthly_income=data.monthly_income,
            is_breadwinner=data.is_breadwinner,
            poverty_status=data.poverty_status,
            documents=frozenset(data.documents),
        ),
        on=on,
    )
    if violations:
        raise ParticipantError(
            "not_eligible", scheme=scheme.name, reasons=" ".join(v.message for v in violations)
        )
    return CheckedParticipant(
        data=data,
        nik=nik,
        digest=nik_digest(nik),
        scheme=scheme,
        override_reason=override if mismatches else "",
    )


def _required(model: Any, field_name: str) -> dict[str, str]:
    return {
        "label": model._meta.get_field(field_name).verbose_name,
        "reason": _("this field is required"),
    }


START_DATE = capfirst(_("start date"))


def policy_start(start_date: datetime.date | None) -> datetime.date:
    """A new policy's start: today unless given, never in the future nor before the
    programme or the LPA began (a policy dated 0001 would date its premiums and
    claims there too)."""
    return past_date(start_date or timezone.localdate(), field="start_date", label=START_DATE)


def participant_register(
    *,
    data: ParticipantInput,
    actor: Any = None,
    start_date: datetime.date | None = None,
    nik_override_reason: str = "",
    continued_from: Policy | None = None,
) -> Policy:
    """Register a new participant with a policy under the LPA's current scheme version."""
    lpa = lpa_current()
    start = policy_start(start_date)
    checked = participant_check(
        data=data,
        scheme=lpa.scheme_version,
        lpa_regency_code=lpa.regency_id,
        on=start,
        nik_override_reason=nik_override_reason,
    )
    existing = Participant.objects.filter(nik=checked.nik).first()
    if existing is not None:
        open_policy = existing.policies.filter(status__in=OPEN_STATUSES).first()
        raise ParticipantConflict(
            "already_registered_here",
            field="nik",
            policy=open_policy.number if open_policy else existing.policies.first(),
        )
    _refuse_if_active_elsewhere(checked.digest)
    try:
        with transaction.atomic():
            participant = _participant_create(checked, actor)
            return _policy_open(
                participant=participant,
                scheme=checked.scheme,
                start=start,
                actor=actor,
                digest=checked.digest,
                continued_from=continued_from,
            )
    except IntegrityError as exc:
        # Another LPA registered the same NIK between our check and our write.
        active = national_active_elsewhere(digest=checked.digest)
        if active is None:
            raise
        national_conflict_record(digest=checked.digest, active=active)
        raise ParticipantConflict("active_elsewhere", field="nik") from exc


def policy_reregister(
    *, participant: Participant, actor: Any = None, start_date: datetime.date | None = None
) -> Policy:
    """A new policy for a participant whose last one ended (matured, lapsed, withdrawn)."""
    lpa = lpa_current()
    start = policy_start(start_date)
    last = participant.policies.order_by("-start_date", "-pk").first()
    if last is not None and last.status not in REREGISTRATION_FROM:
        raise ParticipantError("reregistration_refused", current=PolicyStatus(last.status).label)
    digest = nik_digest(participant.nik)
    _refuse_if_active_elsewhere(digest)
    with transaction.atomic():
        return _policy_open(
            participant=participant,
            scheme=lpa.scheme_version,
            start=start,
            actor=actor,
            digest=digest,
        )


def policy_continue_by_heir(
    *,
    policy: Policy,
    heir_data: ParticipantInput,
    actor: Any = None,
    nik_override_reason: str = "",
) -> Policy:
    """The heir of a deceased participant continues the membership as a new participant."""
    if policy.status != PolicyStatus.DECEASED:
        raise ParticipantError("not_deceased")
    return participant_register(
        data=heir_data,
        actor=actor,
        nik_override_reason=nik_override_reason,
        continued_from=policy,
    )


def _refuse_if_active_elsewhere(digest: str) -> None:
    active = national_active_elsewhere(digest=digest)
    if active is not None:
        with transaction.atomic():
            national_conflict_record(digest=digest, active=active)
        raise ParticipantConflict("active_elsewhere", field="nik")


def participant_build(checked: CheckedParticipant, *, actor_id: int | None) -> Participant:
    """The unsaved participant for a checked input (saved one by one or in bulk)."""
    data = checked.data
    return Participant(
        nik=checked.nik,
        name=data.name.strip(),
        sex=data.sex,
        birth_date=data.birth_date,
        marital_status=data.marital_status,
        occupation=data.occupation,
        monthly_income=data.monthly_income,
        household_size=data.household_size,
        is_breadwinner=data.is_breadwinner,
        address=data.address,
        village_id=data.village_code,
        phone=data.phone,
        data_source=data.data_source,
        poverty_status=data.poverty_status,
        documents=sorted(set(data.documents)),
        nik_override_reason=checked.override_reason,
        registered_by_id=actor_id,
        group_id=data.group_id,
    )


def heirs_build(participant: Participant, heirs: tuple[HeirInput, ...]) -> list[Heir]:
    return [
        Heir(
            participant=participant,
            name=h.name,
            relation=h.relation,
            nik=h.nik,
            phone=h.phone,
            is_primary=h.is_primary,
        )
        for h in heirs
    ]


def _participant_create(checked: CheckedParticipant, actor: Any) -> Participant:
    participant = participant_build(checked, actor_id=getattr(actor, "pk", None))
    participant.save()
    Heir.objects.bulk_create(heirs_build(participant, checked.data.heirs))
    return participant


def policy_number_for(*, lpa: Any, policy_pk: int) -> str:
    """National-unique without a national counter: the LPA's id makes it unique."""
    return f"AKS-{lpa.regency_id.replace('.', '')}-{lpa.pk:04d}-{policy_pk:07d}"


def _policy_open(
    *,
    participant: Participant,
    scheme: SchemeVersion,
    start: datetime.date,
    actor: Any,
    digest: str,
    continued_from: Policy | None = None,
) -> Policy:
    lpa = lpa_current()
    # Take the id first so that the number, which contains it, is written in one insert.
    policy_pk = next_id(Policy)
    policy = Policy.objects.create(
        pk=policy_pk,
        number=policy_number_for(lpa=lpa, policy_pk=policy_pk),
        participant=participant,
        scheme_version=scheme,
        start_date=start,
        end_date=start + relativedelta(months=coverage_months(scheme.rules)),
        continued_from=continued_from,
        card_token=secrets.token_urlsafe(12),
    )
    PolicyEvent.objects.create(
        policy=policy,
        from_status="",
        to_status=PolicyStatus.REGISTERED,
        effective_date=start,
        actor=actor if getattr(actor, "pk", None) else None,
    )
    national_index_claim(participant=participant, digest=digest)
    card_check_update(policy=policy)
    return policy
