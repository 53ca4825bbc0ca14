"""Who may do what: the one place that decides.

Every page view goes through `require` (or `require_government`) and every API view
through `ActionPermission`; services that change money or status re-check with
`ensure`. Roles and their actions are a table here so that the matrix is reviewable
and tested row by row (tests/askesos/test_permissions.py).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name
from rest_framework.permissions import BasePermission

from askesos.errors import PermissionDeniedError
from askesos.roles import GovernmentLevel, GovernmentRole, LpaRole


class Action(StrEnum):
    # Inside an LPA (tenant hosts)
    LPA_DASHBOARD_VIEW = "lpa.dashboard.view"
    STAFF_VIEW = "lpa.staff.view"
    STAFF_MANAGE = "lpa.staff.manage"
    PARTICIPANT_VIEW = "lpa.participant.view"
    PARTICIPANT_REGISTER = "lpa.participant.register"
    PREMIUM_RECORD = "lpa.premium.record"
    PREMIUM_RECEIVE = "lpa.premium.receive"
    CLAIM_VIEW = "lpa.claim.view"
    CLAIM_SUBMIT = "lpa.claim.submit"
    CLAIM_VERIFY = "lpa.claim.verify"
    CLAIM_APPROVE = "lpa.claim.approve"
    CLAIM_PAY = "lpa.claim.pay"
    BOOKS_VIEW = "lpa.books.view"
    LEDGER_POST = "lpa.ledger.post"
    BANK_RECONCILE = "lpa.bank.reconcile"
    PERIOD_PREPARE = "lpa.period.prepare"
    PERIOD_SIGN = "lpa.period.sign"
    REPORT_VIEW = "lpa.report.view"
    REPORT_PREPARE = "lpa.report.prepare"
    REPORT_SUBMIT = "lpa.report.submit"
    AUDIT_VIEW = "lpa.audit.view"  # the LPA's audit trail: its Ketua and Sekretaris
    # Government (portal)
    GOV_DASHBOARD_VIEW = "gov.dashboard.view"
    GOV_LPA_VIEW = "gov.lpa.view"
    GOV_LPA_PROVISION = "gov.lpa.provision"
    GOV_LPA_SUSPEND = "gov.lpa.suspend"
    GOV_REPORT_APPROVE = "gov.report.approve"
    GOV_MONITORING_RECORD = "gov.monitoring.record"
    GOV_AUDIT_EXPORT = "gov.audit.export"
    # Participants one by one (without NIK): the ministry's auditors only.
    GOV_AUDIT_EXPORT_PERSONS = "gov.audit.export_persons"
    GOV_BUDGET_MANAGE = "gov.budget.manage"
    GOV_ALLOCATION_MANAGE = "gov.allocation.manage"
    GOV_TRANSFER_PREPARE = "gov.transfer.prepare"
    GOV_TRANSFER_APPROVE = "gov.transfer.approve"
    GOV_SCHEDULE_MANAGE = "gov.schedule.manage"
    # The public schema's audit trail (roles, LPAs, subsidies, reports): the ministry.
    GOV_AUDIT_TRAIL_VIEW = "gov.audit.trail"


_ALL_LPA_READ = {
    Action.LPA_DASHBOARD_VIEW,
    Action.STAFF_VIEW,
    Action.PARTICIPANT_VIEW,
    Action.CLAIM_VIEW,
    Action.BOOKS_VIEW,
    Action.REPORT_VIEW,
}

LPA_ROLE_ACTIONS: dict[LpaRole, frozenset[Action]] = {
    LpaRole.KETUA: frozenset(
        _ALL_LPA_READ
        | {
            Action.STAFF_MANAGE,
            Action.CLAIM_APPROVE,
            Action.PERIOD_SIGN,
            Action.REPORT_PREPARE,
            Action.REPORT_SUBMIT,
            Action.AUDIT_VIEW,
        }
    ),
    LpaRole.SEKRETARIS: frozenset(
        _ALL_LPA_READ
        | {
            Action.STAFF_MANAGE,
            Action.PARTICIPANT_REGISTER,
            Action.REPORT_PREPARE,
            Action.AUDIT_VIEW,
        }
    ),
    LpaRole.BENDAHARA: frozenset(
        _ALL_LPA_READ
        | {
            Action.PREMIUM_RECEIVE,
            Action.CLAIM_PAY,
            Action.LEDGER_POST,
            Action.BANK_RECONCILE,
            Action.PERIOD_PREPARE,
        }
    ),
    LpaRole.PEMASARAN: frozenset(_ALL_LPA_READ | {Action.PARTICIPANT_REGISTER}),
    LpaRole.PREMI_KEUANGAN: frozenset(
        _ALL_LPA_READ
        | {
            Action.PREMIUM_RECORD,
            Action.PREMIUM_RECEIVE,
            Action.LEDGER_POST,
            Action.BANK_RECONCILE,
        }
    ),
    LpaRole.KLAIM: frozenset(_ALL_LPA_READ | {Action.CLAIM_SUBMIT, Action.CLAIM_VERIFY}),
    LpaRole.PETUGAS_LAPANGAN: frozenset(
        {
            Action.LPA_DASHBOARD_VIEW,
            Action.PARTICIPANT_VIEW,
            Action.PARTICIPANT_REGISTER,
            Action.PREMIUM_RECORD,
            Action.CLAIM_VIEW,
            Action.CLAIM_SUBMIT,
        }
    ),
}

_GOV_READ = {Action.GOV_DASHBOARD_VIEW, Action.GOV_LPA_VIEW}

GOVERNMENT_ROLE_ACTIONS: dict[GovernmentRole, frozenset[Action]] = {
    GovernmentRole.OFFICER: frozenset(
        _GOV_READ
        | {
            Action.GOV_LPA_PROVISION,
            Action.GOV_LPA_SUSPEND,
            Action.GOV_REPORT_APPROVE,
            Action.GOV_AUDIT_EXPORT,
            Action.GOV_BUDGET_MANAGE,
            Action.GOV_ALLOCATION_MANAGE,
            Action.GOV_TRANSFER_PREPARE,
            Action.GOV_TRANSFER_APPROVE,
            Action.GOV_SCHEDULE_MANAGE,
            Action.GOV_AUDIT_TRAIL_VIEW,
        }
    ),
    GovernmentRole.PENGENDALI: frozenset(_GOV_READ | {Action.GOV_MONITORING_RECORD}),
    GovernmentRole.PENDAMPING: frozenset(_GOV_READ | {Action.GOV_MONITORING_RECORD}),
    GovernmentRole.AUDITOR: frozenset(
        _GOV_READ
        | {Action.GOV_AUDIT_EXPORT, Action.GOV_AUDIT_EXPORT_PERSONS, Action.GOV_AUDIT_TRAIL_VIEW}
    ),
}

# Which office levels may do an action at all (the role decides the rest). Appointing
# an LPA is the province's act (or the ministry's); districts propose. The ministry
# records budgets and shares them among provinces; a province shares its part among its
# LPAs and pays them (a different officer approves each batch: programme.subsidies).
_ACTION_LEVELS = {
    Action.GOV_LPA_PROVISION: {GovernmentLevel.MINISTRY, GovernmentLevel.PROVINCE},
    Action.GOV_BUDGET_MANAGE: {GovernmentLevel.MINISTRY},
    Action.GOV_SCHEDULE_MANAGE: {GovernmentLevel.MINISTRY},
    Action.GOV_AUDIT_EXPORT_PERSONS: {GovernmentLevel.MINISTRY},
    Action.GOV_AUDIT_TRAIL_VIEW: {GovernmentLevel.MINISTRY},
    Action.GOV_ALLOCATION_MANAGE: {GovernmentLevel.PROVINCE},
    Action.GOV_TRANSFER_PREPARE: {GovernmentLevel.PROVINCE},
    Action.GOV_TRANSFER_APPROVE: {GovernmentLevel.PROVINCE},
}


class AccessDenied(PermissionDeniedError):
    messages = {
        "not_member": _("Your account is not on this LPA's management team."),
        "membership_inactive": _("Your membership in this LPA is no longer active."),
        "role_forbidden": _("Your role (%(role)s) may not do this."),
        "not_government": _(
            "This portal is for government users. LPA staff sign in at their LPA's address."
        ),
        "outside_scope": _("This LPA is outside your area."),
        "level_forbidden": _("Your office level may not do this."),
    }


def role_may(role: LpaRole | str, action: Action) -> bool:
    return action in LPA_ROLE_ACTIONS.get(LpaRole(role), frozenset())


def government_role_may(scope: Any, action: Action) -> bool:
    if action not in GOVERNMENT_ROLE_ACTIONS.get(GovernmentRole(scope.role), frozenset()):
        return False
    levels = _ACTION_LEVELS.get(action)
    if levels is not None and scope.level not in levels:
        return False
    return True


def _on_tenant() -> bool:
    return connection.schema_name != get_public_schema_name()


# Where membership_of and scope_of keep what they read on the user object: a request's
# user is read once, however many checks and menu links ask (the menu alone asks seven
# times a page); access_forget drops both when a grant changes them.
_MEMBERSHIPS_ATTRIBUTE = "_askesos_memberships"  # per schema name
_SCOPE_ATTRIBUTE = "_askesos_government_scope"


def membership_of(user: Any) -> Any | None:
    """The user's membership in the tenant of the current connection, or None; read
    once per user object and tenant."""
    if not user.is_authenticated or not _on_tenant():
        return None
    from askesos.staff.models import Membership

    kept = user.__dict__.setdefault(_MEMBERSHIPS_ATTRIBUTE, {})
    schema = connection.schema_name
    if schema not in kept:
        kept[schema] = Membership.objects.filter(user_id=user.pk).first()
    return kept[schema]


def scope_of(user: Any) -> Any | None:
    """The user's government scope (None for anyone else), read once per user object."""
    if not user.is_authenticated:
        return None
    try:
        return getattr(user, _SCOPE_ATTRIBUTE)
    except AttributeError:
        pass
    from askesos.accounts.models import GovernmentScope

    scope = (
        GovernmentScope.objects.select_related("province", "regency")
        .filter(user_id=user.pk)
        .first()
    )
    setattr(user, _SCOPE_ATTRIBUTE, scope)
    return scope


