"""Routes of the payment pages, mounted at /payments/."""

from django.urls import path

from warmth.payments import views

urlpatterns = [
    path("", views.payment_list, name="payment_list"),
    path("new/", views.payment_create, name="payment_create"),
    path("roster/", views.payment_roster, name="payment_roster"),
    path("batch/", views.payment_batch, name="payment_batch"),
    path("bulk/", views.payment_bulk, name="payment_bulk"),
    path("bank/", views.payment_bank, name="payment_bank"),
    path("bank-returns/", views.payment_bank_returns, name="payment_bank_returns"),
    path("notice/", views.payment_notice, name="payment_notice"),
    path("verify/", views.payment_verify, name="payment_verify"),
    path("chain/", views.payment_chain, name="payment_chain"),
    path("<int:pk>/", views.payment_detail, name="payment_detail"),
    path("<int:pk>/voucher/", views.payment_voucher, name="payment_voucher"),
    path("<int:pk>/edit/", views.payment_edit, name="payment_edit"),
] + [path(f"<int:pk>/{action}/", view, name=f"payment_{action}") for action, view in views.STEP_VIEWS.items()]
