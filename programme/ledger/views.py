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

from askesos.dates import date_parse, today
from askesos.errors import DomainError
from askesos.files import form_int
from askesos.money import format_rupiah, rupiah_parse
from askesos.permissions import Action, ensure, may, require
from programme.ledger import book_output, books, premiums, services
from programme.ledger.api import book_file_response, book_for_request
from programme.ledger.errors import LedgerError
from programme.ledger.models import (
    CashHandover,
    Payout,
    Period,
    PeriodStatus,
    PremiumReceipt,
    ReceiptStatus,
)
from programme.participants.models import Policy


@require(Action.PREMIUM_RECEIVE)
def handover_page(request):
    """The Bendahara receives the officers' receipts and cash, then deposits them. A
    refusal is shown beside its field, with what was typed kept."""
    errors, values = {}, {}
    if request.method == "POST":
        action = "deposit" if request.POST.get("deposit") else "receive"
        try:
            if action == "deposit":
                premiums.bank_deposit(
                    handover=get_object_or_404(CashHandover, pk=request.POST["deposit"]),
                    date=date_parse(request.POST.get("date"), field="date", label=_("Date")),
                    bank_reference=request.POST.get("bank_reference", ""),
                    actor=request.user,
                )
                messages.success(request, _("Deposit recorded."))
            else:
                receipts = list(
                    PremiumReceipt.objects.filter(pk__in=_ids(request.POST.getlist("receipt")))
                )
                premiums.cash_handover(
                    receipts=receipts,
                    handed_by=receipts[0].collected_by if receipts else None,
                    actor=request.user,
                    date=date_parse(request.POST.get("date"), field="date", label=_("Date")),
                )
                messages.success(request, _("Hand-over recorded."))
        except DomainError as exc:
            key = form_int(request.POST.get("deposit")) if action == "deposit" else action
            errors[key], values[key] = exc, request.POST
        else:
            return redirect("premium-handover")
    return render(
        request,
        "ledger/handover.html",
        {
            "collected": PremiumReceipt.objects.filter(status=ReceiptStatus.COLLECTED)
            .select_related("policy__participant")
            .order_by("collected_by_id", "received_on"),
            "undeposited": CashHandover.objects.filter(deposit_entry__isnull=True).order_by("date"),
            "today": today(),
            "errors": errors,
            "values": values,
        },
        status=400 if errors else 200,
    )


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


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
    return render(
        request,
        "ledger/book.html",
        {"book": book, "sections": book_output.book_view(book), "month": f"{book.month:%Y-%m}"},
    )


PERIOD_STEPS = {
    "prepare": Action.PERIOD_PREPARE,
    "sign": Action.PERIOD_SIGN,
    "reopen": Action.PERIOD_SIGN,
}


@require(Action.BOOKS_VIEW)
def periods_page(request):
    """The Bendahara prepares a month that is over, the Ketua signs it (or reopens it
    with a reason). The months waiting for either are listed first."""
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            ensure(request.user, PERIOD_STEPS.get(action, Action.PERIOD_SIGN))
            month = _month(request.POST.get("month"))
            if action == "prepare":
                services.period_prepare(month=month, actor=request.user)
            elif action == "sign":
                services.period_sign(month=month, actor=request.user)
            elif action == "reopen":
                services.period_reopen(
                    month=month, actor=request.user, reason=request.POST.get("reason", "")
                )
            messages.success(request, _("Done."))
        except DomainError as exc:
            error = exc
        else:
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
            "to_prepare": services.months_to_prepare(),
            "to_sign": Period.objects.filter(status=PeriodStatus.PREPARED).order_by("month"),
            "this_month": request.POST.get("month") or f"{services.last_month_over():%Y-%m}",
            "may_prepare": may(request.user, Action.PERIOD_PREPARE),
            "may_sign": may(request.user, Action.PERIOD_SIGN),
            "error": error,
            "form": request.POST,
        },
        status=400 if error else 200,
    )


def _month(value: str | None) -> datetime.date:
    """A month from <input type=month> (YYYY-MM) or a date."""
    text = (value or "").strip()
    return date_parse(f"{text}-01" if len(text) == 7 else text, field="month", label=_("Month"))


@require(Action.LEDGER_POST)
@require_POST
def payout_page(request, pk: int):
    policy = get_object_or_404(Policy, pk=pk)
    try:
        payout = premiums.savings_payout(
            policy=policy,
            reason=request.POST.get("reason", ""),
            paid_on=request.POST.get("paid_on", ""),
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


def _fund_step(request, action: str) -> None:
    """Run one of the funds page's forms (loan, repay, capital, grant, grant_use)."""
    from programme.ledger import funds
    from programme.ledger.models import Grant, LoanInstallment
    from programme.participants.models import Participant

    post = request.POST
    if action == "repay":
        funds.loan_repay(
            installment=get_object_or_404(LoanInstallment, pk=form_int(post.get("installment"))),
            date=date_parse(post.get("date"), field="date", label=_("Date paid")),
            actor=request.user,
        )
        return
    day = date_parse(post.get("date"), field="date", label=_("Date"))
    if action == "loan":
        number = post.get("policy_number", "").strip()
        participant = Participant.objects.filter(policies__number__iexact=number).first()
        if participant is None:
            raise LedgerError("policy_unknown", field="policy_number", number=number)
        funds.loan_disburse(
            participant=participant,
            principal=rupiah_parse(post.get("principal", "")),
            fee=rupiah_parse(post.get("fee") or "0", field="fee"),
            installments=form_int(post.get("installments")),
            purpose=post.get("purpose", ""),
            date=day,
            actor=request.user,
        )
    elif action == "capital":
        funds.revolving_capital_add(
            amount=rupiah_parse(post.get("amount", "")),
            date=day,
            reference=post.get("reference", ""),
            actor=request.user,
        )
    elif action == "grant":
        funds.grant_receive(
            donor=post.get("donor", ""),
            purpose=post.get("purpose", ""),
            amount=rupiah_parse(post.get("amount", "")),
            date=day,
            reference=post.get("reference", ""),
            actor=request.user,
        )
    elif action == "grant_use":
        funds.grant_spend(
            grant=get_object_or_404(Grant, pk=form_int(post.get("grant"))),
            amount=rupiah_parse(post.get("amount", "")),
            description=post.get("description", ""),
            date=day,
            reference=post.get("reference", ""),
            actor=request.user,
        )


@require(Action.BOOKS_VIEW)
def funds_page(request):
    """Dana talangan and hibah: lend, collect installments, receive and spend grants.
    A refused form shows its reason beside the field, with what was typed kept."""
    from programme.ledger import funds
    from programme.ledger.models import Grant, Loan

    errors, values = {}, {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            ensure(request.user, Action.LEDGER_POST)
            _fund_step(request, action)
        except DomainError as exc:
            # Forms repeated per row (an installment, a grant) are told apart by the row.
            row = {"repay": "installment", "grant_use": "grant"}.get(action)
            if row:
                errors[action] = {form_int(request.POST.get(row)): exc}
                values[action] = {form_int(request.POST.get(row)): request.POST}
            else:
                errors[action], values[action] = exc, request.POST
        else:
            messages.success(request, _("Done."))
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
            "today": today(),
            "may_post": may(request.user, Action.LEDGER_POST),
            "errors": errors,
            "values": values,
        },
        status=400 if errors else 200,
    )
