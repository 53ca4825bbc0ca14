"""Registry benchmark: bulk generation, CSV import throughput, search latency.

One throwaway LPA (slug bench-registry) is filled with N participants by the data
generator; everything it made is dropped at the end.
"""

from __future__ import annotations

import csv
import io
import random
import statistics
import time

from django.db import connection
from django.test import Client

from askesos.accounts.models import User
from askesos.accounts.second_factor import session_trusted
from askesos.accounts.services import membership_grant
from askesos.bench.timing import Timing
from askesos.geo.models import Village
from askesos.middleware import SESSION_TENANT_KEY
from programme.generator import FAMILY, MEN, REFERENCE_DAY, WOMEN, generate, participant_inputs
from programme.participants.import_files import REQUIRED_COLUMNS
from programme.participants.imports import participants_import
from programme.participants.models import Participant, Policy
from programme.participants.selectors import participant_search
from tenants.models import Lpa
from tenants.services import domain_for, lpa_provision

SLUG = "bench-registry"
NPWP = "09.999.999.7-741.000"


def _cleanup() -> None:
    connection.set_schema_to_public()
    lpa = Lpa.objects.filter(slug=SLUG).first()
    if lpa:
        lpa.delete(force_drop=True)
    User.objects.filter(username="bench-registry-user").delete()


def _import_csv(count: int, regency: str) -> bytes:
    rng = random.Random("bench-import")
    villages = list(
        Village.objects.filter(district__regency_id=regency).values_list("code", flat=True)
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*REQUIRED_COLUMNS, "ahli_waris_nama", "ahli_waris_hubungan"])
    seen = set()
    for p in participant_inputs(
        rng=rng, villages=villages, count=count * 2, today=REFERENCE_DAY, serial_start=5000
    ):
        if p.nik in seen:
            continue
        seen.add(p.nik)
        writer.writerow(
            [
                p.nik,
                p.name,
                p.sex,
                p.birth_date.strftime("%d-%m-%Y"),
                p.marital_status,
                p.occupation,
                p.monthly_income,
                p.village_code,
                p.data_source,
                p.poverty_status,
                p.heirs[0].name,
                p.heirs[0].relation,
            ]
        )
        if len(seen) == count:
            break
    return out.getvalue().encode()


def _time(name: str, queries: list[str], run) -> Timing:
    samples = []
    for q in queries:
        started = time.perf_counter()
        run(q)
        samples.append(time.perf_counter() - started)
    return Timing(name, samples)


def run(*, participants: int, import_rows: int, queries: int) -> list[str]:
    _cleanup()
    lines = []
    try:
        lpa = lpa_provision(
            name="Bench Registry", slug=SLUG, legal_form="lsm", regency_code="74.71", npwp=NPWP
        )
        started = time.perf_counter()
        generate(lpas=0, participants=participants, seed=7, existing=[lpa])
        gen_s = time.perf_counter() - started
        content = _import_csv(import_rows, lpa.regency_id)
        connection.set_tenant(lpa)
        started = time.perf_counter()
        batch = participants_import(
            content=content,
            filename="bench.csv",
            dry_run=False,
            skip_invalid=True,
            start_date=REFERENCE_DAY,
        )
        import_s = time.perf_counter() - started
        total = Participant.objects.count()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE participants_participant; ANALYZE participants_policy")
        rng = random.Random("bench-search")
        niks = rng.sample(list(Participant.objects.values_list("nik", flat=True)), queries)
        numbers = rng.sample(list(Policy.objects.values_list("number", flat=True)), queries)
        names = [
            rng.choice((rng.choice(MEN), rng.choice(WOMEN), rng.choice(FAMILY[:-1])))
            + ("" if rng.random() < 0.5 else f" {rng.choice(FAMILY[:-1])}")
            for _ in range(queries)
        ]

        def first_page(q: str) -> None:
            list(participant_search(query=q)[:25])

        timings = [
            _time("selector: NIK", niks, first_page),
            _time("selector: policy number", numbers, first_page),
            _time("selector: name", names, first_page),
        ]
        user, _ = User.objects.get_or_create(username="bench-registry-user")
        membership_grant(lpa=lpa, user=user, role="ketua")
        client = Client(HTTP_HOST=domain_for(SLUG))
        client.force_login(user)
        session = client.session
        session[SESSION_TENANT_KEY] = lpa.schema_name
        session.save()
        session_trusted(session, user)
        connection.set_schema_to_public()

        def api(q: str) -> None:
            response = client.get("/api/participants/", {"q": q})
            assert response.status_code == 200, response.status_code

        timings += [
            _time("API (full stack): NIK", niks, api),
            _time("API (full stack): name", names, api),
        ]
        lines.append(f"Registry benchmark: {total} participants in one LPA")
        lines.append(
            f"generate {participants} participants: {gen_s:.1f} s "
            f"({participants / gen_s:,.0f} rows/s)"
        )
        lines.append(
            f"import CSV {import_rows} rows: {import_s:.1f} s "
            f"({import_rows / import_s:,.0f} rows/s; {batch.rows_written} "
            f"written, {len(batch.errors)} refused)"
        )
        lines.append(
            f"{'search (' + str(queries) + ' queries each)':<34} {'p50 ms':>7} "
            f"{'p95 ms':>7} {'max ms':>7} {'mean ms':>8}"
        )
        for t in timings:
            lines.append(
                f"{t.name:<34} {t.pct(0.5):>7.1f} {t.pct(0.95):>7.1f} "
                f"{max(t.samples) * 1000:>7.1f} {statistics.mean(t.samples) * 1000:>8.1f}"
            )
        return lines
    finally:
        _cleanup()
