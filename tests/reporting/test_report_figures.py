"""Every figure of an LPA's period report equals a direct count over that LPA's own
tables for the same period, written here independently of reporting.figures (with
the ORM, not its SQL); a quarter's additive figures are the sums of its months."""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Sum

from programme.ledger import accounts as acc
from programme.ledger.models import JournalLine, PremiumReceipt
from programme.participants.models import Participant, Policy, PolicyEvent
from programme.schemes.rules import coverage_months, monthly_premium
from reporting.figures import month_figures
from reporting.periods import Period
from tests.programme.conftest import in_lpa_a, team  # noqa: F401, F811 (fixtures)


def status_on(policy: Policy, day: datetime.date) -> str:
    events = [e for e in policy.events.all() if e.effective_date <= day]
    events.sort(key=lambda e: (e.effective_date, e.at, e.pk))
    return events[-1].to_status


def direct(month: Period) -> dict[str, int]:
    """The figures the report must show, counted one object at a time."""
    end, start = month.end, month.start
    counts: Counter = Counter()
    policies = list(
        Policy.objects.prefetch_related("events").select_related("participant", "scheme_version")
    )
    latest: dict[int, Policy] = {}
    for policy in sorted(policies, key=lambda p: (p.start_date, p.pk)):
        if policy.start_date <= end:
            latest[policy.participant_id] = policy
    for policy in latest.values():
        status = status_on(policy, end)
        counts[f"participants.status:{status}"] += 1
        if status in ("registered", "active"):
            person: Participant = policy.participant
            counts["participants.open"] += 1
            counts[f"participants.sex:{person.sex}"] += 1
            counts[f"participants.regency:{person.village_id[:5]}"] += 1
    for event in PolicyEvent.objects.filter(effective_date__gte=start, effective_date__lte=end):
        if event.to_status == "registered":
            counts["movements.new"] += 1
        elif event.to_status == "active":
            counts["movements.activated"] += 1
        else:
            counts[f"movements.{event.to_status}"] += 1
    receipts = PremiumReceipt.objects.filter(received_on__gte=start, received_on__lte=end).exclude(
        status="reversed"
    )
    counts["premiums.collected"] = receipts.aggregate(s=Sum("amount"))["s"] or 0
    counts["premiums.receipts"] = receipts.count()
    for policy in policies:
        rules = policy.scheme_version.rules
        if (
            policy.start_date <= end
            and policy.end_date > start
            and status_on(policy, end) in ("registered", "active")
        ):
            counts["premiums.due"] += monthly_premium(rules)
            counts["premiums.due_policies"] += 1
        if policy.start_date <= end and status_on(policy, end) == "active":
            paid = (
                PremiumReceipt.objects.filter(policy=policy, received_on__lte=end)
                .exclude(status="reversed")
                .aggregate(m=Sum("months"))["m"]
                or 0
            )
            passed = (end.year - policy.start_date.year) * 12 + end.month - policy.start_date.month
            unpaid = max(0, min(passed, coverage_months(rules)) - paid)
            if unpaid:
                counts["premiums.arrears"] += unpaid * monthly_premium(rules)
                counts["premiums.arrears_policies"] += 1

    def balance(code: str, until: datetime.date) -> int:
        lines = JournalLine.objects.filter(account__code=code, entry__date__lte=until)
        return lines.aggregate(s=Sum("amount"))["s"] or 0

    counts["reserve.opening"] = balance(acc.BANK_RESERVE, start - datetime.timedelta(days=1))
    counts["reserve.closing"] = balance(acc.BANK_RESERVE, end)
    counts["reserve.subsidy_in"] = (
        JournalLine.objects.filter(
            account__code=acc.BANK_RESERVE,
            entry__kind="subsidy",
            entry__date__gte=start,
            entry__date__lte=end,
        ).aggregate(s=Sum("amount"))["s"]
        or 0
    )
    counts["savings.owed"] = -balance(acc.PREMIUM_SAVINGS, end)
    counts["grants.balance"] = balance(acc.BANK_GRANTS, end)
    return {k: v for k, v in counts.items() if v}


CHECKED = (
    "participants.status",
    "participants.open",
    "participants.sex",
    "participants.regency",
    "movements",
    "premiums",
    "reserve.opening",
    "reserve.closing",
    "reserve.subsidy_in",
    "savings.owed",
    "grants.balance",
)


