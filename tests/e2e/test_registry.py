"""A field officer registers a participant on a phone and finds them again."""

import re

import pytest

from askesos.accounts.services import membership_grant, user_create
from programme.participants.models import Participant
from tenants.models import Lpa
from tests.conftest import PASSWORD
from tests.e2e.browser import sign_in
from tests.e2e.test_sign_in import artifact

pytestmark = pytest.mark.e2e


def test_field_officer_registers_and_finds_a_participant(page, live_port, committed_db):
    committed_db.usernames.append("petugas-e2e")
    lpa = Lpa.objects.get(slug="uji-a")
    user = user_create(username="petugas-e2e", password=PASSWORD)
    membership_grant(lpa=lpa, user=user, role="petugas_lapangan")
    base = f"http://uji-a.localhost:{live_port}"
    try:
        sign_in(page, base, "petugas-e2e")
        page.wait_for_url(re.compile(r"/dasbor/$"))

        page.get_by_role("link", name="Peserta").click()
        page.get_by_role("link", name="Daftarkan peserta").click()
        page.get_by_label("NIK", exact=True).fill("7471011708850042")
        page.get_by_label("Nama", exact=True).fill("La Ode Rahmat")
        page.get_by_label("Jenis kelamin").select_option("L")
        page.get_by_label("Tanggal lahir").fill("1985-08-17")
        page.get_by_label("Status perkawinan").select_option("kawin")
        page.get_by_label("Pekerjaan").select_option("nelayan")
        page.get_by_label("Penghasilan per bulan (Rp)").fill("900000")
        page.get_by_label("Kecamatan").select_option(label="Mandonga")
        page.get_by_label("Desa/kelurahan", exact=True).select_option("74.71.01.1005")
        page.get_by_label("Sumber data").select_option("dtks")
        page.get_by_label("Status kemiskinan").select_option("miskin")
        page.get_by_label("Nama ahli waris").fill("Wa Ode Nia")
        page.get_by_role("button", name="Daftarkan").click()

        page.wait_for_url(re.compile(r"/peserta/\d+/$"))
        assert page.get_by_role("heading", name="La Ode Rahmat").is_visible()
        assert page.get_by_text(re.compile(r"Terdaftar: polis AKS-7471-")).is_visible()
        page.screenshot(path=str(artifact("participant-detail.png")), full_page=True)

        page.get_by_role("link", name="Peserta").click()
        page.get_by_label("NIK, nomor polis atau nama").fill("rahmat")
        page.get_by_role("button", name="Cari").click()
        assert page.get_by_role("link", name="La Ode Rahmat").is_visible()
    finally:
        from django.db import connection

        connection.set_tenant(lpa)
        participant = Participant.objects.filter(nik="7471011708850042").first()
        if participant:
            from programme.registry.models import CardCheck, NationalParticipant

            NationalParticipant.objects.filter(lpa=lpa, participant_ref=participant.pk).delete()
            CardCheck.objects.filter(
                token__in=participant.policies.values_list("card_token", flat=True)
            ).delete()
            participant.policies.all().delete()
            participant.delete()
        connection.set_schema_to_public()
