"""Test harness: one real PostgreSQL test database, tenants created once per session.

The template schema is migrated and two LPAs are provisioned through the real service
(cloning the template) in `django_db_setup`; tests run inside transactions on top.
"""

from __future__ import annotations

from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection, connections
from django.test import Client
from django_tenants.utils import schema_context

from askesos.accounts.services import government_scope_assign, membership_grant, user_create
from askesos.middleware import SESSION_TENANT_KEY

# Two LPAs in Sulawesi Tenggara: A in Kota Kendari, B in Kabupaten Konawe.
LPA_A = dict(
    name="LPA Uji A",
    slug="uji-a",
    legal_form="yayasan",
    regency_code="74.71",
    npwp="01.234.567.4-741.000",
)
LPA_B = dict(
    name="LPA Uji B",
    slug="uji-b",
    legal_form="lsm",
    regency_code="74.02",
    npwp="02.345.678.3-741.000",
)
# A third, in another province (Sulawesi Selatan, Kota Makassar).
LPA_C = dict(
    name="LPA Uji C",
    slug="uji-c",
    legal_form="orsos",
    regency_code="73.71",
    npwp="03.456.789.1-741.000",
)
PASSWORD = "rahasia-uji-123"


def bank_number(lpa_index: int, purpose: str) -> str:
    """The test LPAs' account numbers: A's reserve (1201) is 9000011201."""
    return f"9{lpa_index:05d}{purpose}"


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker):
    """The test database, always (pytest-django's own fixture creates it only when a
    selected test carries a django_db mark, and committed-data tests do not: run alone,
    they would have written to the development database)."""
    from django.test.utils import setup_databases, teardown_databases

    from askesos.geo.services import wilayah_load
    from askesos.workdays.services import holidays_load
    from programme.schemes.services import schemes_load_shipped
    from tenants.models import BankAccountPurpose
    from tenants.schemas import template_migrate
    from tenants.services import lpa_bank_account_set, lpa_provision

    with django_db_blocker.unblock():
        db_cfg = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            aliases={"default"},
            serialized_aliases=set(),
        )
        assert connection.settings_dict["NAME"].startswith("test_"), "not a test database"
        template_migrate()
        wilayah_load()
        schemes_load_shipped()
        holidays_load(years=range(2024, 2029))
        for index, data in enumerate((LPA_A, LPA_B, LPA_C), start=1):
            lpa = lpa_provision(**data)
            for purpose in BankAccountPurpose.values:
                lpa_bank_account_set(
                    lpa=lpa,
                    purpose=purpose,
                    bank_name="Bank Uji",
                    number=bank_number(index, purpose),
                    holder=f"Tim Pengelola {data['name']}",
                )
    yield
    # Threads (the live server, the in-process Celery worker) and forked migration
    # workers leave sessions of their own; end them all, from a connection of our own,
    # so that the test database can be dropped.
    with django_db_blocker.unblock():
        params = connection.get_connection_params()
        name = connection.settings_dict["NAME"]
        connections.close_all()
        params["dbname"] = "postgres"
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
        teardown_databases(db_cfg, verbosity=request.config.option.verbose)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counts (sign-in posts per address, API rates) live in Redis, outside the
    test's transaction, and every test client speaks from 127.0.0.1: each test starts
    from none, or a suite of sign-ins would be refused as one address's burst."""
    from django.core.cache import caches

    for alias in ("default", "shared"):
        client = caches[alias]._cache.get_client(None, write=True)
        for key in client.scan_iter(match="*throttle_*"):
            client.delete(key)


@pytest.fixture(autouse=True)
def _public_schema_after_each_test():
    yield
    connection.set_schema_to_public()


def _lpa(slug: str):
    from tenants.models import Lpa

    with schema_context("public"):
        return Lpa.objects.select_related("regency").get(slug=slug)


@pytest.fixture
def lpa_a(db):
    return _lpa(LPA_A["slug"])


@pytest.fixture
def lpa_b(db):
    return _lpa(LPA_B["slug"])


@pytest.fixture
def lpa_c(db):
    return _lpa(LPA_C["slug"])


@pytest.fixture
def make_staff(db):
    """make_staff(lpa, role) -> a user who is on `lpa`'s team with `role`."""
    counter = iter(range(1, 10_000))

    def make(lpa, role: str):
        user = user_create(username=f"{lpa.slug}-{role}-{next(counter)}", password=PASSWORD)
        membership_grant(lpa=lpa, user=user, role=role)
        return user

    return make


@pytest.fixture
def make_government_user(db):
    counter = iter(range(1, 10_000))

    def make(
        level: str, role: str = "officer", province: str | None = None, regency: str | None = None
    ):
        user = user_create(username=f"gov-{level}-{role}-{next(counter)}", password=PASSWORD)
        government_scope_assign(
            user=user, level=level, role=role, province_code=province, regency_code=regency
        )
        return user

    return make


def host_of(lpa) -> str:
    from tenants.services import domain_for

    return domain_for(lpa.slug)


