"""Building blocks for claim tests: a paying participant, a funded reserve, documents."""

from __future__ import annotations

import datetime
import io

from django.db import connection

from programme.claims import services
from programme.claims.documents import Upload
from programme.ledger.funds import subsidy_receive
from programme.ledger.premiums import premium_receipt_record
from programme.participants.services import participant_register
from tenants.services import lpa_scheme_set
from tests.programme.conftest import person

START = datetime.date(2024, 1, 1)
TODAY = datetime.date(2026, 11, 21)

# The smallest real files of each kind: the upload check reads their first bytes.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "JPEG")
    return out.getvalue()


def doc(kind: str, content: bytes = PDF, filename: str | None = None) -> Upload:
    return Upload(kind=kind, filename=filename or f"{kind}.pdf", content=content)


DOCS_BY_BENEFIT = {
    "sickness": ("claim_form", "medical_certificate"),
    "accident": ("claim_form", "accident_certificate"),
    "death": ("claim_form", "death_certificate"),
    "natural_death": ("claim_form", "death_certificate"),
    "work_accident_death": ("claim_form", "death_certificate", "accident_certificate"),
}


def docs_for(benefit: str) -> list[Upload]:
    return [doc(kind) for kind in DOCS_BY_BENEFIT.get(benefit, ("claim_form",))]


def use_scheme(lpa, code: str):
    """Let `lpa` write new policies under scheme `code` (inside the test's transaction)."""
    lpa = lpa_scheme_set(lpa=lpa, scheme_code=code)
    connection.set_tenant(lpa)
    return lpa


def paying_policy(*, serial: int = 1, start: datetime.date = START, months: int = 36, **data):
    """A registered participant who paid `months` premiums in advance on the first day."""
    data.setdefault("documents", ("ktp_or_domicile", "willingness_statement"))
    policy = participant_register(data=person(serial=serial, **data), start_date=start)
    premium_receipt_record(
        number=f"KW-{serial:04d}",
        policy=policy,
        months=months,
        amount=5000 * months,
        received_on=start,
    )
    policy.refresh_from_db()
    return policy


def approved_on(request, day: datetime.date):
    """History built in the past: the Ketua signed `request` on `day` (payment is dated
    on or after the approval, so a test paying in 2024 needs an approval in 2024)."""
    from django.utils import timezone

    from programme.claims.models import PaymentRequest

    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    PaymentRequest.objects.filter(pk=request.pk).update(approved_at=at, approved_on=day)
    request.refresh_from_db()
    return request


def fund_reserve(amount: int = 5_000_000, on: datetime.date = START, reference: str = "APBN-1"):
    return subsidy_receive(amount=amount, date=on, reference=reference)


def submit(policy, officer, benefit: str = "sickness", event=datetime.date(2024, 3, 4), **kw):
    kw.setdefault("documents", docs_for(benefit))
    if benefit == "sickness":
        kw.setdefault("sick_days", 12)
    if benefit in ("death", "natural_death", "work_accident_death") and "heir" not in kw:
        kw["heir"] = policy.participant.heirs.first()
    return services.claim_submit(
        policy_number=policy.number,
        benefit=benefit,
        event_date=event,
        actor=officer,
        today=TODAY,
        **kw,
    )


def committed_claims_lpa(committed_db, *, slug: str, npwp: str, start: datetime.date):
    """An LPA of its own with the four claim roles, a participant who paid a year ahead
    from `start`, and Rp 1.000.000 in the claim reserve; all committed (ledger rows
    cannot be deleted, so the whole schema is dropped at teardown)."""
    from askesos.accounts.services import membership_grant, user_create
    from tenants.services import lpa_provision
    from tests.conftest import PASSWORD

    committed_db.lpa_slugs.append(slug)
    lpa = lpa_provision(
        name=f"LPA {slug}", slug=slug, legal_form="yayasan", regency_code="74.71", npwp=npwp
    )
    team = {}
    for role in ("petugas_lapangan", "klaim", "ketua", "bendahara"):
        username = f"{slug}-{role}"
        committed_db.usernames.append(username)
        team[role] = user_create(username=username, password=PASSWORD)
        membership_grant(lpa=lpa, user=team[role], role=role)
    connection.set_tenant(lpa)
    policy = paying_policy(serial=41, start=start, months=12, name="La Ode Sabara")
    fund_reserve(1_000_000, on=start, reference=f"{slug}-APBN")
    connection.set_schema_to_public()
    return lpa, team, policy
