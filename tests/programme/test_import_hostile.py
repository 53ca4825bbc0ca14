"""Hostile and clumsy participant lists: each one gets a clear refusal (per file or per
row), never a 500, never a file kept without its record, never a huge allocation.

The files are made here, as small as the behaviour allows: a sheet declaring
A1:XFD1048576 is a few KB, the zip bomb 1,2 MB unpacking to 170 MB, the flood of empty
lines 20.000 lines instead of 19 MB (`askesos bench imports` runs the full sizes and
measures memory and time). After each upload the test looks at the LPA's import
folder: every file there belongs to a record.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import psycopg
import pytest
from django.db import OperationalError, connection

from programme.participants.import_files import MAX_CELL_CHARS, MAX_EMPTY_ROWS, MAX_ROWS
from programme.participants.imports import (
    MAX_LISTED_ERRORS,
    ParticipantImportError,
    import_run,
    participants_import,
    participants_import_queue,
)
from programme.participants.models import ImportBatch, Participant
from tests.conftest import client_on, host_of
from tests.programme.conftest import files_without_record
from tests.programme.test_import import COLUMNS, START, as_csv, as_xlsx, row

HEADER = ",".join(COLUMNS) + "\n"


def imported(in_lpa, media, content: bytes, name: str, **options) -> ImportBatch:
    batch = participants_import(content=content, filename=name, start_date=START, **options)
    assert files_without_record(media, in_lpa) == []
    assert Path(media, in_lpa.schema_name, batch.stored_as).is_file()
    return batch


def refused(batch: ImportBatch, code: str) -> str:
    """The batch failed whole with `code`; its message (in Bahasa Indonesia)."""
    assert (batch.state, batch.error_code) == ("failed", code), (batch.state, batch.error)
    assert batch.error and batch.finished_at is not None
    return batch.error


def row_errors(batch: ImportBatch) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for e in batch.errors:
        found.setdefault(e["row"], []).append((e["field"], e["message"]))
    return found


# --- encodings, cells, NUL (CSV) --------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_its_byte_order_mark_is_read(in_lpa_a, media, encoding):
    mark = "\ufeff".encode(encoding)
    content = mark + as_csv([row(1, nama="Wa Ode Fatmawati"), row(2)], encoding=encoding)

    batch = imported(in_lpa_a, media, content, "unicode.csv")

    assert (batch.state, batch.rows_valid, batch.errors) == ("done", 2, [])
    assert "UTF-16" in batch.notes[0]


def test_utf16_without_a_byte_order_mark_is_refused_with_the_reason(in_lpa_a, media):
    content = as_csv([row(1)], encoding="utf-16-le")

    batch = imported(in_lpa_a, media, content, "tanpa-bom.csv")

    assert "UTF-16" in refused(batch, "header_nul")


def test_a_nul_byte_is_a_problem_of_its_row_and_the_file_is_kept(in_lpa_a, media):
    content = as_csv([row(1), row(2, nama="Budi\x00Santoso"), row(3)])

    batch = imported(in_lpa_a, media, content, "nul.csv", dry_run=False, skip_invalid=True)

    assert (batch.state, batch.outcome, batch.rows_written) == ("done", "written", 2)
    [(column, message)] = row_errors(batch)[3]
    assert column == "nama" and "NUL" in message
    assert "\x00" not in str(batch.errors)
    assert Participant.objects.count() == 2


def test_a_nul_byte_in_every_cell_of_a_row_reports_each_cell_once(in_lpa_a, media):
    content = HEADER.encode() + b"\x00," * (len(COLUMNS) - 1) + b"\x00\n"

    batch = imported(in_lpa_a, media, content, "nul-semua.csv")

    assert batch.state == "done" and batch.rows_valid == 0
    assert {c for c, _m in row_errors(batch)[2]} == set(COLUMNS)


def test_a_200_kb_cell_on_one_line_refuses_the_file_with_its_row(in_lpa_a, media):
    content = as_csv([row(1), row(2, alamat="x" * 200_000)])

    batch = imported(in_lpa_a, media, content, "sel-besar.csv")

    assert re.search(r"\b3\b", refused(batch, "line_too_long"))


def test_a_200_kb_cell_over_many_lines_refuses_the_file_with_its_row(in_lpa_a, media):
    long_address = "\n".join(["x" * 99] * 2_000)  # 200 KB in one quoted cell
    content = as_csv([row(1), row(2, alamat=long_address)])

    batch = imported(in_lpa_a, media, content, "sel-panjang.csv")

    assert re.search(r"\b3\b", refused(batch, "cell_too_long"))


def test_a_quote_never_closed_refuses_the_file_instead_of_reading_it_whole(in_lpa_a, media):
    content = HEADER.encode() + b'"' + b"a,b,c\n" * 40_000

    batch = imported(in_lpa_a, media, content, "kutip.csv")

    assert re.search(r"\b2\b", refused(batch, "cell_too_long"))


def test_a_long_cell_or_a_field_overflow_is_a_problem_of_its_row(in_lpa_a, media):
    content = as_csv(
        [
            row(1, alamat="y" * (MAX_CELL_CHARS + 1)),  # over any cell's limit
            row(2, nama="n" * 151),  # over the name's field (150)
            row(3, penghasilan="99999999999999"),  # no monthly income is this large
            row(4),
        ]
    )

    batch = imported(in_lpa_a, media, content, "panjang.csv")

    errors = row_errors(batch)
    assert batch.state == "done" and batch.rows_valid == 1
    assert errors[2][0][0] == "alamat" and "1.000" in errors[2][0][1]
    assert errors[3][0][0] == "nama" and "150" in errors[3][0][1]
    assert errors[4][0][0] == "penghasilan"


def test_a_flood_of_empty_lines_stops_at_the_empty_row_limit(in_lpa_a, media):
    content = as_csv([row(1)]) + b"\n" * (MAX_EMPTY_ROWS * 2)

    batch = imported(in_lpa_a, media, content, "baris-kosong.csv")

    message = refused(batch, "too_many_empty_rows")
    assert f"{MAX_EMPTY_ROWS + 1 + 2}" in message  # the row where reading stopped


def test_too_many_rows_stop_the_read_at_the_limit(in_lpa_a, media):
    content = HEADER.encode() + b"x\n" * (MAX_ROWS + 5)

    batch = imported(in_lpa_a, media, content, "banyak.csv")

    assert "50.000" in refused(batch, "too_many_rows")


def test_a_very_long_line_of_separators_is_refused_before_it_becomes_a_row(in_lpa_a, media):
    content = HEADER.encode() + b"," * 2_000_000

    batch = imported(in_lpa_a, media, content, "koma.csv")

    assert re.search(r"\b2\b", refused(batch, "line_too_long"))


def test_a_binary_file_named_csv_is_unreadable(in_lpa_a, media):
    content = bytes(range(256)) * 64

    batch = imported(in_lpa_a, media, content, "gambar.csv")

    assert "CSV" in refused(batch, "unreadable")


# --- spreadsheets -------------------------------------------------------------------


def _rezip(content: bytes, replace: dict[str, bytes]) -> bytes:
    """`content` (an XLSX) with some parts replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = replace.get(item.filename, source.read(item.filename))
            target.writestr(item.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _with_sheet(sheet_data: bytes, dimension: bytes = b"") -> bytes:
    head = b'<worksheet xmlns="' + MAIN + b'">' + dimension + b"<sheetData>"
    return _rezip(as_xlsx([row(1)]), {SHEET: head + sheet_data + b"</sheetData></worksheet>"})


def test_a_sheet_declaring_the_whole_grid_is_refused_before_it_is_parsed(in_lpa_a, media):
    small = as_xlsx([row(1), row(2)])
    with zipfile.ZipFile(io.BytesIO(small)) as z:
        sheet = z.read(SHEET)
    declared = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', sheet)
    content = _rezip(small, {SHEET: declared})
    assert len(content) < 10_000

    batch = imported(in_lpa_a, media, content, "seluruh-lembar.xlsx")

    message = refused(batch, "sheet_range")
    assert "A1:XFD1048576" in message and "1.048.576" in message


def test_a_zip_bomb_is_refused_from_the_zip_directory(in_lpa_a, media):
    cells = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20_000
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        with z.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="' + MAIN + b'"><sheetData>')
            for _ in range(170 * 2**20 // len(cells) + 1):
                sheet.write(cells)
            sheet.write(b"</sheetData></worksheet>")
    content = out.getvalue()
    assert len(content) < 2 * 2**20

    batch = imported(in_lpa_a, media, content, "bom.xlsx")

    assert "160 MB" in refused(batch, "xlsx_unpacked")


def test_a_part_that_unpacks_far_beyond_its_size_is_refused(in_lpa_a, media):
    content = _with_sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>' * 1)
    padding = b"<!-- " + b" " * (8 * 2**20) + b" -->"
    content = _rezip(content, {"xl/styles.xml": padding})

    batch = imported(in_lpa_a, media, content, "rasio.xlsx")

    assert "xl/styles.xml" in refused(batch, "xlsx_ratio")


def test_rows_beyond_the_last_readable_row_refuse_the_sheet_while_scanning(in_lpa_a, media):
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n) for n in range(1, 70_001)
    )

    batch = imported(in_lpa_a, media, _with_sheet(rows), "baris-banyak.xlsx")

    assert "60.001" in refused(batch, "sheet_rows")


