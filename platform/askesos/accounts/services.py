"""Creating users and giving them a place: a government scope or an LPA membership."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context

from askesos.accounts.models import GovernmentScope, User
from askesos.errors import DomainError
from askesos.permissions import access_forget
from askesos.roles import GovernmentLevel, GovernmentRole, LpaRole


class AccountError(DomainError):
    messages = {
        "username_taken": _("The username %(username)s is already taken."),
        "role_invalid": _("Unknown role: %(value)s."),
        "level_invalid": _("Unknown office level: %(value)s."),
        "area_mismatch": _(
            "A ministry scope has no area; a province scope needs a province; "
            "a regency scope needs a regency/city."
        ),
    }


def user_create(
    *, username: str, password: str | None, full_name: str = "", email: str = ""
) -> User:
    username = username.strip().lower()
    if User.objects.filter(username=username).exists():
        raise AccountError("username_taken", field="username", username=username)
    user = User(username=username, full_name=full_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def user_get_or_create(*, username: str, password: str, full_name: str = "") -> User:
    user = User.objects.filter(username=username.strip().lower()).first()
    return user or user_create(username=username, password=password, full_name=full_name)


def government_scope_assign(
    *,
    user: User,
    level: str,
    role: str,
    province_code: str | None = None,
    regency_code: str | None = None,
    office_name: str = "",
) -> GovernmentScope:
    if level not in GovernmentLevel.values:
        raise AccountError("level_invalid", field="level", value=level)
    if role not in GovernmentRole.values:
        raise AccountError("role_invalid", field="role", value=role)
    expected = {
        GovernmentLevel.MINISTRY: (False, False),
        GovernmentLevel.PROVINCE: (True, False),
        GovernmentLevel.REGENCY: (False, True),
    }[GovernmentLevel(level)]
    if (bool(province_code), bool(regency_code)) != expected:
        raise AccountError("area_mismatch")
    scope, _created = GovernmentScope.objects.update_or_create(
        user=user,
        defaults={
            "level": level,
            "role": role,
            "province_id": province_code,
            "regency_id": regency_code,
            "office_name": office_name,
        },
    )
    access_forget(user)
    return scope


def membership_grant(*, lpa, user: User, role: str):
    """Put `user` on `lpa`'s Tim Pengelola with `role` (updates the role if already there)."""
    from askesos.staff.models import Membership

    if role not in LpaRole.values:
        raise AccountError("role_invalid", field="role", value=role)
    with schema_context(lpa.schema_name), transaction.atomic():
        membership, _created = Membership.objects.update_or_create(
            user=user, defaults={"role": role, "is_active": True}
        )
    access_forget(user)
    return membership
