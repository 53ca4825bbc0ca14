"""Claims benchmark: the workflow's steps timed in one LPA of its own.

Provisions a scratch LPA with `participants` paid-up participants, then times each
step a busy LPA repeats: submitting a sickness claim with two documents (a PDF and a
phone photo), verifying it, a payment request of 50 claims through approval and
payment, and the daily service-level check with every claim overdue (then again, as
the job's second run). The LPA, its files and its team are removed at the end.
"""

from __future__ import annotations

import datetime
import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.utils import timezone

CLAIMS_PER_REQUEST = 50


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _timed(step: Callable[[], object]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def run(*, participants: int = 1000) -> list[str]:
    from askesos.accounts.models import User
    from askesos.accounts.services import membership_grant, user_create
    from programme.claims import payments, services
    from programme.claims.documents import Upload
    from programme.claims.models import Claim
    from programme.claims.sla import claims_waiting, sla_check_run
    from programme.generator import REFERENCE_DAY, lpa_participants_generate
    from programme.ledger.bulk import BulkReceipt, premiums_bulk_post
    from programme.ledger.funds import subsidy_receive
    from programme.participants.models import Policy
    from programme.participants.services import WilayahCodes
    from tenants.models import Lpa
    from tenants.services import lpa_provision

    # A run cut short leaves its scratch LPA behind: remove it first.
    for leftover in Lpa.objects.filter(slug__startswith="bench-klaim-"):
        User.objects.filter(username__startswith=f"{leftover.slug}-").delete()
        leftover.delete(force_drop=True)
    slug = f"bench-klaim-{int(time.time()) % 100000}"
    lpa = lpa_provision(
        name="Bench klaim",
        slug=slug,
        legal_form="lsm",
        regency_code="74.71",
        npwp=_free_npwp(),
    )
    users = {}
    try:
        for role in ("petugas_lapangan", "klaim", "ketua", "bendahara"):
            users[role] = user_create(username=f"{slug}-{role}", password="bench-only-123")
            membership_grant(lpa=lpa, user=users[role], role=role)
        made = lpa_participants_generate(
            lpa=lpa,
            count=participants,
            seed=7,
            today=REFERENCE_DAY,
            wilayah=WilayahCodes.load(),
        )
        connection.set_tenant(lpa)
        policies = list(Policy.objects.order_by("pk"))
        premiums_bulk_post(
            receipts=[BulkReceipt(f"B-{p.pk}", p.pk) for p in policies],
            received_on=REFERENCE_DAY,
            reference="bench-claims",
        )
        subsidy_receive(amount=100_000 * made, date=REFERENCE_DAY, reference=f"{slug}-apbn")
        documents = [
            Upload("claim_form", "formulir.pdf", _pdf()),
            Upload("medical_certificate", "IMG_0001.jpg", _jpeg()),
        ]
        event = REFERENCE_DAY + datetime.timedelta(days=10)
        submit, verify = [], []
        for policy in policies:
            submit.append(
                _timed(
                    lambda p=policy: services.claim_submit(
                        policy_number=p.number,
                        benefit="sickness",
                        event_date=event,
                        sick_days=12,
                        documents=documents,
                        actor=users["petugas_lapangan"],
                    )
                )
            )
        claims = list(Claim.objects.order_by("pk"))
        later = datetime.date.today() + datetime.timedelta(days=30)
        first_sla = _timed(lambda: sla_check_run(on=later))
        second_sla = _timed(lambda: sla_check_run(on=later))
        waiting = _timed(lambda: claims_waiting(on=later))
        for claim in claims:
            verify.append(
                _timed(lambda c=claim: services.claim_verify(claim=c, actor=users["klaim"]))
            )
        create, approve, pay = [], [], []
        for start in range(0, len(claims), CLAIMS_PER_REQUEST):
            chunk = claims[start : start + CLAIMS_PER_REQUEST]
            started = time.perf_counter()
            request = payments.payment_request_create(claims=chunk, actor=users["klaim"])
            create.append(time.perf_counter() - started)
            approve.append(
                _timed(
                    lambda r=request: payments.payment_request_approve(
                        request=r, actor=users["ketua"]
                    )
                )
            )
            pay.append(
                _timed(
                    lambda r=request: payments.payment_request_pay(
                        request=r,
                        paid_on=timezone.localdate(),  # approved today, so paid today
                        actor=users["bendahara"],
                        reference="bench-trf",
                    )
                )
            )
    finally:
        connection.set_schema_to_public()
        lpa.delete(force_drop=True)
        User.objects.filter(username__startswith=f"{slug}-").delete()
    rows = [
        ("submit (2 documents, all checks)", submit),
        ("verify (all checks, amount)", verify),
        (f"payment request of {CLAIMS_PER_REQUEST}: create", create),
        (f"payment request of {CLAIMS_PER_REQUEST}: approve (Ketua)", approve),
        (f"payment request of {CLAIMS_PER_REQUEST}: pay (Bendahara, ledger)", pay),
    ]
    lines = [
        f"Claims in one LPA: {made} participants, {len(submit)} sickness claims",
        f"{'step':<52} {'median ms':>10} {'p95 ms':>8}",
    ]
    for label, samples in rows:
        median, p95 = _percentiles(samples)
        lines.append(f"{label:<52} {median * 1000:>10.1f} {p95 * 1000:>8.1f}")
    lines += [
        f"{'daily SLA check, every claim overdue (first run)':<52} {first_sla * 1000:>10.0f}",
        f"{'daily SLA check again (nothing new)':<52} {second_sla * 1000:>10.0f}",
        f"{'claims waiting, with working days (list page)':<52} {waiting * 1000:>10.0f}",
    ]
    return lines


def _free_npwp() -> str:
    from stdnum.id import npwp

    from tenants.models import Lpa
    from tenants.services import npwp_clean

    for serial in range(100, 1000):
        for check in range(10):
            number = f"09.{serial}.777.{check}-741.000"
            if npwp.is_valid(number) and not Lpa.objects.filter(npwp=npwp_clean(number)).exists():
                return number
    raise RuntimeError("no free NPWP for the bench LPA")


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(out, "JPEG")
    return out.getvalue()
