"""Bank pages of the LPA: its accounts with their last statement and reconciliation,
the statement upload and its report, and the reconciliation screen per account.
Everyone who sees the books may look; the Bendahara and Urusan Premi & Keuangan act
(BANK_RECONCILE). Bahasa Indonesia, one column, phone first."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from askesos.errors import DomainError
from askesos.files import form_int
from askesos.permissions import Action, ensure, may, require
from programme.bank.base import BankFileError
from programme.banking import services
from programme.banking.errors import BankingError
from programme.banking.models import BankStatement, StatementFile, StatementLine
from programme.ledger.accounts import account_name
from programme.ledger.models import JournalLine
from tenants.selectors import lpa_current


def _accounts() -> list[dict]:
    from tenants.models import LpaBankAccount

    held = {a.purpose: a for a in LpaBankAccount.objects.filter(lpa_id=lpa_current().pk)}
    rows = []
    for code in services.BANK_ACCOUNTS:
        rows.append(
            {
                "code": code,
                "name": account_name(code),
                "bank": held.get(code),
                "statement": BankStatement.objects.filter(account=code)
                .order_by("-closing_date", "-pk")
                .first(),
                "reconciliation": services.reconciliation_latest(account=code),
            }
        )
    return rows


@require(Action.BOOKS_VIEW)
def accounts_page(request):
    """Rekening bank: each account, its last statement and reconciliation; the upload."""
    return _accounts_render(request)


def _accounts_render(request, error: DomainError | None = None):
    return render(
        request,
        "banking/accounts.html",
        {
            "accounts": _accounts(),
            "files": StatementFile.objects.order_by("-uploaded_at", "-pk")[:20],
            "may_act": may(request.user, Action.BANK_RECONCILE),
            "max_mb": settings.BANK_STATEMENT_MAX_BYTES // (1024 * 1024),
            "error": error,
        },
        status=400 if error else 200,
    )


@require(Action.BANK_RECONCILE)
def statement_upload(request):
    if request.method != "POST":
        return redirect("bank-accounts")
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise BankingError("file_missing", field="file")
        # The size is known before the file is read: a large one is refused unread.
        if upload.size > settings.BANK_STATEMENT_MAX_BYTES:
            raise BankFileError(
                "file_too_large",
                field="file",
                limit=f"{settings.BANK_STATEMENT_MAX_BYTES // (1024 * 1024)} MB",
            )
        record = services.statement_file_import(
            name=upload.name, content=upload.read(), actor=request.user
        )
    except DomainError as exc:
        return _accounts_render(request, error=exc)
    return redirect("bank-file", pk=record.pk)


@require(Action.BOOKS_VIEW)
def file_page(request, pk: int):
    """The import report: what was stored, and every problem in words."""
    record = get_object_or_404(StatementFile, pk=pk)
    return render(
        request,
        "banking/file.html",
        {
            "file": record,
            "statements": record.bank_statements.order_by("account", "closing_date"),
            "problems": [
                {**problem, "message": services.problem_text(problem)}
                for problem in record.problems
            ],
        },
    )


def _account_or_404(code: str) -> str:
    if code not in services.BANK_ACCOUNTS:
        raise Http404
    return code


@require(Action.BOOKS_VIEW)
def reconciliation_page(request, code: str):
    """Books against the bank for one account; the Bendahara matches by hand, posts a
    charge or interest in one click, or reconciles now."""
    account = _account_or_404(code)
    error, error_line = None, None
    if request.method == "POST":
        ensure(request.user, Action.BANK_RECONCILE)  # a refusal is the 403 page
        action = request.POST.get("action", "")
        try:
            _act(request, account, action)
        except DomainError as exc:
            error, error_line = exc, form_int(request.POST.get("line"))
        else:
            return redirect("bank-reconciliation", code=account)
    view = services.reconciliation_view(account=account)
    return render(
        request,
        "banking/reconciliation.html",
        {
            "account": account,
            "name": account_name(account),
            "view": view,
            "may_act": may(request.user, Action.BANK_RECONCILE),
            "charge_kinds": services.CHARGE_KINDS + services.INTEREST_KINDS,
            "error": error,
            "error_line": error_line,
        },
        status=400 if error else 200,
    )


def _act(request, account: str, action: str) -> None:
    post = request.POST
    if action == "reconcile":
        run = services.reconcile(account=account, trigger="page", actor=request.user)
        messages.success(request, str(run.get_state_display()))
        return
    line = get_object_or_404(
        StatementLine, pk=form_int(post.get("line")), statement__account=account
    )
    if action == "match":
        books = JournalLine.objects.filter(pk=form_int(post.get("journal_line"))).first()
        if books is None:
            raise BankingError("match_account", field="journal_line", account=account)
        services.line_match_manual(statement_line=line, journal_line=books, actor=request.user)
        messages.success(request, _("Matched."))
    elif action == "post":
        services.bank_line_post(statement_line=line, actor=request.user)
        messages.success(request, _("Posted to the books."))
    elif action == "unmatch":
        services.line_unmatch(statement_line=line, actor=request.user)
        messages.success(request, _("Match undone."))
    else:
        raise Http404
