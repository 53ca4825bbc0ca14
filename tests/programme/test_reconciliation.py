"""Bank statements against the books: import, matching, differences and their
findings (docs/subsystems/reconciliation.md)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.db import DatabaseError, transaction

from programme.bank.base import BankFileError
from programme.banking import services
from programme.banking.models import BankStatement, StatementFile, StatementLine
from programme.ledger.funds import subsidy_receive
from programme.ledger.models import JournalEntry, JournalLine
from programme.ledger.premiums import bank_deposit, cash_handover
from reporting.models import Finding, ReconciliationStatus
from tests.conftest import bank_number
from tests.programme.bank_helpers import Movement, mt940_statement
from tests.programme.claims_helpers import paying_policy

D = datetime.date
RESERVE = bank_number(1, "1201")  # LPA A's
SAVINGS = bank_number(1, "1202")
OCT1, OCT31 = D(2026, 10, 1), D(2026, 10, 31)

pytestmark = pytest.mark.usefixtures("bank_media")


def _open_finding(lpa, account="1201"):
    return Finding.objects.filter(
        lpa=lpa,
        kind=Finding.Kind.RECONCILIATION_DIFFERENCE,
        subject=f"bank:{account}",
        resolved_at__isnull=True,
    ).first()


def _import(content: bytes, name: str = "oktober.sta", actor=None):
    return services.statement_file_import(name=name, content=content, actor=actor)


def _subsidy(amount=5_000_000, on=OCT1, reference="APBN-2026-10"):
    return subsidy_receive(amount=amount, date=on, reference=reference)


def _october(*lines, number="00010/001", opening=0, closing=None):
    return mt940_statement(
        RESERVE, number, OCT1, opening, list(lines), closing_date=OCT31, closing=closing
    )


def test_a_matching_statement_agrees_and_raises_no_finding(in_lpa_a):
    _subsidy()

    record = _import(_october(Movement(OCT1, 5_000_000, reference="APBN-2026-10")))

    assert record.state == StatementFile.State.IMPORTED and record.problems == []
    run = services.reconciliation_latest(account="1201")
    assert (run.state, run.difference, run.ledger_balance, run.bank_balance) == (
        "agrees",
        0,
        5_000_000,
        5_000_000,
    )
    line = StatementLine.objects.get()
    assert (
        line.match_kind == "auto" and line.journal_line.entry.source_key == "subsidy:APBN-2026-10"
    )
    assert _open_finding(in_lpa_a) is None
    status = ReconciliationStatus.objects.get(lpa=in_lpa_a, account="1201")
    assert (status.state, status.statement_closing_date, status.month) == ("agrees", OCT31, OCT1)


def test_a_missing_deposit_opens_a_finding_that_the_next_statement_resolves(in_lpa_a, make_staff):
    bendahara = make_staff(in_lpa_a, "bendahara")
    policy = paying_policy(start=D(2026, 10, 1), months=2)
    handover = cash_handover(
        receipts=list(policy.receipts.all()), handed_by=None, actor=bendahara, date=D(2026, 10, 2)
    )
    bank_deposit(
        handover=handover, date=D(2026, 10, 30), bank_reference="SETOR-7781", actor=bendahara
    )

    # The October statement does not have it (the bank credited it in November).
    _import(mt940_statement(SAVINGS, "00020/001", OCT1, 0, [], closing_date=OCT31))

    run = services.reconciliation_latest(account="1202")
    assert (run.state, run.difference, run.unmatched_books_count) == ("difference", -10_000, 1)
    finding = _open_finding(in_lpa_a, "1202")
    assert finding.amount == -10_000 and finding.summary == "1202 2026-10-31"
    assert "SETOR" not in finding.summary

    november = mt940_statement(
        SAVINGS,
        "00021/001",
        D(2026, 11, 1),
        0,
        [Movement(D(2026, 11, 2), 10_000, reference="SETOR-7781")],
        closing_date=D(2026, 11, 5),
    )
    _import(november, name="november.sta")

    run = services.reconciliation_latest(account="1202")
    assert (run.state, run.difference) == ("agrees", 0)
    assert _open_finding(in_lpa_a, "1202") is None
    assert StatementLine.objects.get(amount=10_000).journal_line.entry.source_key.startswith(
        "deposit:"
    )


def test_an_extra_bank_charge_is_posted_in_one_click_and_only_once(in_lpa_a, make_staff):
    bendahara = make_staff(in_lpa_a, "bendahara")
    _subsidy()
    _import(
        _october(
            Movement(OCT1, 5_000_000, reference="APBN-2026-10"),
            Movement(
                D(2026, 10, 31), -6_500, kind="NCHG", bank_reference="ADM1026", text="Biaya adm"
            ),
        )
    )
    run = services.reconciliation_latest(account="1201")
    assert (run.state, run.difference, run.unmatched_bank_count) == ("difference", -6_500, 1)
    assert _open_finding(in_lpa_a).amount == -6_500

    charge = StatementLine.objects.get(amount=-6_500)
    entry = services.bank_line_post(statement_line=charge, actor=bendahara)
    again = services.bank_line_post(statement_line=charge, actor=bendahara)

    assert again.pk == entry.pk
    assert JournalEntry.objects.filter(source_key=f"bank-line:{charge.pk}").count() == 1
    assert sorted(entry.lines.values_list("account__code", "amount")) == [
        ("1201", -6_500),
        ("5201", 6_500),
    ]
    assert entry.date == D(2026, 10, 31) and entry.created_by_id == bendahara.pk
    charge.refresh_from_db()
    assert charge.match_kind == "posted" and charge.matched_by_id == bendahara.pk
    assert services.reconciliation_latest(account="1201").state == "agrees"
    assert _open_finding(in_lpa_a) is None


def test_bank_interest_goes_to_the_accounts_fund(in_lpa_a, make_staff):
    _subsidy()
    _import(
        _october(
            Movement(OCT1, 5_000_000, reference="APBN-2026-10"),
            Movement(OCT31, 1_250, kind="NINT", text="Bunga"),
        )
    )
    interest = StatementLine.objects.get(amount=1_250)

    entry = services.bank_line_post(
        statement_line=interest, actor=make_staff(in_lpa_a, "bendahara")
    )

    assert sorted(entry.lines.values_list("account__code", "amount")) == [
        ("1201", 1_250),
        ("3101", -1_250),
    ]
    assert services.reconciliation_latest(account="1201").state == "agrees"


def test_a_duplicated_statement_line_matches_once_and_leaves_a_difference(in_lpa_a):
    _subsidy()

    _import(
        _october(
            Movement(OCT1, 5_000_000, reference="APBN-2026-10"),
            Movement(OCT1, 5_000_000, reference="APBN-2026-10"),
        )
    )

    lines = StatementLine.objects.order_by("line")
    assert [line.journal_line_id is not None for line in lines] == [True, False]
    run = services.reconciliation_latest(account="1201")
    assert (run.state, run.difference, run.unmatched_bank_count) == ("difference", 5_000_000, 1)
    assert _open_finding(in_lpa_a).amount == 5_000_000


def test_the_same_file_twice_is_refused_naming_the_first_import(in_lpa_a):
    _subsidy()
    content = _october(Movement(OCT1, 5_000_000))
    _import(content, name="oktober.sta")

    with pytest.raises(BankFileError) as refused:
        _import(content, name="oktober-lagi.sta")

    assert refused.value.code == "file_duplicate"
    assert "oktober.sta" in refused.value.message
    assert StatementFile.objects.count() == 1 and StatementLine.objects.count() == 1


def test_the_same_statement_in_another_file_is_a_problem_and_nothing_is_doubled(in_lpa_a):
    _subsidy()
    _import(_october(Movement(OCT1, 5_000_000)))
    other = mt940_statement(
        RESERVE,
        "00010/001",
        OCT1,
        0,
        [Movement(OCT1, 5_000_000)],
        closing_date=OCT31,
        reference="ULANG",
    )

    record = _import(other, name="oktober-dari-bank.sta")

    assert record.state == "refused" and record.statements == 0
    assert [p["code"] for p in record.problems] == ["statement_duplicate"]
    assert "oktober.sta" in services.problem_text(record.problems[0])
    assert BankStatement.objects.count() == 1 and StatementLine.objects.count() == 1
    assert services.reconciliation_latest(account="1201").state == "agrees"


def test_a_statement_of_another_account_is_not_imported_and_the_file_is_kept(in_lpa_a, bank_media):
    foreign = mt940_statement(bank_number(2, "1201"), "1/1", OCT1, 0, [Movement(OCT1, 700)])

    record = _import(foreign, name="salah.sta")

    assert record.state == "refused" and record.problems[0]["code"] == "account_unknown"
    assert bank_number(2, "1201") in services.problem_text(record.problems[0])
    assert not BankStatement.objects.exists()
    assert (Path(bank_media) / record.path).read_bytes() == foreign
    assert record.path.startswith(f"{in_lpa_a.schema_name}/bank/{record.sha256}")


def test_a_balance_that_does_not_follow_from_its_lines_stores_nothing(in_lpa_a, bank_media):
    wrong = _october(Movement(OCT1, 5_000_000), closing=5_100_000)

    record = _import(wrong)

    codes = [p["code"] for p in record.problems]
    assert record.state == "refused" and "balance_mismatch" in codes
    assert all(services.problem_text(p) for p in record.problems)
    assert not BankStatement.objects.exists() and not StatementLine.objects.exists()
    assert (Path(bank_media) / record.path).exists()


def test_a_broken_line_is_reported_with_its_line_number(in_lpa_a):
    broken = _october(Movement(OCT1, 5_000_000)).replace(b":61:261001", b":61:2610XX")

    record = _import(broken)

    broken_line = next(p for p in record.problems if p["line"] == 5)
    assert broken_line["text"].startswith(":61:2610XX")
    assert "2610XX" in services.problem_text(broken_line)
    assert not BankStatement.objects.exists()


def test_a_manual_match_records_who_and_when(in_lpa_a, make_staff):
    bendahara = make_staff(in_lpa_a, "bendahara")
    _subsidy(on=D(2026, 10, 10))
    # The bank credited it two weeks later: too far apart to match by itself.
    _import(_october(Movement(D(2026, 10, 25), 5_000_000)))
    line = StatementLine.objects.get()
    assert line.journal_line_id is None
    assert services.reconciliation_latest(account="1201").state == "difference"
    books = JournalLine.objects.get(account__code="1201")

    matched = services.line_match_manual(statement_line=line, journal_line=books, actor=bendahara)

    assert matched.match_kind == "manual" and matched.matched_by_id == bendahara.pk
    assert matched.matched_at is not None
    assert services.reconciliation_latest(account="1201").state == "agrees"


def test_a_manual_match_of_another_amount_is_refused(in_lpa_a, make_staff):
    _subsidy(on=D(2026, 10, 10))
    _import(_october(Movement(D(2026, 10, 10), 4_000_000)))
    line = StatementLine.objects.get()
    books = JournalLine.objects.get(account__code="1201")

    with pytest.raises(services.BankingError) as refused:
        services.line_match_manual(
            statement_line=line, journal_line=books, actor=make_staff(in_lpa_a, "bendahara")
        )

    assert refused.value.code == "match_amount"


def test_a_ledger_line_matches_one_statement_line_only(in_lpa_a, make_staff):
    _subsidy()
    _import(_october(Movement(OCT1, 5_000_000), Movement(D(2026, 10, 20), 5_000_000)))
    second = StatementLine.objects.get(journal_line__isnull=True)
    books = JournalLine.objects.get(account__code="1201")

    with pytest.raises(services.BankingError) as refused:
        services.line_match_manual(
            statement_line=second, journal_line=books, actor=make_staff(in_lpa_a, "bendahara")
        )

    assert refused.value.code == "journal_line_matched"


def test_statement_lines_cannot_be_changed_after_import(in_lpa_a):
    _subsidy()
    _import(_october(Movement(OCT1, 5_000_000)))

    with pytest.raises(DatabaseError), transaction.atomic():
        StatementLine.objects.update(amount=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        BankStatement.objects.update(closing_balance=1)


def test_the_fetch_job_imports_each_file_once(in_lpa_a):
    from programme.bank.base import IncomingFile
    from programme.banking.tasks import reconcile_day, statements_fetch_day

    _subsidy()
    content = _october(Movement(OCT1, 5_000_000))
    asked = []

    def fetch(*, account_number, since):
        asked.append((account_number, since))
        return [IncomingFile("bank.sta", content)] if account_number == RESERVE else []

    first = statements_fetch_day(on=D(2026, 11, 20), fetch=fetch)
    second = statements_fetch_day(on=D(2026, 11, 21), fetch=fetch)

    assert (first["imported"], second["imported"], second["skipped"]) == (1, 0, 1)
    assert (RESERVE, OCT31) in asked and StatementFile.objects.get().source == "bank"
    result = reconcile_day(on=D(2026, 11, 21))
    assert result["accounts"] == {"1201": "agrees"}


def test_a_shared_reference_wins_over_the_nearer_date(in_lpa_a):
    _subsidy(1_000_000, on=D(2026, 10, 5), reference="APBN-A5")
    _subsidy(1_000_000, on=D(2026, 10, 6), reference="APBN-B6")

    _import(
        _october(
            Movement(D(2026, 10, 6), 1_000_000, reference="APBN-A5"),
            Movement(D(2026, 10, 6), 1_000_000, text="Transfer APBN-B6"),
        )
    )

    matched = {
        line.line: line.journal_line.entry.source_key
        for line in StatementLine.objects.select_related("journal_line__entry")
    }
    assert sorted(matched.values()) == ["subsidy:APBN-A5", "subsidy:APBN-B6"]
    first = StatementLine.objects.get(reference="APBN-A5")
    assert first.journal_line.entry.source_key == "subsidy:APBN-A5"


def test_a_file_that_is_not_a_statement_is_kept_with_its_report(in_lpa_a, bank_media):
    record = _import(b"bukan rekening koran\n", name="catatan.txt")

    assert record.state == "refused" and record.problems[0]["code"].startswith("file:")
    assert services.problem_text(record.problems[0])
    assert (Path(bank_media) / record.path).exists()


def test_the_daily_reconcile_job_runs_once_per_day_and_is_recorded(in_lpa_a):
    from tenants.jobs import DAILY_JOBS, job_run_day

    _subsidy()
    _import(_october(Movement(OCT1, 5_000_000)))

    outcome = job_run_day(job=DAILY_JOBS["reconcile"], lpa=in_lpa_a, day=D(2026, 11, 20))
    again = job_run_day(job=DAILY_JOBS["reconcile"], lpa=in_lpa_a, day=D(2026, 11, 20))

    assert outcome.state == "done" and again.state == "skipped"
    assert outcome.result == {"accounts": {"1201": "agrees"}, "reserve_adequate": True}


def test_a_bank_that_cannot_be_reached_fails_the_fetch_day(in_lpa_a, monkeypatch):
    from dataclasses import replace

    from programme.banking import tasks
    from tenants.jobs import DAILY_JOBS, job_run_day

    def unreachable(*, account_number, since):
        raise BankFileError("bank_unreachable", reason="timeout")

    def work(*, on):
        return tasks.statements_fetch_day(on=on, fetch=unreachable)

    monkeypatch.setattr(tasks, "fetch_day_unreachable", work, raising=False)
    job = replace(DAILY_JOBS["bank-statements"], work=f"{tasks.__name__}.fetch_day_unreachable")

    outcome = job_run_day(job=job, lpa=in_lpa_a, day=D(2026, 11, 20))

    assert outcome.state == "failed" and "timeout" in outcome.error
