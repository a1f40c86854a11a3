"""Web pages of the vouchers domain (included at the site root by deltaregio.urls, so /en/… works too).

URL names: vouchers:scheme_list, scheme_detail, scheme_manage, voucher_request, my_vouchers,
voucher_detail (+ voucher_review, voucher_issue, voucher_sign, voucher_deliver, voucher_invoice,
voucher_withdraw, voucher_letter, assignment_download), desk, redeem, coordinator,
related_parties, report, batch_xlsx, batch_csv."""

from django.urls import path

from deltaregio.vouchers import views

app_name = "vouchers"
urlpatterns = [
    path("vouchers/", views.scheme_list, name="scheme_list"),
    path("vouchers/mine/", views.my_vouchers, name="my_vouchers"),
    path("vouchers/related-parties/", views.related_parties, name="related_parties"),
    path("vouchers/v/<int:pk>/", views.voucher_detail, name="voucher_detail"),
    path("vouchers/v/<int:pk>/review/", views.voucher_review, name="voucher_review"),
    path("vouchers/v/<int:pk>/issue/", views.voucher_issue, name="voucher_issue"),
    path("vouchers/v/<int:pk>/sign/", views.voucher_sign, name="voucher_sign"),
    path("vouchers/v/<int:pk>/deliver/", views.voucher_deliver, name="voucher_deliver"),
    path("vouchers/v/<int:pk>/invoice/", views.voucher_invoice, name="voucher_invoice"),
    path("vouchers/v/<int:pk>/withdraw/", views.voucher_withdraw, name="voucher_withdraw"),
    path("vouchers/v/<int:pk>/letter.pdf", views.voucher_letter, name="voucher_letter"),
    path(
        "vouchers/v/<int:pk>/assignments/<int:document>/",
        views.assignment_download,
        name="assignment_download",
    ),
    path("vouchers/<slug:code>/", views.scheme_detail, name="scheme_detail"),
    path("vouchers/<slug:code>/manage/", views.scheme_manage, name="scheme_manage"),
    path("vouchers/<slug:code>/request/", views.voucher_request, name="voucher_request"),
    path("vouchers/<slug:code>/desk/", views.desk, name="desk"),
    path("vouchers/<slug:code>/redeem/", views.redeem, name="redeem"),
    path("vouchers/<slug:code>/coordinator/", views.coordinator, name="coordinator"),
    path(
        "vouchers/<slug:code>/batches/<int:number>.xlsx",
        views.batch_export,
        {"fmt": "xlsx"},
        name="batch_xlsx",
    ),
    path(
        "vouchers/<slug:code>/batches/<int:number>.csv", views.batch_export, {"fmt": "csv"}, name="batch_csv"
    ),
    path("vouchers/<slug:code>/report/", views.report, name="report"),
]
