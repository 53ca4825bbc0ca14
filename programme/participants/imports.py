"""Importing participant lists (a PKH or DTKS list, an LPA's own spreadsheet).

A file is read whole and every row checked before anything is written: the dry run
shows what would happen row by row; the real run writes all valid rows or, unless the
user chose to skip the bad ones, nothing. Either way the file and the per-row report
are kept (ImportBatch), so nothing is lost.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from askesos.errors import DomainError
from programme.participants.bulk import nik_conflicts, participants_bulk_register
from programme.participants.models import (
    DataSource,
    HeirRelation,
    ImportBatch,
    MaritalStatus,
    Occupation,
    PovertyStatus,
)
from programme.participants.services import (
    CheckedParticipant,
    HeirInput,
    ParticipantInput,
    WilayahCodes,
    participant_check,
)
from tenants.selectors import lpa_current

REQUIRED_COLUMNS = (
    "nik",
    "nama",
    "jenis_kelamin",
    "tanggal_lahir",
    "status_perkawinan",
    "pekerjaan",
    "penghasilan",
    "kode_desa",
    "sumber_data",
    "status_kemiskinan",
)
OPTIONAL_COLUMNS = (
    "jumlah_anggota_keluarga",
    "pencari_nafkah_utama",
    "alamat",
    "telepon",
    "dokumen",
    "ahli_waris_nama",
    "ahli_waris_hubungan",
    "ahli_waris_nik",
    "alasan_nik",
)
MAX_ROWS = 50_000


class ParticipantImportError(DomainError):
    messages = {
        "too_large": gettext_lazy(
            "The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files."
        ),
        "too_many_rows": gettext_lazy("The file has %(rows)s rows; the limit is %(limit)s."),
        "empty": gettext_lazy("The file has no data rows."),
        "unreadable": gettext_lazy(
            "The file cannot be read as %(kind)s. Save it as CSV (UTF-8) or Excel (.xlsx)."
        ),
        "kind_unknown": gettext_lazy("Only .csv and .xlsx files can be imported."),
        "columns_missing": gettext_lazy(
            "Columns missing: %(columns)s. The first row must name the columns; see the template."
        ),
        "has_errors": gettext_lazy(
            "%(bad)s of %(total)s rows have errors; nothing was imported. Correct them, or "
            "choose to import only the %(good)s valid rows."
        ),
    }


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    batch: ImportBatch
    valid: list[CheckedParticipant] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _limit_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def _read_rows(content: bytes, filename: str, notes: list[str]) -> list[dict[str, Any]]:
    kind = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if kind == "csv":
        return _read_csv(content, notes)
    if kind == "xlsx":
        return _read_xlsx(content)
    raise ParticipantImportError("kind_unknown", field="file")


def _read_csv(content: bytes, notes: list[str]) -> list[dict[str, Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" as Windows-1252; read it, and say so.
        text = content.decode("cp1252", errors="strict") if _is_cp1252(content) else None
        if text is None:
            raise ParticipantImportError("unreadable", field="file", kind="CSV") from None
        notes.append(_("The file was not UTF-8; it was read as Windows-1252."))
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    return _rows_from(list(reader))


def _is_cp1252(content: bytes) -> bool:
    try:
        content.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _read_xlsx(content: bytes) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ParticipantImportError("unreadable", field="file", kind="Excel") from exc
    sheet = workbook.worksheets[0]
    table = []
    for row in sheet.iter_rows():
        table.append([_FORMULA if c.data_type == "f" else c.value for c in row])
    workbook.close()
    return _rows_from(table)


_FORMULA = object()


def _rows_from(table: list[list[Any]]) -> list[dict[str, Any]]:
    while table and all(v in (None, "") for v in table[0]):
        table.pop(0)
    if not table:
        raise ParticipantImportError("empty", field="file")
    header = [re.sub(r"[\s\-]+", "_", str(h or "").strip().lower()) for h in table[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ParticipantImportError("columns_missing", field="file", columns=", ".join(missing))
    rows = []
    for values in table[1:]:
        if all(v in (None, "") for v in values):
            rows.append(None)  # keeps row numbers true to the file
            continue
        rows.append({h: v for h, v in zip(header, values, strict=False) if h})
    if not any(rows):
        raise ParticipantImportError("empty", field="file")
    if len(rows) > MAX_ROWS:
        raise ParticipantImportError("too_many_rows", field="file", rows=len(rows), limit=MAX_ROWS)
    return rows


class _CellError(Exception):
    def __init__(self, field_name: str, message: str) -> None:
        self.field = field_name
        self.message = message


def _text(row: dict, column: str, *, required: bool = False) -> str:
    value = row.get(column)
    if value is _FORMULA or (isinstance(value, str) and value.lstrip().startswith("=")):
        raise _CellError(column, _("formulas are not allowed; paste the value instead"))
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise _CellError(column, _("this field is required"))
    return text


def _choice(
    row: dict,
    column: str,
    choices: Any,
    aliases: dict[str, str] | None = None,
    default: str | None = None,
) -> str:
    raw = _text(row, column, required=default is None).lower()
    if not raw and default is not None:
        return default
    key = re.sub(r"[\s\-]+", "_", raw)
    by_label = {str(label).lower(): value for value, label in choices.choices}
    value = (aliases or {}).get(key) or (key if key in choices.values else by_label.get(raw))
    if value is None:
        allowed = ", ".join(choices.values)
        raise _CellError(
            column,
            _("unknown value %(value)s (allowed: %(allowed)s)")
            % {"value": raw, "allowed": allowed},
        )
    return value


def _date(row: dict, column: str) -> datetime.date:
    value = row.get(column)
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(row, column, required=True)
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise _CellError(column, _("not a date; write it as 17-08-1985 or 1985-08-17"))


def _rupiah(row: dict, column: str) -> int:
    value = row.get(column)
    if isinstance(value, bool):
        raise _CellError(column, _("not an amount"))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise _CellError(column, _("rupiah amounts are whole numbers"))
        number = int(value)
    else:
        text = _text(row, column, required=True)
        cleaned = re.sub(r"^rp\.?\s*", "", text.lower()).replace(" ", "")
        if re.fullmatch(r"\d{1,3}(\.\d{3})+", cleaned):
            cleaned = cleaned.replace(".", "")
        if not re.fullmatch(r"-?\d+", cleaned):
            raise _CellError(column, _("rupiah amounts are whole numbers, e.g. 1.200.000"))
        number = int(cleaned)
    if number < 0:
        raise _CellError(column, _("must not be negative"))
    return number


def _whole(row: dict, column: str, default: int) -> int:
    text = _text(row, column)
    if not text:
        return default
    if not re.fullmatch(r"\d+(\.0)?", text):
        raise _CellError(column, _("must be a whole number"))
    return int(float(text))


def _village(row: dict) -> str:
    text = _text(row, "kode_desa", required=True).replace(" ", "")
    digits = text.replace(".", "")
    if re.fullmatch(r"\d{10}", digits):
        return f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:10]}"
    raise _CellError("kode_desa", _("a village code looks like 74.71.01.1005"))


def _yes(row: dict, column: str, default: bool) -> bool:
    text = _text(row, column).lower()
    if not text:
        return default
    if text in {"ya", "y", "yes", "1", "true"}:
        return True
    if text in {"tidak", "t", "no", "0", "false"}:
        return False
    raise _CellError(column, _("write ya or tidak"))


def row_to_input(row: dict) -> tuple[ParticipantInput, str]:
    """One row to the registration input and its override reason; _CellError if unreadable."""
    heir_name = _text(row, "ahli_waris_nama")
    heirs: tuple[HeirInput, ...] = ()
    if heir_name:
        heirs = (
            HeirInput(
                name=heir_name,
                relation=_choice(
                    row,
                    "ahli_waris_hubungan",
                    HeirRelation,
                    default="lainnya",
                    aliases={"istri": "pasangan", "suami": "pasangan"},
                ),
                nik=_text(row, "ahli_waris_nik"),
                is_primary=True,
            ),
        )
    documents = tuple(
        d.strip() for d in (_text(row, "dokumen") or "ktp_or_domicile").split(",") if d.strip()
    )
    data = ParticipantInput(
        nik=_text(row, "nik", required=True),
        name=_text(row, "nama", required=True),
        sex=_choice(
            row,
            "jenis_kelamin",
            _Sex,
            aliases={"laki_laki": "L", "perempuan": "P", "l": "L", "p": "P"},
        ),
        birth_date=_date(row, "tanggal_lahir"),
        marital_status=_choice(row, "status_perkawinan", MaritalStatus),
        occupation=_choice(row, "pekerjaan", Occupation),
        monthly_income=_rupiah(row, "penghasilan"),
        village_code=_village(row),
        data_source=_choice(row, "sumber_data", DataSource, aliases={"penjangkauan": "outreach"}),
        poverty_status=_choice(row, "status_kemiskinan", PovertyStatus),
        household_size=_whole(row, "jumlah_anggota_keluarga", 1),
        is_breadwinner=_yes(row, "pencari_nafkah_utama", True),
        address=_text(row, "alamat"),
        phone=_text(row, "telepon"),
        documents=documents,
        heirs=heirs,
    )
    return data, _text(row, "alasan_nik")


class _Sex:
    """Sex codes as the import accepts them (L/P)."""

    values = ["L", "P"]
    choices = [("L", "L"), ("P", "P")]


def participants_import(
    *,
    content: bytes,
    filename: str,
    actor: Any = None,
    dry_run: bool = True,
    skip_invalid: bool = False,
    start_date: datetime.date | None = None,
) -> ImportReport:
    """Check every row; unless `dry_run`, write the valid ones (all-or-nothing unless
    `skip_invalid`). Always records an ImportBatch with the per-row report."""
    size_mb = len(content) / (1024 * 1024)
    if len(content) > _limit_bytes():
        raise ParticipantImportError(
            "too_large", field="file", size=f"{size_mb:.0f}", limit=_limit_bytes() // 2**20
        )
    lpa = lpa_current()
    start = start_date or timezone.localdate()
    sha = hashlib.sha256(content).hexdigest()
    notes: list[str] = []
    rows = _read_rows(content, filename, notes)
    wilayah = WilayahCodes.load()
    report = ImportReport(batch=ImportBatch(filename=filename[:200], sha256=sha), notes=notes)
    first_seen: dict[str, int] = {}
    checked_rows: list[tuple[int, CheckedParticipant]] = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        if row is None:
            continue
        try:
            data, override = row_to_input(row)
            checked = participant_check(
                data=data,
                scheme=lpa.scheme_version,
                lpa_regency_code=lpa.regency_id,
                on=start,
                nik_override_reason=override,
                wilayah=wilayah,
            )
        except _CellError as exc:
            report.errors.append(RowError(number, exc.field, exc.message))
            continue
        except DomainError as exc:
            report.errors.append(RowError(number, exc.field or "", exc.message))
            continue
        if checked.nik in first_seen:
            report.errors.append(
                RowError(
                    number,
                    "nik",
                    _("this NIK is also in row %(row)s of this file")
                    % {"row": first_seen[checked.nik]},
                )
            )
            continue
        first_seen[checked.nik] = number
        checked_rows.append((number, checked))
    conflicts = nik_conflicts(rows=[c for _n, c in checked_rows])
    messages = {
        "here": _("this NIK is already registered in this LPA"),
        "elsewhere": _("this NIK is already active in another LPA"),
    }
    for number, checked in checked_rows:
        if checked.nik in conflicts:
            report.errors.append(RowError(number, "nik", messages[conflicts[checked.nik]]))
        else:
            report.valid.append(checked)
    report.errors.sort(key=lambda e: e.row)
    total = len([r for r in rows if r is not None])
    batch = report.batch
    batch.rows_total, batch.rows_valid = total, len(report.valid)
    batch.errors = [e.__dict__ for e in report.errors]
    batch.notes = notes
    batch.actor = actor if getattr(actor, "pk", None) else None
    refuse = not dry_run and report.errors and not skip_invalid
    if dry_run:
        batch.outcome = ImportBatch.Outcome.DRY_RUN
    elif refuse:
        batch.outcome = ImportBatch.Outcome.REFUSED
    else:
        batch.outcome = ImportBatch.Outcome.WRITTEN
    batch.stored_as = default_storage.save(
        f"imports/{timezone.now():%Y%m%d-%H%M%S}-{sha[:12]}.{filename.rsplit('.', 1)[-1]}",
        ContentFile(content),
    )
    with transaction.atomic():
        if batch.outcome == ImportBatch.Outcome.WRITTEN:
            batch.rows_written = participants_bulk_register(
                rows=report.valid, actor=actor, start_date=start
            )
        batch.save()
    if refuse:
        raise ParticipantImportError(
            "has_errors",
            field="file",
            bad=len({e.row for e in report.errors}),
            total=total,
            good=len(report.valid),
        )
    return report


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
