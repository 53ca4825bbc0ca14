"""The roles matrix, row by row. The expected table below is the specification, written
out independently of askesos.permissions; a change to either must change both."""

import pytest

from askesos.permissions import (
    GOVERNMENT_ROLE_ACTIONS,
    AccessDenied,
    Action,
    ensure,
    government_role_may,
    may,
    role_may,
)
from askesos.roles import GovernmentLevel, GovernmentRole, LpaRole

A = Action
K, S, B, M, P, C, F = (
    LpaRole.KETUA,
    LpaRole.SEKRETARIS,
    LpaRole.BENDAHARA,
    LpaRole.PEMASARAN,
    LpaRole.PREMI_KEUANGAN,
    LpaRole.KLAIM,
    LpaRole.PETUGAS_LAPANGAN,
)
EVERYONE = {K, S, B, M, P, C, F}
OFFICE = {K, S, B, M, P, C}  # everyone but the field officer

EXPECTED_LPA = {
    A.LPA_DASHBOARD_VIEW: EVERYONE,
    A.STAFF_VIEW: OFFICE,
    A.STAFF_MANAGE: {K, S},
    A.PARTICIPANT_VIEW: EVERYONE,
    A.PARTICIPANT_REGISTER: {S, M, F},
    A.PREMIUM_RECORD: {P, F},
    A.PREMIUM_RECEIVE: {B, P},
    A.CLAIM_VIEW: EVERYONE,
    A.CLAIM_SUBMIT: {C, F},
    A.CLAIM_VERIFY: {C},
    A.CLAIM_APPROVE: {K},
    A.CLAIM_PAY: {B},
    A.BOOKS_VIEW: OFFICE,
    A.LEDGER_POST: {B, P},
    A.BANK_RECONCILE: {B, P},
    A.PERIOD_PREPARE: {B},
    A.PERIOD_SIGN: {K},
    A.REPORT_VIEW: OFFICE,
    A.REPORT_PREPARE: {K, S},
    A.REPORT_SUBMIT: {K},
    A.AUDIT_VIEW: {K, S},
}

OFF, TPG, TPD, AUD = (
    GovernmentRole.OFFICER,
    GovernmentRole.PENGENDALI,
    GovernmentRole.PENDAMPING,
    GovernmentRole.AUDITOR,
)
EXPECTED_GOV = {
    A.GOV_DASHBOARD_VIEW: {OFF, TPG, TPD, AUD},
    A.GOV_LPA_VIEW: {OFF, TPG, TPD, AUD},
    A.GOV_LPA_PROVISION: {OFF},
    A.GOV_LPA_SUSPEND: {OFF},
    A.GOV_REPORT_APPROVE: {OFF},
    A.GOV_MONITORING_RECORD: {TPG, TPD},
    A.GOV_AUDIT_EXPORT: {OFF, AUD},
    A.GOV_AUDIT_EXPORT_PERSONS: {AUD},
    A.GOV_BUDGET_MANAGE: {OFF},
    A.GOV_ALLOCATION_MANAGE: {OFF},
    A.GOV_TRANSFER_PREPARE: {OFF},
    A.GOV_TRANSFER_APPROVE: {OFF},
    A.GOV_SCHEDULE_MANAGE: {OFF},
    A.GOV_AUDIT_TRAIL_VIEW: {OFF, AUD},
}
# The level at which the role matrix is checked: the one an action belongs to.
PROVINCE_ACTIONS = {A.GOV_ALLOCATION_MANAGE, A.GOV_TRANSFER_PREPARE, A.GOV_TRANSFER_APPROVE}


def test_every_action_is_in_exactly_one_expected_table():
    assert set(EXPECTED_LPA) | set(EXPECTED_GOV) == set(Action)
    assert not set(EXPECTED_LPA) & set(EXPECTED_GOV)


@pytest.mark.parametrize("role", list(LpaRole))
@pytest.mark.parametrize("action", list(EXPECTED_LPA))
def test_lpa_role_matrix(role, action):
    assert role_may(role, action) == (role in EXPECTED_LPA[action])


@pytest.mark.parametrize("role", list(GovernmentRole))
@pytest.mark.parametrize("action", list(EXPECTED_GOV))
def test_government_role_matrix_at_the_actions_level(role, action):
    level = GovernmentLevel.PROVINCE if action in PROVINCE_ACTIONS else GovernmentLevel.MINISTRY
    scope = type("Scope", (), {"role": role, "level": level})()
    assert government_role_may(scope, action) == (role in EXPECTED_GOV[action])


