"""The audit trail (django-auditlog): every kind of record about money, participants,
claims, reports and roles is audited (who, when, from which address, before/after), and
an audit row can be added but never changed or removed, in the public schema and in an
LPA's (askesos/accounts/append_only.py)."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from tests.conftest import client_on, host_of

AUDITED = (
    # money
    "ledger.PremiumReceipt",
    "ledger.CashHandover",
    "ledger.Payout",
    "ledger.Loan",
    "ledger.LoanInstallment",
    "ledger.Grant",
    "ledger.Period",
    "banking.StatementFile",
    "banking.Reconciliation",
    "subsidies.FiscalYearRates",
    "subsidies.Budget",
    "subsidies.ProvinceAllocation",
    "subsidies.LpaAllocation",
    "subsidies.TransferBatch",
    "subsidies.Transfer",
    # participants
    "participants.Participant",
    "participants.Heir",
    "participants.Policy",
    "participants.MemberCard",
    "participants.MeetingGroup",
    "participants.ImportBatch",
    # claims
    "claims.Claim",
    "claims.ClaimDocument",
    "claims.PaymentRequest",
    # reports, schemes
    "reporting.Report",
    "schemes.SchemeVersion",
    # roles
    "accounts.User",
    "accounts.GovernmentScope",
    "staff.Membership",
    "tenants.Lpa",
)


@pytest.mark.parametrize("label", AUDITED)
def test_every_record_of_money_people_claims_reports_and_roles_is_audited(label):
    assert auditlog.contains(apps.get_model(label)), label


def test_a_change_made_through_a_page_records_who_from_where_and_what(lpa_a, make_staff):
    officer = make_staff(lpa_a, "petugas_lapangan")
    client = client_on(host_of(lpa_a), officer)

    client.post(
        "/kelompok/",
        {"name": "Kelompok Mawar", "village_code": "74.71.01.1005"},
        REMOTE_ADDR="10.20.30.40",
        HTTP_X_FORWARDED_FOR="1.2.3.4",  # written by the client, no trusted proxy
    )

    connection.set_tenant(lpa_a)
    entry = LogEntry.objects.filter(content_type__model="meetinggroup").latest("timestamp")
    assert entry.actor == officer and entry.action == LogEntry.Action.CREATE
    assert entry.remote_addr == "10.20.30.40"
    assert entry.changes_dict["name"] == ["None", "Kelompok Mawar"]


@pytest.mark.parametrize("where", ["public", "lpa"])
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE auditlog_logentry SET changes_text = 'diubah' WHERE id = %s",
        "DELETE FROM auditlog_logentry WHERE id = %s",
        "TRUNCATE auditlog_logentry",
    ],
)
def test_an_audit_row_cannot_be_changed_or_removed_even_by_sql(where, statement, lpa_a, make_staff):
    user = make_staff(lpa_a, "ketua")  # a membership (in the LPA) and a user (in public)
    if where == "lpa":
        connection.set_tenant(lpa_a)
    entry = LogEntry.objects.order_by("-id").first()
    assert entry is not None

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            # The test's own rows have deferred key checks pending, which TRUNCATE
            # would refuse for another reason: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(statement, [entry.pk] if "%s" in statement else None)

    assert LogEntry.objects.get(pk=entry.pk).changes_text == entry.changes_text
    assert user.pk


def test_the_ketua_reads_the_lpas_trail_and_takes_it_away_as_csv(lpa_a, lpa_b, make_staff):
    ketua = make_staff(lpa_a, "ketua")
    officer = make_staff(lpa_a, "petugas_lapangan")
    client_on(host_of(lpa_a), officer).post(
        "/kelompok/",
        {"name": '=HYPERLINK("http://x")', "village_code": "74.71.01.1005"},
        REMOTE_ADDR="10.9.8.7",
    )
    client_on(host_of(lpa_b), make_staff(lpa_b, "petugas_lapangan")).post(
        "/kelompok/", {"name": "Kelompok Milik B", "village_code": "74.71.01.1005"}
    )
    client = client_on(host_of(lpa_a), ketua)

    page = client.get("/jejak-audit/", {"pengguna": officer.username})
    text = page.content.decode()
    assert page.status_code == 200 and "10.9.8.7" in text and officer.username in text
    assert "Kelompok Milik B" not in client.get("/jejak-audit/").content.decode()
    exported = b"".join(client.get("/jejak-audit/", {"format": "csv"}).streaming_content)
    rows = exported.decode().splitlines()
    assert rows[0].startswith("waktu,pengguna,alamat")
    mine = [row for row in rows if "HYPERLINK" in row]
    assert mine and all(",'=HYPERLINK" in row or "'=" in row for row in mine)
    assert not any(field.startswith("=") for row in rows for field in row.split(","))


def test_the_trail_refuses_what_it_does_not_know_and_who_may_not_read_it(
    lpa_a, make_staff, portal_host, make_government_user
):
    # Made first: their scopes' audit rows go to the public schema, where the portal
    # reads (a request to an LPA's address leaves the test's connection there).
    ministry, auditor_user = (
        make_government_user("ministry"),
        make_government_user("ministry", role="auditor"),
    )
    province_user = make_government_user("province", province="74")
    client = client_on(host_of(lpa_a), make_staff(lpa_a, "sekretaris"))
    for query in ({"urut": "x"}, {"dari": "kemarin"}, {"jenis": "ledger.tidakada"}):
        response = client.get("/jejak-audit/", query)
        assert response.status_code == 400 and 'id="trail-error"' in response.content.decode()
    for user in (make_staff(lpa_a, "bendahara"), make_staff(lpa_a, "petugas_lapangan"), ministry):
        assert client_on(host_of(lpa_a), user).get("/jejak-audit/").status_code == 403

    auditor = client_on(portal_host, auditor_user)
    page = auditor.get("/jejak-audit/", {"jenis": "accounts.governmentscope"})
    assert page.status_code == 200, page.content.decode()[-3000:]
    assert 'id="trail"' in page.content.decode()
    province = client_on(portal_host, province_user)
    assert province.get("/jejak-audit/").status_code == 403
