"""The audit exports' pages on the government portal: the form and the user's
exports (/ekspor/), one export with its progress (/ekspor/<id>/, polled by a small
static script through /ekspor/<id>/status/; without JavaScript the page reloads
itself), and the download. An export the user may not see answers 404, as one that
does not exist; bad input answers its refusal's status (400; 404 for an area outside
the scope) with the form and the reason, never a 500."""

from __future__ import annotations

from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from askesos.permissions import Action, may, require, scope_of
from askesos.roles import GovernmentLevel
from reporting.errors import ReportError
from reporting.exports import (
    export_downloaded,
    export_progress,
    export_request,
    export_visible,
    export_zip_path,
    exports_for,
)
from reporting.models import AuditExport, ExportState
from reporting.pages import recent_periods
from reporting.periods import PeriodType
from reporting.rollup import CHANNEL_BITS

FIELDS = ("period", "area", "kind", "scheme", "channel")


def _areas(scope) -> list[tuple[str, list[tuple[str, str]]]]:
    """The areas a user may export, grouped for the form's select: (group, [(value,
    name)]); a value is `nation`, `province:<code>` or `regency:<code>`."""
    from django.utils.translation import gettext as _

    from askesos.geo.models import Province, Regency

    if scope.level == GovernmentLevel.REGENCY:
        regency = scope.regency
        return [("", [(f"regency:{regency.pk}", regency.name)])]
    regencies = Regency.objects.select_related("province").order_by("province__name", "name")
    if scope.level == GovernmentLevel.PROVINCE:
        province = scope.province
        return [
            ("", [(f"province:{province.pk}", province.name)]),
            (
                _("Kabupaten/kota"),
                [(f"regency:{r.pk}", r.name) for r in regencies.filter(province_id=province.pk)],
            ),
        ]
    groups = [
        ("", [("nation", _("Indonesia"))]),
        (
            _("Provinces"),
            [(f"province:{p.pk}", p.name) for p in Province.objects.order_by("name")],
        ),
    ]
    by_province: dict[str, list[tuple[str, str]]] = {}
    for r in regencies:
        by_province.setdefault(r.province.name, []).append((f"regency:{r.pk}", r.name))
    groups += [(name, options) for name, options in by_province.items()]
    return groups


def _form_context(request, scope, form: dict, error: ReportError | None) -> dict:
    from programme.schemes.models import SchemeVersion

    return {
        "scope": scope,
        "form": form,
        "error": error,
        "areas": _areas(scope),
        "may_persons": may(request.user, Action.GOV_AUDIT_EXPORT_PERSONS),
        "schemes": list(SchemeVersion.objects.order_by("code").values_list("code", flat=True)),
        "channels": list(CHANNEL_BITS),
        "recent": recent_periods(PeriodType.MONTH, 3),
        "exports": exports_for(request.user),
    }


@require(Action.GOV_AUDIT_EXPORT)
def exports_page(request):
    scope = scope_of(request.user)
    default_area = {
        GovernmentLevel.MINISTRY: "nation",
        GovernmentLevel.PROVINCE: f"province:{scope.province_id}",
        GovernmentLevel.REGENCY: f"regency:{scope.regency_id}",
    }[scope.level]
    form = {
        "period": recent_periods(PeriodType.MONTH, 1)[0].code,
        "area": default_area,
        "kind": AuditExport.Kind.TABLES.value,
        "scheme": "",
        "channel": "",
    }
    error, status = None, 200
    if request.method == "POST":
        form = {name: (request.POST.get(name) or "").strip()[:60] for name in FIELDS}
        level, _sep, code = form["area"].partition(":")
        try:
            export = export_request(
                user=request.user,
                scope=scope,
                kind=form["kind"],
                period=form["period"],
                level=level,
                area=code,
                filters={k: form[k] for k in ("scheme", "channel") if form[k]},
            )
        except ReportError as exc:
            error, status = exc, exc.http_status
        else:
            return redirect("audit-export", export.pk)
    return render(
        request,
        "reporting/exports.html",
        _form_context(request, scope, form, error),
        status=status,
    )


def _visible_or_404(request, pk: int) -> AuditExport:
    export = AuditExport.objects.select_related("requested_by").filter(pk=pk).first()
    if export is None or not export_visible(request.user, export):
        raise Http404
    return export


@require(Action.GOV_AUDIT_EXPORT)
def export_page(request, pk: int):
    export = _visible_or_404(request, pk)
    files = export.manifest.get("files", []) if export.state == ExportState.DONE else []
    return render(
        request,
        "reporting/export.html",
        {
            "export": export,
            "progress": export_progress(export),
            "files": files,
            "running": export.state in (ExportState.QUEUED, ExportState.RUNNING),
            "manifest": export.manifest,
            "status_url": reverse("audit-export-status", args=[export.pk]),
            "states": {value: str(label) for value, label in ExportState.choices},
        },
    )


@require(Action.GOV_AUDIT_EXPORT)
def export_status(request, pk: int):
    export = _visible_or_404(request, pk)
    body = export_progress(export)
    body["download"] = (
        reverse("audit-export-download", args=[export.pk])
        if export.state == ExportState.DONE
        else None
    )
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response


@require(Action.GOV_AUDIT_EXPORT)
def export_download(request, pk: int):
    export = _visible_or_404(request, pk)
    if export.state != ExportState.DONE or not export_zip_path(export).is_file():
        raise Http404
    path = export_downloaded(user=request.user, export=export)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"askesos-ekspor-{export.pk}.zip",
        content_type="application/zip",
    )
