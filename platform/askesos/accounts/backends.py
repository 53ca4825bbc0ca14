"""Sign-in by password, valid only where the user belongs.

A user is authenticated on an LPA's host only with an active membership of that LPA's
team, and on the portal only with a government scope (or as a superuser, for /admin/).
The password and the place are checked in one step, and a failure of either is the same
failure: the same message, the same status, the same path through django-axes (so a
right password tried on the wrong LPA's host counts as a failed sign-in there too), and
the same work (the membership is looked up whether or not the password was right), so
that the answer does not tell whether a password is right anywhere.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django_tenants.utils import get_public_schema_name

from askesos.permissions import membership_of, scope_of


def user_belongs_here(user: Any) -> bool:
    """Whether `user` may sign in on the host of the current connection."""
    if connection.schema_name == get_public_schema_name():
        return user.is_superuser or scope_of(user) is not None
    membership = membership_of(user)
    return membership is not None and membership.is_active


class HostBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            # Hash anyway, as ModelBackend does: an unknown username takes as long.
            user_model().set_password(password)
            return None
        password_ok = user.check_password(password)
        belongs = user_belongs_here(user)
        if password_ok and belongs and self.user_can_authenticate(user):
            return user
        return None
