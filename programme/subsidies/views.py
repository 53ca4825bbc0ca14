"""Subsidy pages. On the portal: the ministry's budgets and shares, the province's
allocations and batches (built by one officer, approved by another), every batch's
progress; districts and auditors read their area. On an LPA's host: the transfers
coming to it, and the subsidy and premium aid its books received."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from askesos.dates import date_parse, today
from askesos.errors import DomainError
from askesos.files import form_int
from askesos.geo.models import Province
from askesos.permissions import AccessDenied, Action, ensure, may, require, scope_of
from askesos.roles import GovernmentLevel
from programme.subsidies import batches, selectors, services
from programme.subsidies.models import (
    BankFile,
    BatchState,
    Channel,
    LpaAllocation,
    ProvinceAllocation,
    Purpose,
    TransferBatch,
)
from tenants.dispatch import lpas_for_jobs
from tenants.models import Lpa


@require(Action.GOV_DASHBOARD_VIEW)
def subsidies_page(request):
    scope = scope_of(request.user)
    errors, values = {}, {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            _act(request, scope, action)
        except AccessDenied:
            raise  # a 403 page, not a message beside a field
        except DomainError as exc:
            errors[action], values[action] = exc, request.POST
        else:
            return redirect("subsidies")
    is_province = scope.level == GovernmentLevel.PROVINCE
    may_allocate = may(request.user, Action.GOV_ALLOCATION_MANAGE)
    shares = selectors.shares_for_scope(scope=scope)
    return render(
        request,
        "subsidies/subsidies.html",
        {
            "scope": scope,
            "budgets": selectors.budgets_with_allocated()
            if scope.level == GovernmentLevel.MINISTRY
            else [],
            "shares": shares,
            "allocations": selectors.lpa_allocations_for_scope(scope=scope)[:500],
            "batches": selectors.batches_for_scope(scope=scope)[:100],
            "previews": {
                share.pk: services.lpa_allocations_by_rule_preview(share=share)
                for share in shares
                if is_province and may_allocate
            },
            "lpas": lpas_for_jobs()
            .filter(regency__province_id=scope.province_id)
            .select_related("regency")
            .order_by("name")
            if is_province
            else [],
            "provinces": Province.objects.order_by("code"),
            "channels": Channel.choices,
            "purposes": Purpose.choices,
            "may_budget": may(request.user, Action.GOV_BUDGET_MANAGE),
            "may_allocate": may_allocate,
            "may_prepare": may(request.user, Action.GOV_TRANSFER_PREPARE),
            "jobs": _jobs_progress(scope),
            "year": today().year,
            "today": today(),
            "errors": errors,
            "values": values,
        },
        status=400 if errors else 200,
    )


# The nightly bank jobs whose progress the subsidy page shows (tenants.jobs.DAILY_JOBS).
BANK_JOBS = ("bank-statements", "reconcile")


def _jobs_progress(scope) -> list[tuple[object, object]]:
    """Today's bank jobs for the LPAs of the user's area: done / total, and errors."""
    from tenants.jobs import DAILY_JOBS, job_progress
    from tenants.selectors import lpa_list_for_scope

    lpas = lpa_list_for_scope(scope=scope)
    return [
        (DAILY_JOBS[name], job_progress(job=name, day=today(), lpas=lpas))
        for name in BANK_JOBS
        if name in DAILY_JOBS
    ]


def _act(request, scope, action: str) -> None:
    post, user = request.POST, request.user
    if action == "budget":
        ensure(user, Action.GOV_BUDGET_MANAGE)
        services.budget_record(
            year=post.get("year"),
            channel=post.get("channel", ""),
            purpose=post.get("purpose", ""),
            dipa_reference=post.get("dipa_reference", ""),
            amount=post.get("amount", ""),
            actor=user,
        )
        messages.success(request, _("Budget recorded."))
    elif action == "share":
        ensure(user, Action.GOV_BUDGET_MANAGE)
        budget = get_object_or_404(services.Budget, pk=form_int(post.get("budget")))
        services.province_allocate(
            budget=budget,
            province_code=post.get("province", ""),
            amount=post.get("amount", ""),
            actor=user,
        )
        messages.success(request, _("Allocation recorded."))
    elif action in ("rule", "manual"):
        ensure(user, Action.GOV_ALLOCATION_MANAGE)
        share = get_object_or_404(
            ProvinceAllocation, pk=form_int(post.get("share")), province_id=scope.province_id
        )
        if action == "rule":
            made = services.lpa_allocations_by_rule(share=share, actor=user)
            messages.success(
                request, _("%(count)s LPAs allocated by the rule.") % {"count": len(made)}
            )
        else:
            lpa = get_object_or_404(
                Lpa, pk=form_int(post.get("lpa")), regency__province_id=scope.province_id
            )
            services.lpa_allocate_manual(
                share=share,
                lpa=lpa,
                amount=post.get("amount", ""),
                reason=post.get("reason", ""),
                actor=user,
            )
            messages.success(request, _("Allocation recorded."))
    elif action == "batch":
        ensure(user, Action.GOV_TRANSFER_PREPARE)
        chosen = LpaAllocation.objects.filter(
            pk__in=[form_int(v) for v in post.getlist("allocation")],
            province_allocation__province_id=scope.province_id,
        )
        batch = batches.batch_build(
            province=scope.province,
            tranches=[(a, None) for a in chosen],
            execution_date=date_parse(
                post.get("execution_date"), field="execution_date", label=_("Execution date")
            ),
            actor=user,
        )
        messages.success(
            request,
            _("Batch %(batch)s built; another officer approves it.") % {"batch": batch.reference},
        )
    else:
        raise Http404


def _batch_in_scope(scope, reference: str) -> TransferBatch:
    batch = get_object_or_404(TransferBatch.objects.select_related("province"), reference=reference)
    visible = selectors.batches_for_scope(scope=scope).filter(pk=batch.pk).exists()
    if not visible:
        raise Http404
    return batch


@require(Action.GOV_DASHBOARD_VIEW)
def batch_page(request, reference: str):
    scope = scope_of(request.user)
    batch = _batch_in_scope(scope, reference)
    transfers = batch.transfers.select_related("lpa__regency").order_by("lpa__name", "pk")
    if scope.level == GovernmentLevel.REGENCY:
        transfers = transfers.filter(lpa__regency_id=scope.regency_id)
    return render(
        request,
        "subsidies/batch.html",
        {
            "batch": batch,
            "transfers": transfers,
            "progress": selectors.batch_progress(batch),
            "files": BankFile.objects.filter(batch=batch).order_by("created_at"),
            "confirmation_files": BankFile.objects.filter(kind="confirmations").order_by(
                "-created_at"
            )[:10]
            if batch.state in (BatchState.SENT, BatchState.DONE)
            else [],
            "may_approve": batch.state == BatchState.PLANNED
            and batch.created_by_id != request.user.pk
            and may(request.user, Action.GOV_TRANSFER_APPROVE),
            "may_send": batch.state == BatchState.APPROVED
            and may(request.user, Action.GOV_TRANSFER_PREPARE),
            "may_fetch": batch.state == BatchState.SENT
            and may(request.user, Action.GOV_TRANSFER_PREPARE),
            "is_maker": batch.created_by_id == request.user.pk,
        },
    )


@require_POST
@require(Action.GOV_TRANSFER_PREPARE, Action.GOV_TRANSFER_APPROVE)
def batch_act(request, reference: str):
    from programme.subsidies.tasks import confirmations_import_task

    batch = _batch_in_scope(scope_of(request.user), reference)
    action = request.POST.get("action")
    try:
        if action == "approve":
            ensure(request.user, Action.GOV_TRANSFER_APPROVE)
            batches.batch_approve(batch=batch, actor=request.user)
            messages.success(request, _("Batch approved."))
        elif action == "send":
            ensure(request.user, Action.GOV_TRANSFER_PREPARE)
            batches.batch_send_request(batch=batch, actor=request.user)
            messages.success(request, _("The batch is being sent to the bank."))
        elif action == "fetch":
            ensure(request.user, Action.GOV_TRANSFER_PREPARE)
            confirmations_import_task.delay()
            messages.success(request, _("Asking the bank for confirmations."))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("subsidy-batch", reference=batch.reference)


@require(Action.BOOKS_VIEW)
def incoming_page(request):
    """The LPA's incoming money from the state: transfers on their way and what its
    books received as claim-reserve subsidy and premium aid."""
    from programme.ledger.models import EntryKind, JournalEntry
    from programme.ledger.notes import entry_text
    from tenants.selectors import lpa_current

    entries = list(
        JournalEntry.objects.filter(kind__in=[EntryKind.SUBSIDY, EntryKind.PREMIUM_AID])
        .prefetch_related("lines__account")
        .order_by("-date", "-pk")[:200]
    )
    for entry in entries:
        entry.text = entry_text(entry)
        entry.amount = sum(line.amount for line in entry.lines.all() if line.amount > 0)
    return render(
        request,
        "subsidies/incoming.html",
        {"transfers": selectors.transfers_for_lpa(lpa=lpa_current())[:200], "entries": entries},
    )
