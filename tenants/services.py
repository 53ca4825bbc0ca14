"""LPA provisioning: the one path by which a tenant comes to exist.

Two steps, each idempotent and each in its own transaction:

1. `lpa_register` validates the input and writes the LPA row and its domain
   (not ready yet). Calling it again with the same data returns the same LPA.
2. `lpa_provision_schema` clones the migrated template schema into the LPA's own
   schema and marks the LPA ready, all in one transaction: a crash leaves either
   nothing or a ready tenant, and a retry finishes the job.

`lpa_provision` does both; the command, the API (through a Celery task) and the demo
use these functions and nothing else.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.id import npwp as stdnum_npwp

from askesos.dates import PROGRAMME_START, DateError, date_parse, format_date, today
from askesos.geo.models import Regency
from programme.schemes.services import scheme_default, scheme_latest
from tenants.clone import schema_clone
from tenants.errors import LpaConflict, LpaError
from tenants.models import (
    BankAccountPurpose,
    Domain,
    LegalForm,
    Lpa,
    LpaBankAccount,
    LpaStatus,
)
from tenants.schemas import template_pending_migrations

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{2,39}$")
RESERVED_SLUGS = frozenset(
    {"www", "api", "admin", "static", "media", "public", "portal", "template", "mail", "test"}
)
SCHEMA_PREFIX = "lpa_"
NPWP_REASONS = {
    InvalidFormat: _("it may contain only digits, dots and dashes"),
    InvalidLength: _("it must have 15 or 16 digits"),
    InvalidChecksum: _("its check digit is wrong (a typing error?)"),
    InvalidComponent: _("its NIK part is not a valid NIK"),
}


@dataclass(frozen=True)
class LpaInput:
    name: str
    slug: str
    legal_form: str
    regency_code: str
    npwp: str


def schema_name_for(slug: str) -> str:
    return SCHEMA_PREFIX + slug.replace("-", "_")


def domain_for(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def npwp_clean(value: str) -> str:
    """The NPWP as 16 digits, or LpaError with python-stdnum's reason.

    An old 15-digit NPWP and the same number with a leading 0 (the 2024 format) are one
    taxpayer, so both are stored in the 16-digit form.
    """
    try:
        number = stdnum_npwp.validate(value)
    except StdnumValidationError as exc:
        reason = NPWP_REASONS.get(type(exc), NPWP_REASONS[InvalidFormat])
        raise LpaError("npwp_invalid", field="npwp", npwp=value, reason=reason) from exc
    return "0" + number if len(number) == 15 else number


def lpa_input_clean(
    *, name: str, slug: str, legal_form: str, regency_code: str, npwp: str
) -> LpaInput:
    """Validate everything that can be checked without writing; raises LpaError."""
    name = (name or "").strip()
    slug = (slug or "").strip().lower()
    if not name:
        raise LpaError("name_required", field="name")
    if not SLUG_PATTERN.match(slug) or slug.endswith("-") or "--" in slug:
        raise LpaError("slug_invalid", field="slug")
    if slug in RESERVED_SLUGS:
        raise LpaError("slug_reserved", field="slug", slug=slug)
    if legal_form not in LegalForm.values:
        raise LpaError("legal_form_invalid", field="legal_form", value=legal_form)
    if not Regency.objects.filter(code=regency_code).exists():
        raise LpaError("regency_unknown", field="regency_code", code=regency_code)
    return LpaInput(
        name=name,
        slug=slug,
        legal_form=legal_form,
        regency_code=regency_code,
        npwp=npwp_clean(npwp),
    )


def lpa_register(
    *,
    name: str,
    slug: str,
    legal_form: str,
    regency_code: str,
    npwp: str,
    scheme_code: str | None = None,
) -> Lpa:
    """Step 1: the LPA row and domain. Same input twice -> the same LPA, unchanged.
    The LPA runs `scheme_code`'s newest version, or the national default."""
    with schema_context(get_public_schema_name()):
        data = lpa_input_clean(
            name=name, slug=slug, legal_form=legal_form, regency_code=regency_code, npwp=npwp
        )
        scheme = scheme_latest(code=scheme_code) if scheme_code else scheme_default()
        with transaction.atomic():
            # Serialise concurrent registrations of one slug or one NPWP (a double-clicked
            # form, a retried task) without locking the whole table; keys in fixed order.
            with connection.cursor() as cursor:
                for key in sorted([f"lpa-slug:{data.slug}", f"lpa-npwp:{data.npwp}"]):
                    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])
            existing = Lpa.objects.filter(slug=data.slug).first()
            if existing is not None:
                if existing.npwp != data.npwp or existing.regency_id != data.regency_code:
                    raise LpaConflict("slug_taken", field="slug", slug=data.slug)
                return existing
            holder = Lpa.objects.filter(npwp=data.npwp).first()
            if holder is not None:
                raise LpaConflict("npwp_taken", field="npwp", npwp=data.npwp, lpa=holder.name)
            lpa = Lpa.objects.create(
                scheme_version=scheme,
                name=data.name,
                slug=data.slug,
                legal_form=data.legal_form,
                regency_id=data.regency_code,
                npwp=data.npwp,
                schema_name=schema_name_for(data.slug),
            )
            Domain.objects.create(tenant=lpa, domain=domain_for(data.slug), is_primary=True)
            return lpa


