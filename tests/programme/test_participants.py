import datetime

import pytest
from django.db import connection

from programme.participants.errors import ParticipantError
from programme.participants.models import Participant, PolicyEvent, PolicyStatus
from programme.participants.services import participant_register
from programme.registry.models import NationalParticipant, NikConflict
from tests.programme.conftest import KONAWE_VILLAGE, nik_for, person

START = datetime.date(2026, 1, 1)


def test_registration_writes_participant_heir_policy_and_history(in_lpa_a):
    policy = participant_register(data=person(), start_date=START)

    assert policy.status == PolicyStatus.REGISTERED
    assert policy.end_date == datetime.date(2029, 1, 1)  # 36 months, from the scheme data
    assert policy.number == f"AKS-7471-{in_lpa_a.pk:04d}-{policy.pk:07d}"
    assert policy.scheme_version.code == "buku-saku-2010"
    assert policy.participant.heirs.get().is_primary
    assert list(PolicyEvent.objects.filter(policy=policy).values_list("to_status", flat=True)) == [
        "registered"
    ]


def test_nik_must_be_sixteen_digits(in_lpa_a):
    with pytest.raises(ParticipantError) as refused:
        participant_register(data=person(nik="74710117088"), start_date=START)

    assert refused.value.code == "nik_invalid"
    assert "16 digit" in refused.value.message


def test_nik_birth_date_must_match(in_lpa_a):
    data = person(nik=nik_for("74.71.01", datetime.date(1985, 8, 18)))

    with pytest.raises(ParticipantError) as refused:
        participant_register(data=data, start_date=START)

    assert refused.value.code == "nik_mismatch"
    assert "18-08-..85" in refused.value.message


def test_a_womans_nik_has_forty_added_to_the_day(in_lpa_a):
    woman = person(sex="P", name="Wa Ode Fatma")
    participant_register(data=woman, start_date=START)

    with pytest.raises(ParticipantError) as refused:
        participant_register(
            data=person(nik=nik_for("74.71.01", datetime.date(1985, 8, 17), "P", 2)),
            start_date=START,
        )
    assert refused.value.code == "nik_mismatch"


def test_an_address_outside_the_lpas_area_needs_an_override_reason(in_lpa_a):
    data = person(village_code=KONAWE_VILLAGE)

    with pytest.raises(ParticipantError) as refused:
        participant_register(data=data, start_date=START)
    assert "outside this LPA" in refused.value.message or "di luar" in refused.value.message

    policy = participant_register(
        data=data, start_date=START, nik_override_reason="Pindah domisili, surat desa ada"
    )
    assert policy.participant.nik_override_reason == "Pindah domisili, surat desa ada"


def test_the_same_nik_twice_in_one_lpa_is_refused(in_lpa_a):
    first = participant_register(data=person(), start_date=START)

    with pytest.raises(ParticipantError) as refused:
        participant_register(data=person(name="Budi S."), start_date=START)

    assert refused.value.code == "already_registered_here"
    assert first.number in refused.value.message


def test_a_nik_active_in_another_lpa_is_refused_without_saying_where(lpa_a, lpa_b):
    data = person(village_code=KONAWE_VILLAGE)
    connection.set_tenant(lpa_a)
    participant_register(data=data, start_date=START, nik_override_reason="tinggal di Konawe")

    connection.set_tenant(lpa_b)
    with pytest.raises(ParticipantError) as refused:
        participant_register(data=data, start_date=START)

    assert refused.value.code == "active_elsewhere"
    assert lpa_a.name not in refused.value.message
    assert not Participant.objects.filter(nik=data.nik).exists()
    conflict = NikConflict.objects.get()
    assert (conflict.active_lpa_id, conflict.attempted_lpa_id) == (lpa_a.pk, lpa_b.pk)


def test_the_public_index_holds_no_raw_nik(lpa_a):
    data = person()
    connection.set_tenant(lpa_a)
    participant_register(data=data, start_date=START)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN ('character varying', 'text')"
        )
        text_columns = cursor.fetchall()
        for table, column in text_columns:
            cursor.execute(
                f'SELECT count(*) FROM public."{table}" WHERE "{column}"::text LIKE %s',
                [f"%{data.nik}%"],
            )
            assert cursor.fetchone()[0] == 0, (table, column)
    entry = NationalParticipant.objects.get(lpa=lpa_a)
    assert len(entry.nik_digest) == 64 and data.nik not in entry.nik_digest


def test_name_search_matches_the_beginnings_of_words(in_lpa_a):
    from programme.participants.selectors import participant_search

    participant_register(data=person(name="Budi Santoso"), start_date=START)
    participant_register(data=person(name="La Ode Ma'ruf", serial=2), start_date=START)

    def names(q):
        return [p.name for p in participant_search(query=q)]

    assert names("bud san") == ["Budi Santoso"]
    assert names("SANTOSO") == ["Budi Santoso"]
    assert names("ma'ruf") == ["La Ode Ma'ruf"]
    assert names("antoso") == []  # word beginnings only, by design
    assert names("") == ["Budi Santoso", "La Ode Ma'ruf"]


def test_district_and_ministry_see_the_conflict_without_the_nik(
    lpa_a, lpa_b, lpa_c, make_government_user
):
    from django.test import Client  # noqa: F401

    from tests.conftest import client_on

    data = person(village_code=KONAWE_VILLAGE)
    connection.set_tenant(lpa_b)
    participant_register(data=data, start_date=START)
    connection.set_tenant(lpa_a)
    with pytest.raises(ParticipantError):
        participant_register(data=data, start_date=START, nik_override_reason="pindah")
    connection.set_schema_to_public()

    konawe = client_on("localhost", make_government_user("regency", regency="74.02"))
    makassar = client_on("localhost", make_government_user("regency", regency="73.71"))
    ministry = client_on("localhost", make_government_user("ministry", role="auditor"))

    page = konawe.get("/dasbor/sekarang/").content.decode()
    assert "LPA Uji B (Kabupaten Konawe)" in page and "LPA Uji A (Kota Kendari)" in page
    assert data.nik not in page
    assert "LPA Uji A (Kota Kendari)" in ministry.get("/dasbor/sekarang/").content.decode()
    assert "LPA Uji A (Kota Kendari)" not in makassar.get("/dasbor/sekarang/").content.decode()
