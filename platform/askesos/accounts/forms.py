from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name

from askesos.permissions import membership_of, scope_of


class SignInForm(AuthenticationForm):
    """Sign-in that also checks the user belongs where they are signing in."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong username or password. Note that the password is case-sensitive."),
        "not_member": _(
            "Your account is not on this LPA's management team. Sign in at your own LPA's address."
        ),
        "not_government": _(
            "This portal is for government users. LPA staff sign in at their LPA's address "
            "(for example nama-lpa.%(domain)s)."
        ),
    }

    username = forms.CharField(label=_("Username"), max_length=150)

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if connection.schema_name == get_public_schema_name():
            if scope_of(user) is None and not user.is_superuser:
                raise forms.ValidationError(
                    self.error_messages["not_government"] % {"domain": settings.BASE_DOMAIN},
                    code="not_government",
                )
            return
        membership = membership_of(user)
        if membership is None or not membership.is_active:
            raise forms.ValidationError(self.error_messages["not_member"], code="not_member")
