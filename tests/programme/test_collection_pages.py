"""The collection sheet, the card lookup, registration's village list, meeting groups
and the participant's premiums through the real middleware, with another LPA and roles
that may not."""

import datetime
import hashlib
import re
from pathlib import Path

import pytest
from django.db import connection

from askesos.dates import today
from programme.ledger.models import PremiumReceipt
from programme.ledger.premiums import premium_receipt_record
from programme.participants.models import MeetingGroup, Participant
from programme.participants.services import participant_register
from programme.schemes.rules import monthly_premium
from tests.conftest import client_on, host_of
from tests.programme.conftest import KONAWE_VILLAGE, nik_for, person

ON = today()
START = (ON - datetime.timedelta(days=70)).replace(day=1)  # three months due by now
DUE = (ON.year - START.year) * 12 + ON.month - START.month + 1


@pytest.fixture
def team(lpa_a, make_staff):
    return {r: make_staff(lpa_a, r) for r in ("petugas_lapangan", "klaim", "bendahara")}


@pytest.fixture
def three(lpa_a):
    connection.set_tenant(lpa_a)
    policies = [
        participant_register(data=person(serial=n, name=name), start_date=START)
        for n, name in ((1, "Ani Lestari"), (2, "Budi Darma"), (3, "Citra Kirana"))
    ]
    connection.set_schema_to_public()
    return policies


def row_html(page: str, policy) -> str:
    match = re.search(rf'<tr[^>]*data-policy="{policy.pk}".*?</tr>', page, re.S)
    assert match, f"no row for {policy.number}"
    return match.group(0)


