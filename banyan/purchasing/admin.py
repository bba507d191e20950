"""Django admin for the operator of the service: suppliers and purchase orders, to look at.

Purchase orders move through the services (placing, receiving by inbound slips a keeper
confirms), so their status, amounts and lines are read-only here and nothing is deleted.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from banyan.accounts.admin import ReadOnlyHistoryMixin
from banyan.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("name", "company", "contact_name", "phone", "email", "is_active")
    list_display_links = ("name",)
    list_filter = ("is_active",)
    search_fields = ("name", "contact_name", "phone", "email", "company__code", "company__name")
    list_select_related = ("company",)
    readonly_fields = ("company", "created_at", "updated_at")
    ordering = ("company__code", "name")

    def has_add_permission(self, request):
        return False  # a supplier belongs to a company: purchasing staff add it in the app

    def has_delete_permission(self, request, obj=None):
        return False


class PurchaseOrderLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    fields = ("position", "product", "quantity", "unit_price", "amount", "received_quantity")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    list_display = (
        "number",
        "company",
        "supplier",
        "warehouse",
        "status",
        "ordered_on",
        "expected_on",
        "amount",
    )
    list_display_links = ("number",)
    list_filter = ("status", "ordered_on")
    search_fields = ("number", "supplier__name", "company__code")
    list_select_related = ("company", "supplier", "warehouse")
    date_hierarchy = "created_at"
    readonly_fields = (
        "company",
        "number",
        "supplier",
        "warehouse",
        "status",
        "amount",
        "created_by",
        "created_at",
        "updated_at",
    )
    inlines = [PurchaseOrderLineInline]
    ordering = ("-created_at", "-id")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
