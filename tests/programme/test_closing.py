"""Monthly closing: the Bendahara prepares, the Ketua signs; then the month is locked
in PostgreSQL. Reopening needs the Ketua and leaves a trail."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from programme.ledger import accounts as acc
from programme.ledger.errors import LedgerError
from programme.ledger.models import PeriodEvent, PeriodStatus
from programme.ledger.services import (
    Line,
    entry_post,
    period_prepare,
    period_reopen,
    period_sign,
)

MARCH = datetime.date(2026, 3, 1)


def grant(day, key):
    return entry_post(
        date=day,
        kind="grant",
        source_key=key,
        description="hibah",
        lines=[Line(acc.BANK_GRANTS, 10_000), Line(acc.GRANT_FUND, -10_000)],
    )


@pytest.fixture
def people(lpa_a, make_staff):
    bendahara, ketua = make_staff(lpa_a, "bendahara"), make_staff(lpa_a, "ketua")
    connection.set_tenant(lpa_a)
    return bendahara, ketua


def test_a_signed_month_accepts_no_posting_and_records_its_balances(people):
    bendahara, ketua = people
    grant(datetime.date(2026, 3, 5), "g1")

    period_prepare(month=MARCH, actor=bendahara)
    with pytest.raises(LedgerError) as refused:
        grant(datetime.date(2026, 3, 31), "g2")
    assert refused.value.code == "period_locked"
    period = period_sign(month=MARCH, actor=ketua)

    assert period.status == PeriodStatus.CLOSED
    assert period.signed_balances[acc.BANK_GRANTS] == 10_000
    grant(datetime.date(2026, 4, 1), "g3")  # April is open


def test_postgresql_itself_refuses_a_posting_into_a_closed_month(people):
    bendahara, ketua = people
    period_prepare(month=MARCH, actor=bendahara)
    period_sign(month=MARCH, actor=ketua)

    with (
        pytest.raises(IntegrityError, match="no posting dated"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO ledger_journalentry (date, kind, source_key, description, created_at) "
            "VALUES ('2026-03-15', 'grant', 'raw', 'x', now())"
        )


def test_the_ketua_signs_what_someone_else_prepared(people, lpa_a, make_staff):
    bendahara, _ketua = people
    period_prepare(month=MARCH, actor=bendahara)

    with pytest.raises(LedgerError) as refused:
        period_sign(month=MARCH, actor=bendahara)

    assert refused.value.code == "period_same_person"


def test_months_are_closed_in_order(people):
    bendahara, _ketua = people
    grant(datetime.date(2026, 1, 20), "g-jan")

    with pytest.raises(LedgerError) as refused:
        period_prepare(month=MARCH, actor=bendahara)

    assert refused.value.code == "period_earlier_open"
    assert "Januari 2026" in refused.value.message


def test_reopening_needs_a_reason_and_leaves_a_trail(people):
    bendahara, ketua = people
    period_prepare(month=MARCH, actor=bendahara)
    period_sign(month=MARCH, actor=ketua)

    period = period_reopen(month=MARCH, actor=ketua, reason="kuitansi K-77 terlewat")
    grant(datetime.date(2026, 3, 20), "g-late")

    assert period.status == PeriodStatus.OPEN
    assert list(PeriodEvent.objects.filter(period=period).values_list("action", "reason")) == [
        ("prepare", ""),
        ("sign", ""),
        ("reopen", "kuitansi K-77 terlewat"),
    ]
