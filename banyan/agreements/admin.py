"""Django admin for the operator of the service: contracts and orders, to look into.

Amounts are computed from the lines by the services, so the money fields and the lines are
read-only here; the kind never changes.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from banyan.agreements.models import Agreement, AgreementLine

MONEY_FIELDS = ("lines_total", "amount", "planned_amount", "paid_amount", "invoiced_amount")


class AgreementLineInline(admin.TabularInline):
    model = AgreementLine
    fields = (
        "position",
        "product",
        "description",
        "unit",
        "unit_price",
        "quantity",
        "discount_percent",
        "amount",
        "unit_cost",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ("number", "title", "kind", "status", "company", "customer", "amount")
    list_filter = ("kind", "status", "signed_on")
    search_fields = ("number", "title", "customer__name", "company__code")
    list_select_related = ("company", "customer")
    date_hierarchy = "created_at"
    raw_id_fields = ("customer", "owner", "created_by")
    readonly_fields = ("company", "kind", *MONEY_FIELDS, "cancelled_at", "created_at", "updated_at")
    inlines = [AgreementLineInline]

    def has_change_history_permission(self, request, obj=None):
        return False  # history is for reading: reverting would bypass the services
