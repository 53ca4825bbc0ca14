"""URLs of the government portal (BASE_DOMAIN): national data and rollups only."""

from django.contrib import admin
from django.urls import include, path

from askesos.accounts import views_audit
from askesos.geo import api as geo_api
from askesos.urls_common import common_urlpatterns
from programme.registry.views import card_verify
from reporting import api as reporting_api
from reporting import views_dashboard
from tenants import api as tenants_api

# Under /api/ an unknown address or a crash answers in the API's error shape.
handler400 = "askesos.errors.bad_request"
handler404 = "askesos.errors.not_found"
handler500 = "askesos.errors.server_error"

urlpatterns = [
    *common_urlpatterns("askesos.urls_public"),
    path("dasbor/", views_dashboard.dashboard_page, name="dashboard"),
    path("", include("programme.subsidies.urls_public")),
    path("", include("reporting.urls_public")),
    path("api/lpas/", tenants_api.LpaListApi.as_view(), name="api-lpa-list"),
    path("api/lpas/<slug:slug>/", tenants_api.LpaDetailApi.as_view(), name="api-lpa-detail"),
    path("api/reports/", reporting_api.ReportListApi.as_view(), name="api-reports"),
    path(
        "api/reports/completeness/",
        reporting_api.ReportCompletenessApi.as_view(),
        name="api-report-completeness",
    ),
    path("api/reports/<int:pk>/", reporting_api.ReportDetailApi.as_view(), name="api-report"),
    path(
        "api/reports/<int:pk>/versions/<int:number>/",
        reporting_api.ReportVersionApi.as_view(),
        name="api-report-version",
    ),
    path(
        "api/reports/<int:pk>/review/",
        reporting_api.ReportReviewApi.as_view(),
        name="api-report-review",
    ),
    path(
        "api/reports/<int:pk>/reopen/",
        reporting_api.ReportReopenApi.as_view(),
        name="api-report-reopen",
    ),
    path(
        "api/reports/<int:pk>/submit/",
        reporting_api.ReportSubmitApi.as_view(),
        name="api-report-submit",
    ),
    path(
        "api/report-schedules/",
        reporting_api.ReportScheduleListApi.as_view(),
        name="api-report-schedules",
    ),
    path(
        "api/report-schedules/<str:period_type>/",
        reporting_api.ReportScheduleApi.as_view(),
        name="api-report-schedule",
    ),
    path("api/wilayah/provinces/", geo_api.ProvinceListApi.as_view(), name="api-provinces"),
    path("api/wilayah/regencies/", geo_api.RegencyListApi.as_view(), name="api-regencies"),
    path("api/wilayah/districts/", geo_api.DistrictListApi.as_view(), name="api-districts"),
    path("api/wilayah/villages/", geo_api.VillageListApi.as_view(), name="api-villages"),
    path("kartu/<str:token>/", card_verify, name="card-verify"),
    path("admin/", admin.site.urls),
    path("jejak-audit/", views_audit.gov_audit_trail_page, name="gov-audit-trail"),
]
