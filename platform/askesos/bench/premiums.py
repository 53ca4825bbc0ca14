"""Premium posting benchmark: one month of premiums for every open policy of every LPA
through the bulk path, against a bare COPY of the same rows into plain tables.

Run it on a database filled by `askesos generate --lpas 2000 --participants 250`.
Each run posts the next unpaid month; the bare COPY goes into scratch tables that are
dropped afterwards.
"""

from __future__ import annotations

import datetime
import io
import time

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from programme.ledger.bulk import BulkReceipt, premiums_bulk_post
from programme.ledger.models import PremiumReceipt
from programme.participants.models import OPEN_STATUSES, Policy
from tenants.models import Lpa
from tenants.selectors import lpa_each


def _next_month(lpa: Lpa) -> int:
    connection.set_tenant(lpa)
    done = PremiumReceipt.objects.aggregate(m=Max("first_month"))["m"]
    return 0 if done is None else done + 1


def _post_month(args: tuple[list[int], int, str]) -> int:
    """Post the month for a share of the LPAs (runs in a worker process)."""
    from django.db import connections

    lpa_ids, month, day = args
    connections.close_all()  # never share the parent's connection
    received_on = datetime.date.fromisoformat(day)
    posted = 0
    for lpa in lpa_each(Lpa.objects.filter(pk__in=lpa_ids).order_by("pk")):
        connection.set_tenant(lpa)
        open_policies = list(
            Policy.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True)
        )
        if open_policies:
            premiums_bulk_post(
                receipts=[BulkReceipt(f"M{month:02d}-{pk}", pk) for pk in open_policies],
                received_on=received_on,
                reference=f"bench-{month}",
            )
            posted += len(open_policies)
    connections.close_all()
    return posted


def run(*, limit: int | None = None, processes: int = 1) -> list[str]:
    lpas = list(Lpa.objects.filter(is_ready=True).order_by("pk")[:limit])
    if not lpas:
        return ["no LPAs: run `askesos generate --lpas 2000 --participants 250` first"]
    month = _next_month(lpas[0])
    connection.set_schema_to_public()
    day = (datetime.date(2026, 1, 5) + datetime.timedelta(days=31 * month)).isoformat()
    if datetime.date.fromisoformat(day) > timezone.localdate():
        return [
            f"coverage month {month + 1} would be received on {day}, after today: money is "
            "never dated in the future. Generate fresh LPAs to measure again."
        ]
    shares = [([lpa.pk for lpa in lpas[i::processes]], month, day) for i in range(processes)]
    started = time.perf_counter()
    if processes == 1:
        receipts_total = _post_month(shares[0])
    else:
        import multiprocessing

        from django.db import connections

        connections.close_all()
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            receipts_total = sum(pool.map(_post_month, shares))
    bulk_s = time.perf_counter() - started
    copy_s = _bare_copy(receipts_total)
    return [
        f"Premium posting, coverage month {month + 1}: {len(lpas)} LPAs, "
        f"{receipts_total} receipts, {processes} process(es)",
        f"{'path':<46} {'seconds':>8} {'rows/s':>10}",
        f"{'bulk path (validate, entry, COPY, activate)':<46} {bulk_s:>8.1f} "
        f"{receipts_total / bulk_s:>10,.0f}",
        f"{'bare COPY of the same receipt and line rows':<46} {copy_s:>8.1f} "
        f"{receipts_total / copy_s:>10,.0f}",
        f"ratio bulk / bare COPY: {bulk_s / copy_s:.1f}x",
    ]


def _bare_copy(count: int) -> float:
    """The floor: the same number of receipt rows and savings lines, COPY'd into two
    plain tables with a primary key and nothing else."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS bench_receipts, bench_lines;"
            "CREATE TABLE bench_receipts (id bigserial PRIMARY KEY, number text, policy_id "
            "bigint, first_month int, months int, amount int, received_on date, status text, "
            "entry_id bigint);"
            "CREATE TABLE bench_lines (id bigserial PRIMARY KEY, entry_id bigint, account_id "
            "bigint, amount bigint, participant_id bigint);"
        )
        receipts, lines = io.StringIO(), io.StringIO()
        for i in range(count):
            receipts.write(f"M-{i}\t{i}\t0\t1\t5000\t2026-01-05\tcollected\t{i // 250}\n")
            lines.write(f"{i // 250}\t2\t-5000\t{i}\n")
        started = time.perf_counter()
        with cursor.copy(
            "COPY bench_receipts (number, policy_id, first_month, months, amount, "
            "received_on, status, entry_id) FROM STDIN"
        ) as copy:
            copy.write(receipts.getvalue())
        with cursor.copy(
            "COPY bench_lines (entry_id, account_id, amount, participant_id) FROM STDIN"
        ) as copy:
            copy.write(lines.getvalue())
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_receipts, bench_lines")
    return elapsed
