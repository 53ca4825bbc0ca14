"""The collection sheet page (also the monthly meeting's screen) and the member-card
lookup its camera scan calls. Server-rendered and usable without JavaScript; the
script only adds the camera, the live amount and ticking a scanned row."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from askesos.dates import date_parse, today
from askesos.errors import DomainError
from askesos.geo.models import Village
from askesos.money import rupiah_parse
from askesos.permissions import Action, require
from programme.ledger import premiums
from programme.ledger.collection import (
    SHEET_LIMIT,
    SheetRow,
    collection_policy_find,
    collection_rows,
    collection_sheet,
    months_parse,
)
from programme.ledger.models import PremiumReceipt
from programme.participants.models import OPEN_STATUSES, MeetingGroup, Participant

_SHEET_KEY = re.compile(r"^[A-Za-z0-9_-]{8,24}$")
_ROW_FIELD = re.compile(r"^months-(\d{1,12})$")


@dataclass
class RowForm:
    """What the officer sees and typed in one row, and what became of it."""

    row: SheetRow
    ticked: bool = False
    months: str = ""
    amount: str = ""
    number: str = ""
    error: str = ""
    receipt: PremiumReceipt | None = None

    @classmethod
    def fresh(cls, row: SheetRow) -> RowForm:
        standing = row.standing
        return cls(
            row=row,
            months=str(standing.months_prefill),
            amount=f"{standing.amount_prefill:,}".replace(",", "."),
        )


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 13 else None


def _filters(request) -> dict:
    """desa, kelompok, petugas from the query; a field officer who leads groups sees
    their own groups first (until they choose another filter)."""
    query = request.GET
    chosen = {
        "desa": (query.get("desa") or "").strip()[:13],
        "kelompok": _int(query.get("kelompok")),
        "petugas": _int(query.get("petugas")),
    }
    if not {"desa", "kelompok", "petugas"} & set(query) and (
        MeetingGroup.objects.filter(officer_id=request.user.pk).exists()
    ):
        chosen["petugas"] = request.user.pk
    return chosen


def _record(request, forms: dict[int, RowForm], sheet_key: str) -> tuple[int, str]:
    """Record the ticked rows; returns (how many were recorded, the date's error)."""
    try:
        received_on = date_parse(
            request.POST.get("received_on"), field="received_on", label=_("Date received")
        )
    except DomainError as exc:
        return 0, exc.message
    rows, owners = [], []
    for pk, form in forms.items():
        if not form.ticked:
            continue
        try:
            months = months_parse(form.months)
            amount = (
                rupiah_parse(form.amount)
                if form.amount.strip()
                else months * form.row.standing.premium
            )
        except DomainError as exc:
            form.error = exc.message
            continue
        rows.append(
            premiums.ReceiptRow(
                form.number.strip(),
                form.row.policy_number,
                months,
                amount,
                request_key=f"{sheet_key}:{pk}",
            )
        )
        owners.append(pk)
    if not rows:
        return 0, ""
    result = premiums.premium_receipts_batch(rows=rows, received_on=received_on, actor=request.user)
    for index, message in result.errors:
        forms[owners[index]].error = message
    for index, receipt in result.by_row.items():
        form = forms[owners[index]]
        form.receipt, form.ticked = receipt, False
    return len(result.by_row), ""


@require(Action.PREMIUM_RECORD)
def collection_sheet_page(request):
    """Who owes premiums this month, filterable by desa, kelompok and officer; tick who
    paid. Failed rows come back ticked with what was typed and why; recorded rows show
    their receipt numbers."""
    on = today()
    filters = _filters(request)
    find_error, pinned = "", []
    wanted = (request.GET.get("polis") or "").strip()
    if wanted:
        try:
            pinned.append(collection_policy_find(policy_number=wanted).pk)
        except DomainError as exc:
            find_error = exc.message
    forms: dict[int, RowForm] = {}
    date_error, received_on = "", f"{on:%Y-%m-%d}"
    sheet_key = secrets.token_urlsafe(12)
    if request.method == "POST":
        posted = request.POST
        if _SHEET_KEY.match(posted.get("sheet", "")):
            sheet_key = posted["sheet"]  # a form sent again keeps its receipts once
        received_on = posted.get("received_on", "")[:10]
        ids = [int(m.group(1)) for key in posted if (m := _ROW_FIELD.match(key))]
        ticked = {pk for pk in (_int(v) for v in posted.getlist("pay")) if pk is not None}
        for row in collection_rows(policy_ids=ids, on=on, open_only=False):
            pk = row.policy_id
            forms[pk] = RowForm(
                row=row,
                ticked=pk in ticked,
                months=posted.get(f"months-{pk}", "")[:6],
                amount=posted.get(f"amount-{pk}", "")[:30],
                number=posted.get(f"number-{pk}", "")[:40],
            )
        recorded, date_error = _record(request, forms, sheet_key)
        if recorded:
            messages.success(request, _("%(count)s receipts recorded.") % {"count": recorded})
    for row in collection_rows(policy_ids=[pk for pk in pinned if pk not in forms], on=on):
        forms = {row.policy_id: RowForm.fresh(row), **forms}
    sheet, cut = collection_sheet(
        on=on,
        village_code=filters["desa"],
        group_id=filters["kelompok"],
        officer_id=filters["petugas"],
    )
    for row in sheet:
        forms.setdefault(row.policy_id, RowForm.fresh(row))
    group = (
        MeetingGroup.objects.filter(pk=filters["kelompok"]).first() if filters["kelompok"] else None
    )
    return render(
        request,
        "ledger/receipts_batch.html",
        {
            "forms": list(forms.values()),
            "cut": cut,
            "limit": SHEET_LIMIT,
            "filters": filters,
            "wanted": wanted,
            "find_error": find_error,
            "received_on": received_on,
            "date_error": date_error,
            "sheet_key": sheet_key,
            "today": on,
            "villages": Village.objects.filter(
                code__in=Participant.objects.filter(policies__status__in=OPEN_STATUSES).values(
                    "village_id"
                )
            ).order_by("name"),
            "groups": MeetingGroup.objects.select_related("village").order_by("name"),
            "officers": _group_officers(),
            "group": group,
            "filter_summary": _filter_summary(filters, group),
        },
    )


def _filter_summary(filters: dict, group: MeetingGroup | None) -> str:
    """The chosen filter in a line, shown while the filter form is folded away."""
    from askesos.accounts.models import User

    parts = []
    if group is not None:
        parts.append(group.name)
    if filters["desa"]:
        village = Village.objects.filter(code=filters["desa"]).first()
        parts.append(village.name if village else filters["desa"])
    if filters["petugas"]:
        officer = User.objects.filter(pk=filters["petugas"]).first()
        parts.append(str(officer) if officer else "?")
    return " · ".join(parts) or _("everyone with a premium due")


def _group_officers() -> list:
    from askesos.accounts.models import User

    ids = MeetingGroup.objects.exclude(officer_id=None).values_list("officer_id", flat=True)
    return list(User.objects.filter(pk__in=set(ids)).order_by("full_name", "username"))


@require(Action.PREMIUM_RECORD)
def collection_card_lookup(request, token: str):
    """A scanned member card: its row for the sheet, or why it cannot be collected."""
    try:
        policy = collection_policy_find(card_token=token[:40])
    except DomainError as exc:
        return JsonResponse({"code": exc.code, "message": exc.message}, status=404)
    row = collection_rows(policy_ids=[policy.pk], on=today())[0]
    html = render_to_string(
        "ledger/_sheet_row.html", {"form": RowForm.fresh(row), "found": True}, request=request
    )
    return JsonResponse({"policy": policy.pk, "name": row.name, "row": html})
