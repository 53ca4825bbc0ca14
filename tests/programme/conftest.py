"""Registry fixtures: valid NIKs and participant input built like real records."""

from __future__ import annotations

import datetime
import io
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.db import connection

from programme.participants.models import ImportBatch
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


def paid_in(lpa, *, serial: int, name: str, months: int, number: str, start, village=None):
    """A participant of `lpa` registered on `start` who paid `months` that day; the
    connection is back in public afterwards."""
    from programme.ledger.premiums import premium_receipt_record
    from programme.participants.services import participant_register

    connection.set_tenant(lpa)
    extra = {"village_code": village} if village else {}
    policy = participant_register(data=person(serial=serial, name=name, **extra), start_date=start)
    premium_receipt_record(
        number=number, policy=policy, months=months, amount=5000 * months, received_on=start
    )
    connection.set_schema_to_public()
    return policy


@pytest.fixture
def in_lpa_a(lpa_a):
    connection.set_tenant(lpa_a)
    return lpa_a


@pytest.fixture
def in_lpa_b(lpa_b):
    connection.set_tenant(lpa_b)
    return lpa_b


ROLES = (
    "ketua",
    "sekretaris",
    "bendahara",
    "pemasaran",
    "premi_keuangan",
    "klaim",
    "petugas_lapangan",
)


@pytest.fixture
def team(in_lpa_a, make_staff):
    """The four people a claim passes through, in LPA A."""

    class Team:
        officer = make_staff(in_lpa_a, "petugas_lapangan")
        klaim = make_staff(in_lpa_a, "klaim")
        ketua = make_staff(in_lpa_a, "ketua")
        bendahara = make_staff(in_lpa_a, "bendahara")

    return Team


@pytest.fixture
def whole_team(in_lpa_a, make_staff):
    """One member of each of the seven Tim Pengelola roles in LPA A."""
    return {role: make_staff(in_lpa_a, role) for role in ROLES}


@pytest.fixture
def busy_lpa(whole_team):
    """An LPA in the middle of its month, something waiting for everyone."""
    from askesos.dates import today
    from programme.claims import payments, services
    from programme.ledger.premiums import cash_handover, premium_receipt_record
    from programme.ledger.services import period_prepare
    from programme.participants.cards import card_print
    from programme.participants.services import participant_register
    from tests.programme.claims_helpers import fund_reserve, paying_policy, submit

    officer, klaim, ketua = whole_team["petugas_lapangan"], whole_team["klaim"], whole_team["ketua"]
    fund_reserve()
    policy = paying_policy()  # paid 36 months ahead on 1 Jan 2024: receipt KW-0001
    cash_handover(
        receipts=list(policy.receipts.all()),
        handed_by=None,
        actor=whole_team["bendahara"],
        date=datetime.date(2024, 1, 2),
    )  # received by the Bendahara, not yet in the bank
    period_prepare(month=datetime.date(2024, 1, 1), actor=whole_team["bendahara"])  # for the Ketua
    card_print(policy=policy)  # printed, not handed over
    # Registered this month, nothing paid yet: due, and waiting for the first premium.
    participant_register(data=person(serial=2), start_date=today().replace(day=1))
    # Paid this month to the field officer: still in the officer's hands.
    paid = participant_register(data=person(serial=3), start_date=today().replace(day=1))
    premium_receipt_record(
        number="KW-9", policy=paid, months=1, amount=5000, received_on=today(), actor=officer
    )

    to_verify = submit(policy, officer, event=datetime.date(2024, 3, 4))
    returned = submit(policy, officer, "accident", event=datetime.date(2024, 4, 1))
    services.claim_return(claim=returned, reason="Surat keterangan buram", actor=klaim)
    open_one = submit(policy, officer, event=datetime.date(2025, 3, 4))  # Rp 100.000
    services.claim_verify(claim=open_one, actor=klaim)
    payments.payment_request_create(claims=[open_one], actor=klaim)
    approved = submit(policy, officer, "accident", event=datetime.date(2025, 5, 5))  # Rp 100.000
    services.claim_verify(claim=approved, actor=klaim)
    request = payments.payment_request_create(claims=[approved], actor=klaim)
    payments.payment_request_approve(request=request, actor=ketua)
    return {"to_verify": to_verify, "returned": returned}


@pytest.fixture
def bank_media(settings, tmp_path):
    """Statement files written under a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _storage_forget_root() -> None:
    # django-tenants' storage caches MEDIA_ROOT and its signal handler passes the wrong
    # argument on, so a changed setting is not seen (django_tenants.files.storage).
    storages["default"].__dict__.pop("relative_media_root", None)


@pytest.fixture
def media(settings, tmp_path):
    """The LPAs' files under a folder of this test's own."""
    settings.MEDIA_ROOT = tmp_path
    _storage_forget_root()
    yield tmp_path
    _storage_forget_root()


def files_without_record(media: Path, lpa) -> list[str]:
    """Files in the LPA's import folder that no ImportBatch names."""
    root = media / lpa.schema_name
    kept = set(ImportBatch.objects.values_list("stored_as", flat=True))
    return [
        str(p.relative_to(root))
        for p in root.glob("imports/**/*")
        if p.is_file() and str(p.relative_to(root)) not in kept
    ]
