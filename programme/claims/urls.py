from django.urls import path

from programme.claims import api, views
from programme.claims.steps import STEPS

# Pages: one URL per workflow step, so each is checked by the isolation test.
STEP_SLUGS = {
    "resubmit": "ajukan-ulang",
    "verify": "verifikasi",
    "return": "kembalikan",
    "reject": "tolak",
    "refer": "rujuk",
    "notify": "beritahu",
    "close": "tutup",
}

urlpatterns = [
    path("klaim/", views.claim_list_page, name="claim-list"),
    path("klaim/ajukan/", views.claim_submit_page, name="claim-submit"),
    path("klaim/pembayaran/", views.payment_requests_page, name="payment-requests"),
    path("klaim/pembayaran/<int:pk>/", views.payment_request_page, name="payment-request"),
    path("klaim/<int:pk>/", views.claim_detail_page, name="claim-detail"),
    path(
        "klaim/<int:pk>/dokumen/<int:document>/",
        views.claim_document_file,
        name="claim-document-file",
    ),
    path("klaim/<int:pk>/dokumen/", views.claim_document_add_page, name="claim-document"),
    path("klaim/<int:pk>/pemberitahuan/", views.claim_notice_page, name="claim-notice"),
    *[
        path(f"klaim/<int:pk>/{slug}/", views.claim_step_view(step), name=f"claim-{step}")
        for step, slug in STEP_SLUGS.items()
    ],
    path("api/claims/", api.ClaimListApi.as_view(), name="api-claims"),
    path(
        "api/claims/payment-requests/",
        api.PaymentRequestListApi.as_view(),
        name="api-payment-requests",
    ),
    path(
        "api/claims/payment-requests/<int:pk>/approve/",
        api.PaymentApproveApi.as_view(),
        name="api-payment-approve",
    ),
    path(
        "api/claims/payment-requests/<int:pk>/refuse/",
        api.PaymentRefuseApi.as_view(),
        name="api-payment-refuse",
    ),
    path(
        "api/claims/payment-requests/<int:pk>/pay/",
        api.PaymentPayApi.as_view(),
        name="api-payment-pay",
    ),
    path("api/claims/<int:pk>/", api.ClaimDetailApi.as_view(), name="api-claim"),
    path(
        "api/claims/<int:pk>/documents/",
        api.ClaimDocumentApi.as_view(),
        name="api-claim-documents",
    ),
    *[
        path(
            f"api/claims/<int:pk>/{step}/",
            api.claim_step_api(step).as_view(),
            name=f"api-claim-{step}",
        )
        for step in STEPS
    ],
]
