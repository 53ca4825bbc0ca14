"""The ledger's rules, enforced by PostgreSQL itself and by the posting service."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from askesos.errors import DomainError
from programme.ledger import accounts as acc
from programme.ledger.errors import LedgerError
from programme.ledger.models import Account, JournalEntry, JournalLine
from programme.ledger.services import Line, account_balance, entry_post, entry_reverse

DAY = datetime.date(2026, 3, 10)


def _raw_entry(cursor, source="raw"):
    cursor.execute(
        "INSERT INTO ledger_journalentry (date, kind, source_key, description, created_at) "
        "VALUES (%s, 'expense', %s, 'x', now()) RETURNING id",
        [DAY, source],
    )
    return cursor.fetchone()[0]


def _account_id(code):
    return Account.objects.get(code=code).pk


def test_the_chart_of_accounts_comes_with_every_lpa(in_lpa_a):
    assert Account.objects.filter(code=acc.PREMIUM_SAVINGS, kind="liability").exists()
    assert Account.objects.count() == len(acc.CHART)


def test_postgresql_refuses_an_unbalanced_entry(in_lpa_a):
    with (
        pytest.raises(IntegrityError, match="does not balance"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        entry = _raw_entry(cursor)
        cursor.execute(
            "INSERT INTO ledger_journalline (entry_id, account_id, amount) VALUES "
            "(%s, %s, 5000), (%s, %s, -4000)",
            [entry, _account_id(acc.CASH), entry, _account_id(acc.OPERATING_EXPENSE)],
        )


def test_postgresql_refuses_a_single_line_entry(in_lpa_a):
    with (
        pytest.raises(IntegrityError, match="does not balance"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        entry = _raw_entry(cursor)
        cursor.execute(
            "INSERT INTO ledger_journalline (entry_id, account_id, amount) VALUES (%s, %s, 5000)",
            [entry, _account_id(acc.CASH)],
        )


def test_postgresql_refuses_to_change_or_delete_a_posted_entry(in_lpa_a):
    entry = entry_post(
        date=DAY,
        kind="grant",
        source_key="g1",
        description="hibah",
        lines=[Line(acc.BANK_GRANTS, 100_000), Line(acc.GRANT_FUND, -100_000)],
    )
    for sql in (
        "UPDATE ledger_journalline SET amount = amount * 2",
        "DELETE FROM ledger_journalline",
        "UPDATE ledger_journalentry SET date = date + 1",
        "DELETE FROM ledger_journalentry",
        # pending deferred key checks would make PostgreSQL refuse TRUNCATE for another
        # reason: run them first
        "SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE ledger_journalline CASCADE",
    ):
        with (
            pytest.raises(IntegrityError, match="reversing entry"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert JournalLine.objects.filter(entry=entry).count() == 2


def test_the_same_source_key_posts_once(in_lpa_a):
    lines = [Line(acc.BANK_GRANTS, 50_000), Line(acc.GRANT_FUND, -50_000)]

    first = entry_post(date=DAY, kind="grant", source_key="hibah:7", description="a", lines=lines)
    again = entry_post(date=DAY, kind="grant", source_key="hibah:7", description="a", lines=lines)

    assert first.pk == again.pk and account_balance(acc.BANK_GRANTS) == 50_000
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        _raw_entry(cursor, source="hibah:7")


@pytest.mark.parametrize("amount", [0, -5, 5000.0, "5000", True, None])
def test_amounts_are_whole_rupiah(in_lpa_a, amount):
    with pytest.raises(DomainError) as refused:
        entry_post(
            date=DAY,
            kind="expense",
            source_key="x",
            description="x",
            lines=[Line(acc.OPERATING_EXPENSE, amount), Line(acc.CASH, -1)],
        )

    assert refused.value.code in {"amount_invalid", "unbalanced"}


def test_nothing_is_paid_out_of_money_that_is_not_there(in_lpa_a):
    entry_post(
        date=DAY,
        kind="grant",
        source_key="g",
        description="hibah",
        lines=[Line(acc.BANK_GRANTS, 100_000), Line(acc.GRANT_FUND, -100_000)],
    )

    with pytest.raises(LedgerError) as refused:
        entry_post(
            date=DAY,
            kind="grant_use",
            source_key="u",
            description="terlalu banyak",
            lines=[Line(acc.GRANT_SPENDING, 100_001), Line(acc.BANK_GRANTS, -100_001)],
        )

    assert refused.value.code == "insufficient_funds"
    assert "Rp 100.000" in refused.value.message
    assert account_balance(acc.BANK_GRANTS) == 100_000


def test_a_reversal_negates_every_line_and_only_once(in_lpa_a):
    entry = entry_post(
        date=DAY,
        kind="grant",
        source_key="g",
        description="hibah",
        lines=[Line(acc.BANK_GRANTS, 80_000), Line(acc.GRANT_FUND, -80_000)],
    )

    reversal = entry_reverse(entry=entry, date=DAY, reason="salah catat")

    assert reversal.reverses_id == entry.pk
    assert account_balance(acc.BANK_GRANTS) == 0 == account_balance(acc.GRANT_FUND)
    with pytest.raises(LedgerError) as refused:
        entry_reverse(entry=entry, date=DAY)
    assert refused.value.code == "already_reversed"
    assert JournalEntry.objects.count() == 2
