import datetime
import itertools

import pytest

from programme.participants.errors import ParticipantError
from programme.participants.lifecycle import TRANSITIONS, policy_transition
from programme.participants.models import Policy, PolicyEvent, PolicyStatus
from programme.participants.services import (
    participant_register,
    policy_continue_by_heir,
    policy_reregister,
)
from programme.registry.models import CardCheck, NationalParticipant
from tests.programme.conftest import nik_for, person

S = PolicyStatus
ALLOWED = {
    (S.REGISTERED, S.ACTIVE),
    (S.REGISTERED, S.WITHDRAWN),
    (S.REGISTERED, S.DECEASED),
    (S.ACTIVE, S.LAPSED),
    (S.ACTIVE, S.MATURED),
    (S.ACTIVE, S.WITHDRAWN),
    (S.ACTIVE, S.DECEASED),
}
PATH_TO = {  # how to bring a fresh policy into each state
    S.REGISTERED: [],
    S.ACTIVE: [S.ACTIVE],
    S.LAPSED: [S.ACTIVE, S.LAPSED],
    S.MATURED: [S.ACTIVE, S.MATURED],
    S.WITHDRAWN: [S.WITHDRAWN],
    S.DECEASED: [S.DECEASED],
}


def test_the_machine_is_exactly_the_documented_one():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


def _policy_in(state):
    policy = participant_register(data=person(), start_date=datetime.date(2026, 1, 1))
    for step in PATH_TO[state]:
        policy = policy_transition(policy=policy, to_status=step, reason="surat tertulis")
    return policy


@pytest.mark.parametrize(("source", "target"), sorted(itertools.product(S.values, S.values)))
def test_every_transition_is_allowed_or_refused(in_lpa_a, source, target):
    policy = _policy_in(source)

    if (source, target) in ALLOWED:
        moved = policy_transition(policy=policy, to_status=target, reason="surat tertulis")
        assert moved.status == target
        assert PolicyEvent.objects.filter(policy=policy).last().to_status == target
    else:
        events = PolicyEvent.objects.filter(policy=policy).count()
        with pytest.raises(ParticipantError) as refused:
            policy_transition(policy=policy, to_status=target, reason="x")
        assert refused.value.code == "transition_refused"
        assert Policy.objects.get(pk=policy.pk).status == source
        assert PolicyEvent.objects.filter(policy=policy).count() == events


def test_withdrawal_needs_the_written_request(in_lpa_a):
    policy = _policy_in(S.ACTIVE)

    with pytest.raises(ParticipantError) as refused:
        policy_transition(policy=policy, to_status=S.WITHDRAWN)

    assert refused.value.code == "reason_required"


def test_an_ended_policy_frees_the_nik_nationally_and_voids_the_card(in_lpa_a):
    policy = _policy_in(S.ACTIVE)

    policy_transition(policy=policy, to_status=S.WITHDRAWN, reason="surat 12/2026")

    assert not NationalParticipant.objects.get(participant_ref=policy.participant_id).is_active
    assert not CardCheck.objects.get(token=policy.card_token).is_valid


def test_re_registration_after_maturity_opens_a_new_policy(in_lpa_a):
    old = _policy_in(S.MATURED)

    new = policy_reregister(participant=old.participant, start_date=datetime.date(2026, 1, 2))

    assert new.pk != old.pk and new.status == S.REGISTERED
    assert NationalParticipant.objects.get(participant_ref=old.participant_id).is_active


@pytest.mark.parametrize("state", [S.REGISTERED, S.ACTIVE, S.DECEASED])
def test_re_registration_is_refused_while_open_or_after_death(in_lpa_a, state):
    policy = _policy_in(state)

    with pytest.raises(ParticipantError) as refused:
        policy_reregister(participant=policy.participant)

    assert refused.value.code == "reregistration_refused"


def test_an_heir_continues_a_deceased_participants_membership(in_lpa_a):
    deceased = _policy_in(S.DECEASED)
    heir = person(
        name="Siti Aminah",
        sex="P",
        birth_date=datetime.date(1988, 3, 9),
        nik=nik_for("74.71.01", datetime.date(1988, 3, 9), "P", 7),
    )

    continued = policy_continue_by_heir(policy=deceased, heir_data=heir)

    assert continued.continued_from_id == deceased.pk
    assert continued.participant.name == "Siti Aminah"


def test_only_a_deceased_policy_can_be_continued(in_lpa_a):
    with pytest.raises(ParticipantError) as refused:
        policy_continue_by_heir(policy=_policy_in(S.ACTIVE), heir_data=person(serial=9))

    assert refused.value.code == "not_deceased"
