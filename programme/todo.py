"""What waits for each member of the team: one table of to-do items, each keyed on the
permission that does the work, so a role's home page lists exactly the work its
permissions allow (the Ketua's signatures, the Bendahara's payments and deposits, Urusan
Klaim's verifications, the field officer's collection). Counts and amounts are read
from the LPA's own tables each time; an item with nothing waiting is not shown.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from askesos.dates import today
from askesos.money import format_number
from askesos.permissions import LPA_ROLE_ACTIONS, Action
from askesos.roles import LpaRole


@dataclass(frozen=True)
class Todo:
    key: str
    label: Any  # lazily translated, with %(count)s
    count: int
    url: str | None  # None: nothing to open (the work happens elsewhere)
    amount: int | None = None
    urgent: bool = False

    @property
    def text(self) -> str:
        return str(self.label) % {"count": format_number(self.count)}


@dataclass(frozen=True)
class Waiting:
    count: int
    amount: int | None = None
    urgent: bool = False


def _requests(status: str) -> Waiting:
    from programme.claims.models import PaymentRequest

    found = PaymentRequest.objects.filter(status=status).aggregate(n=Count("pk"), t=Sum("total"))
    return Waiting(found["n"], found["t"] or 0)


def _requests_to_approve(user: Any) -> Waiting:
    return _requests("open")


def _requests_to_pay(user: Any) -> Waiting:
    return _requests("approved")


def _months_to_sign(user: Any) -> Waiting:
    from programme.ledger.models import Period, PeriodStatus

    return Waiting(Period.objects.filter(status=PeriodStatus.PREPARED).count())


def _months_to_prepare(user: Any) -> Waiting:
    from programme.ledger.services import months_to_prepare

    months = months_to_prepare()
    return Waiting(len(months), urgent=len(months) > 1)


def _receipts(**filters: Any) -> Waiting:
    from programme.ledger.models import PremiumReceipt, ReceiptStatus

    found = PremiumReceipt.objects.filter(status=ReceiptStatus.COLLECTED, **filters).aggregate(
        n=Count("pk"), t=Sum("amount")
    )
    return Waiting(found["n"], found["t"] or 0)


def _handovers_to_receive(user: Any) -> Waiting:
    return _receipts()


def _cash_to_hand_over(user: Any) -> Waiting:
    return _receipts(collected_by_id=user.pk)


def _cash_to_deposit(user: Any) -> Waiting:
    from programme.ledger.models import CashHandover

    found = CashHandover.objects.filter(deposit_entry__isnull=True).aggregate(
        n=Count("pk"), t=Sum("amount")
    )
    return Waiting(found["n"], found["t"] or 0)


def _claims(*statuses: str) -> int:
    from programme.claims.models import Claim

    return Claim.objects.filter(status__in=statuses).count()


def _claims_to_verify(user: Any) -> Waiting:
    return Waiting(_claims("submitted"))


def _claims_to_recapitulate(user: Any) -> Waiting:
    from programme.claims.selectors import claims_ready_for_payment

    found = claims_ready_for_payment().aggregate(n=Count("pk"), t=Sum("amount"))
    return Waiting(found["n"], found["t"] or 0)


def _claims_returned(user: Any) -> Waiting:
    return Waiting(_claims("returned"))


def _claims_to_notify(user: Any) -> Waiting:
    return Waiting(_claims("paid", "referred", "rejected"))


def _claims_overdue(user: Any) -> Waiting:
    from programme.claims.sla import claims_waiting

    overdue = sum(1 for waiting in claims_waiting(on=today()) if waiting.overdue)
    return Waiting(overdue, urgent=True)


def _collection_due(user: Any) -> Waiting:
    """As the collection sheet opens for this member: an officer who leads kelompok
    sees their own groups, everybody else the whole LPA."""
    from programme.ledger.collection import collection_sheet
    from programme.participants.models import MeetingGroup

    leads = MeetingGroup.objects.filter(officer_id=user.pk).exists()
    rows, _cut = collection_sheet(
        on=today(), officer_id=user.pk if leads else None, limit=sys.maxsize
    )
    return Waiting(len(rows), sum(row.standing.amount_due for row in rows))


def _near_lapse(user: Any) -> Waiting:
    from programme.ledger.premiums import policies_near_lapse

    return Waiting(len(policies_near_lapse(on=today())), urgent=True)


def _cards_to_hand_over(user: Any) -> Waiting:
    from programme.participants.selectors import cards_not_handed_over

    return Waiting(cards_not_handed_over().count())


def _awaiting_first_premium(user: Any) -> Waiting:
    from programme.participants.models import Policy, PolicyStatus

    return Waiting(Policy.objects.filter(status=PolicyStatus.REGISTERED).count())


def _reports_to_submit(user: Any) -> Waiting:
    """Period reports made and not yet submitted (or returned); urgent once due."""
    from reporting.models import Report, ReportLevel, ReportState
    from tenants.selectors import lpa_current

    owed = Report.objects.filter(
        level=ReportLevel.LPA,
        lpa=lpa_current(),
        state__in=(ReportState.DRAFT, ReportState.RETURNED),
    )
    return Waiting(owed.count(), urgent=owed.filter(due_on__lt=today()).exists())


@dataclass(frozen=True)
class Item:
    key: str
    action: Action
    label: Any
    url: Callable[[], str] | None
    waiting: Callable[[Any], Waiting]


def _url(name: str, query: str = "") -> Callable[[], str]:
    return lambda: reverse(name) + (f"?{query}" if query else "")


ITEMS: tuple[Item, ...] = (
    # The Ketua's signatures.
    Item(
        "requests_to_approve",
        Action.CLAIM_APPROVE,
        _("Payment requests waiting for your signature: %(count)s"),
        _url("payment-requests", "status=open"),
        _requests_to_approve,
    ),
    Item(
        "months_to_sign",
        Action.PERIOD_SIGN,
        _("Months prepared by the Bendahara, waiting for your signature: %(count)s"),
        _url("periods"),
        _months_to_sign,
    ),
    Item(
        "reports_to_submit",
        Action.REPORT_SUBMIT,
        _("Period reports to submit to the Dinas Sosial: %(count)s"),
        _url("reports"),
        _reports_to_submit,
    ),
    # The Bendahara's money.
    Item(
        "requests_to_pay",
        Action.CLAIM_PAY,
        _("Approved payment requests to pay: %(count)s"),
        _url("payment-requests", "status=approved"),
        _requests_to_pay,
    ),
    Item(
        "handovers_to_receive",
        Action.PREMIUM_RECEIVE,
        _("Receipts still with the field officers, to receive: %(count)s"),
        _url("premium-handover"),
        _handovers_to_receive,
    ),
    Item(
        "cash_to_deposit",
        Action.PREMIUM_RECEIVE,
        _("Hand-overs not yet deposited in the bank: %(count)s"),
        _url("premium-handover"),
        _cash_to_deposit,
    ),
    Item(
        "months_to_prepare",
        Action.PERIOD_PREPARE,
        _("Months that are over and still open, to close: %(count)s"),
        _url("periods"),
        _months_to_prepare,
    ),
    # Urusan Klaim.
    Item(
        "claims_overdue",
        Action.CLAIM_VERIFY,
        _("Claims waiting past the service level: %(count)s"),
        _url("claim-list"),
        _claims_overdue,
    ),
    Item(
        "claims_to_verify",
        Action.CLAIM_VERIFY,
        _("Claims to verify: %(count)s"),
        _url("claim-list", "status=submitted"),
        _claims_to_verify,
    ),
    Item(
        "claims_to_recapitulate",
        Action.CLAIM_VERIFY,
        _("Verified claims to put in a payment request: %(count)s"),
        _url("payment-requests"),
        _claims_to_recapitulate,
    ),
    Item(
        "claims_to_notify",
        Action.CLAIM_VERIFY,
        _("Decided claims whose participant is still to be told: %(count)s"),
        _url("claim-list"),
        _claims_to_notify,
    ),
    # Whoever submits claims: the field officer and Urusan Klaim.
    Item(
        "claims_returned",
        Action.CLAIM_SUBMIT,
        _("Claims returned for documents: %(count)s"),
        _url("claim-list", "status=returned"),
        _claims_returned,
    ),
    # The field: premiums and cards.
    Item(
        "collection_due",
        Action.PREMIUM_RECORD,
        _("Participants with a premium due this month: %(count)s"),
        _url("premium-batch"),
        _collection_due,
    ),
    Item(
        "near_lapse",
        Action.PREMIUM_RECORD,
        _("Participants one unpaid month from lapsing: %(count)s"),
        _url("premium-batch"),
        _near_lapse,
    ),
    Item(
        "cash_to_hand_over",
        Action.PREMIUM_RECORD,
        _("Your receipts not yet handed to the Bendahara: %(count)s"),
        None,
        _cash_to_hand_over,
    ),
    Item(
        "cards_to_hand_over",
        Action.PARTICIPANT_REGISTER,
        _("Member cards printed but not yet handed over: %(count)s"),
        _url("participant-list", "kartu=belum"),
        _cards_to_hand_over,
    ),
    Item(
        "awaiting_first_premium",
        Action.PARTICIPANT_REGISTER,
        _("Registered participants waiting for their first premium: %(count)s"),
        _url("participant-list", "status=registered"),
        _awaiting_first_premium,
    ),
)


def todo_for(*, user: Any, role: str) -> list[Todo]:
    """The work waiting for this member, in the table's order; empty items left out."""
    actions = LPA_ROLE_ACTIONS.get(LpaRole(role), frozenset())
    found = []
    for item in ITEMS:
        if item.action not in actions:
            continue
        waiting = item.waiting(user)
        if waiting.count:
            found.append(
                Todo(
                    key=item.key,
                    label=item.label,
                    count=waiting.count,
                    url=item.url() if item.url else None,
                    amount=waiting.amount,
                    urgent=waiting.urgent,
                )
            )
    return found


def todo_keys_for(role: str) -> set[str]:
    """Which items a role can ever see (for the tests and the docs)."""
    actions = LPA_ROLE_ACTIONS.get(LpaRole(role), frozenset())
    return {item.key for item in ITEMS if item.action in actions}