def client_on(
    host: str, user=None, *, bound_to: str | None = None, second_step: bool = True
) -> Client:
    """A test client speaking to `host`, signed in as `user` with the session bound to
    `bound_to` (default: the schema behind `host`, as a real sign-in there would do),
    past the second step of signing in unless `second_step` is False
    (tests/askesos/test_second_factor.py walks that step)."""
    client = Client(HTTP_HOST=host)
    if user is not None:
        client.force_login(user)
        session = client.session
        if bound_to is None:
            from tenants.models import Domain

            with schema_context("public"):
                domain = Domain.objects.select_related("tenant").filter(domain=host).first()
            bound_to = domain.tenant.schema_name if domain else "public"
        session[SESSION_TENANT_KEY] = bound_to
        session.save()
        if second_step:
            from askesos.accounts.second_factor import session_trusted

            session_trusted(session, user)
    return client


@pytest.fixture
def portal_host(settings):
    return settings.BASE_DOMAIN


class Cleanup:
    """What a committed test created, removed again at teardown in a safe order."""

    def __init__(self) -> None:
        from django.utils import timezone

        self.lpa_slugs: list[str] = []
        self.usernames: list[str] = []
        self.started = timezone.now()

    def run(self) -> None:
        from askesos.accounts.models import User
        from askesos.staff.models import Membership
        from tenants.models import JobRun, Lpa

        connection.set_schema_to_public()
        # Jobs dispatched by the test ran for every LPA, the session's ones too.
        JobRun.objects.filter(started_at__gte=self.started).delete()
        users = list(User.objects.filter(username__in=self.usernames).values_list("pk", flat=True))
        _subsidies_delete()
        _reports_delete()
        _rollup_delete()
        for lpa in Lpa.objects.filter(slug__in=self.lpa_slugs):
            lpa.delete(force_drop=True)
        if self.usernames:
            from axes.models import AccessAttempt, AccessLog

            AccessAttempt.objects.filter(username__in=self.usernames).delete()
            AccessLog.objects.filter(username__in=self.usernames).delete()
        if users:
            from auditlog.models import LogEntry

            # Audit rows refuse DELETE and UPDATE (askesos/accounts/append_only.py), and
            # a user's deletion would set their rows' actor to NULL: the test role, a
            # superuser, turns the triggers off for these transactions only.
            for lpa in Lpa.objects.filter(is_ready=True):
                with schema_context(lpa.schema_name), _triggers_off():
                    Membership.objects.filter(user_id__in=users).delete()
                    LogEntry.objects.filter(actor_id__in=users).delete()
            with _triggers_off():
                LogEntry.objects.filter(actor_id__in=users).delete()
                User.objects.filter(pk__in=users).delete()


@contextmanager
def _triggers_off():
    from django.db import transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        yield


def _subsidies_delete() -> None:
    """Subsidy rows hold the LPAs and users a committed test made; outside committed
    tests every such row is rolled back, so whatever is here is the test's."""
    from programme.subsidies import models as s

    for model in (
        s.TransferEvent,
        s.BankFile,
        s.Transfer,
        s.TransferBatch,
        s.LpaAllocation,
        s.ProvinceAllocation,
        s.Budget,
    ):
        model.objects.all().delete()


def _reports_delete() -> None:
    """Report rows hold the LPAs and users a committed test made (and the daily job
    makes them for the session's LPAs too); outside committed tests every such row is
    rolled back, so whatever is here is the test's. PostgreSQL refuses to delete a
    submitted version or an event (migration 0006): the test role, a superuser, turns
    the triggers off for this one transaction (replica mode skips ordinary triggers)."""
    from reporting import models as r

    with _triggers_off():
        for model in (r.ReportNotice, r.ReportEvent, r.ReportVersion, r.Report):
            model.objects.all().delete()


def _rollup_delete() -> None:
    """The rollup's rows: facts and marks written by the test's jobs and changes (for
    the session's LPAs too), drill-down views and exports of its users."""
    from reporting import models as r

    for model in (r.Fact, r.FactMark, r.DrillView, r.AuditExport):
        model.objects.all().delete()


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """Real commits, for tests whose other side (threads, a Celery worker, a browser's
    server) must see the data. pytest-django's transactional_db would TRUNCATE every
    table afterwards, wilayah and session tenants included; instead each test records
    what it makes in the yielded Cleanup and it is removed at teardown."""
    cleanup = Cleanup()
    with django_db_blocker.unblock():
        try:
            yield cleanup
        finally:
            cleanup.run()


@pytest.fixture(scope="module")
def module_committed(django_db_setup, django_db_blocker):
    """Committed data that one module's tests share, built once by a module fixture of
    that module (inside `django_db_blocker.unblock()`, recording what it makes in the
    yielded Cleanup) and removed after the module's last test. Each test still runs in
    its own transaction (the `db` fixture) on top of it, rolled back."""
    cleanup = Cleanup()
    yield cleanup
    with django_db_blocker.unblock():
        cleanup.run()


def pytest_report_header(config):
    """Where the embedded PostgreSQL and Redis run, and what a start found left behind
    by a killed run (printed while pytest loads the settings, those lines are lost)."""
    from askesos import embedded

    return embedded.notices()
