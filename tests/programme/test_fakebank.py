"""The fake bank as a real process on a free port, talked to through the connector the
platform uses. No database."""

import datetime
import json
import socket
import urllib.error
import urllib.request

import pytest

from programme.bank import formats
from programme.bank.base import BankFileError, PaymentInstruction
from programme.bank.connectors import FakeBankConnector, connector
from programme.bank.fakebank import FakeBank, fake_bank_process

D = datetime.date


@pytest.fixture
def bank(tmp_path):
    with fake_bank_process(0, tmp_path / "bank") as url:
        yield url


def post_json(url, body):
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def pay(reference, account, amount=100_000):
    return PaymentInstruction(reference, account, "LPA Sehat", "Bank BRI", amount, "Bantuan iuran")


def confirmations(bank_connector):
    files = bank_connector.confirmations_fetch()
    parsed = [formats.confirmations_csv_parse(file.content) for file in files]
    assert all(p.problems == () for p in parsed)
    return [c for p in parsed for c in p.confirmations]


def statements(bank_connector, account, since=None):
    files = bank_connector.statements_fetch(account_number=account, since=since)
    parsed = [formats.statement_parse(file.name, file.content) for file in files]
    assert all(p.problems == () for p in parsed)
    return [s for p in parsed for s in p.statements]


def test_batch_is_confirmed_failed_or_returned_as_the_banks_rules_say(bank):
    post_json(
        f"{bank}/rules",
        {"account": "9000021201", "outcome": "failed", "reason": "Rekening ditutup"},
    )
    post_json(
        f"{bank}/rules", {"reference": "ASKTRF000003", "outcome": "returned", "reason": "Nama beda"}
    )
    bank_connector = FakeBankConnector(bank)

    sent = bank_connector.batch_send(
        batch_reference="SUB-2026-10",
        instructions=[
            pay("ASKTRF000001", "9000011201", 150_000),
            pay("ASKTRF000002", "9000021201"),
            pay("ASKTRF000003", "9000031201"),
        ],
    )

    assert sent.name == "batch-SUB-2026-10.csv"
    answers = {c.reference: c for c in confirmations(bank_connector)}
    assert {ref: (c.status, c.reason) for ref, c in answers.items()} == {
        "ASKTRF000001": ("confirmed", ""),
        "ASKTRF000002": ("failed", "Rekening ditutup"),
        "ASKTRF000003": ("returned", "Nama beda"),
    }
    assert answers["ASKTRF000001"].amount == 150_000
    assert answers["ASKTRF000001"].bank_reference.startswith("FB")
    assert confirmations(bank_connector) == []  # fetched once
    again = FakeBankConnector(bank)._request("GET", "/confirmations?all=1")
    assert len(formats.confirmations_csv_parse(again[1]).confirmations) == 3
    (credited,) = statements(bank_connector, "9000011201")
    assert [(x.amount, x.reference) for x in credited.lines] == [(150_000, "ASKTRF000001")]
    assert statements(bank_connector, "9000021201") == []


def test_same_batch_sent_twice_is_paid_once_and_a_changed_batch_is_refused(bank):
    bank_connector = FakeBankConnector(bank)
    batch = [pay("ASKTRF000011", "9000011201", 75_000)]

    bank_connector.batch_send(batch_reference="SUB-A", instructions=batch)
    bank_connector.batch_send(batch_reference="SUB-A", instructions=batch)
    bank_connector.batch_send(batch_reference="SUB-B", instructions=batch)  # same payment again
    next_day = formats.batch_csv_write(
        batch_reference="SUB-A", instructions=batch, execution_date=D(2026, 10, 2)
    )
    again = urllib.request.Request(f"{bank}/batches", data=next_day.content, method="POST")
    with urllib.request.urlopen(again, timeout=10) as response:
        assert json.loads(response.read())["duplicate"] is True

    assert [c.reference for c in confirmations(bank_connector)] == ["ASKTRF000011"]
    (credited,) = statements(bank_connector, "9000011201")
    assert credited.closing_balance == 75_000 and len(credited.lines) == 1
    with pytest.raises(BankFileError) as refused:
        bank_connector.batch_send(
            batch_reference="SUB-A", instructions=[pay("ASKTRF000011", "9000011201", 80_000)]
        )
    assert refused.value.code == "bank_refused"


