"""Every date a person enters has a plausible range: not after today (Asia/Jakarta),
not before ASKESOS began (2003) nor before the day the LPA joined it when that day is
recorded. Refused at the field by each service and by the API's date fields, and for
the ledger's entries and months by PostgreSQL too (askesos.dates,
programme/dbfunctions/migrations/0003, programme/ledger/migrations/0006).

The issue's probes: a grant dated 0001-01-01 (accepted, then it blocked every monthly
closing), a payout dated 9999-12-31, a subsidy dated year 149, closings prepared for
month 0436-10."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection, transaction

from askesos.dates import DateError, lpa_start, today
from askesos.errors import DomainError
from askesos.roles import LpaRole
from programme.claims import payments
from programme.claims import services as claims
from programme.ledger import funds, premiums, services
from programme.ledger.models import JournalEntry, Period
from programme.participants.cards import card_handover, card_print
from programme.participants.lifecycle import policy_transition
from programme.participants.services import participant_register
from tenants.errors import LpaError
from tenants.models import Lpa
from tenants.services import lpa_started_on_set
from tests.askesos.test_api_walk import assert_shape
from tests.conftest import client_on, host_of
from tests.programme.claims_helpers import approved_on, fund_reserve, paying_policy, submit
from tests.programme.conftest import person

START = datetime.date(2026, 1, 5)
YEAR_1 = datetime.date(1, 1, 1)
YEAR_149 = datetime.date(149, 6, 1)
YEAR_9999 = datetime.date(9999, 12, 31)
THE_PROBES = [YEAR_1, YEAR_149, YEAR_9999]


@pytest.fixture
def policy(in_lpa_a):
    return participant_register(data=person(), start_date=START)


def _paid(policy, number="KW-1"):
    return premiums.premium_receipt_record(
        number=number, policy=policy, months=1, amount=5000, received_on=START
    )


def _handover(policy):
    return premiums.cash_handover(receipts=[_paid(policy)], handed_by=None, actor=None, date=START)


def _loan(policy):
    funds.revolving_capital_add(amount=500_000, date=START, reference="M1")
    return funds.loan_disburse(
        participant=policy.participant,
        principal=300_000,
        fee=0,
        installments=3,
        purpose="ban",
        date=START,
    )


def _grant():
    return funds.grant_receive(donor="D", purpose="P", amount=500_000, date=START, reference="H1")


# (what, field, the day -> the call); each is set up in an LPA with a registered policy.
PATHS: dict[str, tuple[str, Callable]] = {
    "grant": (
        "date",
        lambda p, s, d: funds.grant_receive(
            donor="D", purpose="P", amount=1000, date=d, reference="H-X"
        ),
    ),
    "grant spending": (
        "date",
        lambda p, s, d: funds.grant_spend(
            grant=_grant(), amount=1000, description="x", date=d, reference="G-X"
        ),
    ),
    "subsidy": (
        "date",
        lambda p, s, d: funds.subsidy_receive(amount=1000, date=d, reference="S-X"),
    ),
    "premium aid": (
        "date",
        lambda p, s, d: premiums.premium_aid_record(amount=1000, date=d, reference="A-X"),
    ),
    "revolving capital": (
        "date",
        lambda p, s, d: funds.revolving_capital_add(amount=1000, date=d, reference="M-X"),
    ),
    "expense": (
        "date",
        lambda p, s, d: funds.expense_record(amount=1000, description="x", date=d, reference="E"),
    ),
    "loan": (
        "date",
        lambda p, s, d: funds.loan_disburse(
            participant=p.participant, principal=1000, fee=0, installments=1, purpose="x", date=d
        ),
    ),
    "loan repayment": (
        "date",
        lambda p, s, d: funds.loan_repay(installment=_loan(p).schedule.first(), date=d),
    ),
    "premium receipt": (
        "received_on",
        lambda p, s, d: premiums.premium_receipt_record(
            number="KW-X", policy=p, months=1, amount=5000, received_on=d
        ),
    ),
    "hand-over": (
        "date",
        lambda p, s, d: premiums.cash_handover(
            receipts=[_paid(p)], handed_by=None, actor=None, date=d
        ),
    ),
    "bank deposit": (
        "date",
        lambda p, s, d: premiums.bank_deposit(
            handover=_handover(p), date=d, bank_reference="B-1", actor=None
        ),
    ),
    "savings payout": (
        "paid_on",
        lambda p, s, d: premiums.savings_payout(policy=p, reason="withdrawal", paid_on=d),
    ),
    "correction": (
        "date",
        lambda p, s, d: services.entry_reverse(entry=_paid(p).entry, date=d, reason="x"),
    ),
    "closing prepared": (
        "month",
        lambda p, s, d: services.period_prepare(month=d, actor=s("bendahara")),
    ),
    "closing signed": ("month", lambda p, s, d: services.period_sign(month=d, actor=s("ketua"))),
    "closing reopened": (
        "month",
        lambda p, s, d: services.period_reopen(month=d, actor=s("ketua"), reason="x"),
    ),
    "registration": (
        "start_date",
        lambda p, s, d: participant_register(data=person(serial=2), start_date=d),
    ),
    "card hand-over": (
        "on",
        lambda p, s, d: card_handover(
            card=card_print(policy=p)[0], actor=None, received_by="Budi", on=d
        ),
    ),
    "claim": (
        "event_date",
        lambda p, s, d: claims.claim_submit(
            policy_number=p.number, benefit="sickness", event_date=d, actor=s("klaim")
        ),
    ),
}


@pytest.mark.parametrize("day", THE_PROBES, ids=str)
@pytest.mark.parametrize("path", PATHS)
def test_every_dated_service_refuses_a_day_outside_the_programme(
    in_lpa_a, policy, make_staff, path, day
):
    field, call = PATHS[path]
    before = JournalEntry.objects.count(), Period.objects.count()

    with pytest.raises(DomainError) as refused:
        with transaction.atomic():
            call(policy, lambda role: make_staff(in_lpa_a, role), day)

    assert refused.value.field == field, refused.value.as_dict()
    assert (JournalEntry.objects.count(), Period.objects.count()) == before


def test_a_status_change_is_not_dated_before_the_programme_or_the_policy(policy):
    for day, code in (
        (YEAR_1, "date_before_programme"),
        (START.replace(day=1), "date_before_step"),
    ):
        with pytest.raises(DateError) as refused:
            policy_transition(
                policy=policy, to_status="withdrawn", reason="surat", effective_date=day
            )
        assert (refused.value.code, refused.value.field) == (code, "effective_date")


def test_a_claim_payment_is_not_dated_outside_the_programme(in_lpa_a, team):
    policy = paying_policy()
    fund_reserve()
    claim = submit(policy, team.officer)
    claims.claim_verify(claim=claim, actor=team.klaim)
    request = payments.payment_request_create(claims=[claim], actor=team.klaim)
    request = approved_on(
        payments.payment_request_approve(request=request, actor=team.ketua), START
    )

    for day in THE_PROBES:
        with pytest.raises(DateError) as refused:
            payments.payment_request_pay(
                request=request, paid_on=day, actor=team.bendahara, reference="TRF-1"
            )
        assert refused.value.field == "paid_on"


# --- the API ----------------------------------------------------------------------------
# Every date field of every endpoint: tests/askesos/test_dates.py.


def test_the_api_names_the_rule_at_the_field(lpa_a, make_staff):
    """The issue's grant dated 0001-01-01, in both languages."""
    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.PREMI_KEUANGAN))
    body = {"donor": "D", "purpose": "P", "amount": 1000, "reference": "H-1"}

    old = client.post(
        "/api/grants/", {**body, "date": "0001-01-01"}, content_type="application/json"
    )
    late = client.post(
        "/api/grants/",
        {**body, "date": "9999-12-31"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert assert_shape(old, status=400, code="date_before_programme", field="date")["message"] == (
        "Tanggal tidak boleh sebelum 1 Jan 2003, awal program ASKESOS."
    )
    assert assert_shape(late, status=400, code="date_future", field="date")["message"].startswith(
        "Date cannot be after today"
    )


def test_a_book_is_shown_only_for_a_month_of_the_programme(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.KETUA))

    for month in ("0436-10", "0001-01", "2002-12", "9999-12"):
        assert_shape(client.get("/api/books/neraca/", {"month": month}), status=400, field="month")
        page = client.get("/buku/neraca/", {"bulan": month})
        assert page.status_code == 400 and "text/html" in page["Content-Type"]
    assert client.get("/api/books/neraca/", {"month": f"{today():%Y-%m}"}).status_code == 200


# --- the LPA's own start ----------------------------------------------------------------


@pytest.fixture
def started(in_lpa_a):
    """LPA A joined ASKESOS on 1 March 2025 (recorded in this test's transaction)."""
    lpa = lpa_started_on_set(lpa=in_lpa_a, started_on=datetime.date(2025, 3, 1))
    connection.set_tenant(lpa)  # as the next request would load it
    return lpa


def test_money_is_not_dated_before_the_lpa_joined(started, make_staff):
    assert lpa_start() == datetime.date(2025, 3, 1)
    with pytest.raises(DateError) as refused:
        funds.grant_receive(
            donor="D", purpose="P", amount=1000, date=datetime.date(2025, 2, 28), reference="H"
        )
    assert (refused.value.code, refused.value.field) == ("date_before_lpa", "date")
    assert "1 Mar 2025" in refused.value.message

    funds.grant_receive(
        donor="D", purpose="P", amount=1000, date=datetime.date(2025, 3, 1), reference="H"
    )
    with pytest.raises(DateError) as month:
        services.period_prepare(
            month=datetime.date(2025, 2, 1), actor=make_staff(started, "bendahara")
        )
    assert month.value.code == "date_before_lpa"


def test_the_api_refuses_a_day_before_the_lpa_joined(started, make_staff):
    client = client_on(host_of(started), make_staff(started, LpaRole.PREMI_KEUANGAN))

    response = client.post(
        "/api/subsidies/",
        {"amount": 1000, "date": "2025-02-28", "reference": "S-1"},
        content_type="application/json",
    )

    assert_shape(response, status=400, code="date_before_lpa", field="date")


def test_the_start_of_an_lpa_is_not_after_its_first_records(in_lpa_a):
    funds.subsidy_receive(amount=1000, date=datetime.date(2025, 6, 2), reference="S-1")

    with pytest.raises(LpaError) as refused:
        lpa_started_on_set(lpa=in_lpa_a, started_on=datetime.date(2025, 7, 1))
    assert refused.value.code == "started_after_records" and "2 Jun 2025" in refused.value.message
    for day, code in ((YEAR_149, "date_before_programme"), (YEAR_9999, "date_future")):
        with pytest.raises(DateError) as wrong:
            lpa_started_on_set(lpa=in_lpa_a, started_on=day)
        assert wrong.value.code == code

    lpa_started_on_set(lpa=in_lpa_a, started_on=datetime.date(2025, 6, 2))
    assert Lpa.objects.get(pk=in_lpa_a.pk).started_on == datetime.date(2025, 6, 2)


# --- PostgreSQL -------------------------------------------------------------------------


def _raw_entry(day: datetime.date) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_journalentry (date, kind, source_key, description, created_at) "
            "VALUES (%s, 'expense', %s, 'x', now())",
            [day, f"raw:{day}"],
        )


