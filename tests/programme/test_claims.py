"""Claims: submission, verification against the scheme, the workflow with separation
of duties, payment from the reserve, the reserve guard and the service level."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from askesos.permissions import AccessDenied
from programme.claims import payments, services
from programme.claims.errors import ClaimError
from programme.claims.models import ClaimEvent, ClaimStatus, PaymentRequest
from programme.claims.sla import claims_waiting, sla_check_run
from programme.ledger import accounts as acc
from programme.ledger.books import book_get
from programme.ledger.models import JournalEntry
from programme.ledger.services import account_balance
from programme.participants.lifecycle import policy_transition
from programme.participants.models import PolicyStatus
from programme.participants.services import participant_register, policy_continue_by_heir
from reporting.models import Finding
from tests.programme.claims_helpers import (
    PNG,
    START,
    approved_on,
    doc,
    fund_reserve,
    jpeg,
    paying_policy,
    submit,
)
from tests.programme.conftest import person


@pytest.fixture
def policy(in_lpa_a):
    return paying_policy()


def walk_to_payment(claim, team, paid_on=datetime.date(2024, 3, 8)):
    claim.refresh_from_db()
    if claim.status == ClaimStatus.SUBMITTED:
        services.claim_verify(claim=claim, actor=team.klaim)
    request = payments.payment_request_create(claims=[claim], actor=team.klaim)
    payments.payment_request_approve(request=request, actor=team.ketua)
    approved_on(request, paid_on)
    payments.payment_request_pay(
        request=request, paid_on=paid_on, actor=team.bendahara, reference="TRF-1"
    )
    claim.refresh_from_db()
    request.refresh_from_db()
    return claim, request


def test_a_sickness_claim_walks_from_submission_to_closing(policy, team):
    fund_reserve()
    claim = submit(policy, team.officer)
    assert claim.status == ClaimStatus.SUBMITTED and claim.amount == 100_000
    assert claim.complete_at is not None

    claim, request = walk_to_payment(claim, team)
    assert claim.status == ClaimStatus.PAID
    assert request.approved_by == team.ketua and request.paid_by == team.bendahara
    services.claim_notify(claim=claim, how="Diserahkan langsung di rumah", actor=team.klaim)
    claim = services.claim_close(claim=claim, actor=team.klaim)

    assert claim.status == ClaimStatus.CLOSED
    steps = list(ClaimEvent.objects.filter(claim=claim).values_list("action", "actor_id"))
    assert steps == [
        ("submit", team.officer.pk),
        ("verify", team.klaim.pk),
        ("recapitulate", team.klaim.pk),
        ("approve", team.ketua.pk),
        ("pay", team.bendahara.pk),
        ("notify", team.klaim.pk),
        ("close", team.klaim.pk),
    ]


def test_the_ledger_after_a_paid_claim_matches_buku_klaim_and_buku_bank(policy, team):
    fund_reserve(1_000_000)
    claim, _request = walk_to_payment(submit(policy, team.officer), team)

    assert account_balance(acc.CLAIMS_EXPENSE) == 100_000
    assert account_balance(acc.BANK_RESERVE) == 900_000
    klaim = book_get("klaim", datetime.date(2024, 3, 1))
    assert [row[1] for row in klaim.rows] == [claim.number]
    assert klaim.closing == account_balance(acc.CLAIMS_EXPENSE, until=datetime.date(2024, 3, 31))
    bank = book_get("bank", datetime.date(2024, 3, 1))
    paid = [row for row in bank.rows if claim.number in row[2]]
    assert [(row[3], row[4]) for row in paid] == [(0, 100_000)]  # debit, credit
    entry = JournalEntry.objects.get(pk=claim.entry_id)
    assert entry.kind == "claim" and entry.source_key == f"claim:{claim.pk}"


# --- benefit amounts: every amount of each shipped scheme, by policy year ----------

EVENTS_BY_YEAR = {
    1: datetime.date(2024, 6, 3),
    2: datetime.date(2025, 6, 2),
    3: datetime.date(2026, 6, 1),
}


# What the programme's documents say, written out here (not read from the data files).
LPA_PAYS = {
    "buku-saku-2010": {
        "sickness": (100_000, 100_000, 100_000),
        "accident": (100_000, 100_000, 100_000),
        "death": (200_000, 400_000, 600_000),
    },
    "pola-lama-2003": {
        "sickness": (250_000, 250_000, 250_000),
        "accident": (250_000, 250_000, 250_000),
        "death": (400_000, 600_000, 800_000),
    },
}
REFERRALS = ("treatment", "dentures", "partial_disability", "natural_death", "work_accident_death")
CASES = [
    (scheme, benefit, year, amounts[year - 1])
    for scheme, table in LPA_PAYS.items()
    for benefit, amounts in table.items()
    for year in (1, 2, 3)
] + [("new-initiative-2012", benefit, year, 0) for benefit in REFERRALS for year in (1, 2, 3)]


@pytest.mark.parametrize("scheme, benefit, year, amount", CASES)
def test_each_benefit_pays_the_schemes_amount_for_its_policy_year(
    in_lpa_a, team, scheme, benefit, year, amount
):
    from tests.programme.claims_helpers import use_scheme

    use_scheme(in_lpa_a, scheme)
    policy = paying_policy()
    claim = submit(policy, team.officer, benefit=benefit, event=EVENTS_BY_YEAR[year])

    assert claim.policy_year == year
    assert claim.amount == amount
    assert claim.is_referral == (scheme == "new-initiative-2012")
    verified = services.claim_verify(claim=claim, actor=team.klaim)
    assert verified.amount == amount


def test_policy_years_turn_on_the_anniversary_not_the_calendar_year(policy, team):
    last_day_of_year_1 = submit(policy, team.officer, "death", event=datetime.date(2024, 12, 31))
    assert (last_day_of_year_1.policy_year, last_day_of_year_1.amount) == (1, 200_000)


# --- limits -------------------------------------------------------------------------


def test_second_sickness_claim_in_same_policy_year_is_refused(policy, team):
    first = submit(policy, team.officer, event=datetime.date(2024, 3, 4))

    with pytest.raises(ClaimError) as refused:
        submit(policy, team.officer, event=datetime.date(2024, 9, 2))
    assert refused.value.code == "limit_per_year"
    assert first.number in refused.value.message
    assert "tahun polis 1" in refused.value.message


def test_sickness_is_paid_again_in_the_next_policy_year(policy, team):
    submit(policy, team.officer, event=datetime.date(2024, 3, 4))
    again = submit(policy, team.officer, event=datetime.date(2025, 3, 3))
    assert again.policy_year == 2


def test_accident_is_paid_once_per_policy_year(policy, team):
    submit(policy, team.officer, "accident", event=datetime.date(2024, 5, 6))
    with pytest.raises(ClaimError) as refused:
        submit(policy, team.officer, "accident", event=datetime.date(2024, 8, 5))
    assert refused.value.code == "limit_per_year"
    # Sickness has a limit of its own: an accident does not use it up.
    submit(policy, team.officer, "sickness", event=datetime.date(2024, 8, 5))


def test_a_rejected_claim_does_not_use_up_the_limit(policy, team):
    first = submit(policy, team.officer, event=datetime.date(2024, 3, 4))
    services.claim_reject(claim=first, reason="Surat dokter tidak sah", actor=team.klaim)
    assert submit(policy, team.officer, event=datetime.date(2024, 9, 2)).status == "submitted"


def test_pola_lama_pays_at_most_three_sickness_or_accident_claims(in_lpa_a, team):
    from tests.programme.claims_helpers import use_scheme

    use_scheme(in_lpa_a, "pola-lama-2003")
    policy = paying_policy()
    submit(policy, team.officer, "sickness", event=datetime.date(2024, 2, 5), sick_days=6)
    submit(policy, team.officer, "accident", event=datetime.date(2024, 4, 1))
    submit(policy, team.officer, "sickness", event=datetime.date(2025, 2, 3), sick_days=6)

    with pytest.raises(ClaimError) as refused:
        submit(policy, team.officer, "accident", event=datetime.date(2026, 2, 2))
    assert refused.value.code == "limit_shared"
    assert "paling banyak 3" in refused.value.message


def test_pola_lama_sickness_needs_five_days_and_knows_no_hospital_route(in_lpa_a, team):
    from tests.programme.claims_helpers import use_scheme

    use_scheme(in_lpa_a, "pola-lama-2003")
    policy = paying_policy()
    with pytest.raises(ClaimError) as refused:
        submit(policy, team.officer, sick_days=4, hospital_days=4)
    assert refused.value.code == "sickness_too_short"
    assert "sekurang-kurangnya 5 hari berturut-turut" in refused.value.message
    assert submit(policy, team.officer, sick_days=5).amount == 250_000


@pytest.mark.parametrize(
    "sick_days, hospital_days, accepted",
    [(10, None, True), (9, None, False), (2, 3, True), (9, 2, False), (None, 3, True)],
)
def test_buku_saku_sickness_needs_ten_days_or_three_in_hospital(
    policy, team, sick_days, hospital_days, accepted
):
    if accepted:
        submit(policy, team.officer, sick_days=sick_days, hospital_days=hospital_days)
        return
    with pytest.raises(ClaimError) as refused:
        submit(policy, team.officer, sick_days=sick_days, hospital_days=hospital_days)
    assert refused.value.code == "sickness_too_short"


# --- refused with the reason ----------------------------------------------------------


def test_a_claim_for_an_unknown_policy_is_refused(in_lpa_a, team):
    with pytest.raises(ClaimError) as refused:
        services.claim_submit(
            policy_number="AKS-0000", benefit="sickness", event_date=START, actor=team.officer
        )
    assert refused.value.code == "policy_unknown"
    assert refused.value.message == "Nomor polis AKS-0000 tidak dikenal."


def test_a_claim_for_a_lapsed_policy_is_refused(policy, team):
    policy_transition(
        policy=policy,
        to_status=PolicyStatus.LAPSED,
        effective_date=datetime.date(2024, 5, 1),
    )
    with pytest.raises(ClaimError) as refused:
        submit(policy, team.officer, event=datetime.date(2024, 6, 3))
    assert refused.value.code == "policy_not_active"
    assert "gugur" in refused.value.message


def test_an_event_while_the_policy_was_active_is_paid_after_it_lapsed(policy, team):
    policy_transition(
        policy=policy, to_status=PolicyStatus.LAPSED, effective_date=datetime.date(2024, 5, 1)
    )
    assert submit(policy, team.officer, event=datetime.date(2024, 4, 1)).status == "submitted"


def test_a_policy_without_its_first_premium_is_not_yet_covered(in_lpa_a, team):
    policy = participant_register(data=person(serial=7), start_date=START)
    with pytest.raises(ClaimError) as refused:
        submit(policy, team.officer)
    assert refused.value.code == "policy_not_active"


@pytest.mark.parametrize(
    "event, code",
    [
        (datetime.date(2023, 12, 31), "event_before_start"),
        (datetime.date(2027, 1, 1), "event_in_future"),
    ],
)
def test_an_event_outside_the_policy_or_in_the_future_is_refused(policy, team, event, code):
    with pytest.raises(ClaimError) as refused:
        submit(policy, team.officer, event=event)
    assert refused.value.code == code


def test_an_event_after_the_end_of_coverage_is_refused(in_lpa_a, team):
    policy = paying_policy(start=datetime.date(2023, 1, 1))
    with pytest.raises(ClaimError) as refused:
        submit(policy, team.officer, event=datetime.date(2026, 1, 5))
    assert refused.value.code == "event_after_coverage"


def test_the_same_event_cannot_be_claimed_twice(policy, team):
    first = submit(policy, team.officer, "death", event=datetime.date(2024, 6, 3))
    with pytest.raises(ClaimError) as refused:
        submit(policy, team.officer, "death", event=datetime.date(2024, 6, 3))
    assert refused.value.code == "duplicate"
    assert first.number in refused.value.message


def test_the_database_refuses_a_duplicate_event_too(policy, team):
    first = submit(policy, team.officer, "death", event=datetime.date(2024, 6, 3))
    from programme.claims.models import Claim

    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            number="KLM-X",
            policy=policy,
            benefit="death",
            payout_route="lpa",
            event_date=first.event_date,
            policy_year=1,
            amount=1,
            submitted_by_id=team.officer.pk,
        )


def test_a_death_claim_needs_an_heir_of_the_participant(policy, team, in_lpa_a):
    stranger = paying_policy(serial=9).participant.heirs.first()
    with pytest.raises(ClaimError) as refused:
        submit(policy, team.officer, "death", heir=stranger)
    assert refused.value.code == "heir_not_of_participant"
    with pytest.raises(ClaimError) as refused:
        submit(policy, team.officer, "death", heir=None)
    assert refused.value.code == "heir_required"


def test_a_bank_payout_needs_the_account(policy, team):
    with pytest.raises(ClaimError) as refused:
        submit(policy, team.officer, payout_method="bank", bank_name="BRI")
    assert refused.value.code == "bank_details_required"


@pytest.mark.parametrize(
    "upload, code",
    [
        (doc("medical_certificate", b"MZ\x90\x00" + b"\x00" * 60, "surat.pdf"), "document_type"),
        (doc("medical_certificate", b"just text, not a scan", "surat.pdf"), "document_type"),
        (doc("medical_certificate", PNG, "surat.pdf"), "document_type"),
        (doc("medical_certificate", b"", "surat.pdf"), "document_empty"),
        (
            doc("medical_certificate", b"%PDF-1.4" + b"0" * (5 * 1024 * 1024), "besar.pdf"),
            "document_too_large",
        ),
        (doc("rontgen", filename="surat.pdf"), "document_kind_unknown"),
    ],
)
def test_a_document_of_the_wrong_type_or_too_large_is_refused(policy, team, upload, code):
    with pytest.raises(ClaimError) as refused:
        submit(policy, team.officer, documents=[doc("claim_form"), upload])
    assert refused.value.code == code
    assert refused.value.field == "documents"
    from programme.claims.models import Claim

    assert not Claim.objects.exists()  # nothing half-stored


def test_photos_from_a_phone_are_accepted(policy, team):
    claim = submit(
        policy,
        team.officer,
        documents=[
            doc("claim_form", jpeg(), "IMG_20240305.jpg"),
            doc("medical_certificate", PNG, "surat.png"),
        ],
    )
    assert sorted(claim.documents.values_list("content_type", flat=True)) == [
        "image/jpeg",
        "image/png",
    ]


def test_documents_are_stored_in_the_lpas_own_folder(policy, team, in_lpa_a, settings):
    from django.core.files.storage import default_storage

    claim = submit(policy, team.officer)
    document = claim.documents.first()
    path = default_storage.path(document.stored_as)
    assert path.startswith(f"{settings.MEDIA_ROOT}/{in_lpa_a.schema_name}/claims/{claim.number}/")
    assert document.filename not in path  # the name is ours, not the uploader's


# --- verification, return, rejection ---------------------------------------------------


def test_verification_shows_every_check_with_its_reason(policy, team):
    claim = submit(policy, team.officer, documents=[doc("claim_form")])
    checks = {c.code: c for c in services.claim_checks_for(claim)}

    assert set(checks) == {
        "policy_active",
        "coverage",
        "duplicate",
        "limit",
        "sickness_days",
        "premiums_paid",
        "documents",
    }
    assert checks["premiums_paid"].passed and "KW-0001" in checks["premiums_paid"].message
    assert not checks["documents"].passed
    assert "Surat keterangan dokter" in checks["documents"].message


def test_a_claim_missing_documents_is_returned_and_comes_back_complete(policy, team):
    claim = submit(policy, team.officer, documents=[doc("claim_form")])
    assert claim.complete_at is None
    with pytest.raises(ClaimError) as refused:
        services.claim_verify(claim=claim, actor=team.klaim)
    assert refused.value.code == "verification_failed"

    services.claim_return(claim=claim, reason="Lampirkan surat dokter", actor=team.klaim)
    services.claim_document_add(claim=claim, upload=doc("medical_certificate"), actor=team.officer)
    claim = services.claim_resubmit(claim=claim, actor=team.officer)

    assert claim.status == ClaimStatus.SUBMITTED and claim.complete_at is not None
    assert services.claim_verify(claim=claim, actor=team.klaim).status == ClaimStatus.VERIFIED


def test_premiums_in_arrears_on_the_event_date_fail_verification(in_lpa_a, team):
    policy = paying_policy(months=2)  # paid January and February 2024 only
    claim = submit(policy, team.officer, event=datetime.date(2024, 4, 15))
    with pytest.raises(ClaimError) as refused:
        services.claim_verify(claim=claim, actor=team.klaim)
    assert "1 bulan belum dibayar" in refused.value.message or "bulan" in refused.value.message

    rejected = services.claim_reject(
        claim=claim, reason="Premi Maret belum dibayar saat sakit.", actor=team.klaim
    )
    assert rejected.rejection_reason == "Premi Maret belum dibayar saat sakit."
    services.claim_notify(claim=rejected, how="Surat diantar petugas", actor=team.klaim)


def test_a_rejection_needs_a_reason(policy, team):
    claim = submit(policy, team.officer)
    with pytest.raises(ClaimError) as refused:
        services.claim_reject(claim=claim, reason="  ", actor=team.klaim)
    assert refused.value.code == "reason_required"


# --- death ------------------------------------------------------------------------------


def test_a_verified_death_claim_ends_the_policy_and_the_heir_may_continue(policy, team):
    fund_reserve()
    claim = submit(policy, team.officer, "death", event=datetime.date(2025, 8, 4))
    services.claim_verify(claim=claim, actor=team.klaim)

    policy.refresh_from_db()
    assert policy.status == PolicyStatus.DECEASED
    event = policy.events.get(to_status=PolicyStatus.DECEASED)
    assert event.effective_date == datetime.date(2025, 8, 4) and claim.number in event.reason
    heir_policy = policy_continue_by_heir(
        policy=policy, heir_data=person(serial=31, name="Siti Aminah", sex="P"), actor=team.officer
    )
    assert heir_policy.continued_from == policy
    claim, _ = walk_to_payment(claim, team, paid_on=datetime.date(2025, 8, 6))
    assert claim.amount == 400_000 and claim.status == ClaimStatus.PAID


def test_a_death_recorded_before_the_claim_is_still_paid(policy, team):
    policy_transition(
        policy=policy,
        to_status=PolicyStatus.DECEASED,
        reason="Surat kematian desa",
        effective_date=datetime.date(2025, 8, 4),
    )
    claim = submit(policy, team.officer, "death", event=datetime.date(2025, 8, 4))
    assert services.claim_verify(claim=claim, actor=team.klaim).status == ClaimStatus.VERIFIED


# --- separation of duties ---------------------------------------------------------------


@pytest.mark.parametrize(
    "role, step",
    [
        ("petugas_lapangan", "verify"),
        ("bendahara", "verify"),
        ("klaim", "approve"),
        ("bendahara", "approve"),
        ("ketua", "pay"),
        ("klaim", "pay"),
        ("sekretaris", "submit"),
    ],
)
def test_each_step_belongs_to_its_role(policy, team, make_staff, in_lpa_a, role, step):
    fund_reserve()
    someone = make_staff(in_lpa_a, role)
    claim = submit(policy, team.officer)
    request = None
    if step in ("approve", "pay"):
        services.claim_verify(claim=claim, actor=team.klaim)
        request = payments.payment_request_create(claims=[claim], actor=team.klaim)
    if step == "pay":
        payments.payment_request_approve(request=request, actor=team.ketua)
    with pytest.raises(AccessDenied):
        if step == "submit":
            submit(policy, someone, event=datetime.date(2025, 3, 3))
        elif step == "verify":
            services.claim_verify(claim=claim, actor=someone)
        elif step == "approve":
            payments.payment_request_approve(request=request, actor=someone)
        else:
            payments.payment_request_pay(
                request=request, paid_on=datetime.date(2024, 3, 8), actor=someone, reference="T"
            )


def test_the_same_person_cannot_approve_and_pay(policy, team, in_lpa_a):
    from askesos.accounts.services import membership_grant

    fund_reserve()
    claim = submit(policy, team.officer)
    services.claim_verify(claim=claim, actor=team.klaim)
    request = payments.payment_request_create(claims=[claim], actor=team.klaim)
    payments.payment_request_approve(request=request, actor=team.ketua)
    # The Ketua is made Bendahara (a reshuffle) and tries to pay what they approved.
    membership_grant(lpa=in_lpa_a, user=team.ketua, role="bendahara")
    approved_on(request, datetime.date(2024, 3, 8))

    with pytest.raises(ClaimError) as refused:
        payments.payment_request_pay(
            request=request, paid_on=datetime.date(2024, 3, 8), actor=team.ketua, reference="T"
        )
    assert refused.value.code == "same_person"
    assert "dua orang yang berbeda" in refused.value.message
    assert account_balance(acc.CLAIMS_EXPENSE) == 0


def test_the_database_refuses_one_signature_for_both(policy, team):
    fund_reserve()
    claim = submit(policy, team.officer)
    services.claim_verify(claim=claim, actor=team.klaim)
    request = payments.payment_request_create(claims=[claim], actor=team.klaim)
    payments.payment_request_approve(request=request, actor=team.ketua)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentRequest.objects.filter(pk=request.pk).update(paid_by=team.ketua)


def test_paying_twice_pays_once(policy, team):
    fund_reserve()
    claim, request = walk_to_payment(submit(policy, team.officer), team)
    with pytest.raises(ClaimError) as refused:
        payments.payment_request_pay(
            request=request, paid_on=datetime.date(2024, 3, 9), actor=team.bendahara, reference="T"
        )
    assert refused.value.code == "request_state"
    assert account_balance(acc.CLAIMS_EXPENSE) == 100_000


def test_only_verified_claims_go_into_a_payment_request(policy, team):
    claim = submit(policy, team.officer)
    with pytest.raises(ClaimError) as refused:
        payments.payment_request_create(claims=[claim], actor=team.klaim)
    assert refused.value.code == "claim_state"
    with pytest.raises(ClaimError) as refused:
        payments.payment_request_create(claims=[], actor=team.klaim)
    assert refused.value.code == "request_empty"


# --- the reserve guard ------------------------------------------------------------------


def test_a_reserve_that_cannot_cover_the_claim_blocks_payment_and_tells_the_district(
    policy, team, in_lpa_a
):
    fund_reserve(50_000)
    claim = submit(policy, team.officer)
    services.claim_verify(claim=claim, actor=team.klaim)
    request = payments.payment_request_create(claims=[claim], actor=team.klaim)
    payments.payment_request_approve(request=request, actor=team.ketua)
    approved_on(request, datetime.date(2024, 3, 8))

    with pytest.raises(ClaimError) as refused:
        payments.payment_request_pay(
            request=request, paid_on=datetime.date(2024, 3, 8), actor=team.bendahara, reference="T"
        )
    assert refused.value.code == "reserve_short"
    assert "Rp 50.000" in refused.value.message and "Rp 100.000" in refused.value.message
    assert account_balance(acc.BANK_RESERVE) == 50_000  # never negative, nothing moved
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    finding = Finding.objects.get(lpa=in_lpa_a, kind="reserve_short", resolved_at=None)
    assert finding.amount == 50_000 and finding.summary == request.number

    fund_reserve(100_000, reference="APBN-2")
    payments.payment_request_pay(
        request=request, paid_on=datetime.date(2024, 3, 8), actor=team.bendahara, reference="T"
    )
    finding.refresh_from_db()
    assert finding.resolved_at is not None


def test_the_daily_check_finds_a_short_reserve_before_anyone_tries_to_pay(policy, team, in_lpa_a):
    claim = submit(policy, team.officer)
    services.claim_verify(claim=claim, actor=team.klaim)
    request = payments.payment_request_create(claims=[claim], actor=team.klaim)
    payments.payment_request_approve(request=request, actor=team.ketua)

    sla_check_run(on=datetime.date(2024, 3, 5))
    sla_check_run(on=datetime.date(2024, 3, 5))  # twice: still one finding
    assert Finding.objects.filter(lpa=in_lpa_a, kind="reserve_short", resolved_at=None).count() == 1


# --- referrals to BPJS Ketenagakerjaan --------------------------------------------------


def test_a_new_initiative_benefit_is_referred_not_paid(in_lpa_a, team):
    from tests.programme.claims_helpers import use_scheme

    use_scheme(in_lpa_a, "new-initiative-2012")
    policy = paying_policy()
    claim = submit(policy, team.officer, "treatment", event=datetime.date(2024, 5, 6))
    services.claim_verify(claim=claim, actor=team.klaim)
    with pytest.raises(ClaimError) as refused:
        payments.payment_request_create(claims=[claim], actor=team.klaim)
    assert refused.value.code == "referral_not_paid"

    claim = services.claim_refer(claim=claim, reference="BPJSTK-7471-0091", actor=team.klaim)
    services.claim_notify(claim=claim, how="Diantar ke kantor cabang", actor=team.klaim)
    assert claim.status == ClaimStatus.REFERRED and claim.referral_reference == "BPJSTK-7471-0091"
    assert not JournalEntry.objects.filter(kind="claim").exists()


def test_a_claim_paid_by_the_lpa_cannot_be_referred(policy, team):
    claim = submit(policy, team.officer)
    services.claim_verify(claim=claim, actor=team.klaim)
    with pytest.raises(ClaimError) as refused:
        services.claim_refer(claim=claim, reference="X", actor=team.klaim)
    assert refused.value.code == "not_referral"


# --- service level ----------------------------------------------------------------------


def complete_on(claim, day: datetime.date):
    """Given the claim became complete on `day` (at 09:00 in Jakarta)."""
    from zoneinfo import ZoneInfo

    from programme.claims.models import Claim

    at = datetime.datetime.combine(day, datetime.time(9), ZoneInfo("Asia/Jakarta"))
    Claim.objects.filter(pk=claim.pk).update(complete_at=at)
    claim.refresh_from_db()
    return claim


def waiting_days(on: datetime.date) -> dict[str, int]:
    return {w.claim.number: w.days for w in claims_waiting(on=on)}


EVENT = datetime.date(2024, 7, 8)
MONDAY = datetime.date(2024, 7, 15)  # a week without public holidays


def test_waiting_is_counted_in_working_days(policy, team):
    claim = complete_on(submit(policy, team.officer, event=EVENT), MONDAY)
    assert waiting_days(MONDAY + datetime.timedelta(days=3)) == {claim.number: 3}  # Thursday
    assert waiting_days(MONDAY + datetime.timedelta(days=7)) == {claim.number: 5}  # Monday


def test_public_holidays_and_cuti_bersama_are_not_working_days(in_lpa_a, team):
    policy = paying_policy(start=datetime.date(2026, 1, 1), months=12)
    claim = submit(policy, team.officer, event=datetime.date(2026, 11, 2))
    # Completed Monday 21 December 2026; 24 Dec is cuti bersama, 25 Dec Christmas.
    complete_on(claim, datetime.date(2026, 12, 21))
    assert waiting_days(datetime.date(2026, 12, 28)) == {claim.number: 3}
    assert waiting_days(datetime.date(2026, 12, 29)) == {claim.number: 4}


def test_a_claim_waiting_past_three_working_days_is_flagged_to_lpa_and_district(
    policy, team, in_lpa_a
):
    fund_reserve()
    claim = complete_on(submit(policy, team.officer, event=EVENT), MONDAY)

    assert sla_check_run(on=MONDAY + datetime.timedelta(days=3))["overdue"] == 0
    sla_check_run(on=MONDAY + datetime.timedelta(days=4))
    sla_check_run(on=MONDAY + datetime.timedelta(days=4))
    finding = Finding.objects.get(lpa=in_lpa_a, kind="claim_overdue", resolved_at=None)
    assert (finding.subject, finding.days, finding.amount) == (f"claim:{claim.number}", 4, 100_000)

    claim, _ = walk_to_payment(claim, team, paid_on=MONDAY + datetime.timedelta(days=7))
    finding.refresh_from_db()
    assert finding.resolved_at is not None
    assert claim.service_days == 5  # measured per claim: complete Monday, paid next Monday


def test_the_limit_is_configurable(policy, team, settings):
    settings.CLAIM_SLA_WORKING_DAYS = 5
    complete_on(submit(policy, team.officer, event=EVENT), MONDAY)
    assert sla_check_run(on=MONDAY + datetime.timedelta(days=7))["overdue"] == 0
    assert sla_check_run(on=MONDAY + datetime.timedelta(days=8))["overdue"] == 1


def test_a_returned_claim_is_not_waiting_on_the_lpa(policy, team):
    claim = complete_on(submit(policy, team.officer), datetime.date(2024, 3, 4))
    services.claim_return(claim=claim, reason="Surat dokter buram", actor=team.klaim)
    assert waiting_days(datetime.date(2024, 3, 20)) == {}