def test_entries_come_back_as_daily_mt940_statements_that_parse_and_add_up(bank):
    account = "9000011202"
    for day, amount, kind, text in [
        ("2026-10-01", 2_000_000, "NTRF", "Setoran premi"),
        ("2026-10-01", -6_500, "NCHG", "Biaya administrasi"),
        ("2026-10-03", 1_250, "NINT", "Bunga"),
        ("2026-10-04", -500_000, "NTRF", "Penarikan"),
    ]:
        post_json(
            f"{bank}/accounts/{account}/entries",
            {"date": day, "amount": amount, "kind": kind, "reference": "", "text": text},
        )
    post_json(
        f"{bank}/accounts/{account}/entries",
        {
            "date": "2026-10-04",
            "amount": 6_500,
            "kind": "NCHG",
            "text": "Koreksi",
            "reversal": True,
        },
    )
    bank_connector = FakeBankConnector(bank)

    every = statements(bank_connector, account)
    later = statements(bank_connector, account, since=D(2026, 10, 1))

    assert [(s.number, s.opening_balance, s.closing_balance) for s in every] == [
        ("1", 0, 1_993_500),
        ("2", 1_993_500, 1_994_750),
        ("3", 1_994_750, 1_501_250),
    ]
    assert every[0].lines[1].text == "Biaya administrasi"
    assert every[2].lines[1].reversal and every[2].lines[1].amount == 6_500
    assert [s.number for s in later] == ["2", "3"]
    assert later[0].opening_date == D(2026, 10, 1)
    assert statements(bank_connector, account, since=D(2026, 10, 4)) == []
    with urllib.request.urlopen(
        f"{bank}/accounts/{account}/statements?format=csv", timeout=10
    ) as r:
        as_csv = formats.statement_parse("statement.csv", r.read())
    assert [s.closing_balance for s in as_csv.statements] == [1_993_500, 1_994_750, 1_501_250]


def test_a_restarted_bank_remembers_payments_rules_and_accounts(tmp_path):
    with fake_bank_process(0, tmp_path) as url:
        post_json(f"{url}/rules", {"account": "9000021201", "outcome": "failed"})
        FakeBankConnector(url).batch_send(
            batch_reference="SUB-R", instructions=[pay("ASKTRF000021", "9000011201", 10_000)]
        )

    with fake_bank_process(0, tmp_path) as url:
        bank_connector = FakeBankConnector(url)
        bank_connector.batch_send(
            batch_reference="SUB-R", instructions=[pay("ASKTRF000021", "9000011201", 10_000)]
        )
        bank_connector.batch_send(
            batch_reference="SUB-S", instructions=[pay("ASKTRF000022", "9000021201")]
        )
        assert [(c.reference, c.status) for c in confirmations(bank_connector)] == [
            ("ASKTRF000021", "confirmed"),
            ("ASKTRF000022", "failed"),
        ]
        (credited,) = statements(bank_connector, "9000011201")
        assert credited.closing_balance == 10_000
    assert (tmp_path / "batches" / "SUB-R.csv").exists()


class ABanksOwnConnector:
    """What a real bank's connector looks like to connector(): built without arguments."""

    def batch_send(self, *, batch_reference, instructions):
        raise NotImplementedError

    def confirmations_fetch(self):
        return []

    def statements_fetch(self, *, account_number, since):
        return []


def test_connector_follows_settings_and_an_unreachable_bank_is_a_clear_error(settings, tmp_path):
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        silent = probe.getsockname()[1]
    settings.BANK_CONNECTOR = "fake"
    settings.BANK_FAKE_URL = f"http://127.0.0.1:{silent}"

    with pytest.raises(BankFileError) as unreachable:
        connector().statements_fetch(account_number="9000011201", since=None)

    assert unreachable.value.code == "bank_unreachable"
    settings.BANK_CONNECTOR = "tests.programme.test_fakebank.ABanksOwnConnector"
    assert isinstance(connector(), ABanksOwnConnector)
    settings.BANK_CONNECTOR = "programme.bank.connectors.FakeBankConnectorMissing"
    with pytest.raises(BankFileError) as unknown:
        connector()
    assert unknown.value.code == "connector_unknown"


def test_fake_bank_runs_in_this_process_too_and_refuses_bad_entries(tmp_path):
    fake = FakeBank(tmp_path, 0)
    fake.start()
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            post_json(
                f"{fake.url}/accounts/9000011201/entries", {"date": "2026-10-01", "amount": 1.5}
            )
        assert refused.value.code == 400
        refused.value.close()
        with urllib.request.urlopen(f"{fake.url}/health", timeout=10) as response:
            assert json.loads(response.read()) == {"status": "ok"}
    finally:
        fake.stop()