def _raw_period(month: datetime.date) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_period (month, status, signed_balances) "
            "VALUES (%s, 'prepared', '{}')",
            [month],
        )


@pytest.mark.parametrize(
    ("month", "refusal"),
    [
        (datetime.date(436, 10, 1), "books begin|period_month_in_programme"),
        (datetime.date(2002, 12, 1), "books begin|period_month_in_programme"),
        (datetime.date(9999, 12, 1), "has not begun"),
        (None, "has not begun"),  # next month
    ],
    ids=["0436-10", "2002-12", "9999-12", "next month"],
)
def test_postgresql_refuses_a_closing_for_a_month_outside_the_programme(in_lpa_a, month, refusal):
    month = month or (today().replace(day=28) + datetime.timedelta(days=4)).replace(day=1)

    with pytest.raises(IntegrityError, match=refusal):
        _raw_period(month)


def test_postgresql_accepts_this_months_row_and_refuses_moving_it_ahead(in_lpa_a):
    _raw_period(today().replace(day=1))

    with pytest.raises(IntegrityError, match="has not begun"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE ledger_period SET month = '9999-12-01'")


def test_postgresql_refuses_entries_and_months_before_the_lpa_joined(started):
    with pytest.raises(IntegrityError, match="before the LPA joined"):
        _raw_entry(datetime.date(2025, 2, 28))
    with pytest.raises(IntegrityError, match="before the LPA's books begin"):
        _raw_period(datetime.date(2025, 2, 1))
    _raw_entry(datetime.date(2025, 3, 1))
    _raw_period(datetime.date(2025, 3, 1))


def test_postgresql_refuses_an_entry_dated_year_one_even_without_its_trigger(in_lpa_a):
    """The CHECK constraint holds the programme's start when triggers are off (a
    replication or restore session)."""
    with pytest.raises(IntegrityError, match="entry_date_in_programme"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(
                "INSERT INTO ledger_journalentry (date, kind, source_key, description, "
                "created_at) VALUES ('0001-01-01', 'grant', 'raw', 'x', now())"
            )


def test_an_entry_from_year_one_left_by_older_rules_no_longer_blocks_the_closing(
    in_lpa_a, make_staff
):
    """The issue's grant dated 0001-01-01 made every closing ask for "Januari 0001"
    first. Such a row, written before these rules, is left for a correction; the
    closing starts from the first month of the LPA's time."""
    with connection.cursor() as cursor:  # the test's transaction: undone afterwards
        cursor.execute("ALTER TABLE ledger_journalentry DROP CONSTRAINT entry_date_in_programme")
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "INSERT INTO ledger_journalentry (date, kind, source_key, description, created_at) "
            "VALUES ('0001-01-01', 'grant', 'legacy', 'x', now())"
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
    last_month = services.last_month_over()
    funds.subsidy_receive(amount=1000, date=last_month, reference="S-1")

    assert services.months_to_prepare() == [last_month]
    period = services.period_prepare(month=last_month, actor=make_staff(in_lpa_a, "bendahara"))
    assert period.status == "prepared"


# --- bank statements ----------------------------------------------------------------------


def test_a_bank_statement_dated_outside_the_programme_is_not_imported(in_lpa_a):
    from programme.banking import services as banking
    from programme.banking.models import BankStatement
    from tests.conftest import bank_number
    from tests.programme.bank_helpers import Movement, mt940_statement

    for day in (datetime.date(2002, 12, 30), (today() + datetime.timedelta(days=40))):
        content = mt940_statement(
            bank_number(1, "1201"), f"{day:%y%m}/1", day, 0, [Movement(day, 700)]
        )

        record = banking.statement_file_import(name=f"{day}.sta", content=content, actor=None)

        assert record.state == "refused"
        assert [p["code"] for p in record.problems] == ["statement_out_of_range"]
        assert "1 Jan 2003" in banking.problem_text(record.problems[0])
    assert not BankStatement.objects.exists()
