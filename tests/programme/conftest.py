"""Registry fixtures: valid NIKs and participant input built like real records."""

from __future__ import annotations

import datetime
import io
from dataclasses import replace

import pytest
from django.db import connection

from programme.participants.services import HeirInput, ParticipantInput

KENDARI_VILLAGE = "74.71.01.1005"  # Mandonga, Kota Kendari (LPA A's kabupaten/kota)
KONAWE_VILLAGE = "74.02.01.1001"  # Lambuya, Kabupaten Konawe (LPA B's)


def nik_for(district: str, birth: datetime.date, sex: str = "L", serial: int = 1) -> str:
    """A NIK as the civil registry writes it: PPRRSS DDMMYY XXXX (women: day + 40)."""
    day = birth.day + (40 if sex == "P" else 0)
    return (
        f"{district.replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"
    )


def pdf_text(content: bytes) -> str:
    """The text of a PDF we produced, as a reader would copy it (pypdf)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def person(**changes) -> ParticipantInput:
    """An eligible Buku Saku participant in Kota Kendari; override any field."""
    birth = changes.pop("birth_date", datetime.date(1985, 8, 17))
    sex = changes.pop("sex", "L")
    village = changes.pop("village_code", KENDARI_VILLAGE)
    serial = changes.pop("serial", 1)
    base = ParticipantInput(
        nik=nik_for(village[:8], birth, sex, serial),
        name="Budi Santoso",
        sex=sex,
        birth_date=birth,
        marital_status="kawin",
        occupation="ojek",
        monthly_income=1_200_000,
        village_code=village,
        data_source="dtks",
        poverty_status="miskin",
        household_size=4,
        documents=("ktp_or_domicile",),
        heirs=(HeirInput(name="Siti Aminah", relation="pasangan", is_primary=True),),
    )
    return replace(base, **changes)


@pytest.fixture
def in_lpa_a(lpa_a):
    connection.set_tenant(lpa_a)
    return lpa_a


@pytest.fixture
def in_lpa_b(lpa_b):
    connection.set_tenant(lpa_b)
    return lpa_b
