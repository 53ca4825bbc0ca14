"""Reading an uploaded participant list (CSV or XLSX) row by row, within bounds.

A list is read from the stored file as a stream of rows, never whole: memory holds one
row at a time, whatever the file says about itself. Every bound is checked before the
work it protects, so a hostile file is refused in milliseconds instead of being parsed
first and refused afterwards:

- the upload's size, before it is read at all (askesos.files.upload_too_large, and
  `import_size_check` here for the file part);
- CSV: the encoding from the byte-order mark (UTF-8, UTF-16 LE/BE) or, without one,
  UTF-8 or Windows-1252 once the whole file decodes as it (a streaming pass); a
  physical line's length before the csv module builds a row from it (19 MB of commas
  is one row of 19 million cells otherwise); a cell's length (csv's own 128 KB limit,
  then MAX_CELL_CHARS per row); NUL characters, which PostgreSQL refuses, per row;
- XLSX (a ZIP of XML parts): the parts' count, their total unpacked size and each
  large part's compression ratio from the ZIP's directory, before anything is
  unpacked (zipfile never yields more than a part's declared size: the CRC check
  fails instead); then every worksheet is scanned by expat, with no tree built, for
  its declared used range (`A1:XFD1048576`), rows beyond the last one that may be read
  and rows of more than MAX_COLUMNS cells, before openpyxl parses anything; openpyxl
  then reads the first sheet in read-only mode, values only, at most MAX_COLUMNS wide;
- rows: at most MAX_ROWS with data and MAX_EMPTY_ROWS empty ones, counted while
  reading, so the read stops at the first row over either.

A refused file raises ParticipantImportError (a per-file report); a bad cell gives the
row a problem and the read goes on (a per-row report).
"""

from __future__ import annotations

import codecs
import csv
import io
import pyexpat
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from askesos.errors import DomainError

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
COLUMNS = frozenset((*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS))
KINDS = ("csv", "xlsx")

MAX_ROWS = 50_000  # rows with data
MAX_EMPTY_ROWS = 10_000  # empty rows anywhere after the header (Excel leaves many)
MAX_COLUMNS = 100  # cells read per row (the template has 19 columns)
MAX_CELL_CHARS = 1_000  # longer cells are a row's problem (the longest field holds 300)
MAX_LINE_CHARS = 64 * 1024  # a CSV line longer than this refuses the file
# XLSX: a legitimate list of 50.000 rows written by openpyxl unpacks to 53 MB (Excel's
# shared strings make it smaller), its largest part 14 times its stored size.
MAX_XLSX_PARTS = 200
MAX_XLSX_UNPACKED = 160 * 1024 * 1024
MAX_XLSX_RATIO = 100  # for parts larger than RATIO_FROM
RATIO_FROM = 1024 * 1024
# The last sheet row that may be read: the header, MAX_ROWS and MAX_EMPTY_ROWS.
MAX_SHEET_ROWS = 1 + MAX_ROWS + MAX_EMPTY_ROWS
CHUNK = 1024 * 1024
SAMPLE_CHARS = 4096


