from django.urls import path

from reporting import views_exports, views_gov

urlpatterns = [
    path("laporan/", views_gov.reports_page, name="gov-reports"),
    path("laporan/kelengkapan/", views_gov.completeness_page, name="gov-completeness"),
    path("laporan/jadwal/", views_gov.schedule_page, name="gov-schedule"),
    path("laporan/r/<int:pk>/", views_gov.report_page, name="gov-report"),
    path("laporan/r/<int:pk>/pdf/", views_gov.report_file, {"kind": "pdf"}, name="gov-report-pdf"),
    path(
        "laporan/r/<int:pk>/xlsx/", views_gov.report_file, {"kind": "xlsx"}, name="gov-report-xlsx"
    ),
    path("ekspor/", views_exports.exports_page, name="audit-exports"),
    path("ekspor/<int:pk>/", views_exports.export_page, name="audit-export"),
    path("ekspor/<int:pk>/status/", views_exports.export_status, name="audit-export-status"),
    path("ekspor/<int:pk>/unduh/", views_exports.export_download, name="audit-export-download"),
]
