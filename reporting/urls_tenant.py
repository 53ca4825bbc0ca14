from django.urls import path

from reporting import views_lpa

urlpatterns = [
    path("laporan/", views_lpa.reports_page, name="reports"),
    path("laporan/<str:code>/", views_lpa.report_page, name="report"),
    path("laporan/<str:code>/pdf/", views_lpa.report_file, {"kind": "pdf"}, name="report-pdf"),
    path("laporan/<str:code>/xlsx/", views_lpa.report_file, {"kind": "xlsx"}, name="report-xlsx"),
]
