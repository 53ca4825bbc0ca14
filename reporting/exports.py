"""Ministry audit exports: for a period and an area, one Celery job writes a ZIP of
the area's tables (XLSX with one sheet each, the same as CSV files, a PDF summary
with charts) or, for the ministry's auditors only, its participants one by one
(without NIK), with a signed manifest.json (reporting.manifest).

The rules:
- Tables need GOV_AUDIT_EXPORT; participants also GOV_AUDIT_EXPORT_PERSONS, which
  only the ministry's auditor role has (askesos.permissions). The area must lie in
  the user's scope (reporting.dashboards.area_parse: 404 otherwise, as for an area
  that does not exist); a future period, an unknown filter: ReportError (400).
- The same request (user, kind, period, area, filters) while one is queued or
  running joins it: PostgreSQL holds one such row per key (audit_export_one_running).
- Only the requester, and the ministry's auditors, see or download an export (404
  for anyone else); every request and download is written to the audit log
  (django-auditlog's LogEntry, action "access", on the export's row).
- Files live under EXPORT_ROOT/<export id>/ only: no part of the path comes from
  the request.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from askesos.permissions import Action, ensure, may, scope_of
from askesos.roles import GovernmentLevel, GovernmentRole
from reporting.dashboards import NATION, area_parse, filters_parse
from reporting.errors import ReportError
from reporting.models import AuditExport, ExportState, FactLevel

KINDS = (AuditExport.Kind.TABLES.value, AuditExport.Kind.PERSONS.value)
LEVELS = (NATION, FactLevel.PROVINCE.value, FactLevel.REGENCY.value)
FILTERS = ("scheme", "channel")
RESEND_AFTER = datetime.timedelta(minutes=10)  # a queued export nobody picked up


# --- requesting ----------------------------------------------------------------------


def export_request(
    *,
    user: Any,
    scope: Any,
    kind: str,
    period: str,
    level: str,
    area: str,
    filters: Mapping[str, str] | None = None,
    send: bool = True,
) -> AuditExport:
    """Queue an export (or join the same one while it is queued or running). `send`
    False queues it without sending the task: the caller builds it in its own process
    (reporting.export_job.export_build), as the benchmark does."""
    ensure(user, Action.GOV_AUDIT_EXPORT)
    if kind not in KINDS:
        raise ReportError("export_kind_unknown", field="kind", value=str(kind)[:20])
    if kind == AuditExport.Kind.PERSONS:
        ensure(user, Action.GOV_AUDIT_EXPORT_PERSONS)
    filters = dict(filters or {})
    unknown = sorted(set(filters) - set(FILTERS))
    if unknown:
        raise ReportError("filter_unknown", field=unknown[0], value=unknown[0][:40])
    if not (period or "").strip():
        raise ReportError("period_invalid", field="period", value="")
    chosen = filters_parse({"period": period, **filters})
    if level not in LEVELS:
        raise ReportError("export_level", field="area", value=str(level)[:20])
    where = area_parse(scope, level, "" if level == NATION else (area or ""))
    params = {
        "kind": kind,
        "period": chosen.period.code,
        "level": where.level,
        "area": where.code,
        "filters": {k: v for k, v in (("scheme", chosen.scheme), ("channel", chosen.channel)) if v},
        "area_name": where.name,
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    identity = {k: v for k, v in params.items() if k not in ("language", "area_name")}
    key = hashlib.sha256(
        json.dumps({"user": user.pk, **identity}, sort_keys=True).encode()
    ).hexdigest()
    for _attempt in range(3):
        with transaction.atomic():
            running = (
                AuditExport.objects.select_for_update()
                .filter(key=key, state__in=[ExportState.QUEUED, ExportState.RUNNING])
                .first()
            )
            if running is not None:
                if send:
                    _resend_if_lost(running)
                _log(running, user, "export_joined")
                return running
            try:
                with transaction.atomic():
                    export = AuditExport.objects.create(
                        kind=kind,
                        period=chosen.period.code,
                        level=where.level,
                        area=where.code,
                        key=key,
                        params=params,
                        requested_by=user,
                    )
            except IntegrityError:
                continue  # the same request, made at this moment: join it on the next turn
            _log(export, user, "export_requested")
            if send:
                transaction.on_commit(lambda pk=export.pk: _send(pk))
            return export
    raise RuntimeError("could not queue nor join the export")  # pragma: no cover


def _send(export_id: int) -> None:
    from reporting.tasks import audit_export_task  # the tasks import the services

    audit_export_task.delay(export_id)


def _resend_if_lost(export: AuditExport) -> None:
    """A queued export that no worker took for long (its message lost with a broker
    that restarted) is sent again; the task takes each export once."""
    if export.state == ExportState.QUEUED and export.requested_at < timezone.now() - RESEND_AFTER:
        transaction.on_commit(lambda pk=export.pk: _send(pk))


def _log(export: AuditExport, user: Any, event: str) -> None:
    from auditlog.models import LogEntry

    LogEntry.objects.log_create(
        export,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=user,
        changes=None,
        additional_data={
            "event": event,
            "kind": export.kind,
            "period": export.period,
            "level": export.level,
            "area": export.area,
            "filters": export.params.get("filters", {}),
        },
    )


# --- who sees what -------------------------------------------------------------------


def _ministry_auditor(scope: Any) -> bool:
    return (
        scope is not None
        and scope.level == GovernmentLevel.MINISTRY
        and scope.role == GovernmentRole.AUDITOR
    )


def export_visible(user: Any, export: AuditExport) -> bool:
    """The requester (while the area is still in their scope and, for participants,
    while they may still export them), and the ministry's auditors."""
    scope = scope_of(user)
    if scope is None or not may(user, Action.GOV_AUDIT_EXPORT):
        return False
    if _ministry_auditor(scope):
        return True
    if export.requested_by_id != user.pk:
        return False
    if export.kind == AuditExport.Kind.PERSONS and not may(user, Action.GOV_AUDIT_EXPORT_PERSONS):
        return False
    try:
        area_parse(scope, export.level, export.area)
    except ReportError:
        return False
    return True


def exports_for(user: Any, *, limit: int = 50) -> list[AuditExport]:
    """The exports a user sees, newest first: their own; every one for the ministry's
    auditors."""
    scope = scope_of(user)
    exports = AuditExport.objects.select_related("requested_by")
    if not _ministry_auditor(scope):
        exports = exports.filter(requested_by_id=user.pk)
    return [
        e for e in exports.order_by("-requested_at", "-pk")[: limit * 2] if export_visible(user, e)
    ][:limit]


def export_downloaded(*, user: Any, export: AuditExport) -> Path:
    """The ZIP's path, and the download written to the audit log."""
    _log(export, user, "export_downloaded")
    return export_zip_path(export)


def export_zip_path(export: AuditExport) -> Path:
    return Path(settings.EXPORT_ROOT) / export.path


def export_progress(export: AuditExport) -> dict[str, Any]:
    """What the progress bar shows. Not the error: it stays on the row for the
    operators, as its text may name the platform's internals."""
    steps = max(export.steps, 1)
    return {
        "id": export.pk,
        "state": export.state,
        "done": export.done,
        "steps": steps,
        "percent": 100 if export.state == ExportState.DONE else int(export.done * 100 / steps),
    }
