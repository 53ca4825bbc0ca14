"""Registry pages: search, register, detail, import. Phones first: one column, big targets."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from askesos.dates import today
from askesos.errors import DomainError
from askesos.files import request_body_too_large
from askesos.geo.models import District
from askesos.pagination import CappedCountPaginator
from askesos.permissions import Action, ensure, may, require
from programme.participants import exports
from programme.participants.cards import card_handover, card_print
from programme.participants.forms import ImportForm, ParticipantRegisterForm, village_choices
from programme.participants.groups import (
    group_officers,
    meeting_group_create,
    participant_group_set,
)
from programme.participants.import_files import MAX_ROWS, import_max_bytes, import_size_check
from programme.participants.imports import (
    import_batch_expire,
    import_template_csv,
    participants_import_confirm,
    participants_import_queue,
)
from programme.participants.lifecycle import (
    REREGISTRATION_FROM,
    TRANSITIONS,
    policy_transition,
)
from programme.participants.models import (
    ImportBatch,
    MeetingGroup,
    MemberCard,
    Participant,
    Policy,
    PolicyStatus,
)
from programme.participants.selectors import (
    import_batches_recent,
    participant_search,
    participants_with_latest_policy,
)
from programme.participants.services import (
    HeirInput,
    ParticipantInput,
    participant_register,
    policy_continue_by_heir,
    policy_reregister,
)


@require(Action.PARTICIPANT_VIEW)
def participant_list(request):
    """Search, and the lists the to-do items open: ?status=registered (waiting for the
    first premium), ?kartu=belum (cards printed, not handed over)."""
    query = request.GET.get("q", "")
    status = request.GET.get("status", "")
    status = status if status in PolicyStatus.values else ""
    card_pending = request.GET.get("kartu") == "belum"
    participants = participant_search(query=query, status=status, card_pending=card_pending)
    page = CappedCountPaginator(participants, 25).get_page(request.GET.get("hal"))
    page.object_list = participants_with_latest_policy(list(page.object_list))
    return render(
        request,
        "participants/list.html",
        {
            "page": page,
            "query": query,
            "status": status,
            "status_label": PolicyStatus(status).label if status else "",
            "card_pending": card_pending,
            "filters": urlencode(
                {k: v for k, v in (("q", query), ("status", status)) if v}
                | ({"kartu": "belum"} if card_pending else {})
            ),
            "may_register": may(request.user, Action.PARTICIPANT_REGISTER),
        },
    )


@require(Action.PARTICIPANT_REGISTER)
def participant_register_page(request):
    """Registration; with ?lanjutan=<policy> an heir continues a deceased participant's
    membership (offered on the death claim's page)."""
    continued = (
        Policy.objects.filter(
            pk=(request.GET.get("lanjutan") or request.POST.get("lanjutan") or "0"),
            status=PolicyStatus.DECEASED,
        )
        .select_related("participant")
        .first()
        if (request.GET.get("lanjutan") or request.POST.get("lanjutan") or "").isdigit()
        else None
    )
    initial = {}
    if continued is not None:
        heir = continued.participant.heirs.order_by("-is_primary", "pk").first()
        initial = {"name": heir.name, "nik": heir.nik} if heir else {}
    form = ParticipantRegisterForm(
        request.POST or None, initial=initial, regency_code=request.tenant.regency_id
    )
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        heirs = ()
        if values["heir_name"]:
            heirs = (
                HeirInput(
                    name=values["heir_name"],
                    relation=values["heir_relation"] or "lainnya",
                    is_primary=True,
                ),
            )
        data = ParticipantInput(
            nik=values["nik"],
            name=values["name"],
            sex=values["sex"],
            birth_date=values["birth_date"],
            marital_status=values["marital_status"],
            occupation=values["occupation"],
            monthly_income=values["monthly_income"],
            village_code=values["village_code"].strip(),
            data_source=values["data_source"],
            poverty_status=values["poverty_status"],
            household_size=values["household_size"],
            is_breadwinner=values["is_breadwinner"],
            address=values["address"],
            phone=values["phone"],
            documents=tuple(values["documents"]),
            heirs=heirs,
            group_id=values["group"].pk if values["group"] else None,
        )
        try:
            if continued is not None:
                policy = policy_continue_by_heir(
                    policy=continued,
                    heir_data=data,
                    actor=request.user,
                    nik_override_reason=values["nik_override_reason"],
                )
            else:
                policy = participant_register(
                    data=data,
                    actor=request.user,
                    nik_override_reason=values["nik_override_reason"],
                )
        except DomainError as exc:
            # Beside the field the refusal names, when the form has it.
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, _("Registered: policy %(number)s.") % {"number": policy.number}
            )
            return redirect("participant-detail", pk=policy.participant_id)
    return render(
        request,
        "participants/register.html",
        {
            "form": form,
            "continued": continued,
            "districts": District.objects.filter(regency_id=request.tenant.regency_id).order_by(
                "name"
            ),
        },
    )