def test_rows_that_repeat_their_number_are_counted_all_the_same(in_lpa_a, media):
    rows = b"".join(b'<row r="2"><c r="A2"><v>%d</v></c></row>' % n for n in range(70_000))

    batch = imported(in_lpa_a, media, _with_sheet(rows), "nomor-sama.xlsx")

    refused(batch, "sheet_rows")


def test_a_row_far_below_the_header_is_refused_without_filling_the_gap(in_lpa_a, media):
    rows = b'<row r="1"><c r="A1"><v>1</v></c></row>'
    rows += b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>'

    batch = imported(in_lpa_a, media, _with_sheet(rows), "celah.xlsx")

    refused(batch, "sheet_rows")


def test_a_row_of_too_many_cells_is_refused_while_scanning(in_lpa_a, media):
    cells = b"<c/>" * 1_000  # small: a long run would be refused for its ratio first

    batch = imported(in_lpa_a, media, _with_sheet(b"<row>" + cells + b"</row>"), "lebar.xlsx")

    refused(batch, "sheet_columns")


def test_an_entity_declaration_is_refused(in_lpa_a, media):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        b'"&lol;&lol;&lol;&lol;">]><worksheet xmlns="' + MAIN + b'"><sheetData>'
        b'<row><c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )

    batch = imported(in_lpa_a, media, _rezip(as_xlsx([row(1)]), {SHEET: bomb}), "lol.xlsx")

    assert "Excel" in refused(batch, "unreadable")


