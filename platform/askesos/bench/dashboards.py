"""The government's dashboards at national scale (run it on `askesos generate --lpas
2000 --participants 250`): each dashboard query for the ministry, the province with the
most LPAs and the kabupaten/kota with the most LPAs, through the whole HTTP stack (a
real gunicorn with the demo's settings, signed-in officers, sequential requests), and
in the same run the same figures computed by the naive loop over every tenant schema
of the area (reporting.figures.month_figures in each LPA, as a dashboard without the
rollup would have to): the headline figures of the period and the one before for
every audience, and for the areas of up to NAIVE_TREND_LPAS LPAs the page's 24 months
too (compared with the trend's answer and the whole page); then freshness (a premium
recorded in an LPA until the national figures show it, with a real Celery worker and
beat running) and the person-level audit export of the whole country.

If the current month has no facts for every LPA, the facts are rebuilt first
(`askesos rollup-rebuild` for `months` months, two processes) and that is timed too.
Users it makes are removed at the end; the premiums it records stay in the bench LPAs.
"""

from __future__ import annotations

import datetime
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from askesos.accounts.models import User
from askesos.accounts.second_factor import session_trusted
from askesos.accounts.services import government_scope_assign
from askesos.bench.daily import Browser, _free_port, _serve, _time
from askesos.bench.timing import Timing
from askesos.dates import today
from askesos.middleware import SESSION_TENANT_KEY
from askesos.workers import worker_process
from reporting.dashboards import (
    NATION,
    TREND_MONTHS,
    Area,
    Filters,
    area_summary,
    area_trend,
    current_month,
    period_before,
)
from reporting.figures import month_figures, scheme_rules
from reporting.models import Fact, FactLevel, FactMark
from reporting.periods import Period, PeriodType
from reporting.rollup import lpa_facts_since, marks_take
from tenants.models import Lpa, LpaStatus

PREFIX = "bench-dash"
# The naive loop over the page's months runs for the areas up to this many LPAs: for
# the nation it would take some 25 minutes (2.000 LPAs x 24 months x 30 ms).
NAIVE_TREND_LPAS = 200
ENDPOINTS = (
    ("page /dasbor/", "/dasbor/{area}"),
    ("API summary", "/api/dashboard/summary/?{query}"),
    ("API trend (24 months)", "/api/dashboard/trend/?{query}"),
    ("API children", "/api/dashboard/children/?{query}"),
    ("API LPA ranking", "/api/dashboard/lpas/?{query}"),
    ("API breakdowns", "/api/dashboard/breakdowns/?{query}"),
)
HEADLINE = {
    "participants_open": "participants.open",
    "premiums_due": "premiums.due",
    "premiums_collected": "premiums.collected",
    "reserve_closing": "reserve.closing",
}


def _cleanup() -> None:
    from reporting.models import AuditExport, DrillView

    connection.set_schema_to_public()
    # The bench's users stay (kept for the next run): the export is audited, and audit
    # rows keep their actor (askesos/accounts/append_only.py).
    users = User.objects.filter(username__startswith=f"{PREFIX}-")
    DrillView.objects.filter(user__in=users).delete()
    AuditExport.objects.filter(requested_by__in=users).delete()


