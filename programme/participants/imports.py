"""Importing participant lists (a PKH or DTKS list, an LPA's own spreadsheet).

The web request only stores. `participants_import_queue` refuses a file of another
kind or over IMPORT_MAX_BYTES before reading it, then writes the file and its
ImportBatch record together: the file first, the record in one statement, and the file
is removed again if the record cannot be written, so no file is ever kept without its
record. The Celery task is sent when the record is committed.

The task (`import_run`, in the LPA's schema, within memory and time limits: see
programme.participants.tasks) reads the file as a stream of bounded rows
(programme.participants.import_files) and checks every row before anything is written.
A dry run reports row by row what would happen; a real run writes all valid rows or,
unless the user chose to skip the bad ones, nothing. A file refused whole (unreadable,
over a bound, too slow, too big for memory) ends `failed` with the reason. Either way
the file and its report are kept, and no input answers 500.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import IO, Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from askesos.errors import DomainError
from askesos.limits import memory_limit
from programme.participants.bulk import nik_conflicts, participants_bulk_register
from programme.participants.import_files import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ParticipantImportError,
    filename_clean,
    import_kind,
    import_size_check,
    rows_read,
)
from programme.participants.import_rows import CellError, row_to_input
from programme.participants.models import ImportBatch
from programme.participants.services import CheckedParticipant, WilayahCodes, participant_check
from tenants.selectors import lpa_current

logger = logging.getLogger(__name__)

__all__ = [
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "ParticipantImportError",
    "import_run",
    "import_template_csv",
    "participants_import",
    "participants_import_confirm",
    "participants_import_queue",
]

DEADLINE_EVERY = 500  # rows between looks at the clock
# Problems listed in a report: a file of 50.000 rows with a bad cell in each of its 19
# columns would otherwise keep (and store) nearly a million of them. The count of bad
# rows stays exact.
MAX_LISTED_ERRORS = 2_000


def import_time_limit() -> int:
    """Seconds an import may take to read, check and write its file."""
    return int(getattr(settings, "IMPORT_TIME_LIMIT", 600))


def import_memory_budget() -> int:
    """Bytes of memory an import may take beyond what its process already holds."""
    return int(getattr(settings, "IMPORT_MEMORY_MB", 512)) * 1024 * 1024


# --- storing (the web request) ---------------------------------------------------------


def participants_import_queue(
    *,
    file: IO[bytes],
    filename: str,
    size: int,
    actor: Any = None,
    dry_run: bool = True,
    skip_invalid: bool = False,
    start_date: datetime.date | None = None,
    send: bool = True,
) -> ImportBatch:
    """Keep an uploaded list with its record and queue it (`send` False: the caller
    runs `import_run` itself, as the tests and the benchmark do). Refuses an unknown
    kind or a file over the limit before reading it."""
    name = filename_clean(filename)
    kind = import_kind(name)
    import_size_check(size)
    upload = file if isinstance(file, File) else File(file, name=name)
    digest, counted = hashlib.sha256(), 0
    for chunk in upload.chunks():
        digest.update(chunk)
        counted += len(chunk)
        import_size_check(counted)  # a size declared smaller than the file is
    sha = digest.hexdigest()
    # A name no other upload can take, so that a failure below removes this one only
    # (a write that fails halfway leaves part of a file under it).
    stored = f"imports/{timezone.now():%Y/%m}/{sha[:16]}-{secrets.token_hex(6)}.{kind}"
    try:
        stored = default_storage.save(stored, upload)
        with transaction.atomic(durable=True):
            batch = ImportBatch.objects.create(
                filename=name,
                stored_as=stored,
                sha256=sha,
                size=counted,
                dry_run=dry_run,
                skip_invalid=skip_invalid and not dry_run,
                starts_on=start_date or timezone.localdate(),
                language=translation.get_language() or settings.LANGUAGE_CODE,
                actor=actor if getattr(actor, "pk", None) else None,
            )
            if send:
                transaction.on_commit(lambda pk=batch.pk: _send(pk))
    except BaseException:
        default_storage.delete(stored)
        raise
    return batch


def participants_import_confirm(
    *, batch: ImportBatch, actor: Any = None, skip_invalid: bool = False, send: bool = True
) -> ImportBatch:
    """Import for real the file of a finished dry run: a new batch of the same stored
    file (one file, two records), queued."""
    if not (
        batch.state == ImportBatch.State.DONE
        and batch.outcome == ImportBatch.Outcome.DRY_RUN
        and batch.rows_valid
    ):
        raise ParticipantImportError("not_confirmable")
    with transaction.atomic(durable=True):
        again = ImportBatch.objects.create(
            filename=batch.filename,
            stored_as=batch.stored_as,
            sha256=batch.sha256,
            size=batch.size,
            dry_run=False,
            skip_invalid=skip_invalid,
            starts_on=batch.starts_on,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            actor=actor if getattr(actor, "pk", None) else None,
        )
        if send:
            transaction.on_commit(lambda pk=again.pk: _send(pk))
    return again


def _send(batch_id: int) -> None:
    """Hand the batch to the worker; a broker that refuses fails the batch with the
    reason at once, rather than leaving it waiting for ever."""
    from programme.participants.tasks import participants_import_task

    try:
        participants_import_task.delay(batch_id)
    except Exception:  # kombu and redis raise their own kinds for a broker that is down
        logger.exception("import %s could not be queued", batch_id)
        refusal = ParticipantImportError("queue_unavailable")
        ImportBatch.objects.filter(pk=batch_id, state=ImportBatch.State.QUEUED).update(
            state=ImportBatch.State.FAILED,
            error_code=refusal.code,
            error=refusal.message[:500],
            finished_at=timezone.now(),
        )


def import_batch_expire(batch: ImportBatch) -> ImportBatch:
    """A batch still running after the task's hard time limit was stopped by it (the
    worker process is killed, so the task could not record it): record it now."""
    limit = datetime.timedelta(seconds=import_time_limit() + 120)
    if (
        batch.state == ImportBatch.State.RUNNING
        and batch.started_at is not None
        and batch.started_at < timezone.now() - limit
    ):
        with translation.override(batch.language or settings.LANGUAGE_CODE):
            _fail(batch, ParticipantImportError("worker_lost"))
    return batch


# --- reading, checking, writing (the task) ---------------------------------------------


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    valid: list[CheckedParticipant] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows_total: int = 0
    bad_rows: set[int] = field(default_factory=set)
    unlisted: int = 0  # problems beyond MAX_LISTED_ERRORS

    def problem(self, row: int, column: str, message: str) -> None:
        self.bad_rows.add(row)
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(RowError(row, column, message))
        else:
            self.unlisted += 1


def import_run(batch_id: int) -> ImportBatch | None:
    """The task's work: take the batch once, read and check its file, write or not,
    and record the outcome or the reason it failed. Safe to run twice: a finished batch
    is left alone, and one found running was taken by a worker that died with it (its
    message is handed out again only then), so it is failed, not run into the same
    death again."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.finished:
            return batch
        if batch.state == ImportBatch.State.RUNNING:
            with translation.override(batch.language or settings.LANGUAGE_CODE):
                _fail(batch, ParticipantImportError("worker_lost"))
            return batch
        batch.state, batch.started_at = ImportBatch.State.RUNNING, timezone.now()
        batch.attempts = F("attempts") + 1
        batch.save(update_fields=["state", "started_at", "attempts"])
        batch.refresh_from_db(fields=["attempts"])
    deadline = time.monotonic() + import_time_limit()
    with translation.override(batch.language or settings.LANGUAGE_CODE):
        try:
            with memory_limit(budget=import_memory_budget()):
                report = _check(batch, deadline)
                _finish(batch, report)
        except ParticipantImportError as exc:
            _fail(batch, exc)
        except SoftTimeLimitExceeded:
            _fail(batch, ParticipantImportError("took_too_long", seconds=import_time_limit()))
        except MemoryError:
            _fail(batch, ParticipantImportError("needs_too_much_memory"))
        except Exception:
            logger.exception("import %s failed", batch.pk)
            _fail(batch, ParticipantImportError("internal", batch=batch.pk))
            raise
    return batch


