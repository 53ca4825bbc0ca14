"""The bank pages of an LPA and the district's reconciliation table: who may look, who
may act, refusals in words."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from programme.banking import services
from programme.banking.models import StatementLine
from programme.ledger.funds import subsidy_receive
from programme.ledger.models import JournalEntry
from tests.conftest import bank_number, client_on, host_of
from tests.programme.bank_helpers import Movement, mt940_statement

D = datetime.date
OCT1, OCT31 = D(2026, 10, 1), D(2026, 10, 31)

pytestmark = pytest.mark.usefixtures("bank_media")


def _statement_with_charge() -> bytes:
    return mt940_statement(
        bank_number(1, "1201"),
        "00010/001",
        OCT1,
        0,
        [
            Movement(OCT1, 5_000_000, reference="APBN-2026-10"),
            Movement(OCT31, -6_500, kind="NCHG", text="Biaya administrasi"),
        ],
        closing_date=OCT31,
    )


def _upload(client, content: bytes, name: str = "oktober.sta"):
    return client.post(
        reverse("bank-statement-upload"), {"file": SimpleUploadedFile(name, content)}
    )


def test_the_bendahara_uploads_a_statement_and_posts_the_charge_from_the_screen(
    in_lpa_a, make_staff
):
    subsidy_receive(amount=5_000_000, date=OCT1, reference="APBN-2026-10")
    bendahara = make_staff(in_lpa_a, "bendahara")
    client = client_on(host_of(in_lpa_a), bendahara)

    uploaded = _upload(client, _statement_with_charge())
    assert uploaded.status_code == 302
    report = client.get(uploaded["Location"])
    assert report.status_code == 200 and "00010/001" in report.content.decode()

    connection.set_tenant(in_lpa_a)
    screen = client.get(reverse("bank-reconciliation", args=["1201"]))
    text = screen.content.decode()
    assert screen.status_code == 200
    assert "Selisih" in text or "Difference" in text
    charge = StatementLine.objects.get(amount=-6_500)

    posted = client.post(
        reverse("bank-reconciliation", args=["1201"]), {"action": "post", "line": charge.pk}
    )
    client.post(
        reverse("bank-reconciliation", args=["1201"]), {"action": "post", "line": charge.pk}
    )

    assert posted.status_code == 302
    connection.set_tenant(in_lpa_a)
    assert JournalEntry.objects.filter(source_key=f"bank-line:{charge.pk}").count() == 1
    matched = client.get(reverse("bank-reconciliation", args=["1201"])).content.decode()
    assert bendahara.username in matched  # who posted it
    connection.set_tenant(in_lpa_a)
    assert services.reconciliation_latest(account="1201").state == "agrees"
    again = client.post(reverse("bank-reconciliation", args=["1201"]), {"action": "reconcile"})
    assert again.status_code == 302


def test_the_same_file_twice_is_refused_beside_the_file_field(in_lpa_a, make_staff):
    client = client_on(host_of(in_lpa_a), make_staff(in_lpa_a, "premi_keuangan"))
    content = _statement_with_charge()
    assert _upload(client, content).status_code == 302

    again = _upload(client, content, name="lagi.sta")

    assert again.status_code == 400
    assert 'id="file-error"' in again.content.decode()
    assert "oktober.sta" in again.content.decode()


def test_a_file_over_the_limit_is_refused_unread(in_lpa_a, make_staff, settings):
    settings.BANK_STATEMENT_MAX_BYTES = 100
    client = client_on(host_of(in_lpa_a), make_staff(in_lpa_a, "bendahara"))

    refused = _upload(client, _statement_with_charge())

    assert refused.status_code == 400 and 'id="file-error"' in refused.content.decode()
    connection.set_tenant(in_lpa_a)
    from programme.banking.models import StatementFile

    assert not StatementFile.objects.exists()


def test_a_role_without_the_action_may_look_but_not_act(in_lpa_a, make_staff):
    services.statement_file_import(name="o.sta", content=_statement_with_charge(), actor=None)
    charge = StatementLine.objects.get(amount=-6_500)
    client = client_on(host_of(in_lpa_a), make_staff(in_lpa_a, "klaim"))

    assert client.get(reverse("bank-accounts")).status_code == 200
    page = client.get(reverse("bank-reconciliation", args=["1201"]))
    assert page.status_code == 200 and 'name="action" value="post"' not in page.content.decode()
    refused = client.post(
        reverse("bank-reconciliation", args=["1201"]), {"action": "post", "line": charge.pk}
    )
    assert refused.status_code == 403
    assert _upload(client, b"x").status_code == 403
    connection.set_tenant(in_lpa_a)
    assert not JournalEntry.objects.filter(source_key__startswith="bank-line:").exists()
    field_officer = client_on(host_of(in_lpa_a), make_staff(in_lpa_a, "petugas_lapangan"))
    assert field_officer.get(reverse("bank-accounts")).status_code == 403


def test_another_lpas_bendahara_is_refused(lpa_a, lpa_b, make_staff):
    other = make_staff(lpa_b, "bendahara")
    client = client_on(host_of(lpa_a), other, bound_to=lpa_b.schema_name)

    assert client.get(reverse("bank-accounts", urlconf="askesos.urls_tenant")).status_code in (
        302,
        403,
    )
    assert client.get(
        reverse("bank-reconciliation", args=["1201"], urlconf="askesos.urls_tenant")
    ).status_code in (302, 403)


def test_the_district_sees_the_reconciliation_status_of_its_lpas_only(
    lpa_a, lpa_b, make_government_user, portal_host
):
    connection.set_tenant(lpa_a)
    subsidy_receive(amount=5_000_000, date=OCT1, reference="APBN-2026-10")
    services.statement_file_import(name="a.sta", content=_statement_with_charge(), actor=None)
    connection.set_tenant(lpa_b)
    services.reconcile(account="1201", trigger="page")  # no statement in B
    connection.set_schema_to_public()

    from reporting.reconciliation import reconciliation_status_for_scope
    from tenants.selectors import lpa_list_for_scope  # noqa: F401

    kendari = make_government_user("regency", regency="74.71")
    page = client_on(portal_host, kendari).get("/dasbor/sekarang/")
    text = page.content.decode()

    assert page.status_code == 200
    assert "LPA Uji A" in text and "LPA Uji B" not in text
    from askesos.permissions import scope_of

    rows = reconciliation_status_for_scope(scope=scope_of(kendari), on=D(2026, 10, 31))
    assert [(r.lpa.slug, r.state, r.difference, r.accounts_open) for r in rows] == [
        ("uji-a", "difference", -6_500, ("1201",))
    ]
    province = make_government_user("province", province="74")
    states = {
        r.lpa.slug: r.state
        for r in reconciliation_status_for_scope(scope=scope_of(province), on=D(2026, 11, 21))
    }
    assert states == {"uji-a": "difference", "uji-b": "no_statement"}