def test_a_csv_named_xlsx_is_unreadable_as_excel(in_lpa_a, media):
    batch = imported(in_lpa_a, media, as_csv([row(1)]), "bukan-excel.xlsx")

    assert "Excel" in refused(batch, "unreadable")


# --- limits of the work ------------------------------------------------------------------


def test_an_import_over_its_time_is_stopped_with_the_reason(in_lpa_a, media, settings):
    settings.IMPORT_TIME_LIMIT = 0
    content = HEADER.encode() + b"x\n" * 1_000

    batch = imported(in_lpa_a, media, content, "lambat.csv")

    refused(batch, "took_too_long")


def test_a_file_full_of_bad_cells_lists_a_bounded_number_of_problems(in_lpa_a, media):
    bad_row = ",".join(["\x00"] * len(COLUMNS)) + "\n"
    content = HEADER.encode() + bad_row.encode() * 2_000

    batch = imported(in_lpa_a, media, content, "nul-banyak.csv", dry_run=False)

    assert (batch.state, batch.outcome, batch.rows_total) == ("done", "refused", 2_000)
    assert len(batch.errors) == MAX_LISTED_ERRORS
    assert str(2_000 * len(COLUMNS) - MAX_LISTED_ERRORS) in batch.notes[0]
    assert "2000" in batch.error  # every bad row counted


