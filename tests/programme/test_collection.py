"""The field officer's collection sheet as services: who is due, how many months and
how much (from the scheme's data), generated receipt numbers, case-insensitive policy
numbers, amounts as people write them, a sheet sent twice, member cards found."""

import datetime

import pytest
from django.db import connection

from askesos.accounts.services import membership_grant, user_create
from askesos.money import MoneyError, rupiah_parse
from programme.ledger.collection import (
    card_token_from,
    collection_policy_find,
    collection_sheet,
    months_parse,
    policy_standing,
)
from programme.ledger.errors import LedgerError
from programme.ledger.models import PremiumReceipt
from programme.ledger.premiums import (
    ReceiptRow,
    premium_receipt_record,
    premium_receipt_reverse,
    premium_receipts_batch,
    receipt_number_next,
)
from programme.participants.groups import meeting_group_create, participant_group_set
from programme.participants.lifecycle import policy_transition
from programme.participants.services import participant_register
from programme.schemes.rules import monthly_premium
from tests.programme.conftest import KONAWE_VILLAGE, person

START = datetime.date(2026, 1, 1)
ON = datetime.date(2026, 6, 15)  # June: January..June are due, May and before in arrears
MANDONGA = "74.71.01.1005"
ANDONOHU = "74.71.04.1003"  # Andonohu, another kelurahan of Kota Kendari


def register(serial: int, name: str, *, start=START, village=MANDONGA):
    return participant_register(
        data=person(serial=serial, name=name, village_code=village), start_date=start
    )


def pay(policy, months: int, number: str = "", on=START):
    premium = monthly_premium(policy.scheme_version.rules)
    return premium_receipt_record(
        number=number, policy=policy, months=months, amount=months * premium, received_on=on
    )


def rows_by_name(**filters):
    rows, _cut = collection_sheet(on=ON, **filters)
    return {row.name: row for row in rows}


def test_the_sheet_lists_who_owes_with_months_and_amount_from_the_scheme(in_lpa_a):
    behind = register(1, "Ani Tertunggak")
    pay(behind, 4)  # January to April paid: May in arrears, June due
    ahead = register(2, "Bayu Lunas")
    pay(ahead, 12)  # paid ahead to December
    first = register(3, "Citra Baru", start=datetime.date(2026, 6, 1))  # awaiting a premium
    lapsed = register(4, "Dedi Gugur")
    pay(lapsed, 1)
    policy_transition(policy=lapsed, to_status="lapsed")

    rows = rows_by_name()

    assert set(rows) == {"Ani Tertunggak", "Citra Baru"}
    premium = monthly_premium(behind.scheme_version.rules)
    ani = rows["Ani Tertunggak"].standing
    assert (ani.arrears, ani.due, ani.months_prefill, ani.amount_prefill) == (1, 2, 2, 2 * premium)
    citra = rows["Citra Baru"]
    assert citra.registered and citra.standing.months_prefill == 1
    assert citra.standing.amount_prefill == premium
    assert first.pk == citra.policy_id


def test_the_standing_says_paid_up_to_and_the_next_month(in_lpa_a):
    policy = register(1, "Ani")
    pay(policy, 4)

    standing = policy_standing(policy=policy, on=ON)

    assert standing.paid_through == datetime.date(2026, 4, 1)
    assert standing.next_month == datetime.date(2026, 5, 1)
    assert standing.left == standing.coverage - 4
    assert standing.near_lapse is False  # one month in arrears, the grace rule is three


def test_an_advance_beyond_this_month_is_allowed_within_coverage(in_lpa_a):
    policy = register(1, "Ani")
    row = rows_by_name()["Ani"]
    months = row.standing.months_prefill + 6  # six months ahead as well

    result = premium_receipts_batch(
        rows=[ReceiptRow("", policy.number, months, months * row.standing.premium)],
        received_on=datetime.date(2026, 6, 10),
    )

    assert result.errors == []
    assert rows_by_name() == {}
    too_many = row.standing.coverage  # more than what is left now
    refused = premium_receipts_batch(
        rows=[ReceiptRow("", policy.number, too_many, too_many * row.standing.premium)],
        received_on=datetime.date(2026, 6, 10),
    )
    assert "bulan" in refused.errors[0][1]


