"""URLs served on every host: sign-in, health, API schema and docs."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from askesos.accounts.api import MeApi
from askesos.accounts.views import SignInView, SignOutView, home
from askesos.accounts.views_second_factor import (
    account_security_page,
    second_factor_enrol_page,
    second_factor_page,
)
from askesos.health import healthz


def common_urlpatterns(urlconf: str) -> list:
    """The schema view is told its URLconf: the portal and the LPAs document different APIs."""
    return [
        path("", home, name="home"),
        path("masuk/", SignInView.as_view(), name="login"),
        path("keluar/", SignOutView.as_view(), name="logout"),
        path("masuk/kode/", second_factor_page, name="second-factor"),
        path("masuk/kode-baru/", second_factor_enrol_page, name="second-factor-enrol"),
        path("akun/keamanan/", account_security_page, name="account-security"),
        # Answered by askesos.health.HealthCheckMiddleware before routing; named here
        # so that it can be reversed and is listed with the other addresses.
        path("healthz", healthz, name="healthz"),
        path("api/me/", MeApi.as_view(), name="api-me"),
        path("api/schema/", SpectacularAPIView.as_view(urlconf=urlconf), name="api-schema"),
        # The Swagger UI's script is a file of its own (the split view: no inline script);
        # its React components style elements inline, so this page alone allows that.
        path(
            "api/docs/",
            csp_update({"style-src": [UNSAFE_INLINE]})(
                SpectacularSwaggerSplitView.as_view(url_name="api-schema")
            ),
            name="api-docs",
        ),
    ]
