"""`askesos second-factor-reset USERNAME --reason "..." [--by ADMIN]`: an administrator
removes a user's authenticator app and recovery codes (a lost phone), after checking
who is asking; the next sign-in enrols anew. The reason is logged (django-auditlog)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from askesos.accounts.models import User
from askesos.accounts.second_factor import SecondFactorError, second_factor_reset


class Command(BaseCommand):
    help = "Reset a user's second factor (lost phone); the reason is logged."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="why, and how the user was checked")
        parser.add_argument("--by", default="", help="the administrator's username")

    def handle(self, *args, username, reason, by, **options):
        user = User.objects.filter(username=username.strip().lower()).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        actor = User.objects.filter(username=by.strip().lower()).first() if by else None
        if by and actor is None:
            raise CommandError(f"no administrator {by!r}")
        try:
            second_factor_reset(user=user, actor=actor, reason=reason)
        except SecondFactorError as refused:
            raise CommandError(refused.message) from None
        self.stdout.write(f"{user.username}: second factor reset; they enrol at the next sign-in")