def test_another_lpas_participants_are_not_on_the_sheet(lpa_a, lpa_b):
    connection.set_tenant(lpa_b)
    participant_register(
        data=person(serial=9, name="Di LPA B", village_code=KONAWE_VILLAGE), start_date=START
    )
    connection.set_tenant(lpa_a)
    register(1, "Di LPA A")

    assert set(rows_by_name()) == {"Di LPA A"}


def test_the_sheet_is_filtered_by_village_group_and_officer(in_lpa_a, lpa_a):
    officer = user_create(username="petugas-kelompok", password="rahasia-uji-123")
    membership_grant(lpa=lpa_a, user=officer, role="petugas_lapangan")
    connection.set_tenant(lpa_a)
    group = meeting_group_create(
        name="Kelompok Melati", village_code=MANDONGA, officer_id=officer.pk
    )
    in_group = register(1, "Anggota Melati")
    participant_group_set(participant=in_group.participant, group=group)
    register(2, "Tanpa Kelompok")
    register(3, "Warga Andonohu", village=ANDONOHU)

    assert set(rows_by_name(group_id=group.pk)) == {"Anggota Melati"}
    assert set(rows_by_name(officer_id=officer.pk)) == {"Anggota Melati"}
    assert set(rows_by_name(village_code=ANDONOHU)) == {"Warga Andonohu"}
    assert len(rows_by_name()) == 3


def test_a_meeting_group_needs_a_name_a_known_village_and_a_team_member(in_lpa_a):
    meeting_group_create(name="Melati", village_code=MANDONGA, officer_id=None)

    for values, code in (
        ({"name": " ", "village_code": MANDONGA, "officer_id": None}, "group_name_required"),
        ({"name": "Mawar", "village_code": "99.99", "officer_id": None}, "village_unknown"),
        (
            {"name": "Mawar", "village_code": MANDONGA, "officer_id": 999_999},
            "group_officer_not_member",
        ),
        ({"name": "Melati", "village_code": MANDONGA, "officer_id": None}, "group_name_taken"),
    ):
        with pytest.raises(Exception) as refused:
            meeting_group_create(**values)
        assert refused.value.code == code


def test_generated_receipt_numbers_are_readable_and_unique_in_the_lpa(in_lpa_a):
    policies = [register(n, f"Peserta {n}") for n in range(1, 4)]
    day = datetime.date(2026, 6, 10)

    numbers = [pay(p, 1, on=day).number for p in policies[:2]]
    pay(policies[2], 1, number="KW-2606-00010", on=day)  # typed from a paper receipt book
    later = pay(policies[0], 1, on=day)
    premium_receipt_reverse(receipt=later, date=day, reason="salah ketik")

    assert numbers == ["KW-2606-00001", "KW-2606-00002"]
    assert later.number == "KW-2606-00011"
    assert receipt_number_next(on=day) == "KW-2606-00012"  # a reversed number is not reused
    assert receipt_number_next(on=datetime.date(2026, 7, 1)) == "KW-2607-00001"
    assert PremiumReceipt.objects.filter(number__startswith="KW-2606-").count() == 4


def test_policy_numbers_are_found_in_any_case(in_lpa_a):
    policy = register(1, "Ani")
    typed = f"  {policy.number.lower()} "

    result = premium_receipts_batch(
        rows=[ReceiptRow("", typed, 1, monthly_premium(policy.scheme_version.rules))],
        received_on=datetime.date(2026, 6, 10),
    )

    assert result.errors == [] and result.recorded[0].policy_id == policy.pk
    assert collection_policy_find(policy_number=typed).pk == policy.pk


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("5000", 5000),
        ("5.000", 5000),
        ("Rp 5.000", 5000),
        ("rp5.000", 5000),
        ("Rp. 15.000", 15000),
        ("Rp 10.000,00", 10000),
        (" 180000 ", 180000),
    ],
)
def test_amounts_are_read_as_people_write_them(typed, amount):
    assert rupiah_parse(typed) == amount


