"""An audit export's job (reporting.exports says what an export is and who may make
one): its files written into one ZIP under EXPORT_ROOT/<export id>/, progress
written step by step on the export's row (committed at once, so its page sees it),
the signed manifest last, then the ZIP's SHA-256 and size on the row.

`export_build(export)` does it all in the calling process (the Celery task's work,
and what the benchmark times); `export_run(export_id)` is the task's body.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from askesos.permissions import scope_of
from askesos.roles import GovernmentLevel
from reporting.dashboards import (
    NATION,
    Area,
    Filters,
    area_children,
    area_parse,
    area_summary,
    area_trend,
)
from reporting.export_files import ExportZip, tables_write
from reporting.export_persons import persons_write
from reporting.export_tables import LpaInfo, export_lpas, export_tables
from reporting.manifest import FORMAT, MANIFEST, manifest_bytes, manifest_sign
from reporting.models import AuditExport, ExportState, FactLevel

logger = logging.getLogger(__name__)

TRENDS = 12  # months in the PDF's line charts


def export_folder(export: AuditExport) -> Path:
    return Path(settings.EXPORT_ROOT) / str(int(export.pk))


def _step(export: AuditExport, done: int) -> None:
    export.done = done
    AuditExport.objects.filter(pk=export.pk).update(done=done)


def _exported_by(export: AuditExport) -> dict[str, Any]:
    user = export.requested_by
    scope = scope_of(user)
    office = ""
    if scope is not None:
        place = scope.regency or scope.province
        office = scope.office_name or (
            "Kementerian Sosial" if place is None else f"Dinas Sosial {place.name}"
        )
    return {
        "username": user.username,
        "name": user.full_name or user.get_full_name(),
        "office": office.strip(),
        "level": getattr(scope, "level", ""),
        "role": getattr(scope, "role", ""),
    }


def _chosen(export: AuditExport) -> tuple[Area, Filters]:
    """The export's area and filters, as checked when it was requested (the area
    against the ministry's scope here: the requester's was checked then)."""
    from askesos.accounts.models import GovernmentScope
    from reporting.periods import period_parse

    nation = GovernmentScope(level=GovernmentLevel.MINISTRY)
    filters = export.params.get("filters", {})
    return area_parse(nation, export.level, export.area), Filters(
        period=period_parse(export.period),
        scheme=filters.get("scheme", ""),
        channel=filters.get("channel", ""),
    )


def _manifest(
    export: AuditExport, area: Area, filters: Filters, files: list[dict], extra: dict
) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        platform_version = version("askesos")
    except PackageNotFoundError:  # pragma: no cover (run from a checkout)
        platform_version = "unknown"
    return {
        "format": FORMAT,
        "export_id": export.pk,
        "kind": export.kind,
        "query": {
            "kind": export.kind,
            "period": filters.period.code,
            "period_start": filters.period.start.isoformat(),
            "period_end": filters.period.end.isoformat(),
            "level": area.level,
            "area": area.code,
            "area_name": area.name,
            "filters": {"scheme": filters.scheme, "channel": filters.channel},
        },
        "exported_by": _exported_by(export),
        "requested_at": timezone.localtime(export.requested_at).isoformat(),
        "exported_at": timezone.localtime(timezone.now()).isoformat(),
        "platform": {"name": "ASKESOS", "version": platform_version},
        "files": files,
        **extra,
    }


def export_build(export: AuditExport) -> AuditExport:
    """Build the export's ZIP in this process (the Celery task's work; the benchmark
    calls it directly): running, progress step by step, then done with the ZIP's
    path, SHA-256 and size, or failed with the error (raised again)."""
    export.state, export.done, export.error = ExportState.RUNNING, 0, ""
    AuditExport.objects.filter(pk=export.pk).update(state=export.state, done=0, error="")
    folder = export_folder(export)
    shutil.rmtree(folder, ignore_errors=True)  # a build a dead worker left half done
    folder.mkdir(parents=True)
    name = f"askesos-ekspor-{int(export.pk)}.zip"
    partial = folder / (name + ".part")
    try:
        language = export.params.get("language") or settings.LANGUAGE_CODE
        with translation.override(language):
            area, filters = _chosen(export)
            lpas = export_lpas(area, filters)
            archive = ExportZip(partial)
            try:
                if export.kind == AuditExport.Kind.PERSONS:
                    extra = _persons_build(export, archive, filters, lpas)
                else:
                    extra = _tables_build(export, archive, folder, area, filters, lpas)
                manifest = manifest_sign(_manifest(export, area, filters, archive.files, extra))
                archive.add_unlisted(MANIFEST, manifest_bytes(manifest))
            finally:
                archive.close()
        final = folder / name
        partial.replace(final)
        digest, size = _file_digest(final)
    except Exception as exc:
        shutil.rmtree(folder, ignore_errors=True)
        export.state, export.error = ExportState.FAILED, f"{type(exc).__name__}: {exc}"[:500]
        AuditExport.objects.filter(pk=export.pk).update(
            state=export.state, error=export.error, finished_at=timezone.now()
        )
        raise
    export.state, export.done = ExportState.DONE, export.steps
    export.manifest, export.path = manifest, f"{int(export.pk)}/{name}"
    export.sha256, export.size, export.finished_at = digest, size, timezone.now()
    export.save(
        update_fields=["state", "done", "manifest", "path", "sha256", "size", "finished_at"]
    )
    return export


def _file_digest(path: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            sha.update(chunk)
    return sha.hexdigest(), path.stat().st_size


def _steps(export: AuditExport, steps: int) -> None:
    export.steps = steps
    AuditExport.objects.filter(pk=export.pk).update(steps=steps)


def _tables_build(
    export: AuditExport,
    archive: ExportZip,
    folder: Path,
    area: Area,
    filters: Filters,
    lpas: list[LpaInfo],
) -> dict[str, Any]:
    tables = export_tables(area, filters, lpas)
    _steps(export, len(tables) + 3)
    workbook = folder / "tabel.xlsx.tmp"
    counts = tables_write(archive, tables, workbook, step=lambda: _step(export, export.done + 1))
    archive.add_file("tabel.xlsx", workbook)
    workbook.unlink()
    _step(export, export.done + 1)
    archive.add_bytes("ringkasan.pdf", _summary(export, area, filters, counts))
    _step(export, export.done + 1)
    return {"tables": counts, "lpas": len(lpas)}


def _summary(export: AuditExport, area: Area, filters: Filters, counts: dict[str, int]) -> bytes:
    from askesos.dates import format_date
    from reporting.export_pdf import summary_pdf

    who = _exported_by(export)
    below = {
        NATION: _("Active participants per province"),
        FactLevel.PROVINCE: _("Active participants per kabupaten/kota"),
        FactLevel.REGENCY: _("Active participants per LPA"),
    }
    now = timezone.localtime(timezone.now())
    parameters = [
        (_("Export"), f"#{export.pk}: {export.get_kind_display()}"),
        (_("Period"), f"{filters.period.label} ({filters.period.code})"),
        (_("Area"), area.name or area.code),
        (_("Scheme"), filters.scheme or _("all")),
        (_("Channel"), filters.channel or _("all")),
        (_("Exported by"), f"{who['name'] or who['username']} ({who['username']})"),
        (_("Office"), who["office"] or "-"),
        (_("Exported at"), f"{format_date(now)} {now:%H:%M %Z}"),
    ]
    return summary_pdf(
        title=_("ASKESOS audit export: %(area)s, %(period)s")
        % {"area": area.name, "period": filters.period.label},
        parameters=parameters,
        summary=area_summary(area, filters),
        trend=area_trend(area, filters, months=TRENDS),
        children=area_children(area, filters),
        children_title=below.get(area.level, ""),
        tables=counts,
    )


def _persons_build(
    export: AuditExport, archive: ExportZip, filters: Filters, lpas: list[LpaInfo]
) -> dict[str, Any]:
    _steps(export, len(lpas) + 1)

    def progress(done: int) -> None:  # once per batch of LPAs (export_persons.BATCH)
        _step(export, done)

    with archive.entry("peserta_perorangan.csv") as out:
        out.rows = persons_write(out, lpas, as_of=filters.period.end, progress=progress)
    _step(export, len(lpas))
    return {
        "tables": {"peserta_perorangan": out.rows},
        "lpas": len(lpas),
        "as_of": filters.period.end.isoformat(),
        "identity": (
            "No NIK. nik_hmac is HMAC-SHA256 of the NIK under the national participant "
            "index's key, as the platform's national index stores it."
        ),
    }


def export_run(export_id: int) -> str:
    """The task's work: take the export once (queued, or running when a worker died
    with it and the broker sent it again) and build it."""
    with transaction.atomic():
        export = (
            AuditExport.objects.select_for_update()
            .select_related("requested_by")
            .filter(pk=export_id)
            .first()
        )
        if export is None or export.state not in (ExportState.QUEUED, ExportState.RUNNING):
            return export.state if export is not None else "missing"
        AuditExport.objects.filter(pk=export.pk).update(state=ExportState.RUNNING)
    try:
        export_build(export)
    except Exception:
        logger.exception("audit export %s failed", export_id)
    return export.state
