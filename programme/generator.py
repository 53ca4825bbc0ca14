"""Synthetic but realistic data: LPAs, participants with valid NIKs for their village and
birth date, Indonesian names, informal occupations, heirs. Deterministic by seed.

Used by the demo and every benchmark; scales from 3 LPAs to 2.000 LPAs with 500.000
participants (bulk writes, one transaction per LPA). Later issues add premiums and
claims here.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection
from stdnum import luhn

from askesos.geo.models import Regency, Village
from programme.participants.bulk import nik_conflicts, participants_bulk_register
from programme.participants.services import (
    CheckedParticipant,
    HeirInput,
    ParticipantInput,
    WilayahCodes,
    participant_check,
)
from tenants.models import LegalForm, Lpa
from tenants.selectors import lpa_each
from tenants.services import lpa_provision

MEN = (
    "Budi",
    "Andi",
    "Agus",
    "Ahmad",
    "Muhammad",
    "Rahmat",
    "Hasan",
    "Yusuf",
    "Darmawan",
    "Slamet",
    "Joko",
    "Bambang",
    "Asep",
    "Ujang",
    "Dedi",
    "La Ode",
    "Made",
    "Wayan",
    "Ketut",
    "Samsul",
    "Syamsuddin",
    "Sutrisno",
    "Rudi",
    "Hendra",
    "Fajar",
    "Ilham",
    "Irwan",
    "Jufri",
    "Muhlis",
    "Baharuddin",
    "Arifin",
    "Supriadi",
    "Tono",
    "Eko",
    "Imam",
    "Herman",
    "Usman",
)
WOMEN = (
    "Siti",
    "Sri",
    "Nur",
    "Wa Ode",
    "Dewi",
    "Fatimah",
    "Aminah",
    "Rahmawati",
    "Sumiati",
    "Yuliana",
    "Ratna",
    "Hasnah",
    "Nurhayati",
    "Suryani",
    "Ni Made",
    "Ni Luh",
    "Kartini",
    "Rosmini",
    "Hartati",
    "Marlina",
    "Wahyuni",
    "Asmawati",
    "Halimah",
    "Mariam",
    "Indah",
)
FAMILY = (
    "Santoso",
    "Saputra",
    "Hidayat",
    "Wijaya",
    "Setiawan",
    "Nasution",
    "Siregar",
    "Harahap",
    "Lubis",
    "Tanjung",
    "Daeng Ngalle",
    "Mappanyukki",
    "Pakaya",
    "Tamrin",
    "Rahman",
    "Hamzah",
    "Lamba",
    "Tosepu",
    "Sangaji",
    "Pratama",
    "Kurniawan",
    "Gunawan",
    "Syahputra",
    "Sitompul",
    "Wulandari",
    "Lestari",
    "Rahayu",
    "Safitri",
    "Ningsih",
    "",
)
OCCUPATIONS = (
    "ojek",
    "becak",
    "pedagang_kecil",
    "pedagang_keliling",
    "buruh_bangunan",
    "buruh_tani",
    "nelayan",
    "petani",
    "pembantu_rt",
    "tambal_ban",
    "pengrajin",
    "peternak",
)
STREETS = ("Jl. Poros", "Jl. Masjid", "Jl. Pasar", "Lorong", "Jl. Pelabuhan", "Dusun")
LPA_WORDS = (
    "Sejahtera",
    "Mandiri",
    "Bina",
    "Karya",
    "Amanah",
    "Harapan",
    "Bersama",
    "Peduli",
    "Sentosa",
    "Makmur",
    "Berkah",
    "Cahaya",
    "Insan",
    "Mitra",
    "Usaha",
)


# Ages and registrations are counted from this day unless told otherwise, so that one
# seed yields the same people whatever day it is run.
REFERENCE_DAY = datetime.date(2026, 1, 5)


@dataclass
class GenerationResult:
    lpas: int
    participants: int


def _name(rng: random.Random, sex: str) -> str:
    first = rng.choice(MEN if sex == "L" else WOMEN)
    last = rng.choice(FAMILY)
    return f"{first} {last}".strip()


def _nik(district_code: str, birth: datetime.date, sex: str, serial: int) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return (
        f"{district_code.replace('.', '')}{day:02d}{birth.month:02d}"
        f"{birth.year % 100:02d}{serial:04d}"
    )


def npwp_for(seed: int, index: int) -> str:
    base = f"{(seed % 9) + 1}{index:07d}"
    return base + luhn.calc_check_digit(base) + "741000"


def participant_inputs(
    *,
    rng: random.Random,
    villages: list[str],
    count: int,
    today: datetime.date,
    serial_start: int = 1,
) -> Iterator[ParticipantInput]:
    """`count` eligible Buku Saku participants living in `villages`."""
    for i in range(count):
        sex = "L" if rng.random() < 0.7 else "P"  # most enrolled breadwinners are men
        age = rng.randint(21, 58)
        birth = today.replace(year=today.year - age) - datetime.timedelta(days=rng.randint(1, 360))
        village = rng.choice(villages)
        serial = (serial_start + i) % 10_000 or 1  # the NIK's last four digits
        spouse_sex = "P" if sex == "L" else "L"
        married = rng.random() < 0.85
        yield ParticipantInput(
            nik=_nik(village[:8], birth, sex, serial),
            name=_name(rng, sex),
            sex=sex,
            birth_date=birth,
            marital_status="kawin" if married else rng.choice(("cerai_mati", "cerai_hidup")),
            occupation=rng.choice(OCCUPATIONS),
            monthly_income=rng.randrange(300_000, 3_000_000, 50_000),
            village_code=village,
            data_source=rng.choice(("dtks", "dtks", "pkh", "ppls", "outreach")),
            poverty_status=rng.choice(("miskin", "miskin", "rentan_miskin")),
            household_size=rng.randint(2, 7),
            address=f"{rng.choice(STREETS)} No. {rng.randint(1, 120)}",
            phone=f"08{rng.randint(11, 59)}{rng.randint(10_000_000, 99_999_999)}",
            heirs=(
                HeirInput(
                    name=_name(rng, spouse_sex) if married else _name(rng, "P"),
                    relation="pasangan" if married else "anak",
                    is_primary=True,
                ),
            ),
        )


def lpa_participants_generate(
    *, lpa: Lpa, count: int, seed: int, today: datetime.date, wilayah: WilayahCodes
) -> int:
    """Fill one LPA with `count` participants (in its schema, one transaction).

    NIK serials start at a different thousand for each LPA, and candidates whose NIK is
    already taken (here or active in another LPA) are dropped, so that LPAs sharing a
    kabupaten/kota never collide on the national one-LPA rule.
    """
    rng = random.Random(f"{seed}:{lpa.slug}")
    villages = sorted(
        Village.objects.filter(district__regency_id=lpa.regency_id).values_list("code", flat=True)
    )
    connection.set_tenant(lpa)
    try:
        rows: list[CheckedParticipant] = []
        seen: set[str] = set()
        candidates = participant_inputs(
            rng=rng,
            villages=villages,
            count=count * 3,
            today=today,
            serial_start=(lpa.pk % 10) * 1000 + 1,
        )
        while len(rows) < count:
            batch = []
            for data in candidates:
                if data.nik not in seen:
                    seen.add(data.nik)
                    batch.append(
                        participant_check(
                            data=data,
                            scheme=lpa.scheme_version,
                            lpa_regency_code=lpa.regency_id,
                            on=today,
                            wilayah=wilayah,
                        )
                    )
                if len(batch) == count - len(rows):
                    break
            if not batch:
                break  # the candidates ran out: fewer than asked, never a collision
            taken = nik_conflicts(rows=batch)
            rows += [r for r in batch if r.nik not in taken]
        return participants_bulk_register(rows=rows, start_date=today)
    finally:
        connection.set_schema_to_public()


def lpas_generate(*, count: int, seed: int, province: str | None = None) -> Iterator[Lpa]:
    """Provision `count` LPAs spread over the regencies (of one province, if given),
    one at a time, so that a caller can fill each as it comes."""
    rng = random.Random(f"lpas:{seed}")
    regencies = Regency.objects.order_by("code")
    if province:
        regencies = regencies.filter(province_id=province)
    codes = list(regencies.values_list("code", flat=True))
    for i in range(count):
        regency = codes[i % len(codes)] if i < len(codes) else rng.choice(codes)
        name = (
            f"{rng.choice(('Yayasan', 'LKM', 'LSM', 'Orsos'))} {rng.choice(LPA_WORDS)} "
            f"{rng.choice(LPA_WORDS)} {i + 1}"
        )
        yield lpa_provision(
            name=name,
            slug=f"gen-{seed}-{i + 1}",
            legal_form=rng.choice(LegalForm.values),
            regency_code=regency,
            npwp=npwp_for(seed, i + 1),
        )


def generate(
    *,
    lpas: int,
    participants: int,
    seed: int,
    province: str | None = None,
    today: datetime.date | None = None,
    progress: Callable[[int], None] | None = None,
    existing: list[Lpa] | None = None,
) -> GenerationResult:
    """Provision `lpas` new LPAs (or use `existing`) and give each `participants`."""
    today = today or REFERENCE_DAY
    targets = (
        existing
        if existing is not None
        else lpas_generate(count=lpas, seed=seed, province=province)
    )
    wilayah = WilayahCodes.load()
    written = made = 0
    for lpa in lpa_each(targets):
        made += 1
        written += lpa_participants_generate(
            lpa=lpa, count=participants, seed=seed, today=today, wilayah=wilayah
        )
        if progress:
            progress(1)
    return GenerationResult(lpas=made, participants=written)
