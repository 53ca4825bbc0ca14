import datetime
import random

from askesos.geo.models import Village
from programme.generator import REFERENCE_DAY, generate, participant_inputs
from programme.participants.models import Participant
from programme.participants.nik import nik_mismatches
from tenants.selectors import lpa_list_for_scope


def _inputs(seed):
    villages = list(
        Village.objects.filter(district__regency_id="74.71").values_list("code", flat=True)
    )
    return list(
        participant_inputs(
            rng=random.Random(seed), villages=villages, count=50, today=REFERENCE_DAY
        )
    )


def test_the_same_seed_gives_the_same_people(db):
    assert _inputs(5) == _inputs(5)
    assert _inputs(5) != _inputs(6)


def test_generated_niks_agree_with_birth_date_sex_and_village(db):
    for p in _inputs(5):
        assert (
            nik_mismatches(
                nik=p.nik,
                birth_date=p.birth_date,
                sex=p.sex,
                village_code=p.village_code,
                lpa_regency_code="74.71",
            )
            == []
        )


def test_generate_fills_existing_lpas_through_the_real_checks(lpa_a, lpa_b):
    result = generate(
        lpas=0, participants=30, seed=11, existing=[lpa_a, lpa_b], today=datetime.date(2026, 1, 5)
    )

    assert result.participants == 60
    from django.db import connection

    connection.set_tenant(lpa_a)
    assert Participant.objects.count() == 30
    assert all(p.policies.count() == 1 for p in Participant.objects.all()[:5])


def test_generate_provisions_new_lpas_in_a_province(db):
    from programme.generator import lpas_generate

    made = list(lpas_generate(count=2, seed=42, province="75"))

    assert [lpa.regency.province_id for lpa in made] == ["75", "75"]
    assert all(lpa.is_ready for lpa in made)
    assert lpa_list_for_scope  # the LPAs are ordinary tenants, visible to their province


def test_lpas_in_one_regency_never_collide_on_the_national_rule(db):
    from programme.generator import npwp_for
    from programme.registry.models import NationalParticipant
    from tenants.services import lpa_provision

    # Two LPAs in Kota Kendari, whose people are born in the same few kecamatan on
    # overlapping dates. (Provisioned directly: thirty generated LPAs in one test
    # transaction held more locks than a default PostgreSQL grants.)
    kendari = [
        lpa_provision(
            name=f"Yayasan Kendari {n}",
            slug=f"gen-kdi-{n}",
            legal_form="yayasan",
            regency_code="74.71",
            npwp=npwp_for(99, n),
        )
        for n in (1, 2)
    ]

    result = generate(lpas=0, participants=120, seed=99, existing=kendari)

    assert result.participants == 120 * len(kendari)
    assert NationalParticipant.objects.filter(lpa__in=kendari, is_active=True).count() == (
        result.participants
    )
