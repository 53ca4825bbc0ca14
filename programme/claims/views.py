"""Claim pages: the list with service-level flags, submission on a phone, the claim's
page with its checks and the actions the member's role allows, the payment requests
(rekapitulasi) the Ketua approves and the Bendahara pays, the participant's notice."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from askesos.dates import date_parse
from askesos.errors import DomainError
from askesos.permissions import Action, may, require
from programme.claims import payments, rules, services
from programme.claims.checks import benefit_label
from programme.claims.documents import Upload, uploads_from
from programme.claims.errors import ClaimError
from programme.claims.labels import BENEFIT_LABELS, STEP_LABELS
from programme.claims.models import (
    Claim,
    ClaimStatus,
    DocumentKind,
    PaymentRequest,
    PayoutMethod,
)
from programme.claims.selectors import (
    claim_list,
    claims_ready_for_payment,
    payment_request_claims,
)
from programme.claims.sla import (
    approved_unpaid_total,
    claim_waiting,
    claims_waiting,
    sla_limit,
)
from programme.claims.steps import STEPS
from programme.ledger import accounts as acc
from programme.ledger.services import account_balance
from programme.participants.models import Heir, HeirRelation, Policy


def _days(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else (None if not value else -1)


def _event_date(value: str) -> datetime.date | None:
    """None when left empty (the service asks for it, after the claim type); refused
    when it is not a date."""
    if not value.strip():
        return None
    return date_parse(value, field="event_date", label=_("Date of the event"))


@require(Action.CLAIM_VIEW)
def claim_list_page(request):
    status = request.GET.get("status", "")
    today = timezone.localdate()
    waiting = {w.claim.pk: w for w in claims_waiting(on=today)}
    return render(
        request,
        "claims/list.html",
        {
            "claims": claim_list(status=status)[:200],
            "status": status,
            "statuses": ClaimStatus.choices,
            "benefit_labels": BENEFIT_LABELS,
            "waiting": waiting,
            "overdue": sum(1 for w in waiting.values() if w.overdue),
            "sla_limit": sla_limit(),
            "may_submit": may(request.user, Action.CLAIM_SUBMIT),
        },
    )


@require(Action.CLAIM_SUBMIT)
def claim_submit_page(request):
    """Step 1: the policy number (from the member card). Step 2: what happened, the
    payout and the documents, with the claim types of that policy's scheme."""
    number = (request.GET.get("polis") or request.POST.get("polis") or "").strip()
    policy = (
        Policy.objects.select_related("participant", "scheme_version").filter(number=number).first()
        if number
        else None
    )
    if number and policy is None:
        messages.error(request, _("Unknown policy number %(number)s.") % {"number": number})
    error = None
    if request.method == "POST" and policy is not None:
        heir = None
        if request.POST.get("heir", "").isdigit():
            heir = Heir.objects.filter(pk=int(request.POST["heir"])).first()
        try:
            claim = services.claim_submit(
                policy_number=policy.number,
                benefit=request.POST.get("benefit", ""),
                event_date=_event_date(request.POST.get("event_date", "")),
                sick_days=_days(request.POST.get("sick_days")),
                hospital_days=_days(request.POST.get("hospital_days")),
                description=request.POST.get("description", ""),
                heir=heir,
                heir_name=request.POST.get("heir_name", ""),
                heir_relation=request.POST.get("heir_relation", ""),
                payout_method=request.POST.get("payout_method", ""),
                bank_name=request.POST.get("bank_name", ""),
                bank_account=request.POST.get("bank_account", ""),
                account_holder=request.POST.get("account_holder", ""),
                documents=uploads_from(request.FILES),
                actor=request.user,
            )
        except DomainError as exc:
            error = exc  # shown beside its field; everything typed stays on the form
        else:
            messages.success(request, _("Claim %(number)s submitted.") % {"number": claim.number})
            return redirect("claim-detail", pk=claim.pk)
    scheme = policy.scheme_version.rules if policy else None
    return render(
        request,
        "claims/submit.html",
        {
            "policy": policy,
            "number": number,
            "benefits": [
                (
                    key,
                    benefit_label(key),
                    rules.is_referral(scheme, key),
                    [str(DocumentKind(d).label) for d in rules.required_documents(scheme, key)],
                )
                for key in rules.benefits(scheme)
            ]
            if scheme
            else [],
            "heirs": policy.participant.heirs.all() if policy else [],
            "relations": HeirRelation.choices,
            "document_kinds": DocumentKind.choices,
            "payout_methods": PayoutMethod.choices,
            "form": request.POST,
            "error": error,
            "today": timezone.localdate(),
        },
        status=400 if error else 200,
    )


def _claim(pk: int) -> Claim:
    return get_object_or_404(
        Claim.objects.select_related(
            "policy__participant", "policy__scheme_version", "heir", "payment_request"
        ),
        pk=pk,
    )


@require(Action.CLAIM_VIEW)
def claim_detail_page(request, pk: int):
    claim = _claim(pk)
    user = request.user
    waiting = claim_waiting(claim, on=timezone.localdate())
    return render(
        request,
        "claims/detail.html",
        {
            "claim": claim,
            "benefit": benefit_label(claim.benefit),
            "checks": services.claim_checks_shown(claim),
            "documents": claim.documents.all(),
            "events": claim.events.select_related("actor"),
            "step_labels": STEP_LABELS,
            "document_kinds": DocumentKind.choices,
            "waiting": waiting,
            "sla_limit": sla_limit(),
            "may_submit": may(user, Action.CLAIM_SUBMIT),
            "may_verify": may(user, Action.CLAIM_VERIFY),
            "may_register": may(user, Action.PARTICIPANT_REGISTER),
            "stated_amount": rules.stated_amount(claim.policy.scheme_version.rules, claim.benefit)
            if claim.is_referral
            else None,
        },
    )


