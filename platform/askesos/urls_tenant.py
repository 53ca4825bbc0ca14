"""URLs of an LPA's host (<slug>.<BASE_DOMAIN>): everything here is tenant data."""

from django.urls import include, path

from askesos.accounts import views_audit
from askesos.staff.api import StaffListApi
from askesos.urls_common import common_urlpatterns
from programme import views as programme_views
from reporting import api as reporting_api

# Under /api/ an unknown address or a crash answers in the API's error shape.
handler400 = "askesos.errors.bad_request"
handler404 = "askesos.errors.not_found"
handler500 = "askesos.errors.server_error"

urlpatterns = [
    *common_urlpatterns("askesos.urls_tenant"),
    path("dasbor/", programme_views.lpa_dashboard, name="dashboard"),
    path("tim/", programme_views.staff_list, name="staff-list"),
    path("jejak-audit/", views_audit.lpa_audit_trail_page, name="audit-trail"),
    path("api/staff/", StaffListApi.as_view(), name="api-staff-list"),
    path("api/reports/", reporting_api.LpaReportListApi.as_view(), name="api-lpa-reports"),
    path(
        "api/reports/<str:code>/",
        reporting_api.LpaReportDetailApi.as_view(),
        name="api-lpa-report",
    ),
    path(
        "api/reports/<str:code>/submit/",
        reporting_api.LpaReportSubmitApi.as_view(),
        name="api-lpa-report-submit",
    ),
    path(
        "api/reports/<str:code>/versions/<int:number>/",
        reporting_api.LpaReportVersionApi.as_view(),
        name="api-lpa-report-version",
    ),
    path("", include("programme.participants.urls")),
    path("", include("programme.ledger.urls")),
    path("", include("programme.claims.urls")),
    path("", include("programme.subsidies.urls_tenant")),
    path("", include("programme.banking.urls")),
    path("", include("reporting.urls_tenant")),
]