def access_forget(user: Any) -> None:
    """Drop what membership_of and scope_of kept on `user` (its access changed)."""
    user.__dict__.pop(_SCOPE_ATTRIBUTE, None)
    user.__dict__.pop(_MEMBERSHIPS_ATTRIBUTE, None)


def ensure(user: Any, action: Action, *, regency: Any = None) -> None:
    """Raise AccessDenied unless `user` may do `action`, for government actions in
    `regency` (the kabupaten/kota of the LPA concerned) when one is given.

    LPA actions are decided by the membership in the current tenant schema; government
    actions by the user's scope and role.
    """
    if action.value.startswith("lpa."):
        membership = membership_of(user)
        if membership is None:
            raise AccessDenied("not_member")
        if not membership.is_active:
            raise AccessDenied("membership_inactive")
        if not role_may(membership.role, action):
            raise AccessDenied("role_forbidden", role=membership.get_role_display())
        return
    scope = scope_of(user)
    if scope is None:
        raise AccessDenied("not_government")
    if not government_role_may(scope, action):
        raise AccessDenied(
            "level_forbidden"
            if action in GOVERNMENT_ROLE_ACTIONS[GovernmentRole(scope.role)]
            else "role_forbidden",
            role=scope.get_role_display(),
        )
    if regency is not None and not regency_in_scope(scope, regency):
        raise AccessDenied("outside_scope")


