"""Django admin for the operator of the service: warehouses, stock, slips, stocktakes and
shipments, to look at.

Stock changes only through the services (the locked path that writes a movement with every
change), so nothing here is added, changed or deleted; the movement ledger least of all.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from banyan.accounts.admin import ReadOnlyHistoryMixin
from banyan.inventory.models import (
    Shipment,
    ShipmentLine,
    StockLevel,
    StockMovement,
    StockSlip,
    StockSlipLine,
    Stocktake,
    StocktakeLine,
    Warehouse,
)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False


@admin.register(Warehouse)
class WarehouseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("company", "name", "address", "is_active", "updated_at")
    list_display_links = ("name",)
    list_filter = ("is_active",)
    search_fields = ("name", "address", "company__code", "company__name")
    list_select_related = ("company",)
    filter_horizontal = ("keepers",)
    ordering = ("company__code", "name")


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("company", "warehouse", "product", "quantity", "updated_at")
    search_fields = ("product__code", "product__name", "warehouse__name", "company__code")
    list_select_related = ("company", "warehouse", "product")
    ordering = ("company__code", "warehouse__name", "product__code")


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ledger: never added to, changed or deleted by hand."""

    list_display = (
        "moved_at",
        "company",
        "warehouse",
        "product",
        "quantity",
        "reason",
        "slip",
        "stocktake",
        "moved_by",
    )
    list_filter = ("reason", "moved_at")
    search_fields = ("product__code", "product__name", "warehouse__name", "company__code")
    list_select_related = ("company", "warehouse", "product", "slip", "stocktake", "moved_by")
    date_hierarchy = "moved_at"
    ordering = ("-moved_at", "-id")


class StockSlipLineInline(ReadOnlyInline):
    model = StockSlipLine
    fields = ("product", "quantity", "agreement_line", "purchase_line")


@admin.register(StockSlip)
class StockSlipAdmin(ReadOnlyAdminMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    list_display = (
        "number",
        "company",
        "kind",
        "warehouse",
        "status",
        "agreement",
        "purchase_order",
        "created_by",
        "created_at",
    )
    list_display_links = ("number",)
    list_filter = ("kind", "status", "created_at")
    search_fields = ("number", "reason", "company__code", "warehouse__name")
    list_select_related = (
        "company",
        "warehouse",
        "agreement",
        "purchase_order",
        "created_by",
    )
    inlines = [StockSlipLineInline]
    ordering = ("-created_at", "-id")


class StocktakeLineInline(ReadOnlyInline):
    model = StocktakeLine
    fields = ("product", "book_quantity", "counted_quantity", "reason")


@admin.register(Stocktake)
class StocktakeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("number", "company", "warehouse", "status", "counted_on", "confirmed_at")
    list_display_links = ("number",)
    list_filter = ("status", "counted_on")
    search_fields = ("number", "company__code", "warehouse__name")
    list_select_related = ("company", "warehouse")
    inlines = [StocktakeLineInline]
    ordering = ("-created_at", "-id")


class ShipmentLineInline(ReadOnlyInline):
    model = ShipmentLine
    fields = ("agreement_line", "quantity")


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "shipped_on",
        "company",
        "agreement",
        "customer",
        "carrier",
        "tracking_number",
        "created_by",
    )
    list_filter = ("shipped_on",)
    search_fields = ("carrier", "tracking_number", "agreement__number", "customer__name")
    list_select_related = ("company", "agreement", "customer", "created_by")
    inlines = [ShipmentLineInline]
    date_hierarchy = "shipped_on"
    ordering = ("-shipped_on", "-id")
