"""Ledger pages: hand-over and deposit, the books,
monthly closing, savings payouts (the collection sheet is in collection_views). Bahasa
Indonesia, one column, phone first."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from askesos.errors import DomainError
from askesos.money import format_rupiah
from askesos.permissions import Action, may, require
from programme.ledger import books, premiums, services
from programme.ledger.api import book_file_response, book_for_request
from programme.ledger.errors import LedgerError
from programme.ledger.models import CashHandover, Payout, Period, PremiumReceipt, ReceiptStatus
from programme.participants.models import Policy


def _date(value: str | None) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return datetime.date.today()


@require(Action.PREMIUM_RECEIVE)
def handover_page(request):
    if request.method == "POST":
        try:
            if request.POST.get("deposit"):
                premiums.bank_deposit(
                    handover=get_object_or_404(CashHandover, pk=request.POST["deposit"]),
                    date=_date(request.POST.get("date")),
                    bank_reference=request.POST.get("bank_reference", ""),
                    actor=request.user,
                )
                messages.success(request, _("Deposit recorded."))
            else:
                receipts = list(
                    PremiumReceipt.objects.filter(pk__in=request.POST.getlist("receipt"))
                )
                premiums.cash_handover(
                    receipts=receipts,
                    handed_by=receipts[0].collected_by if receipts else None,
                    actor=request.user,
                    date=_date(request.POST.get("date")),
                )
                messages.success(request, _("Hand-over recorded."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("premium-handover")
    return render(
        request,
        "ledger/handover.html",
        {
            "collected": PremiumReceipt.objects.filter(status=ReceiptStatus.COLLECTED)
            .select_related("policy__participant")
            .order_by("collected_by_id", "received_on"),
            "undeposited": CashHandover.objects.filter(deposit_entry__isnull=True).order_by("date"),
            "today": datetime.date.today(),
        },
    )


@require(Action.BOOKS_VIEW)
def books_index(request):
    month = request.GET.get("bulan") or f"{datetime.date.today():%Y-%m}"
    return render(
        request,
        "ledger/books.html",
        {
            "books": [(slug, books.TITLES[slug]) for slug in books.ALL_SLUGS],
            "month": month,
        },
    )


@require(Action.BOOKS_VIEW)
def book_page(request, slug: str):
    book = book_for_request(slug, request.GET.get("bulan"))
    kind = request.GET.get("unduh")
    if kind in {"xlsx", "pdf"}:
        return book_file_response(book, kind)
    return render(request, "ledger/book.html", {"book": book, "month": f"{book.month:%Y-%m}"})


@require(Action.BOOKS_VIEW)
def periods_page(request):
    if request.method == "POST":
        action = request.POST.get("action")
        month = _date(
            request.POST.get("month", "") + "-01"
            if len(request.POST.get("month", "")) == 7
            else request.POST.get("month")
        )
        needed = {
            "prepare": Action.PERIOD_PREPARE,
            "sign": Action.PERIOD_SIGN,
            "reopen": Action.PERIOD_SIGN,
        }.get(action)
        if needed is None or not may(request.user, needed):
            messages.error(request, _("Your role may not do this."))
        else:
            try:
                if action == "prepare":
                    services.period_prepare(month=month, actor=request.user)
                elif action == "sign":
                    services.period_sign(month=month, actor=request.user)
                else:
                    services.period_reopen(
                        month=month, actor=request.user, reason=request.POST.get("reason", "")
                    )
                messages.success(request, _("Done."))
            except DomainError as exc:
                messages.error(request, exc.message)
        return redirect("periods")
    periods = Period.objects.prefetch_related("events").order_by("-month")[:24]
    activity = PremiumReceipt.objects.values("received_on__year", "received_on__month").annotate(
        n=Count("pk"), total=Sum("amount")
    )
    return render(
        request,
        "ledger/periods.html",
        {
            "periods": periods,
            "activity": activity,
            "this_month": f"{datetime.date.today():%Y-%m}",
            "may_prepare": may(request.user, Action.PERIOD_PREPARE),
            "may_sign": may(request.user, Action.PERIOD_SIGN),
        },
    )


@require(Action.LEDGER_POST)
@require_POST
def payout_page(request, pk: int):
    policy = get_object_or_404(Policy, pk=pk)
    try:
        payout = premiums.savings_payout(
            policy=policy,
            reason=request.POST.get("reason", Payout.Reason.MATURITY),
            paid_on=_date(request.POST.get("paid_on")),
            actor=request.user,
            withdrawal_request=request.POST.get("withdrawal_request", ""),
        )
        messages.success(
            request,
            _("Savings paid back: %(amount)s.") % {"amount": format_rupiah(payout.amount)},
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("participant-detail", pk=policy.participant_id)


@require(Action.BOOKS_VIEW)
def payout_slip(request, pk: int):
    from django.http import HttpResponse

    from programme.ledger.slips import payout_slip_pdf

    payout = get_object_or_404(Payout.objects.select_related("policy__participant"), policy_id=pk)
    response = HttpResponse(payout_slip_pdf(payout), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="pengembalian-{payout.policy.number}.pdf"'
    return response


@require(Action.BOOKS_VIEW)
def funds_page(request):
    """Dana talangan and hibah: lend, collect installments, receive and spend grants."""
    from programme.ledger import funds
    from programme.ledger.models import Grant, Loan, LoanInstallment
    from programme.participants.models import Participant

    if request.method == "POST":
        if not may(request.user, Action.LEDGER_POST):
            messages.error(request, _("Your role may not do this."))
            return redirect("funds")
        action = request.POST.get("action")
        day = _date(request.POST.get("date"))
        try:
            if action == "loan":
                participant = Participant.objects.filter(
                    policies__number=request.POST.get("policy_number", "").strip()
                ).first()
                if participant is None:
                    raise LedgerError("policy_unknown", number=request.POST.get("policy_number"))
                funds.loan_disburse(
                    participant=participant,
                    principal=_int(request.POST.get("principal")),
                    fee=_int(request.POST.get("fee") or "0"),
                    installments=_int(request.POST.get("installments")),
                    purpose=request.POST.get("purpose", ""),
                    date=day,
                    actor=request.user,
                )
            elif action == "repay":
                funds.loan_repay(
                    installment=get_object_or_404(
                        LoanInstallment, pk=request.POST.get("installment")
                    ),
                    date=day,
                    actor=request.user,
                )
            elif action == "capital":
                funds.revolving_capital_add(
                    amount=_int(request.POST.get("amount")),
                    date=day,
                    reference=request.POST.get("reference", ""),
                    actor=request.user,
                )
            elif action == "grant":
                funds.grant_receive(
                    donor=request.POST.get("donor", ""),
                    purpose=request.POST.get("purpose", ""),
                    amount=_int(request.POST.get("amount")),
                    date=day,
                    reference=request.POST.get("reference", ""),
                    actor=request.user,
                )
            elif action == "grant_use":
                funds.grant_spend(
                    grant=get_object_or_404(Grant, pk=request.POST.get("grant")),
                    amount=_int(request.POST.get("amount")),
                    description=request.POST.get("description", ""),
                    date=day,
                    reference=request.POST.get("reference", ""),
                    actor=request.user,
                )
            messages.success(request, _("Done."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("funds")
    return render(
        request,
        "ledger/funds.html",
        {
            "loans": Loan.objects.select_related("participant")
            .prefetch_related("schedule")
            .order_by("-disbursed_on")[:50],
            "overdue": funds.loans_in_arrears(),
            "grants": Grant.objects.order_by("-received_on")[:50],
            "today": datetime.date.today(),
            "may_post": may(request.user, Action.LEDGER_POST),
        },
    )


def _int(value: str | None) -> int:
    """A whole number from a form field, or -1 (which the services refuse in words)."""
    text = (value or "").replace(".", "").strip()
    return int(text) if text.isdigit() else -1