def _documents_add(request, pk: int):
    """The claim page's upload form: one file and its kind (or doc_<kind> inputs)."""
    claim = _claim(pk)
    uploads = uploads_from(request.FILES) + [
        Upload(kind=request.POST.get("kind", ""), filename=file.name, content=file.read())
        for file in request.FILES.getlist("file")
    ]
    try:
        if not uploads:
            raise ClaimError("document_empty", field="documents", filename="-")
        for upload in uploads:
            services.claim_document_add(claim=claim, upload=upload, actor=request.user)
        messages.success(request, _("Document added."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("claim-detail", pk=claim.pk)


claim_document_add_page = require(Action.CLAIM_SUBMIT)(require_POST(_documents_add))


def claim_step_view(name: str):
    """One POST view per workflow step (each with a URL of its own), all one shape: the
    role is checked, the step runs, a refusal shows its reason on the claim's page."""
    step = STEPS[name]

    @require(step.action)
    @require_POST
    def view(request, pk: int):
        claim = _claim(pk)
        try:
            step.run(claim, request.POST, request.user)
            messages.success(request, str(step.done))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("claim-detail", pk=claim.pk)

    view.__name__ = f"claim_{name}"
    return view


@require(Action.CLAIM_VIEW)
def claim_document_file(request, pk: int, document: int):
    """The file, from this LPA's folder only: the row is looked up in this schema and
    the storage is the tenant's, so another LPA's URL finds nothing."""
    claim = _claim(pk)
    doc = get_object_or_404(claim.documents, pk=document)
    response = FileResponse(
        default_storage.open(doc.stored_as, "rb"),
        content_type=doc.content_type,
        as_attachment=doc.content_type == "application/pdf",
        filename=doc.filename,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require(Action.CLAIM_VIEW)
def claim_notice_page(request, pk: int):
    """A letter for the participant: paid, rejected (with the reason) or referred."""
    claim = _claim(pk)
    return render(
        request,
        "claims/notice.html",
        {"claim": claim, "benefit": benefit_label(claim.benefit), "lpa": request.tenant},
    )


# Payment requests are for those with a step in them: Urusan Klaim, the Ketua, the Bendahara.
PAYMENT_STEPS = (Action.CLAIM_PAY, Action.CLAIM_VERIFY, Action.CLAIM_APPROVE)


@require(*PAYMENT_STEPS)
def payment_requests_page(request):
    """Urusan Klaim recapitulates verified claims; everyone with a payment step sees
    the requests, by status (?status=open for the Ketua, approved for the Bendahara)."""
    status = request.GET.get("status", "")
    status = status if status in PaymentRequest.Status.values else ""
    if request.method == "POST":
        claims = list(Claim.objects.filter(pk__in=request.POST.getlist("claim")))
        try:
            payment = payments.payment_request_create(claims=claims, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Payment request %(number)s made for the Ketua.") % {"number": payment.number},
            )
            return redirect("payment-request", pk=payment.pk)
        return redirect("payment-requests")
    return render(
        request,
        "claims/payments.html",
        {
            "ready": claims_ready_for_payment(),
            "requests": (
                PaymentRequest.objects.filter(status=status) if status else PaymentRequest.objects
            ).all()[:100],
            "status": status,
            "statuses": PaymentRequest.Status.choices,
            "reserve": account_balance(acc.BANK_RESERVE),
            "owed": approved_unpaid_total(),
            "may_recapitulate": may(request.user, Action.CLAIM_VERIFY),
        },
    )


@require(*PAYMENT_STEPS)
def payment_request_page(request, pk: int):
    """The Ketua approves or refuses (with a reason); the Bendahara pays with the bank's
    reference. Both are asked to confirm; a refusal keeps what was typed, beside its field."""
    payment = get_object_or_404(PaymentRequest, pk=pk)
    error = None
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "approve":
                payments.payment_request_approve(request=payment, actor=request.user)
                messages.success(request, _("Approved. The Bendahara can pay it now."))
            elif step == "refuse":
                payments.payment_request_refuse(
                    request=payment, reason=request.POST.get("reason", ""), actor=request.user
                )
                messages.success(request, _("Refused. The claims went back to Urusan Klaim."))
            elif step == "pay":
                payments.payment_request_pay(
                    request=payment,
                    paid_on=request.POST.get("paid_on", ""),
                    reference=request.POST.get("reference", ""),
                    actor=request.user,
                )
                messages.success(request, _("Paid from the claim reserve."))
        except DomainError as exc:
            error = exc
            payment.refresh_from_db()
        else:
            return redirect("payment-request", pk=payment.pk)
    reserve = account_balance(acc.BANK_RESERVE)
    return render(
        request,
        "claims/payment_request.html",
        {
            "payment": payment,
            "claims": payment_request_claims(payment),
            "reserve": reserve,
            "short": max(payment.total - reserve, 0),
            "may_approve": may(request.user, Action.CLAIM_APPROVE),
            "may_pay": may(request.user, Action.CLAIM_PAY),
            "today": timezone.localdate(),
            "form": request.POST,
            "error": error,
        },
        status=400 if error else 200,
    )
