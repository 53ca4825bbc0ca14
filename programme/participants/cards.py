"""Member cards: a printable PDF with a QR code, and the card's way to its holder.

The QR code holds only a URL with a random token; the public page behind it says
whether the card is valid, for which LPA and until when: no name, no NIK.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from askesos.dates import date_not_before, format_date, money_date, today
from programme.participants.errors import ParticipantError
from programme.participants.models import OPEN_STATUSES, MemberCard, Policy
from tenants.selectors import lpa_current

CARD_W, CARD_H = 85.6 * mm, 54 * mm  # ID-1, the size of a KTP


def card_verify_url(token: str) -> str:
    return f"{settings.PORTAL_URL.rstrip('/')}/kartu/{token}/"


def card_pdf(*, policy: Policy) -> bytes:
    """An A4 page with the card at ID-1 size and cut marks, to print, cut and laminate."""
    lpa = lpa_current()
    participant = policy.participant
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"Kartu Peserta {policy.number}")
    pdf.setAuthor(lpa.name)
    x, y = 20 * mm, A4[1] - 20 * mm - CARD_H
    pdf.setLineWidth(0.3)
    pdf.roundRect(x, y, CARD_W, CARD_H, 3 * mm)
    pdf.setFillColorRGB(0.04, 0.43, 0.31)
    pdf.rect(x, y + CARD_H - 11 * mm, CARD_W, 11 * mm, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setFont("Helvetica-Bold", 9)
    pdf.drawString(x + 4 * mm, y + CARD_H - 5.5 * mm, "KARTU PESERTA ASKESOS")
    pdf.setFont("Helvetica", 6.5)
    pdf.drawString(x + 4 * mm, y + CARD_H - 9 * mm, lpa.name[:60])
    pdf.setFillColorRGB(0, 0, 0)
    with override("id"):
        rows = [
            ("Nama", participant.name),
            ("NIK", participant.nik),
            ("Tgl. lahir", format_date(participant.birth_date)),
            ("No. polis", policy.number),
            (
                "Berlaku",
                f"{format_date(policy.start_date)} s.d. {format_date(policy.end_date)}",
            ),
        ]
    line_y = y + CARD_H - 16 * mm
    for label, value in rows:
        pdf.setFont("Helvetica", 6.5)
        pdf.drawString(x + 4 * mm, line_y, label)
        pdf.setFont("Helvetica-Bold", 7.5)
        pdf.drawString(x + 20 * mm, line_y, str(value)[:34])
        line_y -= 6 * mm
    qr = QrCodeWidget(card_verify_url(policy.card_token))
    left, bottom, right, top = qr.getBounds()
    size = 26 * mm
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, x + CARD_W - size - 2 * mm, y + 3 * mm)
    pdf.setFont("Helvetica", 5)
    pdf.drawString(x + 4 * mm, y + 3 * mm, "Pindai kode QR untuk memeriksa keabsahan kartu.")
    _cut_marks(pdf, x, y)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _cut_marks(pdf: canvas.Canvas, x: float, y: float) -> None:
    pdf.setLineWidth(0.2)
    for cx, cy in ((x, y), (x + CARD_W, y), (x, y + CARD_H), (x + CARD_W, y + CARD_H)):
        pdf.line(cx - 4 * mm, cy, cx - 1 * mm, cy)
        pdf.line(cx + 1 * mm, cy, cx + 4 * mm, cy)
        pdf.line(cx, cy - 4 * mm, cx, cy - 1 * mm)
        pdf.line(cx, cy + 1 * mm, cx, cy + 4 * mm)


def card_print(*, policy: Policy, actor: Any = None) -> tuple[MemberCard, bytes]:
    """Record a printing and return the PDF. Only an open policy gets a card."""
    policy = Policy.objects.select_related("participant").get(pk=policy.pk)  # current status
    if policy.status not in OPEN_STATUSES:
        raise ParticipantError("card_not_open")
    content = card_pdf(policy=policy)
    card = MemberCard.objects.create(
        policy=policy, printed_by=actor if getattr(actor, "pk", None) else None
    )
    return card, content


def card_handover(
    *, card: MemberCard, actor: Any, received_by: str, on: datetime.date | None = None
) -> MemberCard:
    """The card reached its holder: who handed it over, to whom, when."""
    received_by = (received_by or "").strip()
    if not received_by:
        raise ParticipantError("reason_required", field="received_by", target=_("hand-over"))
    with transaction.atomic():
        card = MemberCard.objects.select_for_update().get(pk=card.pk)
        if card.handed_over_on is not None:
            raise ParticipantError(
                "card_already_handed_over", date=format_date(card.handed_over_on)
            )
        day = money_date(on or today(), field="on", label=_("Handed over on"))
        card.handed_over_on = date_not_before(
            day, card.printed_at, field="on", label=_("Handed over on"), step=_("the printing")
        )
        card.handed_over_by = actor
        card.received_by = received_by[:150]
        card.save(update_fields=["handed_over_on", "handed_over_by", "received_by"])
        return card
