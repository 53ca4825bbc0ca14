"""Demo claims: one LPA's claims in the states people meet first (paid and closed, late,
waiting for the Ketua, returned for a document), so that every role and the district's
dashboard have something to look at. Only for `askesos demo`; runs once per LPA."""

from __future__ import annotations

import datetime
import io
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from programme.claims import payments, services
from programme.claims.documents import Upload
from programme.claims.models import Claim
from programme.claims.sla import sla_check_run
from programme.ledger.funds import subsidy_receive
from programme.ledger.premiums import months_between, paid_months, premium_receipt_record
from programme.participants.models import Policy


def _sample_pdf(title: str) -> bytes:
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A5)
    page.drawString(40, 500, title)
    page.drawString(40, 480, "Contoh dokumen untuk demo ASKESOS.")
    page.save()
    return out.getvalue()


def _docs(*kinds: str) -> list[Upload]:
    return [
        Upload(kind, f"{kind}.pdf", _sample_pdf(kind.replace("_", " ").title())) for kind in kinds
    ]


def _paid_up(policy: Policy, today: datetime.date) -> None:
    due = min(months_between(policy.start_date, today) + 1, 36)
    missing = due - paid_months(policy)
    if missing > 0:
        premium_receipt_record(
            number=f"DEMO-{policy.pk:05d}",
            policy=policy,
            months=missing,
            amount=5000 * missing,
            received_on=policy.start_date,
        )


def demo_claims_create(*, lpa: Any, staff: dict[str, Any]) -> int:
    """`staff` maps role -> user (petugas_lapangan, klaim, ketua, bendahara)."""
    connection.set_tenant(lpa)
    try:
        if Claim.objects.exists():
            return 0
        today = timezone.localdate()
        policies = list(Policy.objects.select_related("participant").order_by("pk")[:4])
        if len(policies) < 4:
            return 0
        for policy in policies:
            _paid_up(policy, today)
        subsidy_receive(
            amount=2_000_000, date=policies[0].start_date, reference=f"DEMO-APBN-{lpa.slug}"
        )
        officer, klaim = staff["petugas_lapangan"], staff["klaim"]

        def submit(policy, benefit, days_ago, docs, **kw):
            return services.claim_submit(
                policy_number=policy.number,
                benefit=benefit,
                event_date=today - timedelta(days=days_ago),
                documents=_docs(*docs),
                actor=officer,
                **kw,
            )

        paid = submit(
            policies[0], "sickness", 30, ("claim_form", "medical_certificate"), sick_days=12
        )
        services.claim_verify(claim=paid, actor=klaim)
        request = payments.payment_request_create(claims=[paid], actor=klaim)
        payments.payment_request_approve(request=request, actor=staff["ketua"])
        payments.payment_request_pay(
            request=request, paid_on=today, actor=staff["bendahara"], reference="DEMO-TRF"
        )
        services.claim_notify(claim=paid, how="Diserahkan di pertemuan bulanan", actor=klaim)
        services.claim_close(claim=paid, actor=klaim)

        late = submit(policies[1], "accident", 14, ("claim_form", "accident_certificate"))
        # Completed eight days ago and still unanswered: the service level is broken.
        Claim.objects.filter(pk=late.pk).update(complete_at=timezone.now() - timedelta(days=8))

        death = submit(
            policies[2],
            "death",
            5,
            ("claim_form", "death_certificate"),
            heir=policies[2].participant.heirs.first(),
            heir_name="Wa Ode Hasna",  # used only when the registry names no heir
            heir_relation="pasangan",
        )
        services.claim_verify(claim=death, actor=klaim)
        payments.payment_request_create(claims=[death], actor=klaim)

        returned = submit(policies[3], "sickness", 9, ("claim_form",), hospital_days=4)
        services.claim_return(
            claim=returned, reason="Surat keterangan rawat inap belum ada", actor=klaim
        )

        sla_check_run(on=today)
        return 4
    finally:
        connection.set_schema_to_public()