def rupiah_text(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def sheet_post(policies, values: dict, *, ticked, sheet="lembar-uji-0001", received_on=None):
    received_on = ON.isoformat() if received_on is None else received_on
    data = {"sheet": sheet, "received_on": received_on, "pay": []}
    for policy in policies:
        months, amount, number = values.get(policy.pk, ("1", "", ""))
        data[f"months-{policy.pk}"] = months
        data[f"amount-{policy.pk}"] = amount
        data[f"number-{policy.pk}"] = number
        if policy in ticked:
            data["pay"].append(str(policy.pk))
    return data


def test_the_sheet_prefills_months_and_amount_from_the_arrears(lpa_a, team, three):
    premium = monthly_premium(three[0].scheme_version.rules)

    page = client_on(host_of(lpa_a), team["petugas_lapangan"]).get("/premi/").content.decode()

    for policy in three:
        row = row_html(page, policy)
        assert f'name="months-{policy.pk}" value="{DUE}"' in row
        assert f'value="{rupiah_text(DUE * premium)}"' in row
    assert 'capture="environment"' in page and "vendor/jsqr/jsQR.js" in page


def test_ticked_rows_are_recorded_and_failed_rows_stay_with_what_was_typed(lpa_a, team, three):
    ani, budi, citra = three
    premium = monthly_premium(ani.scheme_version.rules)
    client = client_on(host_of(lpa_a), team["petugas_lapangan"])

    page = client.post(
        "/premi/",
        sheet_post(
            three,
            {
                ani.pk: (str(DUE), f"Rp {rupiah_text(DUE * premium)}", ""),
                budi.pk: ("1", "lima ribu", "kw-tulis-1"),
                citra.pk: ("2", "", ""),
            },
            ticked=[ani, budi],
        ),
    ).content.decode()

    connection.set_tenant(lpa_a)
    receipt = PremiumReceipt.objects.get()
    assert receipt.policy_id == ani.pk and receipt.months == DUE
    assert receipt.number == f"KW-{ON:%y%m}-00001"
    assert receipt.number in row_html(page, ani)
    failed = row_html(page, budi)
    assert "checked" in failed and 'value="lima ribu"' in failed and 'value="kw-tulis-1"' in failed
    assert "Tulis jumlah dengan angka, mis. 5.000." in failed
    untouched = row_html(page, citra)
    assert "checked" not in untouched and 'value="2"' in untouched
    assert "1 kuitansi tercatat" in page


def test_a_sheet_sent_twice_records_the_payment_once(lpa_a, team, three):
    client = client_on(host_of(lpa_a), team["petugas_lapangan"])
    data = sheet_post(three[:1], {three[0].pk: ("1", "", "")}, ticked=three[:1])

    first = client.post("/premi/", data).content.decode()
    again = client.post("/premi/", data).content.decode()

    connection.set_tenant(lpa_a)
    receipt = PremiumReceipt.objects.get()
    assert receipt.number in row_html(first, three[0]) and receipt.number in row_html(
        again, three[0]
    )


def test_a_date_that_is_not_a_date_records_nothing_and_keeps_the_rows(lpa_a, team, three):
    client = client_on(host_of(lpa_a), team["petugas_lapangan"])

    page = client.post(
        "/premi/",
        sheet_post(three[:1], {three[0].pk: ("2", "", "K-77")}, ticked=three[:1], received_on=""),
    ).content.decode()

    connection.set_tenant(lpa_a)
    assert not PremiumReceipt.objects.exists()
    assert "Tanggal diterima wajib diisi" in page
    row = row_html(page, three[0])
    assert "checked" in row and 'value="K-77"' in row


def test_a_policy_number_typed_in_lowercase_adds_its_row(lpa_a, team, three):
    client = client_on(host_of(lpa_a), team["petugas_lapangan"])
    connection.set_tenant(lpa_a)
    paid_ahead = three[0]

    premium = monthly_premium(paid_ahead.scheme_version.rules)
    premium_receipt_record(
        policy=paid_ahead, months=12, amount=12 * premium, received_on=START
    )  # off the sheet: nothing due
    connection.set_schema_to_public()

    sheet = client.get("/premi/").content.decode()
    found = client.get("/premi/", {"polis": paid_ahead.number.lower()}).content.decode()
    unknown = client.get("/premi/", {"polis": "aks-0000"}).content.decode()

    assert f'data-policy="{paid_ahead.pk}"' not in sheet
    assert 'name="months-' + str(paid_ahead.pk) + '" value="1"' in row_html(found, paid_ahead)
    assert "Nomor polis aks-0000 tidak dikenal" in unknown


def test_a_scanned_card_comes_back_as_a_row_or_a_message(lpa_a, lpa_b, team, three):
    client = client_on(host_of(lpa_a), team["petugas_lapangan"])
    connection.set_tenant(lpa_b)
    elsewhere = participant_register(
        data=person(serial=8, name="Wa Ode B", village_code=KONAWE_VILLAGE), start_date=START
    )
    connection.set_schema_to_public()

    found = client.get(f"/premi/kartu/{three[1].card_token}/")
    other = client.get(f"/premi/kartu/{elsewhere.card_token}/")
    unknown = client.get("/premi/kartu/bukan-kartu-kita/")

    assert found.status_code == 200
    body = found.json()
    assert body["policy"] == three[1].pk and body["name"] == "Budi Darma"
    assert f'name="pay" value="{three[1].pk}"' in body["row"]
    assert other.status_code == 404 and "LPA Uji B" in other.json()["message"]
    assert unknown.status_code == 404 and unknown.json()["code"] == "card_unknown"


def test_roles_that_do_not_collect_premiums_are_refused(lpa_a, team, three):
    for role in ("klaim", "bendahara"):
        client = client_on(host_of(lpa_a), team[role])
        assert client.get("/premi/").status_code == 403, role
        refused = client.post("/premi/", sheet_post(three, {}, ticked=three))
        assert refused.status_code == 403, role
        assert client.get(f"/premi/kartu/{three[0].card_token}/").status_code == 403, role
    connection.set_tenant(lpa_a)
    assert not PremiumReceipt.objects.exists()


def test_another_lpa_sees_neither_the_sheet_nor_the_cards_of_this_one(
    lpa_a, lpa_b, make_staff, three
):
    officer_b = make_staff(lpa_b, "petugas_lapangan")
    on_b = client_on(host_of(lpa_b), officer_b)
    on_a = client_on(host_of(lpa_a), officer_b, bound_to=lpa_b.schema_name)

    sheet_b = on_b.get("/premi/").content.decode()
    card = on_b.get(f"/premi/kartu/{three[0].card_token}/")
    posted = on_b.post("/premi/", sheet_post(three, {}, ticked=three)).content.decode()

    assert "Ani Lestari" not in sheet_b and "Ani Lestari" not in posted
    assert card.status_code == 404 and "LPA Uji A" in card.json()["message"]
    assert on_a.get("/premi/").status_code in (302, 403)
    connection.set_tenant(lpa_a)
    assert not PremiumReceipt.objects.exists()


def test_the_api_takes_lowercase_policy_numbers_written_amounts_and_no_receipt_number(
    lpa_a, lpa_b, team, make_staff, three
):
    client = client_on(host_of(lpa_a), team["petugas_lapangan"])
    premium = monthly_premium(three[0].scheme_version.rules)
    payload = {
        "received_on": ON.isoformat(),
        "rows": [
            {
                "policy_number": three[0].number.lower(),
                "months": 1,
                "amount": f"Rp {rupiah_text(premium)}",
            },
            {"number": "K-API-2", "policy_number": three[1].number, "months": 1, "amount": premium},
        ],
    }

    response = client.post("/api/premiums/receipts/", payload, content_type="application/json")
    words = client.post(
        "/api/premiums/receipts/",
        {**payload, "rows": [{**payload["rows"][0], "amount": "lima ribu"}]},
        content_type="application/json",
    )
    refused = client_on(host_of(lpa_a), team["klaim"]).post(
        "/api/premiums/receipts/", payload, content_type="application/json"
    )
    other = client_on(host_of(lpa_b), make_staff(lpa_b, "petugas_lapangan")).post(
        "/api/premiums/receipts/", payload, content_type="application/json"
    )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "recorded": [f"KW-{ON:%y%m}-00001", "K-API-2"],
        "errors": [],
    }
    assert words.status_code == 400 and "angka" in words.content.decode()
    assert refused.status_code == 403
    assert [e["row"] for e in other.json()["errors"]] == [0, 1]  # unknown in LPA B


