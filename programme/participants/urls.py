from django.urls import path

from programme.participants import api, views

urlpatterns = [
    path("peserta/", views.participant_list, name="participant-list"),
    path("peserta/daftar/", views.participant_register_page, name="participant-register"),
    path("peserta/impor/", views.participant_import_page, name="participant-import"),
    path(
        "peserta/impor/<int:pk>/",
        views.participant_import_batch_page,
        name="participant-import-batch",
    ),
    path(
        "peserta/impor/templat.csv",
        views.participant_import_template,
        name="participant-import-template",
    ),
    path("peserta/ekspor/", views.participant_export, name="participant-export"),
    path("peserta/<int:pk>/", views.participant_detail, name="participant-detail"),
    path("peserta/<int:pk>/kelompok/", views.participant_group_page, name="participant-group"),
    path("kelompok/", views.meeting_groups_page, name="meeting-groups"),
    path("polis/<int:pk>/status/", views.policy_status_change, name="policy-status"),
    path(
        "peserta/<int:pk>/daftar-ulang/",
        views.participant_reregister_page,
        name="participant-reregister",
    ),
    path("polis/<int:pk>/kartu/", views.card_print_page, name="card-print"),
    path("kartu/<int:pk>/serah-terima/", views.card_handover_page, name="card-handover"),
    path("api/participants/", api.ParticipantListApi.as_view(), name="api-participant-list"),
    path(
        "api/participants/import/",
        api.ParticipantImportApi.as_view(),
        name="api-participant-import",
    ),
    path(
        "api/participants/imports/<int:pk>/",
        api.ParticipantImportBatchApi.as_view(),
        name="api-participant-import-batch",
    ),
    path(
        "api/participants/export/",
        api.ParticipantExportApi.as_view(),
        name="api-participant-export",
    ),
    path(
        "api/participants/<int:pk>/",
        api.ParticipantDetailApi.as_view(),
        name="api-participant-detail",
    ),
    path(
        "api/policies/<int:pk>/transition/",
        api.PolicyTransitionApi.as_view(),
        name="api-policy-transition",
    ),
    path("api/policies/<int:pk>/card/", api.CardPrintApi.as_view(), name="api-card-print"),
    path(
        "api/participants/<int:pk>/reregister/",
        api.PolicyReregisterApi.as_view(),
        name="api-participant-reregister",
    ),
    path(
        "api/policies/<int:pk>/continue/",
        api.PolicyContinueByHeirApi.as_view(),
        name="api-policy-continue",
    ),
    path("api/cards/<int:pk>/handover/", api.CardHandoverApi.as_view(), name="api-card-handover"),
]
