"""The backup and restore drill (tenants.backup, docs/subsystems/backup.md).

An LPA with real books is made through the services (participants, premiums, a claim
paid from the reserve with its documents, October closed and signed, a bank statement
reconciled, a daily job, its October report submitted, its rollup facts) and backed up
once. It is restored into a FRESH database that `askesos setup` prepared, by the
`askesos` command in its own process, and the two databases are compared table by
table, account by account, public row by public row; the restored LPA's pages answer.
Then: a changed byte anywhere is refused, a restore that does not match its manifest
is undone, a dropped schema comes back in place, an LPA gone from the database comes
back under another name, and the whole platform is restored into an empty database.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context

from askesos.dates import today
from programme.generator import npwp_for
from tenants.backup.archive import TRAILER_SIZE, archive_read, archive_write
from tenants.backup.contents import LPA_PARTS, REFERENCES, relations, tenant_references
from tenants.backup.errors import BackupError
from tenants.backup.lpa import lpa_backup, lpa_restore
from tenants.models import Lpa

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

REPO = Path(__file__).resolve().parents[2]
SLUG = "uji-cadangan"
START = datetime.date(2026, 10, 1)
CLAIM_EVENT = datetime.date(2026, 10, 12)
PAID_ON = datetime.date(2026, 11, 3)
RESERVE_ACCOUNT = "7700011201"

# The LPA's public rows, counted independently of tenants.backup: table -> condition
# on the LPA's id.
PUBLIC_OF_LPA = {
    "tenants_domain": "tenant_id = %(lpa)s",
    "tenants_lpabankaccount": "lpa_id = %(lpa)s",
    "tenants_jobrun": "lpa_id = %(lpa)s",
    "registry_nationalparticipant": "lpa_id = %(lpa)s",
    "registry_cardcheck": "lpa_id = %(lpa)s",
    "reporting_finding": "lpa_id = %(lpa)s",
    "reporting_reconciliationstatus": "lpa_id = %(lpa)s",
    "reporting_fact": "level = 'lpa' AND lpa_id = %(lpa)s",
    "reporting_report": "level = 'lpa' AND lpa_id = %(lpa)s",
}


# --- the LPA with real books ------------------------------------------------------------


def lpa_with_books(cleanup, *, slug: str, npwp: str, reserve_account: str) -> Lpa:
    """Committed through the services; see the module's docstring."""
    from programme.banking.services import statement_file_import
    from programme.claims.services import claim_submit  # noqa: F401 (through submit)
    from programme.ledger.services import period_prepare, period_sign
    from programme.participants.cards import card_print
    from reporting.periods import Period, PeriodType
    from reporting.reports import lpa_report_generate, report_submit
    from reporting.rollup import lpa_facts_refresh
    from tenants.jobs import job_get, job_run_day
    from tenants.services import lpa_bank_account_set
    from tests.programme.bank_helpers import Movement, mt940_statement
    from tests.programme.claims_helpers import committed_claims_lpa, paying_policy, submit
    from tests.programme.test_claims import walk_to_payment

    lpa, team, policy = committed_claims_lpa(cleanup, slug=slug, npwp=npwp, start=START)
    lpa_bank_account_set(
        lpa=lpa, purpose="1201", bank_name="Bank Uji", number=reserve_account, holder="Tim"
    )
    people = SimpleNamespace(
        officer=team["petugas_lapangan"],
        klaim=team["klaim"],
        ketua=team["ketua"],
        bendahara=team["bendahara"],
    )
    connection.set_tenant(lpa)
    for serial in (51, 52, 53):
        paying_policy(serial=serial, start=START, months=3, name=f"Peserta Cadangan {serial}")
    card_print(policy=policy, actor=people.officer)
    claim = submit(policy, people.officer, event=CLAIM_EVENT)
    walk_to_payment(claim, people, paid_on=PAID_ON)
    period_prepare(month=START, actor=people.bendahara)
    period_sign(month=START, actor=people.ketua)
    # The bank took a charge the books do not know yet: a difference, and a finding.
    statement = mt940_statement(
        reserve_account,
        "1",
        START,
        0,
        [
            Movement(START, 1_000_000),
            Movement(PAID_ON, -100_000),
            Movement(datetime.date(2026, 11, 10), -5_000, kind="NCHG"),
        ],
    )
    statement_file_import(name="rekening.sta", content=statement, actor=people.bendahara)
    job_run_day(job=job_get("claims-sla"), lpa=lpa, day=today())
    october = Period(PeriodType.MONTH, START)
    report = lpa_report_generate(lpa=lpa, period=october)
    report_submit(report=report, actor=people.ketua, narrative="Bulan pertama.")
    lpa_facts_refresh(
        lpa=lpa, months=[october, Period(PeriodType.MONTH, datetime.date(2026, 11, 1))]
    )
    connection.set_schema_to_public()
    return Lpa.objects.get(pk=lpa.pk)