def test_registration_offers_the_desa_of_the_lpas_kabupaten_by_kecamatan(lpa_a, team):
    client = client_on(host_of(lpa_a), team["petugas_lapangan"])

    page = client.get("/peserta/daftar/").content.decode()

    assert '<optgroup label="Kec. Mandonga">' in page
    assert '<option value="74.71.01.1005">Mandonga</option>' in page
    assert "74.02.01.1001" not in page.split('id="id_village_code"')[1].split("</select>")[0]


def _registration(**changes):
    p = person(serial=31, name="Wa Ode Sinta")
    data = {
        "nik": p.nik,
        "name": p.name,
        "sex": p.sex,
        "birth_date": p.birth_date.isoformat(),
        "marital_status": p.marital_status,
        "occupation": p.occupation,
        "monthly_income": p.monthly_income,
        "household_size": 4,
        "is_breadwinner": "on",
        "village_code": p.village_code,
        "data_source": p.data_source,
        "poverty_status": p.poverty_status,
        "documents": ["ktp_or_domicile"],
    }
    data.update(changes)
    return data


def test_a_border_village_outside_the_list_is_typed_as_a_code(lpa_a, team):
    client = client_on(host_of(lpa_a), team["petugas_lapangan"])
    nik = nik_for("74.02.01", datetime.date(1985, 8, 17), "L", 31)

    missing = client.post("/peserta/daftar/", _registration(nik=nik, village_code="lain"))
    done = client.post(
        "/peserta/daftar/",
        _registration(
            nik=nik,
            village_code="lain",
            village_code_other=KONAWE_VILLAGE,
            nik_override_reason="tinggal di desa perbatasan, ikut kelompok Mandonga",
        ),
    )

    assert "Tulis kode desanya" in missing.content.decode()
    assert done.status_code == 302, done.content.decode()[:2000]
    connection.set_tenant(lpa_a)
    assert Participant.objects.get(nik=nik).village_id == KONAWE_VILLAGE