def may(user: Any, action: Action, *, regency: Any = None) -> bool:
    try:
        ensure(user, action, regency=regency)
    except AccessDenied:
        return False
    return True


def regency_in_scope(scope: Any, regency: Any) -> bool:
    if scope.level == GovernmentLevel.MINISTRY:
        return True
    if scope.level == GovernmentLevel.PROVINCE:
        return regency.province_id == scope.province_id
    return regency.code == scope.regency_id


def require(action: Action, *alternatives: Action) -> Callable:
    """Page-view decorator: sign-in first, then `ensure` (any one of the actions given);
    a refusal renders a 403 page. Links to the view are shown only to users who pass
    the same check (`may_open`)."""
    actions = (action, *alternatives)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            ensure_any(request.user, actions)
            return view(request, *args, **kwargs)

        wrapper.required_action = action  # type: ignore[attr-defined]
        wrapper.required_actions_any = actions  # type: ignore[attr-defined]
        return wrapper

    return decorator


def ensure_any(user: Any, actions: tuple[Action, ...]) -> None:
    """`ensure` for the first action unless the user may do one of the others."""
    if len(actions) > 1 and any(may(user, a) for a in actions[1:]):
        return
    ensure(user, actions[0])


def may_open(user: Any, view: Callable, *, cache: dict | None = None) -> bool:
    """Whether `user` passes the page view's own `require` check (for links and menus).
    `cache` keeps each action's answer for the rest of a request."""
    actions = getattr(view, "required_actions_any", None)
    if actions is None:
        return True  # a view without a role check (sign-in, health, the API docs)
    cache = {} if cache is None else cache
    for action in actions:
        if action not in cache:
            cache[action] = may(user, action)
    return any(cache[a] for a in actions)


class ActionPermission(BasePermission):
    """DRF: the view names `required_action` (or `required_actions` per HTTP method)."""

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        per_method = getattr(view, "required_actions", None)
        if not hasattr(view, request.method.lower()):
            # A method the address does not take: whoever may use the address learns so
            # (405); anyone else is refused as for any other method.
            actions = list(per_method.values()) if per_method else [view.required_action]
            if not any(may(request.user, a) for a in actions):
                ensure(request.user, actions[0])
            return True
        action = per_method.get(request.method) if per_method else view.required_action
        if action is None:
            return False
        ensure(request.user, action)
        return True