def _fail(batch: ImportBatch, error: ParticipantImportError) -> None:
    batch.state, batch.outcome = ImportBatch.State.FAILED, ""
    batch.error_code, batch.error = error.code, error.message[:500]
    batch.finished_at = timezone.now()
    batch.save(update_fields=["state", "outcome", "error_code", "error", "finished_at"])


def _check(batch: ImportBatch, deadline: float) -> ImportReport:
    lpa = lpa_current()
    wilayah = WilayahCodes.load()
    report = ImportReport()
    first_seen: dict[str, int] = {}
    checked_rows: list[tuple[int, CheckedParticipant]] = []
    kind = import_kind(batch.filename)
    with default_storage.open(batch.stored_as, "rb") as stored:
        for row in rows_read(stored.file, kind=kind, notes=report.notes):
            report.rows_total += 1
            if report.rows_total % DEADLINE_EVERY == 0 and time.monotonic() > deadline:
                raise ParticipantImportError("took_too_long", seconds=import_time_limit())
            if row.problems:
                for column, message in row.problems:
                    report.problem(row.number, column, message)
                continue
            try:
                data, override = row_to_input(row.cells)
                checked = participant_check(
                    data=data,
                    scheme=lpa.scheme_version,
                    lpa_regency_code=lpa.regency_id,
                    on=batch.starts_on or timezone.localdate(),
                    nik_override_reason=override,
                    wilayah=wilayah,
                )
            except CellError as exc:
                report.problem(row.number, exc.field, exc.message)
                continue
            except DomainError as exc:
                report.problem(row.number, exc.field or "", exc.message)
                continue
            if checked.nik in first_seen:
                report.problem(
                    row.number,
                    "nik",
                    _("this NIK is also in row %(row)s of this file")
                    % {"row": first_seen[checked.nik]},
                )
                continue
            first_seen[checked.nik] = row.number
            checked_rows.append((row.number, checked))
    conflicts = nik_conflicts(rows=[c for _n, c in checked_rows])
    messages = {
        "here": _("this NIK is already registered in this LPA"),
        "elsewhere": _("this NIK is already active in another LPA"),
    }
    for number, checked in checked_rows:
        if checked.nik in conflicts:
            report.problem(number, "nik", messages[conflicts[checked.nik]])
        else:
            report.valid.append(checked)
    report.errors.sort(key=lambda e: e.row)
    if report.unlisted:
        report.notes.append(
            _("%(count)s further problems are not listed; correct these first.")
            % {"count": report.unlisted}
        )
    return report


