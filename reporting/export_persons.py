"""The person-level audit export ("persons" kind): every participant of the area's
LPAs, one row each, for the ministry's auditors only (askesos.permissions).

Without the NIK: the row carries the NIK's HMAC under the national index's key
(programme.participants.nik.nik_digest, the same value the national index in public
holds), so an auditor can match people against another list hashed the same way, and
nobody can read a NIK back from the file. The full birth date stays, as in the
registry's own export: with the name and village it is how an auditor tells two
people apart on the ground.

Who is a participant follows the reports' rule (reporting.figures): a person whose
latest policy had begun by the period's last day, with that policy's status on that
day and the premium months paid by then, so the file's counts per status are the
facts' `participants.status:*` of the period's last month.

It streams: each LPA's rows come through a server-side cursor (schema-qualified
names, no search_path switching), a few thousand at a time, straight into the CSV
inside the ZIP; nothing holds the whole file.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable

from django.db import connection, transaction

from askesos.spreadsheets import cell_safe
from programme.participants.nik import nik_digest
from reporting.export_tables import LpaInfo

PERSON_COLUMNS = (
    "lpa_slug",
    "nomor_peserta",
    "nik_hmac",
    "nama",
    "jenis_kelamin",
    "tanggal_lahir",
    "kode_desa",
    "nomor_polis",
    "status_polis",
    "mulai_polis",
    "bulan_premi_dibayar",
)
FETCH = 5000
# A PostgreSQL backend keeps catalog caches for every schema it reads
# (docs/decisions/0003): a fresh connection every so many LPAs, outside a transaction.
RECONNECT_EVERY = 500

_SQL = """
SELECT pa.id, pa.nik, pa.name, pa.sex, pa.birth_date, pa.village_id,
       po.number, st.to_status, po.start_date,
       (SELECT coalesce(sum(r.months), 0) FROM {s}.ledger_premiumreceipt r
        WHERE r.policy_id = po.id AND r.received_on <= %(end)s AND r.status <> 'reversed')
FROM {s}.participants_participant pa
JOIN LATERAL (
    SELECT p.id, p.number, p.start_date FROM {s}.participants_policy p
    WHERE p.participant_id = pa.id AND p.start_date <= %(end)s
    ORDER BY p.start_date DESC, p.id DESC LIMIT 1
) po ON true
JOIN LATERAL (
    SELECT e.to_status FROM {s}.participants_policyevent e
    WHERE e.policy_id = po.id AND e.effective_date <= %(end)s
    ORDER BY e.effective_date DESC, e.at DESC, e.id DESC LIMIT 1
) st ON true
ORDER BY pa.id
"""


def persons_write(
    out,
    lpas: list[LpaInfo],
    *,
    as_of: datetime.date,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the CSV (UTF-8 with BOM, ',' as the registry's export) of the LPAs'
    participants to the binary stream `out`; returns the rows written. `progress` is
    told how many LPAs are done."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    out.write("\ufeff".encode())
    writer.writerow(PERSON_COLUMNS)
    rows = 0
    for index, lpa in enumerate(lpas, start=1):
        if index % RECONNECT_EVERY == 0 and not connection.in_atomic_block:
            connection.close()
        sql = _SQL.format(s=connection.ops.quote_name(lpa.schema_name))
        with transaction.atomic():
            # A server-side cursor (inside a transaction: no WITH HOLD copy).
            with connection.chunked_cursor() as cursor:
                cursor.execute(sql, {"end": as_of})
                while batch := cursor.fetchmany(FETCH):
                    for pid, nik, name, sex, born, village, number, status, start, months in batch:
                        writer.writerow(
                            (
                                lpa.slug,
                                pid,
                                nik_digest(nik),
                                cell_safe(name),
                                sex,
                                born,
                                village,
                                cell_safe(number),
                                status,
                                start,
                                months,
                            )
                        )
                    rows += len(batch)
                    out.write(buffer.getvalue().encode())
                    buffer.seek(0)
                    buffer.truncate()
        if progress is not None:
            progress(index)
    out.write(buffer.getvalue().encode())
    return rows