def test_registration_puts_the_participant_in_a_meeting_group(lpa_a, team):
    connection.set_tenant(lpa_a)
    group = MeetingGroup.objects.create(name="Melati", village_id="74.71.01.1005")
    connection.set_schema_to_public()
    client = client_on(host_of(lpa_a), team["petugas_lapangan"])

    done = client.post("/peserta/daftar/", _registration(group=str(group.pk)))

    assert done.status_code == 302
    connection.set_tenant(lpa_a)
    assert Participant.objects.get(name="Wa Ode Sinta").group_id == group.pk


def test_meeting_groups_are_added_and_participants_moved_by_those_who_register(
    lpa_a, lpa_b, team, make_staff, three
):
    officer = team["petugas_lapangan"]
    client = client_on(host_of(lpa_a), officer)
    klaim = client_on(host_of(lpa_a), team["klaim"])

    added = client.post(
        "/kelompok/",
        {"name": "Kelompok Melati", "village_code": "74.71.01.1005", "officer": officer.pk},
        follow=True,
    ).content.decode()
    twice = client.post(
        "/kelompok/", {"name": "Kelompok Melati", "village_code": "74.71.01.1005"}
    ).content.decode()
    connection.set_tenant(lpa_a)
    group = MeetingGroup.objects.get()
    connection.set_schema_to_public()
    moved = client.post(f"/peserta/{three[0].participant_id}/kelompok/", {"group": group.pk})
    refused_add = klaim.post("/kelompok/", {"name": "X", "village_code": "74.71.01.1005"})
    refused_move = klaim.post(f"/peserta/{three[1].participant_id}/kelompok/", {"group": group.pk})
    on_b = client_on(host_of(lpa_b), make_staff(lpa_b, "petugas_lapangan")).get("/kelompok/")

    assert "Kelompok Melati" in added and group.officer_id == officer.pk
    assert "sudah mempunyai kelompok bernama Kelompok Melati" in twice
    assert moved.status_code == 302
    assert refused_add.status_code == 403 and refused_move.status_code == 403
    assert klaim.get("/kelompok/").status_code == 200  # may look
    assert "Kelompok Melati" not in on_b.content.decode()
    connection.set_tenant(lpa_a)
    assert [p.group_id for p in Participant.objects.order_by("name")] == [group.pk, None, None]
    sheet = client.get("/premi/").content.decode()  # the officer's own group by default
    assert "Ani Lestari" in sheet and "Budi Darma" not in sheet
    everyone = client.get("/premi/", {"petugas": ""}).content.decode()
    assert "Budi Darma" in everyone


def test_the_participants_page_shows_payments_and_months_still_due(lpa_a, team, three):
    connection.set_tenant(lpa_a)
    policy = three[0]
    premium = monthly_premium(policy.scheme_version.rules)
    receipt = premium_receipt_record(policy=policy, months=1, amount=premium, received_on=START)
    connection.set_schema_to_public()

    page = (
        client_on(host_of(lpa_a), team["klaim"])
        .get(f"/peserta/{policy.participant_id}/")
        .content.decode()
    )

    assert receipt.number in page
    arrears = DUE - 1 - 1  # months fully passed, less the one paid
    assert re.search(r'class="paid-months">1 dari \d+ · dibayar sampai', page)
    assert f"{DUE - 1} bulan (Rp {rupiah_text((DUE - 1) * premium)})" in page
    if arrears:
        assert f"{arrears} bulan (Rp {rupiah_text(arrears * premium)})" in page


def test_the_vendored_qr_library_is_the_pinned_jsqr_release():
    folder = Path(__file__).resolve().parents[2] / "platform/askesos/static/vendor/jsqr"
    content = (folder / "jsQR.js").read_bytes()

    assert hashlib.sha256(content).hexdigest() == (
        "bc40c8a15196236b2314db0856f72ca0b49980cd5413b8c852a7349f5fee0859"
    )
    assert "Apache License" in (folder / "LICENSE").read_text()
    assert "jsQR 1.4.0" in (folder / "README.md").read_text()