def _user(name: str, level: str, province: str | None = None, regency: str | None = None):
    user, _created = User.objects.get_or_create(username=f"{PREFIX}-{name}")
    government_scope_assign(
        user=user, level=level, role="officer", province_code=province, regency_code=regency
    )
    client = Client(HTTP_HOST=settings.BASE_DOMAIN)
    client.force_login(user)
    session = client.session
    session[SESSION_TENANT_KEY] = "public"
    session.save()
    session_trusted(session, user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class PortalBrowser(Browser):
    def __init__(self, port: int, session: str) -> None:
        super().__init__(port, session)
        self.host = f"{settings.BASE_DOMAIN}:{port}"


def _lpas() -> list[Lpa]:
    return list(
        Lpa.objects.select_related("regency")
        .filter(is_ready=True, status=LpaStatus.ACTIVE)
        .exclude(schema_name="public")
        .order_by("pk")
    )


def _facts_ready(months: int) -> list[str]:
    """Rebuild the facts if the current month lacks some LPA's row; then refresh, in
    process, the LPAs marked by changes made with no worker running (the data's
    generation, `bench premiums`), so that the freshness timed later starts from an
    empty outbox."""
    lines = _facts_rebuilt(months)
    earliest, taken = marks_take(limit=10_000_000)
    started = time.monotonic()
    for lpa in Lpa.objects.select_related("regency", "scheme_version").filter(
        schema_name__in=earliest, is_ready=True
    ):
        with schema_context(lpa.schema_name):
            lpa_facts_since(lpa=lpa, since=earliest[lpa.schema_name])
    if taken:
        lines.append(
            f"Outbox: {taken} marks of {len(earliest)} LPAs refreshed in "
            f"{time.monotonic() - started:.0f} s before timing"
        )
    return lines


def _facts_rebuilt(months: int) -> list[str]:
    month = current_month().start
    have = Fact.objects.filter(level=FactLevel.LPA, month=month).count()
    lpas = Lpa.objects.filter(is_ready=True).exclude(schema_name="public").count()
    if have >= lpas:
        return [f"Facts: {have} LPA rows for {month:%Y-%m} already there (no rebuild)"]
    first = month
    for _ in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    started, began = time.monotonic(), timezone.now()
    call_command("rollup_rebuild", since=f"{first:%Y-%m}", processes=2, stdout=sys.stdout)
    # Marks made before the rebuild began are covered by it.
    FactMark.objects.filter(marked_at__lt=began).delete()
    return [
        f"Facts rebuilt: {lpas} LPAs x {months} months in {time.monotonic() - started:.0f} s "
        "(2 processes)"
    ]


def _naive(lpas: list[Lpa], periods: list[Period]) -> tuple[float, dict[Period, Counter]]:
    """The headline figures of each period, one LPA schema at a time."""
    schemes = scheme_rules()
    totals: dict[Period, Counter] = {period: Counter() for period in periods}
    started = time.perf_counter()
    for lpa in lpas:
        with schema_context(lpa.schema_name):
            for period in periods:
                figures = month_figures(period, schemes=schemes)
                for column, key in HEADLINE.items():
                    totals[period][column] += figures.get(key, 0)
    return time.perf_counter() - started, totals


def _trend_months(filters: Filters) -> list[Period]:
    """The months the page's trend draws (TREND_MONTHS up to the period's last): the
    period and the one before are among them, and the areas below, the ranking and the
    breakdowns read the same months' figures, so these are the page's naive loop."""
    last = filters.period.month_starts()[-1]
    return [
        Period(PeriodType.MONTH, last - relativedelta(months=n))
        for n in range(TREND_MONTHS - 1, -1, -1)
    ]


def _p95(table: list[tuple[str, Timing]], audience: str, query: str) -> float:
    return next(t for n, t in table if n == audience and t.name == query).pct(0.95)


def _beat() -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "askesos", "beat", "-l", "WARNING"]
    command += ["--schedule", "/tmp/askesos-bench-beat"]
    return subprocess.Popen(command, env=dict(os.environ), start_new_session=True)


def _freshness(browser: PortalBrowser, lpa: Lpa, samples: int) -> list[float]:
    """Seconds from a premium's commit in `lpa` to the national summary showing it."""
    from programme.ledger.premiums import premium_receipt_record
    from programme.participants.models import Policy

    seen = []
    for n in range(samples):
        status, body = browser.request("/api/dashboard/summary/")
        before = json.loads(body)["values"]["premiums_collected"]
        with schema_context(lpa.schema_name):
            policy = Policy.objects.filter(status__in=("registered", "active")).order_by("?")[0]
            premium_receipt_record(
                number=f"BENCH-SEGAR-{int(time.time())}-{n}",
                policy=policy,
                months=1,
                amount=5000,
                received_on=today(),
            )
        committed = time.monotonic()
        while time.monotonic() - committed < 120:
            status, body = browser.request("/api/dashboard/summary/")
            if status == 200 and json.loads(body)["values"]["premiums_collected"] > before:
                break
            time.sleep(0.2)
        else:
            raise RuntimeError("the change never showed within 120 s")
        seen.append(time.monotonic() - committed)
    return seen


def _export(lines: list[str]) -> None:
    """The person-level export of the whole country, built in process as the worker
    would (reporting.export_job.export_build)."""
    from askesos.permissions import scope_of
    from reporting.export_job import export_build
    from reporting.exports import export_request

    auditor, _created = User.objects.get_or_create(username=f"{PREFIX}-auditor")
    government_scope_assign(user=auditor, level="ministry", role="auditor")
    export = export_request(
        user=auditor,
        scope=scope_of(auditor),
        kind="persons",
        period=current_month().code,
        level=NATION,
        area="",
        filters=None,
        send=False,
    )
    started = time.perf_counter()
    export = export_build(export)
    seconds = time.perf_counter() - started
    rows = sum(export.manifest.get("tables", {}).values())
    lines.append("")
    lines.append(
        f"Person-level audit export of the nation: {rows} participants, state {export.state}, "
        f"{export.size / 1e6:.1f} MB ZIP, {seconds:.1f} s (in process, streamed)"
    )


