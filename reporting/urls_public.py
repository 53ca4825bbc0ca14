from django.urls import path

from reporting import api_dashboard, views_dashboard, views_exports, views_gov, views_public

urlpatterns = [
    path("dasbor/log/", views_dashboard.drill_log_page, name="dashboard-log"),
    path("dasbor/sekarang/", views_dashboard.dashboard_now_page, name="dashboard-now"),
    path(
        "dasbor/<str:level>/<str:code>/",
        views_dashboard.dashboard_area_page,
        name="dashboard-area",
    ),
    path("laporan/", views_gov.reports_page, name="gov-reports"),
    path("laporan/kelengkapan/", views_gov.completeness_page, name="gov-completeness"),
    path("laporan/jadwal/", views_gov.schedule_page, name="gov-schedule"),
    path("laporan/r/<int:pk>/", views_gov.report_page, name="gov-report"),
    path("laporan/r/<int:pk>/pdf/", views_gov.report_file, {"kind": "pdf"}, name="gov-report-pdf"),
    path(
        "laporan/r/<int:pk>/xlsx/", views_gov.report_file, {"kind": "xlsx"}, name="gov-report-xlsx"
    ),
    # The public transparency page: no sign-in.
    path("transparansi/", views_public.transparency_page, name="transparency"),
    path(
        "transparansi/<str:province>/",
        views_public.transparency_page,
        name="transparency-province",
    ),
    path(
        "transparansi/<str:province>/<str:regency>/",
        views_public.transparency_page,
        name="transparency-regency",
    ),
    path(
        "api/public/transparency/",
        api_dashboard.PublicTransparencyApi.as_view(),
        name="api-public-transparency",
    ),
    # The dashboards' figures for other government systems, scoped as the pages are.
    path(
        "api/dashboard/summary/",
        api_dashboard.DashboardSummaryApi.as_view(),
        name="api-dashboard-summary",
    ),
    path(
        "api/dashboard/trend/",
        api_dashboard.DashboardTrendApi.as_view(),
        name="api-dashboard-trend",
    ),
    path(
        "api/dashboard/children/",
        api_dashboard.DashboardChildrenApi.as_view(),
        name="api-dashboard-children",
    ),
    path(
        "api/dashboard/lpas/", api_dashboard.DashboardLpasApi.as_view(), name="api-dashboard-lpas"
    ),
    path(
        "api/dashboard/breakdowns/",
        api_dashboard.DashboardBreakdownsApi.as_view(),
        name="api-dashboard-breakdowns",
    ),
    path("ekspor/", views_exports.exports_page, name="audit-exports"),
    path("ekspor/<int:pk>/", views_exports.export_page, name="audit-export"),
    path("ekspor/<int:pk>/status/", views_exports.export_status, name="audit-export-status"),
    path("ekspor/<int:pk>/unduh/", views_exports.export_download, name="audit-export-download"),
]
