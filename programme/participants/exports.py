"""Exporting the registry (CSV or XLSX) as it stands, one row per participant."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils import timezone

from askesos.spreadsheets import cell_safe
from programme.participants.selectors import (
    participant_search,
    participants_with_latest_policy,
)

COLUMNS = (
    ("nik", "nik"),
    ("nama", "name"),
    ("jenis_kelamin", "sex"),
    ("tanggal_lahir", "birth_date"),
    ("status_perkawinan", "marital_status"),
    ("pekerjaan", "occupation"),
    ("penghasilan", "monthly_income"),
    ("kode_desa", "village_id"),
    ("sumber_data", "data_source"),
    ("status_kemiskinan", "poverty_status"),
    ("jumlah_anggota_keluarga", "household_size"),
    ("alamat", "address"),
    ("telepon", "phone"),
    ("nomor_polis", "policy_number"),
    ("status_polis", "policy_status"),
)


def registry_rows():
    participants = participant_search()
    for start in range(0, participants.count(), 2000):
        page = participants_with_latest_policy(list(participants[start : start + 2000]))
        for p in page:
            policy = p.latest_policy
            p.policy_number = policy.number if policy else ""
            p.policy_status = policy.status if policy else ""
            yield [cell_safe(getattr(p, attr)) for _header, attr in COLUMNS]


def registry_export_response(*, kind: str) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    headers = [h for h, _a in COLUMNS]
    if kind == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("Peserta")
        sheet.append(headers)
        for row in registry_rows():
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="peserta-{stamp}.xlsx"'
        return response
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(registry_rows())
    response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="peserta-{stamp}.csv"'
    return response