class ParticipantImportError(DomainError):
    messages = {
        "too_large": gettext_lazy(
            "The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files."
        ),
        "too_many_rows": gettext_lazy(
            "The file has more than %(limit)s rows with data; split it into files of at "
            "most %(limit)s rows."
        ),
        "too_many_empty_rows": gettext_lazy(
            "The file has more than %(limit)s empty rows (the last one read is row "
            "%(row)s); delete the empty rows and upload it again."
        ),
        "empty": gettext_lazy("The file has no data rows."),
        "unreadable": gettext_lazy(
            "The file cannot be read as %(kind)s. Save it as CSV (UTF-8) or Excel (.xlsx)."
        ),
        "kind_unknown": gettext_lazy("Only .csv and .xlsx files can be imported."),
        "columns_missing": gettext_lazy(
            "Columns missing: %(columns)s. The first row must name the columns; see the template."
        ),
        "header_nul": gettext_lazy(
            "The first row contains NUL characters: the file is not a text CSV file (it may "
            "be UTF-16 without a byte-order mark). Save it as CSV UTF-8 and upload it again."
        ),
        "line_too_long": gettext_lazy(
            "Row %(row)s is longer than %(limit)s characters; a participant's row is far "
            "shorter. Check that the file is a participant list."
        ),
        "cell_too_long": gettext_lazy(
            'Row %(row)s has a cell longer than %(limit)s characters, or a quote (") that '
            "is never closed. Correct that row and upload the file again."
        ),
        "csv_broken": gettext_lazy(
            "Row %(row)s cannot be read as CSV. Correct that row, or save the file again "
            "as CSV UTF-8."
        ),
        "xlsx_parts": gettext_lazy(
            "The Excel file has %(parts)s parts; a participant list has a few dozen at "
            "most. Copy the list into a new workbook and upload that."
        ),
        "xlsx_unpacked": gettext_lazy(
            "The Excel file unpacks to %(size)s MB; the limit is %(limit)s MB. Copy the list "
            "into a new workbook, or save it as CSV."
        ),
        "xlsx_ratio": gettext_lazy(
            "A part of the Excel file (%(part)s) unpacks to %(ratio)s times its stored size; "
            "a participant list does not. Copy the list into a new workbook and upload that."
        ),
        "sheet_range": gettext_lazy(
            "A sheet declares the range %(range)s (%(rows)s rows, %(columns)s columns); at "
            "most %(max_rows)s rows and %(max_columns)s columns are read. Delete the rows "
            "and columns after the list, or copy the list into a new workbook."
        ),
        "sheet_rows": gettext_lazy(
            "A sheet has rows after row %(max_rows)s; at most %(max_rows)s rows are read. "
            "Delete the rows after the list, or split it into smaller files."
        ),
        "sheet_columns": gettext_lazy(
            "Row %(row)s of a sheet has more than %(max_columns)s cells. Delete the columns "
            "after the list, or copy the list into a new workbook."
        ),
        "took_too_long": gettext_lazy(
            "Reading and checking the file took longer than %(seconds)s seconds and was "
            "stopped. Split it into smaller files."
        ),
        "needs_too_much_memory": gettext_lazy(
            "The file needs more memory than an import may use and was stopped. Split it "
            "into smaller files, or save it as CSV."
        ),
        "worker_lost": gettext_lazy(
            "The import stopped without finishing (the server ran out of time or memory "
            "on this file). Split it into smaller files, or save it as CSV."
        ),
        "internal": gettext_lazy(
            "The import stopped because of an error in the platform; the file is kept. "
            "Tell the platform's operators (import #%(batch)s)."
        ),
        "queue_unavailable": gettext_lazy(
            "The import could not be started: the job queue is not available. Upload the "
            "file again in a few minutes."
        ),
        "not_confirmable": gettext_lazy("Only a finished check with valid rows can be imported."),
        "has_errors": gettext_lazy(
            "%(bad)s of %(total)s rows have errors; nothing was imported. Correct them, or "
            "choose to import only the %(good)s valid rows."
        ),
    }


@dataclass
class SheetRow:
    """One data row: its number in the file (the header is row 1 when it comes first),
    its cells by column name, and what is wrong with them (column, message)."""

    number: int
    cells: dict[str, Any]
    problems: list[tuple[str, str]] = field(default_factory=list)


def _number(value: int) -> str:
    """A count in a message, grouped as Indonesians write it: 50.000."""
    return f"{value:,}".replace(",", ".")


def import_max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def import_kind(filename: str) -> str:
    kind = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if kind not in KINDS:
        raise ParticipantImportError("kind_unknown", field="file")
    return kind


def import_size_check(size: int) -> None:
    """Refuse a file over IMPORT_MAX_BYTES (before it is read)."""
    limit = import_max_bytes()
    if size > limit:
        raise ParticipantImportError(
            "too_large", field="file", size=f"{size / 2**20:.0f}", limit=limit // 2**20
        )


