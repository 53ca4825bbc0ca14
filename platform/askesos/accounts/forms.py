from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """Username and password. Whether the user belongs on this host is decided with the
    password (askesos.accounts.backends), so a wrong password and a right one on the
    wrong LPA's host get the one same message."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Wrong username or password, or this account does not sign in at this address. "
            "Passwords are case-sensitive. LPA staff sign in at their own LPA's address (for "
            "example nama-lpa.%(domain)s), government officers on the portal (%(domain)s)."
        ),
    }

    username = forms.CharField(label=_("Username"), max_length=150)

    def get_invalid_login_error(self) -> forms.ValidationError:
        return forms.ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={"domain": settings.BASE_DOMAIN},
        )