@pytest.fixture(scope="module")
def drill(module_committed, django_db_blocker, tmp_path_factory):
    """The LPA, its backup file, and what the source database holds of it."""
    folder = tmp_path_factory.mktemp("backup")
    with django_db_blocker.unblock():
        lpa = lpa_with_books(
            module_committed, slug=SLUG, npwp=npwp_for(77, 1), reserve_account=RESERVE_ACCOUNT
        )
        path = folder / f"{SLUG}.askesos-backup"
        manifest = lpa_backup(slug=SLUG, out=path)
        connection.set_schema_to_public()
    yield SimpleNamespace(lpa=lpa, path=path, manifest=manifest, folder=folder)
    shutil.rmtree(Path(settings.MEDIA_ROOT) / lpa.schema_name, ignore_errors=True)


# --- databases of the test's own -----------------------------------------------------------


def _params(name: str | None = None) -> dict:
    params = dict(connection.get_connection_params())
    params.pop("cursor_factory", None)
    params.pop("context", None)
    if name is not None:
        params["dbname"] = name
    return params


def database_url(name: str) -> str:
    db = connection.settings_dict
    user, password = quote(db["USER"] or "postgres"), quote(db["PASSWORD"] or "")
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or "5432"
    if host.startswith("/"):  # a socket directory (the embedded route)
        return f"postgresql://{user}:{password}@localhost:{port}/{name}?host={quote(host)}"
    return f"postgresql://{user}:{password}@{host}:{port}/{name}"


