from django.conf import settings
from django.utils.functional import SimpleLazyObject

from askesos.middleware import is_public


def platform(request):
    portal = is_public(request)
    return {
        "platform_name": settings.PLATFORM_NAME,
        "is_portal": portal,
        "base_domain": settings.BASE_DOMAIN,
        "nav": SimpleLazyObject(lambda: _nav(request)) if not portal else {},
    }


def _nav(request) -> dict[str, bool]:
    """Which menu entries this member's role opens (one membership query, when used)."""
    from askesos.permissions import LPA_ROLE_ACTIONS, Action, membership_of
    from askesos.roles import LpaRole

    membership = membership_of(request.user) if request.user.is_authenticated else None
    if membership is None or not membership.is_active:
        return {}
    actions = LPA_ROLE_ACTIONS.get(LpaRole(membership.role), frozenset())
    return {
        "participants": Action.PARTICIPANT_VIEW in actions,
        "premiums": Action.PREMIUM_RECORD in actions,
        "claims": Action.CLAIM_VIEW in actions,
        "books": Action.BOOKS_VIEW in actions,
        "team": Action.STAFF_VIEW in actions,
    }
