from django.urls import path

from programme.subsidies import views

urlpatterns = [
    path("subsidi/", views.subsidies_page, name="subsidies"),
    path("subsidi/batch/<str:reference>/", views.batch_page, name="subsidy-batch"),
    path("subsidi/batch/<str:reference>/aksi/", views.batch_act, name="subsidy-batch-act"),
]