@require(Action.PARTICIPANT_VIEW)
def participant_detail(request, pk: int):
    from programme.ledger.collection import policy_receipts, policy_standing

    participant = get_object_or_404(
        Participant.objects.select_related("village__district__regency", "group"), pk=pk
    )
    policies = list(
        participant.policies.select_related("scheme_version").prefetch_related("events", "cards")
    )
    on = today()
    for policy in policies:
        # The same arithmetic as the collection sheet: what is due, paid up to when.
        policy.standing = policy_standing(policy=policy, on=on)
        policy.premium_receipts = policy_receipts(policy)
    return render(
        request,
        "participants/detail.html",
        {
            "participant": participant,
            "policies": policies,
            "heirs": participant.heirs.all(),
            "transitions": {p.pk: sorted(TRANSITIONS[p.status]) for p in policies},
            "status_labels": dict(PolicyStatus.choices),
            "may_change": may(request.user, Action.PARTICIPANT_REGISTER),
            "may_payout": may(request.user, Action.LEDGER_POST),
            "may_reregister": bool(policies) and policies[0].status in REREGISTRATION_FROM,
            "groups": MeetingGroup.objects.select_related("village").order_by("name"),
        },
    )


@require(Action.PARTICIPANT_REGISTER)
@require_POST
def participant_group_page(request, pk: int):
    participant = get_object_or_404(Participant, pk=pk)
    chosen = request.POST.get("group", "")
    group = get_object_or_404(MeetingGroup, pk=chosen) if chosen.isdigit() else None
    participant_group_set(participant=participant, group=group, actor=request.user)
    messages.success(request, _("Meeting group saved."))
    return redirect("participant-detail", pk=pk)


@require(Action.PARTICIPANT_VIEW)
def meeting_groups_page(request):
    """The LPA's meeting groups (kelompok): desa, field officer, members; add one."""
    may_change = may(request.user, Action.PARTICIPANT_REGISTER)
    errors: dict[str, str] = {}
    if request.method == "POST":
        ensure(request.user, Action.PARTICIPANT_REGISTER)
        try:
            group = meeting_group_create(
                name=request.POST.get("name", ""),
                village_code=request.POST.get("village_code", "").strip(),
                officer_id=int(request.POST["officer"])
                if request.POST.get("officer", "").isdigit()
                else None,
                actor=request.user,
            )
        except DomainError as exc:
            errors[exc.field or "name"] = exc.message
        else:
            messages.success(request, _("Meeting group %(name)s added.") % {"name": group.name})
            return redirect("meeting-groups")
    groups = (
        MeetingGroup.objects.select_related("village__district", "officer")
        .annotate(members=Count("participants"))
        .order_by("village__name", "name")
    )
    return render(
        request,
        "participants/groups.html",
        {
            "groups": groups,
            "may_change": may_change,
            "may_collect": may(request.user, Action.PREMIUM_RECORD),
            "errors": errors,
            "posted": request.POST,
            "village_choices": village_choices(request.tenant.regency_id),
            "officers": group_officers(),
        },
    )


