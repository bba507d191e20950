"""Django admin for the operator: money rows are for reading only.

Payments are a ledger (never changed or deleted); plans and invoices feed the totals stored
on their agreement, so they change only through the services, whose pages and API keep those
totals right.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from banyan.accounts.admin import ReadOnlyHistoryMixin
from banyan.finance.models import Invoice, Payment, PaymentPlan


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    list_display = (
        "paid_on",
        "company",
        "agreement",
        "customer",
        "amount",
        "method",
        "owner",
        "reverses",
        "recorded_by",
        "created_at",
    )
    list_filter = ("paid_on", "company")
    search_fields = ("agreement__number", "customer__name", "note")
    list_select_related = (
        "company",
        "agreement",
        "customer",
        "method",
        "owner",
        "reverses",
        "recorded_by",
    )
    date_hierarchy = "paid_on"
    ordering = ("-paid_on", "-id")


@admin.register(PaymentPlan)
class PaymentPlanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("due_on", "company", "agreement", "customer", "amount", "paid_amount")
    list_filter = ("due_on", "company")
    search_fields = ("agreement__number", "customer__name", "note")
    list_select_related = ("company", "agreement", "customer")
    ordering = ("-due_on", "-id")


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdminMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    list_display = ("number", "issued_on", "company", "agreement", "type", "title", "amount")
    list_filter = ("issued_on", "company")
    search_fields = ("number", "title", "agreement__number", "customer__name")
    list_select_related = ("company", "agreement", "type")
    ordering = ("-issued_on", "-id")
