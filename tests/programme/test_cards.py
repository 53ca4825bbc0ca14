import datetime

import pytest
from django.db import connection

from programme.participants.cards import card_handover, card_print, card_verify_url
from programme.participants.errors import ParticipantError
from programme.participants.lifecycle import policy_transition
from programme.participants.services import participant_register
from tests.conftest import client_on
from tests.programme.conftest import pdf_text, person


@pytest.fixture
def policy(in_lpa_a):
    return participant_register(data=person(), start_date=datetime.date(2026, 1, 1))


def test_the_card_pdf_carries_the_verification_url(policy, settings):
    settings.PORTAL_URL = "https://askesos.kemsos.go.id"

    card, content = card_print(policy=policy)

    assert content.startswith(b"%PDF")
    assert card.handed_over_on is None
    text = pdf_text(content)
    assert "17 Agu 1985" in text and "1 Jan 2026 s.d. 1 Jan 2029" in text
    assert card_verify_url(policy.card_token) == (
        f"https://askesos.kemsos.go.id/kartu/{policy.card_token}/"
    )


def test_the_public_check_shows_validity_without_personal_data(policy, portal_host):
    connection.set_schema_to_public()

    page = client_on(portal_host).get(f"/kartu/{policy.card_token}/").content.decode()

    assert "Kartu sah" in page and policy.number in page and "1 Jan 2029" in page
    assert policy.participant.name not in page and policy.participant.nik not in page


def test_a_withdrawn_policys_card_reads_as_no_longer_valid(policy, portal_host, lpa_a):
    policy_transition(policy=policy, to_status="withdrawn", reason="surat 3/2026")
    connection.set_schema_to_public()

    page = client_on(portal_host).get(f"/kartu/{policy.card_token}/").content.decode()

    assert "sudah tidak berlaku" in page


def test_an_unknown_card_is_a_404_with_a_message(db, portal_host):
    response = client_on(portal_host).get("/kartu/tidak-ada/")

    assert response.status_code == 404 and "tidak dikenal" in response.content.decode()


def test_hand_over_is_recorded_once(policy, make_staff, lpa_a):
    petugas = make_staff(lpa_a, "petugas_lapangan")
    connection.set_tenant(lpa_a)
    card, _pdf = card_print(policy=policy)

    handed = card_handover(card=card, actor=petugas, received_by="Budi Santoso (sendiri)")

    assert handed.handed_over_on is not None and handed.handed_over_by == petugas
    with pytest.raises(ParticipantError) as refused:
        card_handover(card=card, actor=petugas, received_by="lagi")
    assert refused.value.code == "card_already_handed_over"


def test_no_card_for_an_ended_policy(policy):
    policy_transition(policy=policy, to_status="deceased", reason="surat kematian desa")

    with pytest.raises(ParticipantError) as refused:
        card_print(policy=policy)

    assert refused.value.code == "card_not_open"