@require(Action.PARTICIPANT_REGISTER)
@require_POST
def policy_status_change(request, pk: int):
    policy = get_object_or_404(Policy, pk=pk)
    try:
        policy_transition(
            policy=policy,
            to_status=request.POST.get("to_status", ""),
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Status changed."))
    return redirect("participant-detail", pk=policy.participant_id)


@require(Action.PARTICIPANT_REGISTER)
@require_POST
def participant_reregister_page(request, pk: int):
    participant = get_object_or_404(Participant, pk=pk)
    try:
        policy = policy_reregister(participant=participant, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Registered: policy %(number)s.") % {"number": policy.number})
    return redirect("participant-detail", pk=pk)


@require(Action.PARTICIPANT_REGISTER)
@require_POST
def card_print_page(request, pk: int):
    policy = get_object_or_404(Policy, pk=pk)
    card, content = card_print(policy=policy, actor=request.user)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="kartu-{policy.number}.pdf"'
    return response


@require(Action.PARTICIPANT_REGISTER)
@require_POST
def card_handover_page(request, pk: int):
    card = get_object_or_404(MemberCard, pk=pk)
    try:
        card_handover(
            card=card, actor=request.user, received_by=request.POST.get("received_by", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Hand-over recorded."))
    return redirect("participant-detail", pk=card.policy.participant_id)


@csrf_exempt  # the upload's size is refused before the body is read; CSRF just after
@require(Action.PARTICIPANT_REGISTER)
def participant_import_page(request):
    """The upload form and the LPA's latest imports. An upload is stored and queued
    (the worker reads it); the user follows it on its own page."""
    if request.method == "POST":
        declared = request_body_too_large(request, import_max_bytes())
        if declared:
            # Refused unread: the CSRF token is in the body, but nothing changes.
            try:
                import_size_check(declared)
            except DomainError as exc:
                return _import_form(request, ImportForm(), exc.message, status=400)
        return _participant_import_upload(request)
    return _import_form(request, ImportForm())


@csrf_protect
def _participant_import_upload(request):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_form(request, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        batch = participants_import_queue(
            file=upload, filename=upload.name or "", size=upload.size, actor=request.user
        )
    except DomainError as exc:
        return _import_form(request, form, exc.message, status=400)
    return redirect("participant-import-batch", pk=batch.pk)


def _import_form(request, form, error: str = "", status: int = 200):
    if error:
        form.errors.setdefault("file", form.error_class()).append(error)
    recent = import_batches_recent()
    context = {
        "form": form,
        "recent": recent,
        "max_mb": import_max_bytes() // 2**20,
        "max_rows": MAX_ROWS,
    }
    return render(request, "participants/import.html", context, status=status)


IMPORT_ERRORS_SHOWN = 500


@require(Action.PARTICIPANT_REGISTER)
def participant_import_batch_page(request, pk: int):
    """One import: waiting or running (the page follows it), done with its per-row
    report (a dry run offers to import the valid rows), or failed with the reason."""
    batch = import_batch_expire(get_object_or_404(ImportBatch, pk=pk))
    if request.method == "POST":
        try:
            again = participants_import_confirm(
                batch=batch,
                actor=request.user,
                skip_invalid=request.POST.get("skip_invalid") == "1",
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("participant-import-batch", pk=batch.pk)
        return redirect("participant-import-batch", pk=again.pk)
    return render(
        request,
        "participants/import_batch.html",
        {
            "batch": batch,
            "errors": batch.errors[:IMPORT_ERRORS_SHOWN],
            "errors_hidden": max(len(batch.errors) - IMPORT_ERRORS_SHOWN, 0),
            "status_url": reverse("api-participant-import-batch", args=[batch.pk]),
        },
    )


@require(Action.PARTICIPANT_REGISTER)
def participant_import_template(request):
    response = HttpResponse(import_template_csv(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="templat-impor-peserta.csv"'
    return response


@require(Action.PARTICIPANT_VIEW)
def participant_export(request):
    return exports.registry_export_response(kind=request.GET.get("type", "csv"))
