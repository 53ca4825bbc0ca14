"""Each role's home page lists the work waiting for it, with counts, amounts and links
that the role may open."""

import datetime

import pytest

from askesos.dates import today
from programme.todo import todo_for, todo_keys_for
from tests.conftest import client_on, host_of
from tests.programme.conftest import ROLES


def _todo(whole_team, role):
    return {item.key: item for item in todo_for(user=whole_team[role], role=role)}


def test_the_ketua_is_told_what_waits_for_a_signature(busy_lpa, whole_team):
    todo = _todo(whole_team, "ketua")

    assert set(todo) == {"requests_to_approve", "months_to_sign"}
    assert (todo["requests_to_approve"].count, todo["requests_to_approve"].amount) == (1, 100_000)
    assert todo["requests_to_approve"].text == "Permintaan pembayaran menunggu tanda tangan Anda: 1"
    assert todo["months_to_sign"].count == 1


def test_the_bendahara_is_told_what_to_pay_receive_deposit_and_close(busy_lpa, whole_team):
    todo = _todo(whole_team, "bendahara")

    assert set(todo) == {
        "requests_to_pay",
        "handovers_to_receive",
        "cash_to_deposit",
        "months_to_prepare",
    }
    assert (todo["requests_to_pay"].count, todo["requests_to_pay"].amount) == (1, 100_000)
    assert (todo["handovers_to_receive"].count, todo["handovers_to_receive"].amount) == (1, 5000)
    assert (todo["cash_to_deposit"].count, todo["cash_to_deposit"].amount) == (1, 180_000)
    # January 2024 is prepared; February 2024 up to last month are over and open.
    last_month = today().replace(day=1) - datetime.timedelta(days=1)
    months_open = (last_month.year - 2024) * 12 + last_month.month - 1
    assert todo["months_to_prepare"].count == months_open


def test_urusan_klaim_is_told_what_to_verify_and_what_came_back(busy_lpa, whole_team):
    todo = _todo(whole_team, "klaim")

    assert set(todo) == {"claims_to_verify", "claims_returned"}
    assert todo["claims_to_verify"].count == 1 and todo["claims_returned"].count == 1


def test_the_field_officer_is_told_about_the_collection_cards_and_returned_claims(
    busy_lpa, whole_team
):
    todo = _todo(whole_team, "petugas_lapangan")

    assert set(todo) == {
        "claims_returned",
        "collection_due",
        "cash_to_hand_over",
        "cards_to_hand_over",
        "awaiting_first_premium",
    }
    assert (todo["collection_due"].count, todo["collection_due"].amount) == (1, 5000)
    assert (todo["cash_to_hand_over"].count, todo["cash_to_hand_over"].amount) == (1, 5000)
    assert todo["cash_to_hand_over"].url is None  # the Bendahara's page is not theirs


@pytest.mark.parametrize("role", ROLES)
def test_every_link_on_a_home_page_opens_for_that_role(busy_lpa, whole_team, lpa_a, role):
    client = client_on(host_of(lpa_a), whole_team[role])
    page = client.get("/dasbor/")
    assert page.status_code == 200
    for item in todo_for(user=whole_team[role], role=role):
        assert item.text in page.content.decode()
        if item.url:
            assert client.get(item.url).status_code == 200, (role, item.key, item.url)


def test_a_member_with_nothing_waiting_is_told_so(whole_team, lpa_a):
    page = client_on(host_of(lpa_a), whole_team["ketua"]).get("/dasbor/").content.decode()
    assert "Tidak ada yang menunggu Anda" in page


def test_the_items_follow_the_permissions():
    assert todo_keys_for("ketua") == {
        "requests_to_approve",
        "months_to_sign",
        "reports_to_submit",
    }
    assert "requests_to_pay" not in todo_keys_for("ketua")
    assert "requests_to_approve" not in todo_keys_for("bendahara")


def test_the_ketua_is_told_of_period_reports_to_submit(whole_team, lpa_a):
    from django.db import connection

    from reporting.periods import Period
    from reporting.reports import lpa_report_generate, report_submit

    connection.set_tenant(lpa_a)
    report = lpa_report_generate(lpa=lpa_a, period=Period("month", datetime.date(2026, 10, 1)))
    todo = _todo(whole_team, "ketua")
    assert todo["reports_to_submit"].count == 1
    assert todo["reports_to_submit"].urgent == (report.due_on < today())
    assert "reports_to_submit" not in _todo(whole_team, "sekretaris")
    report_submit(report=report, actor=whole_team["ketua"])
    assert "reports_to_submit" not in _todo(whole_team, "ketua")
