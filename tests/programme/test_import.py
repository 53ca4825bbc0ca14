"""Bulk import of participant lists: per-row report, all or nothing, no file lost.

These run the import in process (`participants_import`: stored, then the task's work
at once); test_import_hostile.py has the hostile files and the worker's end to end."""

import csv
import datetime
import io

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from openpyxl import Workbook

from programme.participants.imports import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ParticipantImportError,
    import_template_csv,
    participants_import,
)
from programme.participants.models import ImportBatch, Participant
from programme.participants.services import participant_register
from tests.programme.conftest import KONAWE_VILLAGE, nik_for, person

COLUMNS = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS]
START = datetime.date(2026, 2, 1)


def row(serial: int, **changes) -> dict:
    birth = datetime.date(1980, 1, 1) + datetime.timedelta(days=serial * 37)
    base = {
        "nik": nik_for("74.71.01", birth, "L", serial),
        "nama": f"Peserta {serial}",
        "jenis_kelamin": "L",
        "tanggal_lahir": birth.strftime("%d-%m-%Y"),
        "status_perkawinan": "kawin",
        "pekerjaan": "nelayan",
        "penghasilan": "1.500.000",
        "kode_desa": "74.71.01.1005",
        "sumber_data": "pkh",
        "status_kemiskinan": "miskin",
        "ahli_waris_nama": "Ibu Rumah",
        "ahli_waris_hubungan": "istri",
    }
    base.update(changes)
    return base


