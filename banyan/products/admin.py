"""Django admin for the operator of the service: the product catalogues, to look at.

Companies change their catalogue through the pages and the API (the services check who may):
here nothing is added, changed or deleted.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from banyan.accounts.admin import ReadOnlyHistoryMixin
from banyan.products.models import Product, ProductCategory


class ReadOnlyAdminMixin:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProductCategory)
class ProductCategoryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("company", "name", "parent", "path", "position", "updated_at")
    list_display_links = ("name",)
    list_filter = ("company__plan",)
    search_fields = ("name", "company__code", "company__name")
    list_select_related = ("company", "parent")
    ordering = ("company__code", "path")


@admin.register(Product)
class ProductAdmin(ReadOnlyAdminMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    list_display = (
        "company",
        "code",
        "name",
        "spec",
        "unit",
        "category",
        "kind",
        "list_price",
        "tracks_stock",
        "is_active",
        "updated_at",
    )
    list_display_links = ("code", "name")
    list_filter = ("kind", "is_active", "tracks_stock", "company__plan")
    search_fields = ("code", "name", "spec", "company__code", "company__name")
    list_select_related = ("company", "category")
    ordering = ("company__code", "code")
    exclude = ("cost",)  # a company's secret, even from the operator's screens
