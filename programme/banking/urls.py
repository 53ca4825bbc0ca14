from django.urls import path

from programme.banking import views

urlpatterns = [
    path("bank/", views.accounts_page, name="bank-accounts"),
    path("bank/unggah/", views.statement_upload, name="bank-statement-upload"),
    path("bank/berkas/<int:pk>/", views.file_page, name="bank-file"),
    path("bank/rekonsiliasi/<str:code>/", views.reconciliation_page, name="bank-reconciliation"),
]