def as_csv(rows, columns=COLUMNS, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def as_xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for r in rows:
        sheet.append([r.get(c, "") for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MIXED = [
    row(1),
    row(2, nik="123"),  # malformed NIK
    row(3, penghasilan="100.000"),  # below Buku Saku's minimum income
    row(4),
    row(5, tanggal_lahir="31-02-1980"),  # no such date
    row(4),  # the same person twice in one file
    row(7, kode_desa=KONAWE_VILLAGE),  # outside the LPA, no override reason
    row(8, kode_desa=KONAWE_VILLAGE, alasan_nik="KTP lama, pindah ke Kendari"),
    row(9, pekerjaan='=HYPERLINK("http://x")'),  # a formula
    row(10, penghasilan="1200000,50"),  # not whole rupiah
]


def _errors_by_row(batch):
    found = {}
    for e in batch.errors:
        found.setdefault(e["row"], []).append(e["message"])
    return found


def test_dry_run_reports_every_bad_row_by_number_and_writes_nothing(in_lpa_a):
    batch = participants_import(content=as_csv(MIXED), filename="pkh.csv", start_date=START)

    errors = _errors_by_row(batch)
    assert sorted(errors) == [3, 4, 6, 7, 8, 10, 11]
    assert "16 digit" in errors[3][0]
    assert "penghasilan per bulan" in errors[4][0].lower()
    assert "tanggal" in errors[6][0]
    assert "baris 5" in errors[7][0]
    assert "di luar kabupaten/kota" in errors[8][0]
    assert "rumus" in errors[10][0]
    assert "bilangan bulat" in errors[11][0] or "angka bulat" in errors[11][0]
    assert batch.rows_valid == 3 and batch.rows_total == 10
    assert Participant.objects.count() == 0
    assert (batch.state, batch.outcome) == ("done", "dry_run")


def test_a_file_with_errors_is_refused_whole_but_kept_with_its_report(in_lpa_a):
    batch = participants_import(
        content=as_csv(MIXED), filename="pkh.csv", dry_run=False, start_date=START
    )

    assert (batch.state, batch.outcome, batch.error_code) == ("done", "refused", "has_errors")
    assert "7 dari 10 baris" in batch.error
    assert Participant.objects.count() == 0
    assert len(ImportBatch.objects.get().errors) == 7
    assert default_storage.exists(batch.stored_as)


def test_skipping_invalid_rows_writes_exactly_the_valid_ones(in_lpa_a):
    batch = participants_import(
        content=as_csv(MIXED),
        filename="pkh.csv",
        dry_run=False,
        skip_invalid=True,
        start_date=START,
    )

    assert ImportBatch.objects.get().rows_written == 3 == batch.rows_valid
    assert set(Participant.objects.values_list("name", flat=True)) == {
        "Peserta 1",
        "Peserta 4",
        "Peserta 8",
    }
    imported = Participant.objects.get(name="Peserta 8")
    assert imported.nik_override_reason == "KTP lama, pindah ke Kendari"
    assert imported.heirs.get().relation == "pasangan"
    assert imported.policies.get().number.startswith("AKS-7471-")


def test_xlsx_works_the_same_and_formulas_are_refused(in_lpa_a):
    rows = [row(1), row(2, penghasilan="=1000000*2")]

    batch = participants_import(content=as_xlsx(rows), filename="daftar.xlsx", start_date=START)

    assert [e["row"] for e in batch.errors] == [3]
    assert "rumus" in batch.errors[0]["message"]


@pytest.mark.parametrize(
    ("encoding", "note"),
    [("cp1252", "Windows-1252"), ("utf-16", "UTF-16"), ("utf-8-sig", None)],
)
def test_the_encoding_is_recognised_and_the_report_says_so(in_lpa_a, encoding, note):
    content = as_csv([row(1, nama="Andi Mappanyukki Daéng")], encoding=encoding)

    batch = participants_import(
        content=content, filename="excel.csv", dry_run=False, start_date=START
    )

    assert batch.rows_written == 1
    assert Participant.objects.get().name == "Andi Mappanyukki Daéng"
    if note is None:
        assert batch.notes == []
    else:
        assert note in batch.notes[0]


def test_missing_columns_are_named(in_lpa_a):
    content = as_csv([row(1)], columns=["nik", "nama", "tanggal_lahir"])

    batch = participants_import(content=content, filename="kurang.csv")

    assert (batch.state, batch.error_code) == ("failed", "columns_missing")
    assert "jenis_kelamin" in batch.error and "kode_desa" in batch.error


def test_a_file_over_the_limit_is_refused_before_reading(in_lpa_a, settings):
    settings.IMPORT_MAX_BYTES = 1024

    with pytest.raises(ParticipantImportError) as refused:
        participants_import(content=b"x" * 2048, filename="besar.csv")

    assert refused.value.code == "too_large"


@pytest.mark.parametrize("name", ["daftar.pdf", "daftar"])
def test_only_csv_and_xlsx(in_lpa_a, name):
    with pytest.raises(ParticipantImportError) as refused:
        participants_import(content=b"abc", filename=name)

    assert refused.value.code == "kind_unknown"


def test_a_broken_xlsx_is_a_clear_error(in_lpa_a):
    batch = participants_import(content=b"PK\x03\x04 not really", filename="rusak.xlsx")

    assert (batch.state, batch.error_code) == ("failed", "unreadable")
    assert "Excel" in batch.error


def test_niks_already_here_or_active_elsewhere_are_row_errors(lpa_a, lpa_b):
    connection.set_tenant(lpa_b)
    elsewhere = person(village_code=KONAWE_VILLAGE, serial=21)
    participant_register(data=elsewhere)
    connection.set_tenant(lpa_a)
    here = row(22)
    participants_import(content=as_csv([here]), filename="a.csv", dry_run=False, start_date=START)
    moved = row(
        23,
        nik=elsewhere.nik,
        tanggal_lahir=elsewhere.birth_date.strftime("%d-%m-%Y"),
        kode_desa=KONAWE_VILLAGE,
        alasan_nik="pindah",
    )

    batch = participants_import(content=as_csv([here, moved]), filename="b.csv", start_date=START)

    messages = [e["message"] for e in batch.errors]
    assert "sudah terdaftar di LPA ini" in messages[0]
    assert "aktif di LPA lain" in messages[1]


def test_the_template_imports_cleanly(in_lpa_a):
    batch = participants_import(
        content=import_template_csv(), filename="template.csv", start_date=START
    )

    assert batch.errors == [] and batch.rows_valid == 1