def database_create(name: str) -> None:
    with psycopg.connect(**_params("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def database_drop(name: str) -> None:
    with psycopg.connect(**_params("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def askesos(*args: str, database: str, media: Path, timeout: int = 600):
    """The `askesos` command in its own process, on `database`."""
    env = dict(os.environ, DATABASE_URL=database_url(database), MEDIA_ROOT=str(media))
    env.pop("TEST_DATABASE_NAME", None)
    return subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "askesos", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# --- what a database holds, read without tenants.backup -----------------------------------


def schema_figures(database: str, schema: str) -> tuple[dict[str, int], dict[str, int]]:
    with psycopg.connect(**_params(database)) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1", [schema]
            )
        ]
        counts = {
            table: db.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()[0]
            for table in tables
        }
        if "ledger_account" not in counts:
            return counts, {}
        balances = dict(
            db.execute(
                f'SELECT a.code, coalesce(sum(l.amount), 0) FROM "{schema}".ledger_account a '
                f'LEFT JOIN "{schema}".ledger_journalline l ON l.account_id = a.id GROUP BY a.code'
            ).fetchall()
        )
    return counts, balances


def public_figures(database: str, slug: str) -> dict[str, int]:
    with psycopg.connect(**_params(database)) as db:
        lpa = db.execute("SELECT id FROM tenants_lpa WHERE slug = %s", [slug]).fetchone()[0]
        return {
            table: db.execute(
                f"SELECT count(*) FROM {table} WHERE {where}", {"lpa": lpa}
            ).fetchone()[0]
            for table, where in PUBLIC_OF_LPA.items()
        }


def index_digests(database: str, slug: str) -> set[tuple[str, int, bool]]:
    with psycopg.connect(**_params(database)) as db:
        return set(
            db.execute(
                "SELECT n.nik_digest, n.participant_ref, n.is_active "
                "FROM registry_nationalparticipant n JOIN tenants_lpa l ON l.id = n.lpa_id "
                "WHERE l.slug = %s",
                [slug],
            ).fetchall()
        )


def test_every_reference_an_lpa_holds_into_public_is_handled():
    """A new foreign key from a tenant table or an LPA's public row into public must
    say how a restore finds its row (tenants.backup.contents.REFERENCES)."""
    from django.apps import apps

    targets = {target for _table, _column, target in tenant_references()}
    for part in LPA_PARTS:
        targets |= {target for _column, target in relations(apps.get_model(part.model))}
    assert targets <= set(REFERENCES), targets - set(REFERENCES)
    assert ("ledger_journalentry", "created_by_id", "accounts_user") in tenant_references()


def test_the_dump_tools_are_at_least_as_new_as_the_server(db):
    from tenants.backup import pgtools

    path, major = pgtools.tool("pg_dump", at_least=pgtools.server_major())

    assert major >= pgtools.server_major() and pgtools.tool_major(path) == major
    with pytest.raises(BackupError) as missing:
        pgtools.tool("pg_restore", at_least=99)
    assert missing.value.code == "pg_tool_missing"


def test_a_backup_never_overwrites_a_file_nor_names_an_unknown_lpa(drill, db, tmp_path):
    with pytest.raises(CommandError, match=r"\[out_exists\]"):
        call_command("backup", lpa=SLUG, out=str(drill.path))
    with pytest.raises(CommandError, match=r"\[lpa_unknown\]"):
        call_command("backup", lpa="tidak-ada", out=str(tmp_path / "x"))
    assert not (tmp_path / "x").exists()


# --- into a fresh database -------------------------------------------------------------------


def users_here(database: str) -> None:
    """The target platform has people of its own: some hold the ids the LPA's users
    have in the backup (they get new ones), and one is the LPA's Urusan Klaim under the
    same username (the same person: matched, not added)."""
    from askesos.accounts.models import User

    ids = dict(User.objects.filter(username__startswith=SLUG).values_list("username", "id"))
    with psycopg.connect(**_params(database)) as db:
        for username, pk in ids.items():
            for new_id, name in ((pk, f"penghuni-{pk}"), (pk + 1000, username)):
                if name == username and not username.endswith("-klaim"):
                    continue
                db.execute(
                    "INSERT INTO accounts_user (id, password, is_superuser, username, "
                    "first_name, last_name, email, is_staff, is_active, date_joined, "
                    "full_name, phone) VALUES (%s, '!', false, %s, '', '', '', false, true, "
                    "now(), '', '')",
                    [new_id, name],
                )


@pytest.fixture(scope="module")
def fresh(drill, django_db_blocker):
    """A second database, prepared as `askesos setup` prepares one, with the LPA
    restored into it by `askesos restore --lpa FILE`."""
    with django_db_blocker.unblock():
        name = f"{connection.settings_dict['NAME']}_restore"
        database_create(name)
    media = drill.folder / "fresh-media"
    try:
        setup = askesos("setup", "--no-static", database=name, media=media)
        assert setup.returncode == 0, setup.stderr[-3000:]
        with django_db_blocker.unblock():
            users_here(name)
        restored = askesos("restore", "--lpa", str(drill.path), database=name, media=media)
        assert restored.returncode == 0, restored.stderr[-3000:]
        yield SimpleNamespace(name=name, media=media, output=restored.stdout)
    finally:
        with django_db_blocker.unblock():
            database_drop(name)


def test_an_lpa_restored_into_a_fresh_database_has_every_row_and_balance(
    drill, fresh, django_db_blocker
):
    with django_db_blocker.unblock():
        source = connection.settings_dict["NAME"]
        counts, balances = schema_figures(source, drill.lpa.schema_name)
        public = public_figures(source, SLUG)
        digests = index_digests(source, SLUG)

    counts_there, balances_there = schema_figures(fresh.name, drill.lpa.schema_name)
    assert counts_there == counts
    assert balances_there == balances
    assert public_figures(fresh.name, SLUG) == public
    assert index_digests(fresh.name, SLUG) == digests
    # The drill has what it claims: books with a paid claim, a closed month, a report.
    assert balances["5101"] == 100_000 and balances["1201"] == 900_000
    assert counts["ledger_period"] == 1 and counts["claims_claimdocument"] >= 2
    assert all(public[table] for table in PUBLIC_OF_LPA), public


def people_named(database: str, schema: str) -> dict[str, set]:
    """Who each user column of the schema names: table.column -> {(row id, username)}."""
    named = {}
    with psycopg.connect(**_params(database)) as db:
        for table, column, target in tenant_references():
            if target == "accounts_user":
                named[f"{table}.{column}"] = set(
                    db.execute(
                        f'SELECT t.id, u.username FROM "{schema}".{table} t '
                        f"JOIN accounts_user u ON u.id = t.{column}"
                    ).fetchall()
                )
    return named


def test_users_whose_ids_are_taken_there_get_new_ones_and_the_books_follow(
    drill, fresh, django_db_blocker
):
    """The target's own people hold the ids the LPA's users had (users_here): they get
    new ids, and every column of the schema that names a user (posted books too) names
    the same person as before."""
    from askesos.accounts.models import User

    with django_db_blocker.unblock():
        before = people_named(connection.settings_dict["NAME"], drill.lpa.schema_name)
        ids = dict(User.objects.filter(username__startswith=SLUG).values_list("username", "id"))
    with psycopg.connect(**_params(fresh.name)) as db:
        ids_there = dict(
            db.execute(
                "SELECT username, id FROM accounts_user WHERE username LIKE %s", [f"{SLUG}-%"]
            ).fetchall()
        )

    assert set(ids_there) == set(ids) and not set(ids_there.values()) & set(ids.values())
    assert people_named(fresh.name, drill.lpa.schema_name) == before
    assert before["ledger_journalentry.created_by_id"] and before["ledger_period.signed_by_id"]


def test_the_restored_lpa_keeps_its_people_and_uploaded_files(drill, fresh, django_db_blocker):
    with django_db_blocker.unblock():
        with schema_context(drill.lpa.schema_name):
            from askesos.staff.models import Membership
            from programme.claims.models import ClaimDocument

            team = set(Membership.objects.values_list("user__username", "role"))
            documents = list(ClaimDocument.objects.values_list("stored_as", flat=True))
    with psycopg.connect(**_params(fresh.name)) as db:
        restored_team = set(
            db.execute(
                f"SELECT u.username, m.role FROM {drill.lpa.schema_name}.staff_membership m "
                "JOIN accounts_user u ON u.id = m.user_id WHERE u.is_active"
            ).fetchall()
        )
    assert restored_team == team and len(team) == 4
    for stored in documents:
        original = Path(settings.MEDIA_ROOT) / drill.lpa.schema_name / stored
        copy = fresh.media / drill.lpa.schema_name / stored
        assert copy.read_bytes() == original.read_bytes()


PAGES = """
import sys
import django

django.setup()
from tenants.models import Lpa
from askesos.accounts.models import User
from tests.conftest import client_on, host_of

lpa = Lpa.objects.get(slug=sys.argv[1])
client = client_on(host_of(lpa), User.objects.get(username=sys.argv[2]))
for path in sys.argv[3:]:
    print(path, client.get(path).status_code)
"""


def test_the_restored_lpas_pages_answer(drill, fresh, django_db_blocker):
    with django_db_blocker.unblock():
        with schema_context(drill.lpa.schema_name):
            from programme.claims.models import Claim, ClaimDocument

            claim = Claim.objects.get()
            document = ClaimDocument.objects.filter(claim=claim).first()
    paths = [
        "/dasbor/",
        "/peserta/",
        "/klaim/",
        f"/klaim/{claim.pk}/",
        f"/klaim/{claim.pk}/dokumen/{document.pk}/",
        "/buku/",
        "/tutup-buku/",
        "/laporan/",
    ]
    env = dict(
        os.environ,
        DATABASE_URL=database_url(fresh.name),
        MEDIA_ROOT=str(fresh.media),
        DJANGO_SETTINGS_MODULE="askesos.settings",
    )
    env.pop("TEST_DATABASE_NAME", None)
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", PAGES, SLUG, f"{SLUG}-ketua", *paths],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    answers = dict(line.rsplit(" ", 1) for line in done.stdout.split("\n") if line.startswith("/"))
    assert answers == {path: "200" for path in paths}


def test_restoring_over_an_lpa_that_is_there_is_refused_unless_told(drill, fresh):
    again = askesos("restore", "--lpa", str(drill.path), database=fresh.name, media=fresh.media)
    beside = askesos(
        "restore", "--lpa", str(drill.path), "--as", "uji-salinan",
        database=fresh.name, media=fresh.media,
    )  # fmt: skip
    replaced = askesos(
        "restore", "--lpa", str(drill.path), "--replace", database=fresh.name, media=fresh.media
    )

    assert again.returncode != 0 and "[lpa_exists]" in again.stderr
    # A copy beside the original cannot hold its schema name or its NPWP.
    assert beside.returncode != 0 and "[schema_in_use]" in beside.stderr
    assert replaced.returncode == 0, replaced.stderr[-3000:]
    assert schema_figures(fresh.name, drill.lpa.schema_name)[1]["1201"] == 900_000
    with psycopg.connect(**_params(fresh.name)) as db:
        schemas = [row[0] for row in db.execute("SELECT nspname FROM pg_namespace")]
        lpas = db.execute("SELECT count(*) FROM tenants_lpa WHERE slug = %s", [SLUG]).fetchone()
    assert lpas == (1,) and not [s for s in schemas if "_old_" in s]


# --- damaged files and wrong figures ---------------------------------------------------------


def _flipped(source: Path, target: Path, offset: int) -> Path:
    data = bytearray(source.read_bytes())
    data[offset] ^= 0x01
    target.write_bytes(bytes(data))
    return target


def test_a_changed_byte_anywhere_in_the_file_is_refused_before_anything_changes(
    drill, django_db_blocker, tmp_path
):
    size = drill.path.stat().st_size
    with tarfile.open(drill.path, "r") as tar:
        members = {m.name: m for m in tar.getmembers()}
    offsets = {
        "manifest": members["manifest.json"].offset_data + 20,
        "schema dump": members["schema.dump"].offset_data + members["schema.dump"].size // 2,
        "public rows": members["public.json"].offset_data + 5,
        "a tar header": members["schema.dump"].offset + 3,
        "the archive's padding": size - TRAILER_SIZE - 10,
        "the trailer": size - TRAILER_SIZE + 30,
    }
    cut = tmp_path / "cut"
    cut.write_bytes(drill.path.read_bytes()[: size - 700])
    files = {what: _flipped(drill.path, tmp_path / what, at) for what, at in offsets.items()}
    files["cut short"] = cut

    with django_db_blocker.unblock():
        lpas_before = list(Lpa.objects.values_list("slug", "is_ready", "schema_name"))
        refused = {}
        for what, path in files.items():
            for options in ({"lpa": str(path), "replace": True}, {"check": str(path)}):
                try:
                    call_command("restore", **options)
                except CommandError as exc:
                    refused[what] = refused.get(what, True) and "[file_damaged]" in str(exc)
                else:
                    refused[what] = False
        assert refused == {what: True for what in files}
        assert list(Lpa.objects.values_list("slug", "is_ready", "schema_name")) == lpas_before


def test_the_check_reads_an_intact_file_and_tar_lists_it(drill, capsys):
    call_command("restore", check=str(drill.path))

    assert SLUG in capsys.readouterr().out
    listed = subprocess.run(["tar", "tf", str(drill.path)], capture_output=True, text=True)
    assert listed.returncode == 0 and listed.stdout.split()[0] == "manifest.json"


def test_a_restore_that_does_not_match_its_manifest_is_undone(drill, django_db_blocker, tmp_path):
    """A file intact as a file whose manifest says other balances (written by another
    release, or by hand): the restore is refused after the comparison and everything is
    put back, the LPA's schema, its rows and its readiness."""
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    backup = archive_read(drill.path, unpacked)
    manifest = dict(backup.manifest)
    manifest["ledger"] = dict(manifest["ledger"], **{"1201": manifest["ledger"]["1201"] + 1})
    lying = tmp_path / "lying.askesos-backup"
    archive_write(
        lying,
        manifest={k: v for k, v in manifest.items() if k not in ("parts", "media")},
        parts={name: backup.part(name) for name in manifest["parts"]},
    )
    with django_db_blocker.unblock():
        before = schema_figures(connection.settings_dict["NAME"], drill.lpa.schema_name)

        with pytest.raises(BackupError) as refused:
            lpa_restore(path=lying, replace=True)

        assert refused.value.code == "restore_mismatch"
        # The detail is worded when the difference is found, in the active language.
        said = refused.value.message
        assert "saldo akun 1201: 900001 di cadangan, 900000 di sini" in said
        lpa = Lpa.objects.get(slug=SLUG)
        assert lpa.is_ready and lpa.pk == drill.lpa.pk
        assert schema_figures(connection.settings_dict["NAME"], lpa.schema_name) == before
        with connection.cursor() as cursor:
            cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'lpa_uji_cad%%'")
            assert [row[0] for row in cursor.fetchall()] == [lpa.schema_name]


# --- in the same database --------------------------------------------------------------------


def test_a_dropped_schema_comes_back_in_place_with_replace(drill, django_db_blocker):
    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
        before = schema_figures(name, drill.lpa.schema_name)
        public_before = public_figures(name, SLUG)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA {drill.lpa.schema_name} CASCADE")

        with pytest.raises(CommandError, match=r"\[lpa_exists\]"):
            call_command("restore", lpa=str(drill.path))
        call_command("restore", lpa=str(drill.path), replace=True)

        assert schema_figures(name, drill.lpa.schema_name) == before
        assert public_figures(name, SLUG) == public_before
        assert Lpa.objects.get(slug=SLUG).pk == drill.lpa.pk


def small_lpa(cleanup, *, slug: str, npwp: str):
    """An LPA with a team of two, two paying participants and a funded reserve."""
    from askesos.accounts.services import membership_grant, user_create
    from programme.banking.services import statement_file_import
    from tenants.services import lpa_bank_account_set, lpa_provision
    from tests.conftest import PASSWORD
    from tests.programme.bank_helpers import Movement, mt940_statement
    from tests.programme.claims_helpers import fund_reserve, paying_policy

    cleanup.lpa_slugs.append(slug)
    lpa = lpa_provision(
        name=f"LPA {slug}", slug=slug, legal_form="yayasan", regency_code="74.71", npwp=npwp
    )
    lpa_bank_account_set(
        lpa=lpa, purpose="1201", bank_name="Bank Uji", number="7700021201", holder="Tim"
    )
    team = {}
    for role in ("ketua", "bendahara"):
        team[role] = user_create(username=f"{slug}-{role}", password=PASSWORD)
        cleanup.usernames.append(team[role].username)
        membership_grant(lpa=lpa, user=team[role], role=role)
    connection.set_tenant(lpa)
    for serial in (61, 62):
        paying_policy(serial=serial, start=START, months=6, name=f"Peserta Lama {serial}")
    fund_reserve(500_000, on=START, reference=f"{slug}-APBN")
    statement_file_import(
        name="rekening.sta",
        content=mt940_statement("7700021201", "1", START, 0, [Movement(START, 500_000)]),
        actor=team["bendahara"],
    )
    connection.set_schema_to_public()
    return lpa, team


def test_an_lpa_gone_from_the_database_comes_back_under_another_name(
    module_committed, django_db_blocker, tmp_path
):
    """An LPA deleted with its schema (no report or subsidy held it) is restored `--as`
    another address name: schema, domain, national index, card checks and books follow
    the new name; the users it names are the same people."""
    with django_db_blocker.unblock():
        lpa, team = small_lpa(module_committed, slug="uji-lama", npwp=npwp_for(77, 2))
        module_committed.lpa_slugs.append("uji-baru")
        name = connection.settings_dict["NAME"]
        before = schema_figures(name, lpa.schema_name)
        digests = {(d, ref) for d, ref, _active in index_digests(name, "uji-lama")}
        path = tmp_path / "uji-lama.askesos-backup"
        lpa_backup(slug="uji-lama", out=path)
        Lpa.objects.get(pk=lpa.pk).delete(force_drop=True)

        call_command("restore", lpa=str(path), slug="uji-baru")

        restored = Lpa.objects.get(slug="uji-baru")
        assert restored.schema_name == "lpa_uji_baru" and restored.npwp == lpa.npwp
        assert list(restored.domains.values_list("domain", flat=True)) == ["uji-baru.localhost"]
        assert schema_figures(name, "lpa_uji_baru") == before
        assert {(d, ref) for d, ref, _active in index_digests(name, "uji-baru")} == digests
        with schema_context("lpa_uji_baru"):
            from askesos.staff.models import Membership

            members = dict(Membership.objects.values_list("role", "user_id"))
            from programme.banking.models import StatementFile

            kept = StatementFile.objects.get()
        assert members == {role: user.pk for role, user in team.items()}
        # Where the statement file is kept follows the schema's new name.
        assert kept.path.startswith("lpa_uji_baru/bank/")
        assert (Path(settings.MEDIA_ROOT) / kept.path).read_bytes()[:4] == b":20:"
        shutil.rmtree(Path(settings.MEDIA_ROOT) / "lpa_uji_baru", ignore_errors=True)
        shutil.rmtree(Path(settings.MEDIA_ROOT) / "lpa_uji_lama", ignore_errors=True)


# --- the whole platform ----------------------------------------------------------------------


def test_the_whole_platform_restored_into_an_empty_database_has_every_row_and_balance(
    drill, django_db_blocker, tmp_path
):
    path = tmp_path / "platform.askesos-backup"
    with django_db_blocker.unblock():
        source = connection.settings_dict["NAME"]
        call_command("backup", all=True, out=str(path), no_media=True)
        empty = f"{source}_platform"
        database_create(empty)
    try:
        manifest = json.loads(
            subprocess.run(
                ["tar", "xOf", str(path), "manifest.json"], capture_output=True, check=True
            ).stdout
        )
        restored = askesos("restore", "--all", str(path), database=empty, media=tmp_path / "m")
        assert restored.returncode == 0, restored.stderr[-3000:]

        with django_db_blocker.unblock():
            lpas = list(
                Lpa.objects.exclude(schema_name="public").values_list("schema_name", flat=True)
            )
        assert set(lpas) <= set(manifest["counts"]) and SLUG.replace("-", "_") in " ".join(lpas)
        for schema in [*lpas, "public"]:
            there = schema_figures(empty, schema)[0]
            assert there == manifest["counts"][schema], schema
        for schema in lpas:
            assert schema_figures(empty, schema)[1] == schema_figures(source, schema)[1]
        again = askesos("restore", "--all", str(path), database=empty, media=tmp_path / "m")
        assert again.returncode != 0 and "[database_not_empty]" in again.stderr
    finally:
        with django_db_blocker.unblock():
            database_drop(empty)