def lpa_provision_schema(*, lpa: Lpa) -> Lpa:
    """Step 2: clone the template into the LPA's schema and mark it ready. Idempotent."""
    with schema_context(get_public_schema_name()), transaction.atomic():
        lpa = Lpa.objects.select_for_update().get(pk=lpa.pk)
        if lpa.is_ready:
            return lpa
        if template_pending_migrations():
            raise LpaError("template_missing")
        if not schema_exists(lpa.schema_name):
            schema_clone(template=settings.TENANT_BASE_SCHEMA, schema=lpa.schema_name)
        lpa.is_ready = True
        lpa.ready_at = timezone.now()
        lpa.save(update_fields=["is_ready", "ready_at"])
        return lpa


def lpa_provision(
    *,
    name: str,
    slug: str,
    legal_form: str,
    regency_code: str,
    npwp: str,
    scheme_code: str | None = None,
) -> Lpa:
    """Register and provision in one call; calling it twice yields one ready tenant."""
    lpa = lpa_register(
        name=name,
        slug=slug,
        legal_form=legal_form,
        regency_code=regency_code,
        npwp=npwp,
        scheme_code=scheme_code,
    )
    return lpa_provision_schema(lpa=lpa)


def lpa_scheme_set(*, lpa: Lpa, scheme_code: str) -> Lpa:
    """Switch the scheme an LPA writes new policies under; existing policies keep theirs."""
    scheme = scheme_latest(code=scheme_code)
    with schema_context(get_public_schema_name()), transaction.atomic():
        lpa = Lpa.objects.select_for_update().get(pk=lpa.pk)
        lpa.scheme_version = scheme
        lpa.save(update_fields=["scheme_version"])
        return lpa


def lpa_set_status(*, lpa: Lpa, status: str) -> Lpa:
    if status not in LpaStatus.values:
        raise LpaError("status_invalid", field="status", value=status)
    with schema_context(get_public_schema_name()), transaction.atomic():
        lpa = Lpa.objects.select_for_update().get(pk=lpa.pk)
        if lpa.status != status:
            lpa.status = status
            lpa.save(update_fields=["status"])
        return lpa


def lpa_started_on_check(*, lpa: Lpa, started_on: Any) -> datetime.date:
    """The day an LPA joined ASKESOS, as it may be recorded: a date, not after today,
    not before the programme, and not after the first record of its books or registry
    (they would then begin before it)."""
    from django.db.models import Min

    from programme.ledger.models import JournalEntry
    from programme.participants.models import Policy

    label = capfirst(Lpa._meta.get_field("started_on").verbose_name)
    day = date_parse(started_on, field="started_on", label=label)
    if day > today():
        raise DateError("date_future", field="started_on", label=label, today=format_date(today()))
    if day < PROGRAMME_START:
        raise DateError(
            "date_before_programme",
            field="started_on",
            label=label,
            start=format_date(PROGRAMME_START),
        )
    if lpa.is_ready:
        with schema_context(lpa.schema_name):
            firsts = [
                JournalEntry.objects.aggregate(first=Min("date"))["first"],
                Policy.objects.aggregate(first=Min("start_date"))["first"],
            ]
        first = min((d for d in firsts if d is not None), default=None)
        if first is not None and day > first:
            raise LpaError("started_after_records", field="started_on", date=format_date(first))
    return day


def lpa_started_on_set(*, lpa: Lpa, started_on: Any) -> Lpa:
    """Record the day the LPA joined ASKESOS (its appointment or MoU); from then on
    nothing in its books or registry may be dated before it (askesos.dates)."""
    day = lpa_started_on_check(lpa=lpa, started_on=started_on)
    with schema_context(get_public_schema_name()), transaction.atomic():
        lpa = Lpa.objects.select_for_update().get(pk=lpa.pk)
        lpa.started_on = day
        lpa.save(update_fields=["started_on"])
        return lpa


BANK_ACCOUNT_PATTERN = re.compile(r"^[0-9]{6,20}$")


def lpa_bank_account_set(
    *, lpa: Lpa, purpose: str, bank_name: str, number: str, holder: str
) -> LpaBankAccount:
    """Record (or change) the LPA's account for one purpose of its chart. An account
    number belongs to one LPA and one purpose only."""
    if purpose not in BankAccountPurpose.values:
        raise LpaError("bank_purpose_invalid", field="purpose", value=purpose)
    number = re.sub(r"[\s.-]", "", number or "")
    if not BANK_ACCOUNT_PATTERN.match(number):
        raise LpaError("bank_number_invalid", field="number")
    bank_name = " ".join((bank_name or "").split())
    holder = " ".join((holder or "").split())
    if not bank_name:
        raise LpaError("bank_name_required", field="bank_name")
    if not holder:
        raise LpaError("bank_holder_required", field="holder")
    with schema_context(get_public_schema_name()), transaction.atomic():
        other = LpaBankAccount.objects.filter(number=number).exclude(lpa=lpa, purpose=purpose)
        taken = other.select_related("lpa").first()
        if taken is not None:
            raise LpaConflict(
                "bank_number_taken", field="number", number=number, lpa=taken.lpa.name
            )
        account, _created = LpaBankAccount.objects.update_or_create(
            lpa=lpa,
            purpose=purpose,
            defaults={"bank_name": bank_name[:60], "number": number, "holder": holder[:140]},
        )
        return account