def _finish(batch: ImportBatch, report: ImportReport) -> None:
    refuse = not batch.dry_run and report.bad_rows and not batch.skip_invalid
    if batch.dry_run:
        batch.outcome = ImportBatch.Outcome.DRY_RUN
    elif refuse:
        batch.outcome = ImportBatch.Outcome.REFUSED
        refusal = ParticipantImportError(
            "has_errors",
            bad=len(report.bad_rows),
            total=report.rows_total,
            good=len(report.valid),
        )
        batch.error_code, batch.error = refusal.code, refusal.message[:500]
    else:
        batch.outcome = ImportBatch.Outcome.WRITTEN
    batch.rows_total, batch.rows_valid = report.rows_total, len(report.valid)
    batch.errors = [e.__dict__ for e in report.errors]
    batch.notes = report.notes
    batch.state, batch.finished_at = ImportBatch.State.DONE, timezone.now()
    with transaction.atomic():
        if batch.outcome == ImportBatch.Outcome.WRITTEN:
            batch.rows_written = participants_bulk_register(
                rows=report.valid,
                actor=batch.actor,
                start_date=batch.starts_on or timezone.localdate(),
            )
        batch.save()


def participants_import(
    *,
    content: bytes,
    filename: str,
    actor: Any = None,
    dry_run: bool = True,
    skip_invalid: bool = False,
    start_date: datetime.date | None = None,
) -> ImportBatch:
    """Store and run a list in this process, at once (the tests, `askesos bench
    registry`); the pages and the API queue it for the worker instead."""
    batch = participants_import_queue(
        file=io.BytesIO(content),
        filename=filename,
        size=len(content),
        actor=actor,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        start_date=start_date,
        send=False,
    )
    return import_run(batch.pk)


def import_template_csv() -> bytes:
    """The header and one example row, for LPAs to fill in."""
    example = {
        "nik": "7471015708850001",
        "nama": "Wa Ode Fatma",
        "jenis_kelamin": "P",
        "tanggal_lahir": "17-08-1985",
        "status_perkawinan": "kawin",
        "pekerjaan": "pedagang_kecil",
        "penghasilan": "1.200.000",
        "kode_desa": "74.71.01.1005",
        "sumber_data": "dtks",
        "status_kemiskinan": "miskin",
        "jumlah_anggota_keluarga": "4",
        "pencari_nafkah_utama": "ya",
        "alamat": "Jl. Malik Raya No. 3",
        "telepon": "081234567890",
        "dokumen": "ktp_or_domicile",
        "ahli_waris_nama": "La Ode Amir",
        "ahli_waris_hubungan": "pasangan",
        "ahli_waris_nik": "",
        "alasan_nik": "",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS])
    writer.writeheader()
    writer.writerow(example)
    return out.getvalue().encode("utf-8-sig")
