"""Participant imports under hostile input: peak memory (RSS) and time of each case.

Every file is made here (the cases of issue 13 at their full sizes, and legitimate
lists of 50.000 rows), stored and recorded in a throwaway LPA (slug bench-imports) as
an upload would be, then read by the task's own work (`import_run`, with its memory and
time limits) in a fresh process of its own, so that the peak resident memory measured
(VmHWM) is the import's and not a previous case's. The process's
baseline (Django loaded, nothing read yet) is printed too; the difference is what the
file cost. Everything the run made is dropped at the end.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection

from askesos.bench.registry import _import_csv
from tenants.models import Lpa
from tenants.services import lpa_provision

SLUG = "bench-imports"
NPWP = "09.888.777.1-741.000"
MB = 1024 * 1024


# --- the files ----------------------------------------------------------------------


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def _declared_whole_grid(rows: list[list[str]]) -> bytes:
    small = _xlsx(rows[:3])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(small)) as source, zipfile.ZipFile(out, "w") as target:
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', data)
                if b"<dimension" not in data:
                    data = data.replace(
                        b"<sheetData", b'<dimension ref="A1:XFD1048576"/><sheetData', 1
                    )
            target.writestr(part.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _zip_bomb(stored: int) -> bytes:
    """An XLSX whose only sheet is the same row again and again, deflated at level 9
    until the file is `stored` bytes: about 330 times larger unpacked (2,2 MB: 760 MB)."""
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    row = b'<row><c t="inlineStr"><is><t>7471015708850001</t></is></c></row>'
    block = row * 50_000
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="' + main + b'"><sheetData>')
            while out.tell() < stored:
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def _rows_flood(count: int) -> bytes:
    """An XLSX of `count` distinct rows (a bomb that keeps to the unpacked and ratio
    limits: only the rows' count refuses it)."""
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="' + main + b'"><sheetData>')
            for start in range(1, count + 1, 10_000):
                sheet.write(
                    b"".join(
                        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%d</t></is></c></row>'
                        % (n, n, 7471015708000000 + n)
                        for n in range(start, min(start + 10_000, count + 1))
                    )
                )
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def files(legit: list[list[str]]) -> list[tuple[str, str, Callable[[], bytes]]]:
    """(case, file name, maker) in the order they run."""
    header, body = legit[0], legit[1:]
    few = [header, *body[:1000]]
    with_cell = [header, body[0], [body[1][0], "x" * 200_000, *body[1][2:]], *body[2:1000]]
    with_nul = [header, body[0], [body[1][0], "Budi\x00Santoso", *body[1][2:]], *body[2:1000]]
    return [
        ("baseline: 1 row CSV", "satu.csv", lambda: _csv([header, body[0]])),
        (
            "UTF-16 CSV (BOM), 1.000 rows",
            "utf16.csv",
            lambda: codecs.BOM_UTF16_LE + _csv(few, "utf-16-le"),
        ),
        ("CSV with a 200 KB cell", "sel.csv", lambda: _csv(with_cell)),
        ("CSV with a NUL byte, 1.000 rows", "nul.csv", lambda: _csv(with_nul)),
        ("XLSX declaring A1:XFD1048576", "grid.xlsx", lambda: _declared_whole_grid(legit)),
        ("zip bomb, 2,2 MB XLSX", "bom.xlsx", lambda: _zip_bomb(int(2.2 * MB))),
        ("XLSX of 1.000.000 rows", "sejuta.xlsx", lambda: _rows_flood(1_000_000)),
        ("19 MB of newlines", "baris.csv", lambda: _csv([header]) + b"\n" * (19 * MB)),
        ("legitimate XLSX, 50.000 rows, dry run", "sah.xlsx", lambda: _xlsx(legit)),
        ("legitimate CSV, 50.000 rows, written", "sah.csv", lambda: _csv(legit)),
    ]


# --- one case in a process of its own ---------------------------------------------------


def run_one(*, batch_id: int, schema: str) -> dict:
    """The child's work (`askesos bench imports --batch N --schema S`)."""
    from programme.participants.imports import import_run

    lpa = Lpa.objects.get(schema_name=schema)
    connection.set_tenant(lpa)
    baseline = _peak_rss()
    started = time.perf_counter()
    batch = import_run(batch_id)
    seconds = time.perf_counter() - started
    peak = _peak_rss()
    return {
        "state": batch.state,
        "outcome": batch.outcome,
        "error_code": batch.error_code,
        "rows_total": batch.rows_total,
        "rows_valid": batch.rows_valid,
        "rows_written": batch.rows_written,
        "errors": len(batch.errors),
        "seconds": seconds,
        "baseline_mb": baseline / MB,
        "peak_mb": peak / MB,
    }


def _peak_rss() -> int:
    """This process's peak resident memory in bytes (VmHWM: getrusage's ru_maxrss would
    include the parent's, which it keeps across fork and exec)."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1)) * 1024


def _child(batch_id: int, schema: str) -> dict:
    command = [sys.executable, "-m", "askesos", "bench", "imports"]
    command += ["--batch", str(batch_id), "--schema", schema]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"state": "crashed", "error_code": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the table ------------------------------------------------------------------------


def _cleanup() -> None:
    connection.set_schema_to_public()
    lpa = Lpa.objects.filter(slug=SLUG).first()
    if lpa:
        shutil.rmtree(Path(settings.MEDIA_ROOT) / lpa.schema_name, ignore_errors=True)
        lpa.delete(force_drop=True)


def run(*, rows: int = 50_000) -> list[str]:
    from programme.generator import REFERENCE_DAY
    from programme.participants.imports import participants_import_queue

    _cleanup()
    lines = []
    try:
        lpa = lpa_provision(
            name="Bench Imports", slug=SLUG, legal_form="lsm", regency_code="74.71", npwp=NPWP
        )
        legit = _csv_rows(_import_csv(rows, lpa.regency_id))
        connection.set_tenant(lpa)
        lines.append(
            f"Participant imports: each case read by the task's work in a fresh process "
            f"(IMPORT_MEMORY_MB={settings.IMPORT_MEMORY_MB}, "
            f"IMPORT_TIME_LIMIT={settings.IMPORT_TIME_LIMIT} s)"
        )
        lines.append(
            f"{'case':<40} {'file':>9} {'made':>6} {'read':>7} {'peak RSS':>9} "
            f"{'+ over base':>11}  result"
        )
        for case, name, make in files(legit):
            started = time.perf_counter()
            content = make()
            made = time.perf_counter() - started
            batch = participants_import_queue(
                file=io.BytesIO(content),
                filename=name,
                size=len(content),
                dry_run=name != "sah.csv",
                skip_invalid=True,
                start_date=REFERENCE_DAY,
                send=False,
            )
            del content
            result = _child(batch.pk, lpa.schema_name)
            lines.append(_line(case, batch.size, made, result))
        return lines
    finally:
        _cleanup()


def _line(case: str, size: int, made: float, r: dict) -> str:
    if r["state"] == "crashed":
        return f"{case:<40} {size / MB:>7.1f}MB {made:>5.1f}s  CRASHED {r['error_code']}"
    if r["state"] == "failed":
        result = f"refused: {r['error_code']}"
    else:
        result = f"{r['outcome']}: {r['rows_valid']}/{r['rows_total']} rows valid"
        if r["rows_written"]:
            result += f", {r['rows_written']} written"
        if r["errors"]:
            result += f", {r['errors']} row problems"
    return (
        f"{case:<40} {size / MB:>7.1f}MB {made:>5.1f}s {r['seconds']:>6.2f}s "
        f"{r['peak_mb']:>7.0f}MB {r['peak_mb'] - r['baseline_mb']:>9.0f}MB  {result}"
    )
