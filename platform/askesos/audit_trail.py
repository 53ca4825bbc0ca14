"""Reading the audit trail (django-auditlog's LogEntry rows of the schema the request is
in: an LPA's own, or public on the portal) for the auditor's page and its CSV export.

The filters are checked: an unknown one, or a value that is not one, is refused with a
message naming it, never ignored. Every text cell of the export passes through
`cell_safe` (a changed value like "=HYPERLINK(...)" stays text)."""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from askesos.errors import DomainError
from askesos.spreadsheets import cell_safe

FILTERS = frozenset({"dari", "sampai", "pengguna", "jenis", "halaman", "format", "lang"})
ACTIONS = {
    LogEntry.Action.CREATE: _("created"),
    LogEntry.Action.UPDATE: _("changed"),
    LogEntry.Action.DELETE: _("deleted"),
    LogEntry.Action.ACCESS: _("opened"),
}
CSV_HEADER = ("waktu", "pengguna", "alamat", "aksi", "jenis", "objek", "id", "perubahan")


class AuditTrailError(DomainError):
    messages = {
        "filter_unknown": _("This page has no filter %(value)s."),
        "date_invalid": _("%(value)s is not a date (write it as 2026-11-21)."),
        "kind_unknown": _("%(value)s is not a kind of record in the audit trail."),
    }


@dataclass(frozen=True)
class TrailFilters:
    since: datetime.date | None = None
    until: datetime.date | None = None
    username: str = ""
    kind: str = ""  # app_label.model


def _date(params: Mapping[str, str], key: str) -> datetime.date | None:
    value = (params.get(key) or "").strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise AuditTrailError("date_invalid", field=key, value=value[:20]) from None


def trail_filters_parse(params: Mapping[str, str]) -> TrailFilters:
    unknown = sorted(set(params) - FILTERS)
    if unknown:
        raise AuditTrailError("filter_unknown", field=unknown[0][:40], value=unknown[0][:40])
    kind = (params.get("jenis") or "").strip()
    if kind and kind not in dict(trail_kinds()):
        raise AuditTrailError("kind_unknown", field="jenis", value=kind[:60])
    return TrailFilters(
        since=_date(params, "dari"),
        until=_date(params, "sampai"),
        username=(params.get("pengguna") or "").strip().lower()[:150],
        kind=kind,
    )


def trail_kinds() -> list[tuple[str, str]]:
    """The kinds of record the platform audits, as (app_label.model, name): from
    auditlog's registry, not from the rows (a DISTINCT over every audit row of a large
    LPA would be read at each page)."""
    from auditlog.registry import auditlog

    named = [
        (f"{model._meta.app_label}.{model._meta.model_name}", str(model._meta.verbose_name))
        for model in auditlog.get_models()
    ]
    return sorted(named, key=lambda kind: kind[1])


def trail_entries(filters: TrailFilters) -> QuerySet[LogEntry]:
    """The audit rows under the filters, newest first."""
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    zone = timezone.get_current_timezone()
    if filters.since:
        entries = entries.filter(
            timestamp__gte=datetime.datetime.combine(filters.since, datetime.time(), zone)
        )
    if filters.until:
        after = filters.until + datetime.timedelta(days=1)
        entries = entries.filter(
            timestamp__lt=datetime.datetime.combine(after, datetime.time(), zone)
        )
    if filters.username:
        entries = entries.filter(actor__username=filters.username)
    if filters.kind:
        app_label, model = filters.kind.split(".", 1)
        entries = entries.filter(content_type__app_label=app_label, content_type__model=model)
    return entries


def entry_changes(entry: LogEntry) -> list[tuple[str, str, str]]:
    """(field, before, after) of an entry; an access or a reset says what in its data."""
    changes = entry.changes_dict or {}
    rows = []
    for field, values in changes.items():
        if isinstance(values, list) and len(values) == 2:
            rows.append((field, str(values[0]), str(values[1])))
        else:
            rows.append((field, "", json.dumps(values, ensure_ascii=False)))
    return rows


def trail_csv(filters: TrailFilters) -> Iterator[str]:
    """The export, a line at a time (streamed: no whole file in memory)."""

    class Line:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Line())
    yield writer.writerow(CSV_HEADER)
    for entry in trail_entries(filters).iterator(chunk_size=2000):
        changes = {field: [before, after] for field, before, after in entry_changes(entry)}
        if entry.additional_data:
            changes["_"] = entry.additional_data
        yield writer.writerow(
            [
                cell_safe(value)
                for value in (
                    timezone.localtime(entry.timestamp).isoformat(timespec="seconds"),
                    entry.actor.username if entry.actor else "",
                    entry.remote_addr or "",
                    str(ACTIONS.get(entry.action, entry.action)),
                    f"{entry.content_type.app_label}.{entry.content_type.model}",
                    entry.object_repr,
                    entry.object_pk,
                    json.dumps(changes, ensure_ascii=False),
                )
            ]
        )
