"""The field officer's collection sheet: who owes premiums this month, how many months
and how much, read from the same arrears arithmetic the lapse rule uses; and what a
participant's page shows of a policy's premiums.

A policy is on the sheet while it is open (registered, awaiting its first premium, or
active) and a coverage month up to and including this month is unpaid. The sheet
prefills every due month (at least one) at the scheme's premium; the officer may
change the months (paying ahead within the coverage). Recording goes through
`premium_receipts_batch`, like the API: each ticked row stands alone.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Q, Sum

from askesos.dates import today
from programme.ledger.errors import LedgerError
from programme.ledger.models import PremiumReceipt, ReceiptStatus
from programme.ledger.premiums import arrears_months, months_between, policy_number_clean
from programme.participants.models import OPEN_STATUSES, Policy, PolicyStatus
from programme.schemes.models import SchemeVersion
from programme.schemes.rules import coverage_months, grace_months, monthly_premium

SHEET_LIMIT = 150  # rows on one sheet: 4 fields a row stay under Django's 1.000 fields a POST


@dataclass(frozen=True)
class PremiumStanding:
    """Where a policy's premiums stand on a day. Coverage month k is the k-th month
    from the start month; `arrears` counts months fully passed unpaid (the lapse rule),
    `due` also counts the current month."""

    start: datetime.date  # first day of the first coverage month
    on: datetime.date
    premium: int
    coverage: int
    grace: int
    paid: int
    arrears: int
    due: int

    @property
    def left(self) -> int:
        """Coverage months not yet paid (what may still be paid, ahead included)."""
        return max(0, self.coverage - self.paid)

    @property
    def paid_through(self) -> datetime.date | None:
        """The last coverage month paid (its first day), or None before any premium."""
        return self.start + relativedelta(months=self.paid - 1) if self.paid else None

    @property
    def next_month(self) -> datetime.date | None:
        """The next coverage month to pay (its first day), or None when all are paid."""
        return self.start + relativedelta(months=self.paid) if self.left else None

    @property
    def near_lapse(self) -> bool:
        return self.arrears == self.grace - 1

    @property
    def months_prefill(self) -> int:
        """What the sheet proposes: every due month, at least one, within coverage."""
        return min(max(self.due, 1), self.left)

    @property
    def amount_prefill(self) -> int:
        return self.months_prefill * self.premium

    @property
    def amount_due(self) -> int:
        return self.due * self.premium

    @property
    def amount_arrears(self) -> int:
        return self.arrears * self.premium


def standing_of(
    *, start: datetime.date, rules: dict, paid: int, on: datetime.date
) -> PremiumStanding:
    coverage = coverage_months(rules)
    return PremiumStanding(
        start=start.replace(day=1),
        on=on,
        premium=monthly_premium(rules),
        coverage=coverage,
        grace=grace_months(rules),
        paid=paid,
        arrears=arrears_months(start=start, rules=rules, paid=paid, on=on),
        due=max(0, min(months_between(start, on) + 1, coverage) - paid),
    )


def _paid_by_policy(policy_ids: Iterable[int]) -> dict[int, int]:
    return dict(
        PremiumReceipt.objects.filter(policy_id__in=list(policy_ids))
        .exclude(status=ReceiptStatus.REVERSED)
        .values_list("policy_id")
        .annotate(m=Sum("months"))
    )


def policy_standing(*, policy: Policy, on: datetime.date | None = None) -> PremiumStanding:
    paid = _paid_by_policy([policy.pk]).get(policy.pk, 0)
    return standing_of(
        start=policy.start_date, rules=policy.scheme_version.rules, paid=paid, on=on or today()
    )


@dataclass(frozen=True)
class SheetRow:
    policy_id: int
    policy_number: str
    status: str
    participant_id: int
    name: str
    village: str
    group: str
    standing: PremiumStanding

    @property
    def registered(self) -> bool:
        return self.status == PolicyStatus.REGISTERED


def _rows(policies, *, on: datetime.date) -> list[SheetRow]:
    values = list(
        policies.values_list(
            "pk",
            "number",
            "status",
            "start_date",
            "scheme_version_id",
            "participant_id",
            "participant__name",
            "participant__village__name",
            "participant__group__name",
        )
    )
    schemes = dict(
        SchemeVersion.objects.filter(pk__in={v[4] for v in values}).values_list("pk", "rules")
    )
    paid = _paid_by_policy(v[0] for v in values)
    return [
        SheetRow(
            policy_id=pk,
            policy_number=number,
            status=status,
            participant_id=participant_id,
            name=name,
            village=village or "",
            group=group or "",
            standing=standing_of(start=start, rules=schemes[scheme], paid=paid.get(pk, 0), on=on),
        )
        for pk, number, status, start, scheme, participant_id, name, village, group in values
    ]


def collection_sheet(
    *,
    on: datetime.date,
    village_code: str = "",
    group_id: int | None = None,
    officer_id: int | None = None,
    limit: int = SHEET_LIMIT,
) -> tuple[list[SheetRow], bool]:
    """The participants with a premium due up to `on`'s month, by kelompok, desa and
    name, and whether the list was cut at `limit`. Lapsed, matured, withdrawn and
    deceased policies are not collected."""
    policies = Policy.objects.filter(status__in=OPEN_STATUSES, start_date__lte=on)
    if village_code:
        policies = policies.filter(participant__village_id=village_code)
    if group_id:
        policies = policies.filter(participant__group_id=group_id)
    if officer_id:
        policies = policies.filter(participant__group__officer_id=officer_id)
    policies = policies.order_by(
        "participant__group__name", "participant__village__name", "participant__name", "pk"
    )
    due = [row for row in _rows(policies, on=on) if row.standing.due > 0]
    return due[:limit], len(due) > limit


def collection_rows(
    *, policy_ids: Iterable[int], on: datetime.date, open_only: bool = True
) -> list[SheetRow]:
    """Rows for given policies whether or not anything is due (a card scanned, a policy
    number typed, a row sent back with the form), in the order given."""
    ids = [int(pk) for pk in policy_ids]
    policies = Policy.objects.filter(pk__in=ids)
    if open_only:
        policies = policies.filter(status__in=OPEN_STATUSES)
    by_id = {row.policy_id: row for row in _rows(policies, on=on)}
    return [by_id[pk] for pk in ids if pk in by_id]


def collection_policy_find(*, card_token: str = "", policy_number: str = "") -> Policy:
    """The open policy of this LPA behind a scanned member card or a typed policy
    number (any case), or a LedgerError that says why not: unknown, another LPA's
    card, a policy no longer open."""
    from programme.registry.models import CardCheck
    from tenants.selectors import lpa_current

    if card_token:
        found = Q(card_token=card_token)
    else:
        found = Q(number=policy_number_clean(policy_number))
    policy = Policy.objects.select_related("participant").filter(found).first()
    if policy is None:
        if card_token:
            check = CardCheck.objects.select_related("lpa").filter(token=card_token).first()
            if check is not None and check.lpa_id != lpa_current().pk:
                raise LedgerError("card_other_lpa", lpa=check.lpa.name)
            raise LedgerError("card_unknown")
        raise LedgerError("policy_unknown", field="polis", number=policy_number.strip())
    if policy.status not in OPEN_STATUSES:
        raise LedgerError(
            "receipt_policy_closed",
            policy=policy.number,
            state=PolicyStatus(policy.status).label.lower(),
        )
    return policy


CARD_URL = re.compile(r"/kartu/([A-Za-z0-9_-]{8,40})/?(?:[?#].*)?$")


def card_token_from(text: str) -> str:
    """The token of a member card's QR code (…/kartu/<token>/), or ''."""
    match = CARD_URL.search((text or "").strip())
    return match.group(1) if match else ""


def months_parse(text: str, *, field: str = "months") -> int:
    value = (text or "").strip()
    if not value.isdigit() or len(value) > 3:
        raise LedgerError("months_not_figures", field=field)
    return int(value)


def policy_receipts(policy: Policy) -> list[PremiumReceipt]:
    """A policy's receipts, oldest first, with the coverage months each paid."""
    receipts = list(PremiumReceipt.objects.filter(policy=policy).order_by("received_on", "pk"))
    start = policy.start_date.replace(day=1)
    for receipt in receipts:
        receipt.first_covered = start + relativedelta(months=receipt.first_month)
        receipt.last_covered = start + relativedelta(
            months=receipt.first_month + receipt.months - 1
        )
    return receipts
