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

    page = client_on(portal_host, officer).get("/dasbor/sekarang/").content.decode()

    assert _participants_figure(page) == expected


def test_the_participants_figure_is_never_a_placeholder(portal_host, make_government_user, db):
    page = client_on(portal_host, make_government_user("ministry")).get("/dasbor/sekarang/")
    assert _participants_figure(page.content.decode()) == 0
    assert "{{" not in page.content.decode()


def test_the_dashboard_counts_what_needs_attention_and_links_to_today(
    portal_host, lpa_a, lpa_b, lpa_c, make_government_user
):
    """The strip on the user's own dashboard: LPAs, open findings and unsettled NIK
    conflicts of the area, counted from the data; the link opens today's page."""
    from programme.registry.models import NikConflict
    from reporting.models import Finding

    Finding.objects.create(
        lpa=lpa_a, kind="claim_overdue", subject="klaim-1", summary="-", amount=1, days=9
    )
    Finding.objects.create(
        lpa=lpa_c, kind="claim_overdue", subject="klaim-2", summary="-", amount=1, days=9
    )
    NikConflict.objects.create(nik_digest="x" * 64, active_lpa=lpa_b, attempted_lpa=lpa_a)
    expected = {
        "ministry": {"findings": 2, "conflicts": 1},
        "kendari": {"findings": 1, "conflicts": 1},
        "makassar": {"findings": 1, "conflicts": 0},
    }
    users = {
        "ministry": make_government_user("ministry"),
        "kendari": make_government_user("regency", regency="74.71"),
        "makassar": make_government_user("regency", regency="73.71"),
    }
    for name, user in users.items():
        client = client_on(portal_host, user)
        page = client.get("/dasbor/").content.decode()
        strip = dict(re.findall(r'data-attention="(\w+)">([^<]*)<', page))
        for key, count in expected[name].items():
            assert strip[key].startswith(f"{count} "), (name, key, strip)
        assert 'href="/dasbor/sekarang/"' in page
        # ... only on the user's own area, not on a drill-down.
        if name == "ministry":
            below = client.get("/dasbor/province/74/").content.decode()
            assert "data-attention" not in below
        now = client.get("/dasbor/sekarang/")
        assert now.status_code == 200 and 'id="monitoring"' in now.content.decode()