def checked(figures: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in figures.items() if k.startswith(CHECKED) and v}


def test_claims_loans_grants_cards_and_closings_are_counted_as_the_books_say(team):  # noqa: F811
    """One of everything the generated history lacks, in LPA A in March 2024, each
    figure against a direct count."""
    from django.utils import timezone

    from programme.claims.models import Claim
    from programme.ledger.funds import (
        grant_receive,
        grant_spend,
        loan_disburse,
        loan_repay,
        revolving_capital_add,
    )
    from programme.ledger.models import Loan
    from programme.ledger.services import account_balance, period_prepare, period_sign
    from programme.participants.cards import card_handover, card_print
    from programme.participants.models import MemberCard
    from tests.programme.claims_helpers import START, fund_reserve, paying_policy, submit
    from tests.programme.test_claims import walk_to_payment

    march = Period("month", datetime.date(2024, 3, 1))
    policy = paying_policy(serial=1, start=START, months=36)
    other = paying_policy(serial=2, start=START, months=36)
    fund_reserve(1_000_000, on=START)
    paid, _request = walk_to_payment(submit(policy, team.officer), team)
    waiting = submit(other, team.officer, benefit="accident")
    Claim.objects.filter(pk=waiting.pk).update(
        complete_at=timezone.make_aware(datetime.datetime(2024, 3, 1, 9))
    )
    revolving_capital_add(amount=1_000_000, date=datetime.date(2024, 3, 1), reference="MODAL-1")
    loan = loan_disburse(
        participant=policy.participant,
        principal=600_000,
        fee=30_000,
        installments=3,
        purpose="Ban ojek",
        date=datetime.date(2024, 3, 5),
    )
    first = loan.schedule.order_by("number").first()
    loan_repay(installment=first, date=datetime.date(2024, 3, 20))
    grant = grant_receive(
        donor="Yayasan Donor",
        purpose="Pelatihan",
        amount=500_000,
        date=datetime.date(2024, 3, 2),
        reference="G-1",
    )
    grant_spend(
        grant=grant,
        amount=200_000,
        description="Pelatihan kader",
        date=datetime.date(2024, 3, 10),
        reference="GS-1",
    )
    card, _pdf = card_print(policy=policy)
    MemberCard.objects.filter(pk=card.pk).update(
        printed_at=timezone.make_aware(datetime.datetime(2024, 2, 20, 9))
    )
    card_handover(
        card=card, actor=team.officer, received_by="Peserta sendiri", on=datetime.date(2024, 3, 12)
    )
    card_print(policy=other)  # printed now: not yet waiting at the end of March 2024
    for month in (datetime.date(2024, 1, 1), datetime.date(2024, 2, 1), march.start):
        period_prepare(month=month, actor=team.bendahara)
        period_sign(month=month, actor=team.ketua)

    f = month_figures(march)
    paid_in_march = Claim.objects.filter(entry__date__gte=march.start, entry__date__lte=march.end)
    assert f["claims.paid:sickness"] == paid_in_march.count() == 1
    assert f["claims.paid_amount:sickness"] == paid.amount == 100_000
    assert f[f"claims.days:sickness:{paid.service_days}"] == 1
    assert "claims.submitted:sickness" not in f  # submitted (recorded) in 2026
    assert f["claims.overdue:accident"] == 1
    assert f["reserve.opening"] == account_balance("1201", until=datetime.date(2024, 2, 29))
    assert f["reserve.claims_out"] == 100_000
    assert f["reserve.closing"] == account_balance("1201", until=march.end) == 900_000
    repaid = Loan.objects.get(pk=loan.pk).schedule.filter(paid_on__isnull=False)
    assert (f["revolving.loans"], f["revolving.disbursed"]) == (1, 600_000)
    assert f["revolving.repaid"] == sum(i.principal for i in repaid)
    assert f["revolving.fees"] == sum(i.fee for i in repaid)
    assert f["revolving.outstanding"] == account_balance("1301", until=march.end)
    assert (f["grants.count"], f["grants.received"], f["grants.spent"]) == (1, 500_000, 200_000)
    assert f["grants.balance"] == account_balance("1204", until=march.end) == 300_000
    assert f["cards.handed_over"] == 1 and "cards.waiting" not in f
    assert (f["closing.months"], f["closing.closed"]) == (1, 1)
    assert f["reconciliation.state:no_statement"] == 1
    assert all(isinstance(value, int) for value in f.values())