def run(*, requests: int, months: int, freshness: int) -> list[str]:
    _cleanup()
    lines = _facts_ready(months)
    lpas = _lpas()
    by_province = Counter(lpa.regency.province_id for lpa in lpas)
    by_regency = Counter(lpa.regency_id for lpa in lpas)
    province = by_province.most_common(1)[0][0]
    regency = by_regency.most_common(1)[0][0]
    audiences = {
        f"ministry ({len(lpas)} LPAs)": (
            _user("ministry", "ministry"),
            Area(NATION),
            "",
            lpas,
        ),
        f"province {province} ({by_province[province]} LPAs)": (
            _user("province", "province", province=province),
            Area(FactLevel.PROVINCE, province, province=province),
            f"province/{province}/",
            [x for x in lpas if x.regency.province_id == province],
        ),
        f"kabupaten {regency} ({by_regency[regency]} LPAs)": (
            _user("regency", "regency", regency=regency),
            Area(FactLevel.REGENCY, regency, province=regency[:2], regency=regency),
            f"regency/{regency}/",
            [x for x in lpas if x.regency_id == regency],
        ),
    }
    filters = Filters(period=current_month())
    server = worker = beat = None
    try:
        port = _free_port()
        server = _serve(port)
        table: list[tuple[str, Timing]] = []
        naive: dict[str, tuple[float, bool]] = {}
        naive_trend: dict[str, tuple[float, bool]] = {}
        for name, (session, area, path, members) in audiences.items():
            browser = PortalBrowser(port, session)
            query = f"period={filters.period.code}"
            for label, template in ENDPOINTS:
                url = template.format(area=path, query=query)
                browser.request(url)  # warm up
                table.append(
                    (name, _time(label, requests, lambda n, u=url, b=browser: b.request(u)[0]))
                )
            before = period_before(filters.period)
            seconds, totals = _naive(members, [filters.period, before])
            summary = area_summary(area, filters)
            same = all(
                summary.values[c] == totals[filters.period][c]
                and summary.previous[c] == totals[before][c]
                for c in HEADLINE
            )
            naive[name] = (seconds, same)
            if len(members) <= NAIVE_TREND_LPAS:
                months = _trend_months(filters)
                seconds, totals = _naive(members, months)
                trend = area_trend(area, filters, months=TREND_MONTHS)
                same = [p.month for p in trend] == months and all(
                    p.values[c] == totals[p.month][c] for p in trend for c in HEADLINE
                )
                naive_trend[name] = (seconds, same)
        lines.append(
            f"Dashboards through gunicorn (2 workers x 4 threads), {requests} sequential "
            f"requests each, period {filters.period.code}"
        )
        lines.append(f"{'audience':<34} {'query':<24} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
        for name, timing in table:
            lines.append(
                f"{name:<34} {timing.name:<24} {timing.pct(0.5):>7.1f} {timing.pct(0.95):>7.1f} "
                f"{max(timing.samples) * 1000:>7.1f}"
            )
        lines.append("")
        lines.append("The same headline figures by the naive loop over the area's tenant schemas")
        lines.append(
            f"{'audience':<34} {'naive s':>8} {'API p95 ms':>10} {'x faster':>9} {'equal':>6}"
        )
        for name, (seconds, same) in naive.items():
            p95 = _p95(table, name, "API summary")
            lines.append(
                f"{name:<34} {seconds:>8.2f} {p95:>10.1f} {seconds * 1000 / p95:>9.0f} "
                f"{'yes' if same else 'NO':>6}"
            )
        if naive_trend:
            lines.append("")
            lines.append(
                f"The page's {TREND_MONTHS} months (its trend, and the months every other "
                f"figure of it reads) by the naive loop, for areas of up to "
                f"{NAIVE_TREND_LPAS} LPAs"
            )
            lines.append(
                f"{'audience':<34} {'naive s':>8} {'trend p95':>10} {'x faster':>9} "
                f"{'page p95':>9} {'x faster':>9} {'equal':>6}"
            )
            for name, (seconds, same) in naive_trend.items():
                trend, page = _p95(table, name, ENDPOINTS[2][0]), _p95(table, name, ENDPOINTS[0][0])
                lines.append(
                    f"{name:<34} {seconds:>8.2f} {trend:>10.1f} {seconds * 1000 / trend:>9.0f} "
                    f"{page:>9.1f} {seconds * 1000 / page:>9.0f} {'yes' if same else 'NO':>6}"
                )
        if freshness:
            db = connection.settings_dict
            worker = worker_process(name="bench-dash", concurrency=2)
            beat = _beat()
            time.sleep(5)
            ministry = PortalBrowser(port, next(iter(audiences.values()))[0])
            busiest = max(lpas, key=lambda x: by_regency[x.regency_id])
            seen = _freshness(ministry, busiest, freshness)
            lines.append("")
            lines.append(
                f"Freshness (premium committed -> national summary shows it; beat sweeps every "
                f"10 s, worker 2 processes, db {db['NAME']}): {len(seen)} changes, "
                f"median {statistics.median(seen):.1f} s, max {max(seen):.1f} s"
            )
        _export(lines)
        return lines
    finally:
        for process in (beat, worker):
            if process is not None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=60)
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        _cleanup()
