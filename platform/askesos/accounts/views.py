from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from askesos.accounts.forms import SignInForm
from askesos.middleware import SESSION_TENANT_KEY


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session[SESSION_TENANT_KEY] = connection.schema_name
        return response


class SignOutView(auth_views.LogoutView):
    pass


def home(request: HttpRequest) -> HttpResponse:
    return redirect("dashboard" if request.user.is_authenticated else "login")
