"""Provisioning benchmark: cloning the template schema vs. replaying migrations.

Everything it creates is removed again: schemas are named bench_* and dropped, and the
full-service run happens inside a transaction that is rolled back.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django_tenants.clone import CloneSchema
from stdnum import luhn

from tenants.clone import schema_clone
from tenants.schemas import template_migrate
from tenants.services import lpa_provision


@dataclass
class Result:
    method: str
    tenants: int
    seconds: list[float]

    @property
    def total(self) -> float:
        return sum(self.seconds)

    @property
    def per_tenant(self) -> float:
        return self.total / self.tenants

    @property
    def p95(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _drop_bench_schemas() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_%%'")
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP SCHEMA "{name}" CASCADE')


def _npwp(i: int) -> str:
    base = f"9{i:07d}"
    return base + luhn.calc_check_digit(base) + "741000"


def bench_clone(n: int) -> Result:
    """What provisioning uses: tenants.clone (DDL read once from the template)."""
    times = []
    for i in range(n):
        started = time.perf_counter()
        with transaction.atomic():
            schema_clone(template=settings.TENANT_BASE_SCHEMA, schema=f"bench_clone_{i}")
        times.append(time.perf_counter() - started)
    return Result("clone (tenants.clone)", n, times)


def bench_clone_django_tenants(n: int) -> Result:
    """For comparison: django-tenants' general plpgsql clone_schema()."""
    times = []
    for i in range(n):
        started = time.perf_counter()
        CloneSchema().clone_schema(settings.TENANT_BASE_SCHEMA, f"bench_dtclone_{i}", "DATA")
        times.append(time.perf_counter() - started)
    return Result("clone (django-tenants plpgsql)", n, times)


def bench_migrate(n: int) -> Result:
    times = []
    for i in range(n):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "bench_migrate_{i}"')
        call_command(
            "migrate_schemas", schema_name=f"bench_migrate_{i}", interactive=False, verbosity=0
        )
        connection.set_schema_to_public()
        times.append(time.perf_counter() - started)
    return Result("replay migrations", n, times)


class _Rollback(Exception):
    pass


def bench_service(n: int) -> Result:
    """The real path: lpa_provision (validate, register, clone, mark ready)."""
    times = []
    try:
        with transaction.atomic():
            for i in range(n):
                started = time.perf_counter()
                lpa_provision(
                    name=f"Bench {i}",
                    slug=f"bench-{i}",
                    legal_form="lsm",
                    regency_code="74.71",
                    npwp=_npwp(i),
                )
                times.append(time.perf_counter() - started)
            raise _Rollback
    except _Rollback:
        pass
    return Result("lpa_provision (full service)", n, times)


def run(n: int) -> list[Result]:
    connection.set_schema_to_public()
    template_migrate()
    _drop_bench_schemas()
    try:
        results = [
            bench_clone(n),
            bench_migrate(n),
            bench_clone_django_tenants(n),
            bench_service(n),
        ]
    finally:
        _drop_bench_schemas()
    return results


def table(results: list[Result], migrations: int) -> str:
    clone = results[0]
    lines = [
        f"Provisioning {clone.tenants} tenants ({migrations} migrations on disk)",
        f"{'method':<32} {'total s':>8} {'per tenant s':>13} {'p95 s':>7} {'vs clone':>9}",
    ]
    for r in results:
        lines.append(
            f"{r.method:<32} {r.total:>8.2f} {r.per_tenant:>13.3f} {r.p95:>7.3f} "
            f"{r.per_tenant / clone.per_tenant:>8.1f}x"
        )
    migrate = results[1]
    lines.append(
        f"clone is {migrate.per_tenant / clone.per_tenant:.1f}x faster than migrating "
        f"(median {statistics.median(clone.seconds):.3f} s vs "
        f"{statistics.median(migrate.seconds):.3f} s)"
    )
    return "\n".join(lines)
