"""The payout slip (bukti pengembalian premi): what the participant signs on receiving
their savings, and what the Bendahara files with the Buku Besar Premi."""

from __future__ import annotations

import io

from django.utils.translation import override
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from askesos.dates import format_date
from askesos.money import format_rupiah
from programme.ledger.models import Payout
from tenants.selectors import lpa_current


def payout_slip_pdf(payout: Payout) -> bytes:
    lpa = lpa_current()
    policy = payout.policy
    participant = policy.participant
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A5,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"Bukti pengembalian premi {policy.number}",
    )
    with override("id"):
        paid_on = format_date(payout.paid_on)
        reason = Payout.Reason(payout.reason).label
    rows = [
        ["Nama peserta", participant.name],
        ["NIK", participant.nik],
        ["Nomor polis", policy.number],
        ["Alasan", str(reason)],
        ["Tanggal", paid_on],
        ["Jumlah", format_rupiah(payout.amount)],
        ["No. jurnal", str(payout.entry_id or "-")],
    ]
    story = [
        Paragraph(f"<b>{lpa.name}</b>", styles["Heading2"]),
        Paragraph("BUKTI PENGEMBALIAN PREMI ASKESOS", styles["Heading3"]),
        Table(rows, colWidths=[35 * mm, 85 * mm]),
        Spacer(1, 10 * mm),
        Table(
            [
                ["Yang menerima,", "Bendahara,"],
                ["", ""],
                [f"({participant.name})", "(.........................)"],
            ],
            colWidths=[60 * mm, 60 * mm],
            rowHeights=[6 * mm, 18 * mm, 6 * mm],
        ),
    ]
    doc.build(story)
    return out.getvalue()