def test_lpa_roles_are_separated_for_money():
    # The reserve needs two different people: whoever approves a payment cannot pay it.
    approvers = {r for r in LpaRole if role_may(r, A.CLAIM_APPROVE)}
    payers = {r for r in LpaRole if role_may(r, A.CLAIM_PAY)}
    verifiers = {r for r in LpaRole if role_may(r, A.CLAIM_VERIFY)}
    assert approvers.isdisjoint(payers) and verifiers.isdisjoint(payers | approvers)


@pytest.mark.parametrize(
    ("level", "may_provision"),
    [
        (GovernmentLevel.MINISTRY, True),
        (GovernmentLevel.PROVINCE, True),
        (GovernmentLevel.REGENCY, False),
    ],
)
def test_only_province_and_ministry_appoint_lpas(level, may_provision):
    scope = type("Scope", (), {"role": GovernmentRole.OFFICER, "level": level})()
    assert government_role_may(scope, A.GOV_LPA_PROVISION) is may_provision


@pytest.mark.parametrize(
    ("action", "levels"),
    [
        (A.GOV_BUDGET_MANAGE, {GovernmentLevel.MINISTRY}),
        (A.GOV_ALLOCATION_MANAGE, {GovernmentLevel.PROVINCE}),
        (A.GOV_TRANSFER_PREPARE, {GovernmentLevel.PROVINCE}),
        (A.GOV_TRANSFER_APPROVE, {GovernmentLevel.PROVINCE}),
    ],
)
def test_the_ministry_budgets_and_provinces_allocate_and_pay(action, levels):
    for level in GovernmentLevel:
        scope = type("Scope", (), {"role": GovernmentRole.OFFICER, "level": level})()
        assert government_role_may(scope, action) is (level in levels)


def test_only_the_ministrys_auditors_export_participants_one_by_one():
    for level in GovernmentLevel:
        for role in GovernmentRole:
            scope = type("Scope", (), {"role": role, "level": level})()
            expected = role == GovernmentRole.AUDITOR and level == GovernmentLevel.MINISTRY
            assert government_role_may(scope, A.GOV_AUDIT_EXPORT_PERSONS) is expected


def test_no_government_role_may_act_inside_an_lpa():
    for actions in GOVERNMENT_ROLE_ACTIONS.values():
        assert not any(a.value.startswith("lpa.") for a in actions)


def test_membership_decides_inside_the_current_tenant(lpa_a, lpa_b, make_staff):
    from django.db import connection

    bendahara = make_staff(lpa_a, LpaRole.BENDAHARA)

    connection.set_tenant(lpa_a)
    assert may(bendahara, A.CLAIM_PAY)
    with pytest.raises(AccessDenied) as refused:
        ensure(bendahara, A.CLAIM_APPROVE)
    assert refused.value.code == "role_forbidden"

    connection.set_tenant(lpa_b)
    with pytest.raises(AccessDenied) as refused:
        ensure(bendahara, A.LPA_DASHBOARD_VIEW)
    assert refused.value.code == "not_member"


def test_scope_decides_which_lpas_a_government_user_sees(lpa_a, lpa_b, lpa_c, make_government_user):
    kendari = make_government_user("regency", regency="74.71")
    sultra = make_government_user("province", province="74")
    ministry = make_government_user("ministry", role="auditor")

    assert may(kendari, A.GOV_LPA_VIEW, regency=lpa_a.regency)
    assert not may(kendari, A.GOV_LPA_VIEW, regency=lpa_b.regency)
    assert may(sultra, A.GOV_LPA_VIEW, regency=lpa_b.regency)
    assert not may(sultra, A.GOV_LPA_VIEW, regency=lpa_c.regency)
    assert all(may(ministry, A.GOV_LPA_VIEW, regency=x.regency) for x in (lpa_a, lpa_b, lpa_c))
    assert not may(ministry, A.GOV_LPA_PROVISION)


def test_lpa_staff_are_not_government_users(lpa_a, make_staff):
    ketua = make_staff(lpa_a, LpaRole.KETUA)

    with pytest.raises(AccessDenied) as refused:
        ensure(ketua, A.GOV_DASHBOARD_VIEW)

    assert refused.value.code == "not_government"