def filename_clean(name: str) -> str:
    """The name as the user gave it, without control characters (PostgreSQL refuses
    NUL) or folders, at most 200 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[-200:] or "berkas"


# --- reading rows ---------------------------------------------------------------------


def rows_read(stream: IO[bytes], *, kind: str, notes: list[str]) -> Iterator[SheetRow]:
    """The data rows of a stored list (`stream` is binary and seekable), checked for
    the bounds above as they are read; notes about the file are appended to `notes`."""
    table = _csv_table(stream, notes) if kind == "csv" else _xlsx_table(stream)
    yield from _rows(table)


def _rows(table: Iterator[tuple[int, list[Any]]]) -> Iterator[SheetRow]:
    header: list[str] | None = None
    data = empty = 0
    for number, values in table:
        if _blank(values):
            if header is not None:
                empty += 1
                if empty > MAX_EMPTY_ROWS:
                    raise ParticipantImportError(
                        "too_many_empty_rows",
                        field="file",
                        limit=_number(MAX_EMPTY_ROWS),
                        row=number,
                    )
            continue
        if header is None:
            if any(isinstance(v, str) and "\x00" in v for v in values):
                raise ParticipantImportError("header_nul", field="file")
            header = [_column_name(v) for v in values]
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise ParticipantImportError(
                    "columns_missing", field="file", columns=", ".join(missing)
                )
            continue
        data += 1
        if data > MAX_ROWS:
            raise ParticipantImportError("too_many_rows", field="file", limit=_number(MAX_ROWS))
        row = SheetRow(number, {})
        for name, value in zip(header, values, strict=False):
            if name not in COLUMNS:
                continue  # other columns are the LPA's own notes: not read
            problem = _cell_problem(value)
            if problem:
                row.problems.append((name, problem))
            else:
                row.cells[name] = value
        yield row
    if data == 0:
        raise ParticipantImportError("empty", field="file")


def _blank(values: list[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _column_name(value: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(value or "").strip().lower())[:60]


def _cell_problem(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    if "\x00" in value:
        return _("contains a NUL character (\\0), which is not text; type the value again")
    if len(value) > MAX_CELL_CHARS:
        return _("%(length)s characters; a cell holds at most %(limit)s") % {
            "length": _number(len(value)),
            "limit": _number(MAX_CELL_CHARS),
        }
    return ""


# --- CSV ------------------------------------------------------------------------------


def encoding_detect(stream: IO[bytes]) -> tuple[str, str]:
    """The file's encoding and a note for the user ('' when there is nothing to say).
    A byte-order mark decides (UTF-8, UTF-16 LE or BE, as Excel's "Unicode text" and
    "CSV UTF-8" write them); without one, UTF-8 if the whole file decodes as UTF-8, else
    Windows-1252 (Excel's "CSV" on Windows) if it decodes as that. One streaming pass
    per candidate, so decoding cannot fail halfway through the rows."""
    stream.seek(0)
    head = stream.read(4)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]  # the codec reads the mark and the byte order from it
    else:
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        if _decodes(stream, encoding):
            stream.seek(0)
            if encoding == "cp1252":
                return encoding, _("The file was not UTF-8; it was read as Windows-1252.")
            if encoding == "utf-16":
                return encoding, _("The file was read as UTF-16.")
            return encoding, ""
    raise ParticipantImportError("unreadable", field="file", kind="CSV")


def _decodes(stream: IO[bytes], encoding: str) -> bool:
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        while chunk := stream.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _csv_table(stream: IO[bytes], notes: list[str]) -> Iterator[tuple[int, list[Any]]]:
    encoding, note = encoding_detect(stream)
    if note:
        notes.append(note)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    sample = text.read(SAMPLE_CHARS)
    text.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    counter = _RowCounter()
    reader = csv.reader(_lines(text, counter), dialect)
    while True:
        counter.row += 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            code = "cell_too_long" if "field larger" in str(exc) else "csv_broken"
            raise ParticipantImportError(
                code, field="file", row=counter.row, limit=_number(MAX_CELL_CHARS)
            ) from None
        yield counter.row, list(values)


class _RowCounter:
    row = 0


def _lines(text: io.TextIOWrapper, counter: _RowCounter) -> Iterator[str]:
    """The file's lines, refusing one longer than MAX_LINE_CHARS before the csv module
    builds a row out of it."""
    while line := text.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS:
            raise ParticipantImportError(
                "line_too_long", field="file", row=counter.row, limit=_number(MAX_LINE_CHARS)
            )
        yield line


# --- XLSX -----------------------------------------------------------------------------


class _DeclarationRefused(Exception):
    pass


# A part that cannot be unpacked or parsed: a bad CRC (more data than declared), a
# truncated stream, an encrypted part (RuntimeError), a compression method zipfile
# lacks (NotImplementedError), XML that is not well formed.
_BROKEN_PART = (
    zipfile.BadZipFile,
    pyexpat.ExpatError,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
)
# What a read passes on untouched: refusals, and the limits of the task that reads.
_PASS_THROUGH = (ParticipantImportError, MemoryError, SoftTimeLimitExceeded)


def xlsx_check(stream: IO[bytes]) -> None:
    """Refuse a workbook whose ZIP directory or worksheets exceed the bounds, before
    anything is parsed (see the module's docstring)."""
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ParticipantImportError("unreadable", field="file", kind="Excel") from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_XLSX_PARTS:
            raise ParticipantImportError("xlsx_parts", field="file", parts=_number(len(parts)))
        unpacked = sum(p.file_size for p in parts)
        if unpacked > MAX_XLSX_UNPACKED:
            raise ParticipantImportError(
                "xlsx_unpacked",
                field="file",
                size=_number(round(unpacked / 2**20)),
                limit=MAX_XLSX_UNPACKED // 2**20,
            )
        for part in parts:
            ratio = part.file_size / max(part.compress_size, 1)
            if part.file_size > RATIO_FROM and ratio > MAX_XLSX_RATIO:
                raise ParticipantImportError(
                    "xlsx_ratio",
                    field="file",
                    part=part.filename[-60:],
                    ratio=_number(round(ratio)),
                )
        for part in parts:
            if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                try:
                    with archive.open(part) as source:
                        _sheet_scan(source)
                except _BROKEN_PART:
                    raise ParticipantImportError("unreadable", field="file", kind="Excel") from None


def _sheet_scan(source: IO[bytes]) -> None:
    """One pass of expat over a worksheet's XML, building nothing: its declared range,
    its rows' numbers and each row's cell count within bounds. A DTD (an entity bomb)
    is refused: a worksheet never has one."""
    from openpyxl.utils.cell import range_boundaries

    parser = pyexpat.ParserCreate(namespace_separator=" ")
    state = {"row": 0, "rows": 0, "cells": 0}

    def start(name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if local == "c":
            state["cells"] += 1
            if state["cells"] > MAX_COLUMNS:
                raise ParticipantImportError(
                    "sheet_columns", field="file", row=state["row"], max_columns=MAX_COLUMNS
                )
        elif local == "row":
            number = attributes.get("r", "")
            state["row"] = int(number) if number.isdigit() else state["row"] + 1
            state["rows"] += 1  # numbers may repeat: count the rows themselves too
            state["cells"] = 0
            if max(state["row"], state["rows"]) > MAX_SHEET_ROWS:
                raise ParticipantImportError(
                    "sheet_rows", field="file", max_rows=_number(MAX_SHEET_ROWS)
                )
        elif local == "dimension":
            reference = attributes.get("ref", "")[:40]
            try:
                min_col, min_row, max_col, max_row = range_boundaries(reference)
            except (ValueError, TypeError):
                return  # a broken declaration is ignored: the rows themselves are counted
            rows = (max_row or 1) - (min_row or 1) + 1
            columns = (max_col or 1) - (min_col or 1) + 1
            if (max_row or 0) > MAX_SHEET_ROWS or columns > MAX_COLUMNS:
                raise ParticipantImportError(
                    "sheet_range",
                    field="file",
                    range=reference,
                    rows=_number(rows),
                    columns=_number(columns),
                    max_rows=_number(MAX_SHEET_ROWS),
                    max_columns=MAX_COLUMNS,
                )

    def refuse(*_args: Any) -> None:
        raise _DeclarationRefused

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        while chunk := source.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _DeclarationRefused:
        raise ParticipantImportError("unreadable", field="file", kind="Excel") from None


def _xlsx_table(stream: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    xlsx_check(stream)
    stream.seek(0)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, a missing style).
            warnings.simplefilter("ignore")
            workbook = load_workbook(stream, read_only=True, data_only=False)
    except _PASS_THROUGH:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ParticipantImportError("unreadable", field="file", kind="Excel") from exc
    try:
        if not workbook.worksheets:
            raise ParticipantImportError("empty", field="file")
        sheet = workbook.worksheets[0]
        width = min(sheet.max_column or MAX_COLUMNS, MAX_COLUMNS)
        rows = sheet.iter_rows(max_col=width, values_only=True)
        number = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except _PASS_THROUGH:
                raise
            except Exception as exc:  # a cell openpyxl cannot convert, a broken part
                raise ParticipantImportError("unreadable", field="file", kind="Excel") from exc
            number += 1
            yield number, list(values)
    finally:
        workbook.close()
