"""Every figure of an LPA's period report equals a direct count over that LPA's own
tables for the same period, written here independently of reporting.figures (with
the ORM, not its SQL); a quarter's additive figures are the sums of its months."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Sum

from programme.generator import generate, lpas_generate
from programme.ledger import accounts as acc
from programme.ledger.models import JournalLine, PremiumReceipt
from programme.participants.models import Participant, Policy, PolicyEvent
from programme.schemes.rules import coverage_months, monthly_premium
from reporting.figures import FIRST, LAST, figures_combine, month_figures
from reporting.periods import Period
from tests.reporting.report_helpers import HISTORY_START, MONTHS, Q3, history_make


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


@pytest.fixture
def twenty_lpas(db):
    """20 generated LPAs in two provinces (Sulawesi Tenggara, Gorontalo), each with 12
    participants registered on HISTORY_START and a history through Q3 2026."""
    made = []
    for province, seed in (("74", 301), ("75", 302)):
        lpas = list(lpas_generate(count=10, seed=seed, province=province))
        generate(lpas=0, participants=12, seed=seed, existing=lpas, today=HISTORY_START)
        made += lpas
    for lpa in made:
        history_make(lpa, seed=7)
    return made


def test_every_figure_equals_a_direct_count_in_twenty_lpas(twenty_lpas):
    provinces = {lpa.regency.province_id for lpa in twenty_lpas}
    assert len(twenty_lpas) == 20 and provinces == {"74", "75"}
    compared = 0
    for lpa in twenty_lpas:
        connection.set_tenant(lpa)
        for month in MONTHS:
            report = month_figures(month)
            # Whole numbers, as a report's JSON keeps them (a bigint's sum is numeric).
            assert {type(v) for v in report.values()} == {int}, (lpa.slug, report)
            assert checked(report) == direct(month), (lpa.slug, month.code)
            compared += len(checked(report))
        connection.set_schema_to_public()
    assert compared > 20 * 3 * 15  # many figures, not a few


def test_a_quarter_is_the_sum_of_its_months_for_every_additive_figure(twenty_lpas):
    for lpa in twenty_lpas[:5]:
        connection.set_tenant(lpa)
        months = [month_figures(m) for m in MONTHS]
        quarter = figures_combine(months)
        keys = {k for m in months for k in m}
        for key in keys:
            base = key.split(":", 1)[0]
            if base in LAST:
                assert quarter.get(key, 0) == months[-1].get(key, 0), key
            elif base in FIRST:
                assert quarter.get(key, 0) == months[0].get(key, 0), key
            else:
                assert quarter.get(key, 0) == sum(m.get(key, 0) for m in months), key
        # ... and the quarter computed directly over its three months agrees.
        direct_quarter = direct(Period("month", Q3.start))  # July's stocks are not Q3's
        assert quarter["premiums.collected"] == sum(direct(m)["premiums.collected"] for m in MONTHS)
        assert checked(quarter)["participants.open"] == direct(MONTHS[-1])["participants.open"]
        assert direct_quarter  # July alone is a different figure set
        connection.set_schema_to_public()
