"""The claim's plain workflow steps as one table, for the pages and the API alike:
who may take the step, how it runs from the submitted fields, and what the page says
when it worked."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from askesos.permissions import Action
from programme.claims import services
from programme.claims.models import Claim

Run = Callable[[Claim, Mapping[str, Any], Any], Claim]


@dataclass(frozen=True)
class Step:
    action: Action
    run: Run  # (claim, submitted fields, actor) -> claim
    done: Any  # the page's message, lazily translated


STEPS: dict[str, Step] = {
    "resubmit": Step(
        Action.CLAIM_SUBMIT,
        lambda c, data, actor: services.claim_resubmit(claim=c, actor=actor),
        _("Submitted again."),
    ),
    "verify": Step(
        Action.CLAIM_VERIFY,
        lambda c, data, actor: services.claim_verify(claim=c, actor=actor),
        _("Claim verified."),
    ),
    "return": Step(
        Action.CLAIM_VERIFY,
        lambda c, data, actor: services.claim_return(
            claim=c, reason=data.get("reason", ""), actor=actor
        ),
        _("Claim returned to the field officer."),
    ),
    "reject": Step(
        Action.CLAIM_VERIFY,
        lambda c, data, actor: services.claim_reject(
            claim=c, reason=data.get("reason", ""), actor=actor
        ),
        _("Claim rejected."),
    ),
    "refer": Step(
        Action.CLAIM_VERIFY,
        lambda c, data, actor: services.claim_refer(
            claim=c, reference=data.get("reference", ""), actor=actor
        ),
        _("Referral recorded."),
    ),
    "notify": Step(
        Action.CLAIM_VERIFY,
        lambda c, data, actor: services.claim_notify(claim=c, how=data.get("how", ""), actor=actor),
        _("Notice recorded."),
    ),
    "close": Step(
        Action.CLAIM_VERIFY,
        lambda c, data, actor: services.claim_close(claim=c, actor=actor),
        _("Claim closed."),
    ),
}
