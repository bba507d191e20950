"""Pages of the finance app. Payments have no edit or delete URL: a ledger entry is reversed."""

from django.urls import path

from banyan.finance import views

urlpatterns = [
    path("finance/", views.finance_home_view, name="finance-home"),
    path("finance/plans/", views.plan_list_view, name="plan-list"),
    path("finance/payments/", views.payment_list_view, name="payment-list"),
    path("finance/invoices/", views.invoice_list_view, name="invoice-list"),
    path("agreements/<int:agreement_pk>/plans/new/", views.plan_create_view, name="plan-create"),
    path("payment-plans/<int:pk>/edit/", views.plan_edit_view, name="plan-edit"),
    path("payment-plans/<int:pk>/delete/", views.plan_delete_view, name="plan-delete"),
    path(
        "agreements/<int:agreement_pk>/payments/new/",
        views.payment_create_view,
        name="payment-create",
    ),
    path("payments/<int:pk>/", views.payment_detail_view, name="payment-detail"),
    path("payments/<int:pk>/reverse/", views.payment_reverse_view, name="payment-reverse"),
    path(
        "agreements/<int:agreement_pk>/invoices/new/",
        views.invoice_create_view,
        name="invoice-create",
    ),
    path("invoices/<int:pk>/edit/", views.invoice_edit_view, name="invoice-edit"),
    path("invoices/<int:pk>/delete/", views.invoice_delete_view, name="invoice-delete"),
]
