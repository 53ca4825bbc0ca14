"""`askesos rollup-rebuild`: the rollup facts of every LPA (or some) rebuilt from their
books for a range of months, then the areas' sums. For a new deployment, after a change
of the figures, or to fill a benchmark; the near-real-time sweep and the daily round
keep them fresh afterwards."""

from __future__ import annotations

import datetime
import time
from concurrent.futures import ProcessPoolExecutor

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django_tenants.utils import schema_context

from askesos.dates import today
from reporting.periods import period_parse
from reporting.rollup import HISTORY_MONTHS, areas_rebuild, facts_rebuild, months_between
from tenants.models import Lpa


def _rebuild(pks: list[int], since: datetime.date, until: datetime.date) -> int:
    connections.close_all()  # a forked child opens its own connection
    written = 0
    for lpa in Lpa.objects.select_related("regency", "scheme_version").filter(pk__in=pks):
        with schema_context(lpa.schema_name):
            written += facts_rebuild(lpa=lpa, since=since, until=until, areas=False)
    connections.close_all()
    return written


class Command(BaseCommand):
    help = "Rebuild the rollup facts of the LPAs' months, then the areas' sums."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="first month, e.g. 2025-01 (default: 12 months ago)")
        parser.add_argument("--until", help="last month (default: the current month)")
        parser.add_argument("--lpa", nargs="*", metavar="SLUG", help="only these LPAs")
        parser.add_argument("--processes", type=int, default=1)

    def handle(self, *args, since, until, lpa, processes, **options):
        last = period_parse(until).start if until else today().replace(day=1)
        months = months_between(
            period_parse(since).start if since else last.replace(year=last.year - 1), last
        )
        if len(months) > HISTORY_MONTHS:
            raise CommandError(f"at most {HISTORY_MONTHS} months")
        lpas = Lpa.objects.filter(is_ready=True).exclude(schema_name="public").order_by("pk")
        if lpa:
            lpas = lpas.filter(slug__in=lpa)
        pks = list(lpas.values_list("pk", flat=True))
        first, last = months[0].start, months[-1].start
        started = time.monotonic()
        chunks = [pks[n::processes] for n in range(processes)]
        if processes > 1:
            connections.close_all()
            with ProcessPoolExecutor(processes) as pool:
                written = sum(pool.map(_rebuild, chunks, [first] * processes, [last] * processes))
        else:
            written = _rebuild(pks, first, last)
        lpa_seconds = time.monotonic() - started
        areas = areas_rebuild(first=first, last=last)
        # Rows rewritten in bulk: the planner's statistics of the table are refreshed
        # now rather than whenever autovacuum comes by (with stale ones, the ministry's
        # LPA ranking was planned for 3 rows instead of 2.000).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reporting_fact")
        self.stdout.write(
            f"{len(pks)} LPAs x {len(months)} months: {written} LPA rows in {lpa_seconds:.1f} s, "
            f"{areas} area rows in {time.monotonic() - started - lpa_seconds:.1f} s"
        )