@pytest.mark.parametrize("typed", ["lima ribu", "5rb", "5,5", "-5000", "5.00", "Rp", "5 000x"])
def test_amounts_in_words_get_a_message_asking_for_figures(typed):
    with pytest.raises(MoneyError) as refused:
        rupiah_parse(typed)

    assert refused.value.code == "amount_not_figures"
    assert refused.value.message == "Tulis jumlah dengan angka, mis. 5.000."


@pytest.mark.parametrize("typed", ["dua", "", "1,5", "-1", "1000"])
def test_months_must_be_a_number(typed):
    with pytest.raises(LedgerError) as refused:
        months_parse(typed)

    assert refused.value.code == "months_not_figures"


def test_a_sheet_sent_twice_records_each_payment_once(in_lpa_a):
    policy = register(1, "Ani")
    premium = monthly_premium(policy.scheme_version.rules)
    row = ReceiptRow("", policy.number, 2, 2 * premium, request_key="lembar-1:" + str(policy.pk))

    first = premium_receipts_batch(rows=[row], received_on=datetime.date(2026, 6, 10))
    again = premium_receipts_batch(rows=[row], received_on=datetime.date(2026, 6, 10))

    assert again.recorded[0].pk == first.recorded[0].pk
    assert PremiumReceipt.objects.filter(policy=policy).count() == 1


def test_failed_rows_keep_their_index_and_message_and_good_rows_their_receipt(in_lpa_a):
    good, closed = register(1, "Ani"), register(2, "Budi")
    policy_transition(policy=closed, to_status="withdrawn", reason="surat pengunduran diri")
    premium = monthly_premium(good.scheme_version.rules)

    result = premium_receipts_batch(
        rows=[
            ReceiptRow("", closed.number, 1, premium),
            ReceiptRow("", good.number, 1, premium),
            ReceiptRow("", good.number, 1, premium + 1),
        ],
        received_on=datetime.date(2026, 6, 10),
    )

    assert [index for index, _message in result.errors] == [0, 2]
    assert closed.number in result.errors[0][1]
    assert list(result.by_row) == [1] and result.by_row[1].number.startswith("KW-2606-")


def test_a_scanned_card_finds_its_participant_or_says_why_not(lpa_a, lpa_b):
    connection.set_tenant(lpa_b)
    elsewhere = participant_register(
        data=person(serial=9, name="Di LPA B", village_code=KONAWE_VILLAGE), start_date=START
    )
    connection.set_tenant(lpa_a)
    here = register(1, "Ani")
    ended = register(2, "Budi")
    policy_transition(policy=ended, to_status="withdrawn", reason="surat")

    assert collection_policy_find(card_token=here.card_token).pk == here.pk
    for token, code in (
        (elsewhere.card_token, "card_other_lpa"),
        ("tidak-ada-kartu-ini", "card_unknown"),
        (ended.card_token, "receipt_policy_closed"),
    ):
        with pytest.raises(LedgerError) as refused:
            collection_policy_find(card_token=token)
        assert refused.value.code == code
    with pytest.raises(LedgerError) as other:
        collection_policy_find(card_token=elsewhere.card_token)
    assert "LPA Uji B" in other.value.message


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("http://localhost:8000/kartu/AbC-12_xyz9876543/", "AbC-12_xyz9876543"),
        ("https://askesos.kemensos.go.id/kartu/AbC-12_xyz9876543", "AbC-12_xyz9876543"),
        ("AKS-7471-0001-0000042", ""),
        ("https://example.com/", ""),
    ],
)
def test_the_token_is_read_from_a_card_url(text, token):
    assert card_token_from(text) == token
