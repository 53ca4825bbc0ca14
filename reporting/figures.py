"""The figures of a period report, computed from the LPA's own tables and ledger, never
typed in (docs/subsystems/reports.md says what each one counts).

A report's figures are one flat mapping of keys to whole numbers, computed one month
at a time inside the LPA's schema (`month_figures`). Longer periods are built from
their months (`figures_combine`): a flow (premiums collected, claims paid) is the sum
of its months; a stock (participants by status, the reserve's closing balance) is the
last month's; the reserve's opening balance is the first month's. A tier's
consolidated report adds its reports' figures key by key (`figures_add`): across LPAs
every figure adds, stocks included. Figures that do not add (a median, a rate) are
never stored: the median number of working days to pay a claim is read from the
stored counts per number of days (`claims.days:<type>:<n>`), which do add, and a
collection rate from what was due and what was collected (`derived`).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection
from django.utils import timezone

from askesos.workdays.services import holidays_between, working_days_between
from programme.claims.models import WAITING_STATUSES
from programme.claims.sla import sla_limit
from programme.ledger import accounts as acc
from programme.participants.models import PolicyStatus
from programme.schemes.models import SchemeVersion
from programme.schemes.rules import coverage_months, monthly_premium
from reporting.periods import Period

OPEN = (PolicyStatus.REGISTERED.value, PolicyStatus.ACTIVE.value)
AGE_BANDS = (
    (0, 19, "<20"),
    (20, 29, "20-29"),
    (30, 39, "30-39"),
    (40, 49, "40-49"),
    (50, 59, "50-59"),
    (60, 200, "60+"),
)
MOVEMENTS = {
    PolicyStatus.ACTIVE.value: "movements.activated",
    PolicyStatus.LAPSED.value: "movements.lapsed",
    PolicyStatus.MATURED.value: "movements.matured",
    PolicyStatus.WITHDRAWN.value: "movements.withdrawn",
    PolicyStatus.DECEASED.value: "movements.deceased",
}

# How a figure over several months is built from its months. Keys are matched by
# their part before the first ':' (the breakdown follows it).
LAST = frozenset(
    {
        "participants.status",
        "participants.sex",
        "participants.age",
        "participants.occupation",
        "participants.regency",
        "participants.open",
        "premiums.arrears",
        "premiums.arrears_policies",
        "claims.overdue",
        "reserve.closing",
        "reconciliation.state",
        "reconciliation.difference",
        "savings.owed",
        "revolving.outstanding",
        "grants.balance",
        "cards.waiting",
    }
)
FIRST = frozenset({"reserve.opening"})


def _rule(key: str) -> str:
    base = key.split(":", 1)[0]
    return "last" if base in LAST else "first" if base in FIRST else "sum"


def _bounds(day: datetime.date) -> datetime.datetime:
    """The first instant of `day` in Asia/Jakarta (timestamps are compared with it)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _rows(sql: str, params: Mapping[str, Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Each policy's status on a day: its last event on or before that day.
_STATUS_ON = """
    SELECT DISTINCT ON (e.policy_id) e.policy_id, e.to_status
    FROM participants_policyevent e
    WHERE e.effective_date <= %(end)s
    ORDER BY e.policy_id, e.effective_date DESC, e.at DESC, e.id DESC
"""


def _participants(figures: Counter, p: dict[str, Any]) -> None:
    """Stocks on the month's last day, by each participant's latest policy begun by
    then; the breakdowns count those whose policy is open (registered or active)."""
    rows = _rows(
        f"""
        WITH latest AS (
            SELECT DISTINCT ON (participant_id) id, participant_id
            FROM participants_policy WHERE start_date <= %(end)s
            ORDER BY participant_id, start_date DESC, id DESC
        ), status AS ({_STATUS_ON})
        SELECT s.to_status, pa.sex, pa.occupation, left(pa.village_id, 5),
               extract(year FROM age(%(end)s, pa.birth_date))::int, count(*)
        FROM latest l
        JOIN status s ON s.policy_id = l.id
        JOIN participants_participant pa ON pa.id = l.participant_id
        GROUP BY 1, 2, 3, 4, 5
        """,
        p,
    )
    for status, sex, occupation, regency, age, count in rows:
        figures[f"participants.status:{status}"] += count
        if status not in OPEN:
            continue
        figures["participants.open"] += count
        figures[f"participants.sex:{sex}"] += count
        figures[f"participants.occupation:{occupation}"] += count
        figures[f"participants.regency:{regency}"] += count
        band = next(label for low, high, label in AGE_BANDS if low <= age <= high)
        figures[f"participants.age:{band}"] += count


def _movements(figures: Counter, p: dict[str, Any]) -> None:
    """Lifecycle events dated in the month. A new policy is `new`, or `reregistered`
    when its participant had a policy before it."""
    rows = _rows(
        """
        SELECT e.to_status,
               e.from_status = '' AND EXISTS (
                   SELECT 1 FROM participants_policy q
                   WHERE q.participant_id = p.participant_id
                     AND (q.start_date, q.id) < (p.start_date, p.id)),
               count(*)
        FROM participants_policyevent e JOIN participants_policy p ON p.id = e.policy_id
        WHERE e.effective_date BETWEEN %(start)s AND %(end)s
        GROUP BY 1, 2
        """,
        p,
    )
    for status, again, count in rows:
        if status == PolicyStatus.REGISTERED:
            figures["movements.reregistered" if again else "movements.new"] += count
        elif status in MOVEMENTS:
            figures[MOVEMENTS[status]] += count


def _premiums(figures: Counter, p: dict[str, Any], schemes: dict[int, dict]) -> None:
    """Due: one month's premium of every policy open on the month's last day whose
    coverage includes the month. Collected: receipts dated in the month, less those
    reversed since. Arrears on the last day: unpaid coverage months of active
    policies, at their scheme's premium."""
    rows = _rows(
        f"""
        WITH status AS ({_STATUS_ON})
        SELECT p.scheme_version_id, count(*)
        FROM participants_policy p JOIN status s ON s.policy_id = p.id
        WHERE s.to_status = ANY(%(open)s) AND p.start_date <= %(end)s AND p.end_date > %(start)s
        GROUP BY 1
        """,
        p,
    )
    for scheme, count in rows:
        figures["premiums.due"] += count * monthly_premium(schemes[scheme])
        figures["premiums.due_policies"] += count
    ((amount, receipts),) = _rows(
        """
        SELECT coalesce(sum(amount), 0), count(*) FROM ledger_premiumreceipt
        WHERE received_on BETWEEN %(start)s AND %(end)s AND status <> 'reversed'
        """,
        p,
    )
    figures["premiums.collected"] += amount
    figures["premiums.receipts"] += receipts
    rows = _rows(
        f"""
        WITH status AS ({_STATUS_ON})
        SELECT p.start_date, p.scheme_version_id,
               coalesce((SELECT sum(r.months) FROM ledger_premiumreceipt r
                         WHERE r.policy_id = p.id AND r.received_on <= %(end)s
                           AND r.status <> 'reversed'), 0)
        FROM participants_policy p JOIN status s ON s.policy_id = p.id
        WHERE s.to_status = 'active'
        """,
        p,
    )
    end = p["end"]
    for start, scheme, paid in rows:
        rules = schemes[scheme]
        passed = (end.year - start.year) * 12 + (end.month - start.month)
        unpaid = max(0, min(passed, coverage_months(rules)) - paid)
        if unpaid:
            figures["premiums.arrears"] += unpaid * monthly_premium(rules)
            figures["premiums.arrears_policies"] += 1


def _claims(figures: Counter, p: dict[str, Any]) -> None:
    """By claim type: submitted in the month; paid in the month (count, amount, the
    working days each took: `claims.days:<type>:<n>`), by the payment's date (its
    ledger entry's, as the reserve's lines); and claims complete by the month's end,
    not paid by then and past the service level (overdue)."""
    for benefit, count in _rows(
        """SELECT benefit, count(*) FROM claims_claim
           WHERE submitted_at >= %(from)s AND submitted_at < %(to)s GROUP BY 1""",
        p,
    ):
        figures[f"claims.submitted:{benefit}"] += count
    for benefit, days, count, amount in _rows(
        """SELECT c.benefit, coalesce(c.service_days, 0), count(*), sum(c.amount)
           FROM claims_claim c JOIN ledger_journalentry e ON e.id = c.entry_id
           WHERE e.date BETWEEN %(start)s AND %(end)s GROUP BY 1, 2""",
        p,
    ):
        figures[f"claims.paid:{benefit}"] += count
        figures[f"claims.paid_amount:{benefit}"] += amount
        figures[f"claims.days:{benefit}:{days}"] += count
    waiting = _rows(
        """SELECT c.benefit, c.complete_at
           FROM claims_claim c LEFT JOIN ledger_journalentry e ON e.id = c.entry_id
           WHERE c.complete_at < %(to)s AND (e.date IS NULL OR e.date > %(end)s)
             AND (c.status = ANY(%(waiting)s) OR e.date IS NOT NULL)""",
        p,
    )
    if waiting:
        end = p["end"]
        days = [timezone.localdate(complete) for _b, complete in waiting]
        holidays = holidays_between(min(days), end)
        for (benefit, _complete), day in zip(waiting, days, strict=True):
            if working_days_between(day, end, holidays=holidays) > sla_limit():
                figures[f"claims.overdue:{benefit}"] += 1


def _money(figures: Counter, p: dict[str, Any]) -> None:
    """The claim reserve's account (1201) through the month by entry kind; balances
    of the savings owed (2101), the loans outstanding (1301) and the grants' bank
    (1204) on the last day."""
    balances = dict(
        _rows(
            """SELECT a.code, coalesce(sum(l.amount), 0)::bigint FROM ledger_journalline l
               JOIN ledger_account a ON a.id = l.account_id
               JOIN ledger_journalentry e ON e.id = l.entry_id
               WHERE e.date <= %(end)s AND a.code = ANY(%(codes)s) GROUP BY 1""",
            {
                **p,
                "codes": [
                    acc.BANK_RESERVE,
                    acc.PREMIUM_SAVINGS,
                    acc.LOANS_RECEIVABLE,
                    acc.BANK_GRANTS,
                ],
            },
        )
    )
    movements = dict(
        _rows(
            """SELECT e.kind, sum(l.amount)::bigint FROM ledger_journalline l
               JOIN ledger_account a ON a.id = l.account_id
               JOIN ledger_journalentry e ON e.id = l.entry_id
               WHERE e.date BETWEEN %(start)s AND %(end)s AND a.code = %(reserve)s
               GROUP BY 1""",
            {**p, "reserve": acc.BANK_RESERVE},
        )
    )
    closing = balances.get(acc.BANK_RESERVE, 0)
    net = sum(movements.values())
    figures["reserve.opening"] += closing - net
    figures["reserve.subsidy_in"] += movements.pop("subsidy", 0)
    figures["reserve.claims_out"] += -movements.pop("claim", 0)
    figures["reserve.charges"] += -movements.pop("expense", 0)
    figures["reserve.interest"] += movements.pop("interest", 0)
    figures["reserve.other"] += sum(movements.values())
    figures["reserve.closing"] += closing
    figures["savings.owed"] += -balances.get(acc.PREMIUM_SAVINGS, 0)
    figures["revolving.outstanding"] += balances.get(acc.LOANS_RECEIVABLE, 0)
    figures["grants.balance"] += balances.get(acc.BANK_GRANTS, 0)
    ((spent,),) = _rows(
        """SELECT coalesce(sum(l.amount), 0)::bigint FROM ledger_journalline l
           JOIN ledger_account a ON a.id = l.account_id
           JOIN ledger_journalentry e ON e.id = l.entry_id
           WHERE e.date BETWEEN %(start)s AND %(end)s AND a.code = %(spending)s""",
        {**p, "spending": acc.GRANT_SPENDING},
    )
    figures["grants.spent"] += spent


def _funds(figures: Counter, p: dict[str, Any]) -> None:
    """Savings paid back, loans disbursed and repaid, grants received, cards handed
    over in the month; cards printed and not handed over by its end."""
    for reason, count, amount in _rows(
        """SELECT reason, count(*), sum(amount) FROM ledger_payout
           WHERE paid_on BETWEEN %(start)s AND %(end)s GROUP BY 1""",
        p,
    ):
        figures[f"savings.paid:{reason}"] += count
        figures[f"savings.paid_amount:{reason}"] += amount
    ((loans, principal),) = _rows(
        """SELECT count(*), coalesce(sum(principal), 0) FROM ledger_loan
           WHERE disbursed_on BETWEEN %(start)s AND %(end)s""",
        p,
    )
    figures["revolving.loans"] += loans
    figures["revolving.disbursed"] += principal
    ((repaid, fees),) = _rows(
        """SELECT coalesce(sum(principal), 0), coalesce(sum(fee), 0) FROM ledger_loaninstallment
           WHERE paid_on BETWEEN %(start)s AND %(end)s""",
        p,
    )
    figures["revolving.repaid"] += repaid
    figures["revolving.fees"] += fees
    ((grants, received),) = _rows(
        """SELECT count(*), coalesce(sum(amount), 0) FROM ledger_grant
           WHERE received_on BETWEEN %(start)s AND %(end)s""",
        p,
    )
    figures["grants.count"] += grants
    figures["grants.received"] += received
    ((handed, waiting),) = _rows(
        """SELECT count(*) FILTER (WHERE handed_over_on BETWEEN %(start)s AND %(end)s),
                  count(*) FILTER (WHERE printed_at < %(to)s
                                   AND (handed_over_on IS NULL OR handed_over_on > %(end)s))
           FROM participants_membercard""",
        p,
    )
    figures["cards.handed_over"] += handed
    figures["cards.waiting"] += waiting


def _books(figures: Counter, p: dict[str, Any]) -> None:
    """The month's closing in the ledger and the latest reconciliation of the reserve
    account with a statement up to the month's end."""
    figures["closing.months"] += 1
    state = _rows("SELECT status FROM ledger_period WHERE month = %(start)s", p)
    if state and state[0][0] == "closed":
        figures["closing.closed"] += 1
    elif state and state[0][0] == "prepared":
        figures["closing.prepared"] += 1
    last = _rows(
        """SELECT state, difference FROM banking_reconciliation
           WHERE account = %(reserve)s AND as_of <= %(end)s
           ORDER BY as_of DESC, run_at DESC, id DESC LIMIT 1""",
        {**p, "reserve": acc.BANK_RESERVE},
    )
    state, difference = last[0] if last else ("no_statement", 0)
    figures[f"reconciliation.state:{state}"] += 1
    figures["reconciliation.difference"] += difference


def month_figures(month: Period, *, schemes: dict[int, dict] | None = None) -> dict[str, int]:
    """One month's figures for the LPA whose schema the connection is in."""
    p = {
        "start": month.start,
        "end": month.end,
        "from": _bounds(month.start),
        "to": _bounds(month.end + datetime.timedelta(days=1)),
        "open": list(OPEN),
        "waiting": [str(s) for s in WAITING_STATUSES],
    }
    if schemes is None:
        schemes = scheme_rules()
    figures: Counter = Counter()
    _participants(figures, p)
    _movements(figures, p)
    _premiums(figures, p, schemes)
    _claims(figures, p)
    _money(figures, p)
    _funds(figures, p)
    _books(figures, p)
    # Whole numbers for JSON (PostgreSQL's sums of bigints come back as Decimal).
    return {key: int(value) for key, value in figures.items() if value}


def scheme_rules() -> dict[int, dict]:
    return dict(SchemeVersion.objects.values_list("pk", "rules"))


def figures_combine(months: list[Mapping[str, int]]) -> dict[str, int]:
    """A longer period from its months, oldest first (see the module's docstring)."""
    result: dict[str, int] = {}
    keys = {key for month in months for key in month}
    for key in keys:
        rule = _rule(key)
        if rule == "last":
            value = months[-1].get(key, 0)
        elif rule == "first":
            value = months[0].get(key, 0)
        else:
            value = sum(month.get(key, 0) for month in months)
        if value:
            result[key] = value
    return result


def figures_add(reports: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Reports of one period added key by key (a tier's consolidated figures)."""
    total: Counter = Counter()
    for figures in reports:
        total.update(figures)
    return {key: value for key, value in total.items() if value}


def median_from_counts(counts: Mapping[int, int]) -> float | None:
    """The median of values given as {value: how many}; None when there are none."""
    n = sum(counts.values())
    if not n:
        return None
    ordered = sorted(counts.items())

    def nth(index: int) -> int:
        seen = 0
        for value, count in ordered:
            seen += count
            if index < seen:
                return value
        raise IndexError(index)

    if n % 2:
        return float(nth(n // 2))
    return (nth(n // 2 - 1) + nth(n // 2)) / 2


def derived(figures: Mapping[str, int]) -> dict[str, Any]:
    """Figures computed from the stored ones: the collection rate (percent, one
    decimal), the median working days to payment per claim type and overall."""
    result: dict[str, Any] = {}
    due = figures.get("premiums.due", 0)
    result["collection_rate"] = (
        round(figures.get("premiums.collected", 0) * 100 / due, 1) if due else None
    )
    per_type: dict[str, Counter] = {}
    for key, count in figures.items():
        if key.startswith("claims.days:"):
            _base, benefit, days = key.split(":")
            per_type.setdefault(benefit, Counter())[int(days)] += count
    result["median_days"] = {b: median_from_counts(c) for b, c in per_type.items()}
    result["median_days_all"] = median_from_counts(sum(per_type.values(), Counter()))
    return result
