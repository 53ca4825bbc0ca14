"""The government dashboard's figures are computed from the data: each audience counts
the participants of the LPAs in its area, from the national participant index."""

import re

import pytest
from django.db import connection

from programme.participants.lifecycle import policy_transition
from programme.participants.models import PolicyStatus
from programme.participants.services import participant_register
from tests.conftest import client_on
from tests.programme.conftest import KONAWE_VILLAGE, person


def _register(lpa, count: int, *, village: str | None = None, first_serial: int = 1) -> list:
    connection.set_tenant(lpa)
    extra = {"village_code": village} if village else {}
    policies = [
        participant_register(data=person(serial=first_serial + n, **extra)) for n in range(count)
    ]
    connection.set_schema_to_public()
    return policies


def _participants_figure(page: str) -> int:
    value = re.search(r'data-figure="participants">([\d.]+)<', page).group(1)
    return int(value.replace(".", ""))


@pytest.mark.parametrize(
    "level, scope, expected",
    [
        ("ministry", {}, 3 + 2 + 1),
        ("province", {"province": "74"}, 3 + 2),  # Sulawesi Tenggara: A (Kendari), B (Konawe)
        ("regency", {"regency": "74.71"}, 3),  # Kota Kendari: A only
    ],
)
def test_each_audience_counts_the_participants_of_its_area(
    portal_host, lpa_a, lpa_b, lpa_c, make_government_user, level, scope, expected
):
    _register(lpa_a, 3)
    _register(lpa_b, 2, village=KONAWE_VILLAGE, first_serial=10)
    ended = _register(lpa_c, 2, village="73.71.01.1001", first_serial=20)
    # One of C's participants withdrew: no longer counted.
    connection.set_tenant(lpa_c)
    policy_transition(policy=ended[0], to_status=PolicyStatus.WITHDRAWN, reason="surat")
    connection.set_schema_to_public()
    officer = make_government_user(level, **scope)

    page = client_on(portal_host, officer).get("/dasbor/").content.decode()

    assert _participants_figure(page) == expected


def test_the_participants_figure_is_never_a_placeholder(portal_host, make_government_user, db):
    page = client_on(portal_host, make_government_user("ministry")).get("/dasbor/")
    assert _participants_figure(page.content.decode()) == 0
    assert "{{" not in page.content.decode()