def test_a_batch_found_running_was_left_by_a_dead_worker_and_is_failed(in_lpa_a, media):
    batch = participants_import_queue(
        file=io.BytesIO(as_csv([row(1)])), filename="mati.csv", size=100, send=False
    )
    ImportBatch.objects.filter(pk=batch.pk).update(state="running")

    again = import_run(batch.pk)

    refused(again, "worker_lost")
    assert import_run(batch.pk).state == "failed"  # and it stays so


# --- the file and its record ----------------------------------------------------------------


def test_a_file_whose_record_cannot_be_written_is_removed(in_lpa_a, media):
    """The record fails for real: another session holds the table, the insert gives up."""
    table = f'"{in_lpa_a.schema_name}"."participants_importbatch"'
    params = connection.get_connection_params()
    with psycopg.connect(**params) as other:
        other.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        with pytest.raises(OperationalError):
            participants_import(content=as_csv([row(1)]), filename="gagal.csv")
    root = media / in_lpa_a.schema_name
    assert not [p for p in root.glob("imports/**/*") if p.is_file()]


def test_an_unknown_kind_or_an_oversized_file_is_refused_before_anything_is_stored(
    in_lpa_a, media, settings
):
    settings.IMPORT_MAX_BYTES = 1024

    for name, content, code in (
        ("daftar.pdf", b"%PDF", "kind_unknown"),
        ("besar.csv", b"x" * 2048, "too_large"),
    ):
        with pytest.raises(ParticipantImportError) as refusal:
            participants_import(content=content, filename=name)
        assert refusal.value.code == code
    assert not ImportBatch.objects.exists()
    assert not (media / in_lpa_a.schema_name).exists()


def test_the_api_refuses_a_body_over_the_limit_before_reading_it(
    lpa_a, make_staff, media, settings
):
    settings.IMPORT_MAX_BYTES = 1024
    client = client_on(host_of(lpa_a), make_staff(lpa_a, "sekretaris"))
    upload = io.BytesIO(b"x" * 200_000)
    upload.name = "besar.csv"

    answer = client.post("/api/participants/import/", {"file": upload})

    assert answer.status_code == 400
    assert answer.json()["code"] == "too_large" and answer.json()["field"] == "file"
    connection.set_tenant(lpa_a)
    assert not ImportBatch.objects.exists()


def test_the_page_refuses_a_body_over_the_limit_before_reading_it(
    lpa_a, make_staff, media, settings
):
    settings.IMPORT_MAX_BYTES = 1024
    client = client_on(host_of(lpa_a), make_staff(lpa_a, "sekretaris"))
    upload = io.BytesIO(b"x" * 200_000)
    upload.name = "besar.csv"

    page = client.post("/peserta/impor/", {"file": upload})

    assert page.status_code == 400
    assert "0 MB" in page.content.decode()
    connection.set_tenant(lpa_a)
    assert not ImportBatch.objects.exists()


def test_a_filename_with_control_characters_is_kept_clean(in_lpa_a, media):
    batch = imported(in_lpa_a, media, as_csv([row(1)]), "../../da\x00ftar\r\n.csv")

    assert batch.filename == "daftar.csv" and batch.state == "done"
