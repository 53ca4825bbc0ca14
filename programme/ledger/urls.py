from django.urls import path

from programme.ledger import api, collection_views, views

urlpatterns = [
    path("premi/", collection_views.collection_sheet_page, name="premium-batch"),
    path(
        "premi/kartu/<str:token>/",
        collection_views.collection_card_lookup,
        name="premium-card-lookup",
    ),
    path("premi/serah-terima/", views.handover_page, name="premium-handover"),
    path("buku/", views.books_index, name="books"),
    path("buku/<slug:slug>/", views.book_page, name="book"),
    path("tutup-buku/", views.periods_page, name="periods"),
    path("dana/", views.funds_page, name="funds"),
    path("polis/<int:pk>/pengembalian-premi/", views.payout_page, name="policy-payout"),
    path("polis/<int:pk>/bukti-pengembalian.pdf", views.payout_slip, name="payout-slip"),
    path("api/premiums/receipts/", api.ReceiptBatchApi.as_view(), name="api-receipts"),
    path("api/premiums/handovers/", api.HandoverApi.as_view(), name="api-handover"),
    path("api/premiums/handovers/<int:pk>/deposit/", api.DepositApi.as_view(), name="api-deposit"),
    path("api/premiums/near-lapse/", api.NearLapseApi.as_view(), name="api-near-lapse"),
    path("api/policies/<int:pk>/payout/", api.PayoutApi.as_view(), name="api-payout"),
    path("api/loans/", api.LoanApi.as_view(), name="api-loans"),
    path("api/loans/installments/<int:pk>/repay/", api.RepaymentApi.as_view(), name="api-repay"),
    path("api/grants/", api.GrantApi.as_view(), name="api-grants"),
    path("api/premiums/aid/", api.PremiumAidApi.as_view(), name="api-premium-aid"),
    path("api/subsidies/", api.SubsidyApi.as_view(), name="api-subsidy"),
    path("api/periods/prepare/", api.PeriodPrepareApi.as_view(), name="api-period-prepare"),
    path("api/periods/sign/", api.PeriodSignApi.as_view(), name="api-period-sign"),
    path("api/periods/reopen/", api.PeriodReopenApi.as_view(), name="api-period-reopen"),
    path("api/books/<slug:slug>/", api.BookApi.as_view(), name="api-book"),
]
