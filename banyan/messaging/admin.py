"""Django admin for the operator: the outbox and the SMS log are for reading only.

The SMS log is a ledger (never changed or deleted); outbox rows change only through the
sending task.
"""

from django.contrib import admin

from banyan.messaging.models import MessageTemplate, OutboxMessage, SmsLog


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SmsLog)
class SmsLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "company", "sender", "recipient", "status", "gateway")
    list_filter = ("status", "gateway", "company")
    search_fields = ("recipient", "body")
    list_select_related = ("company", "sender")
    date_hierarchy = "at"
    ordering = ("-at", "-id")

    def get_actions(self, request):
        return {}  # no "delete selected"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "company", "channel", "recipient", "status", "attempts")
    list_filter = ("channel", "status", "company")
    search_fields = ("recipient", "subject", "out_id")
    list_select_related = ("company",)
    ordering = ("-created_at", "-id")

    def get_actions(self, request):
        return {}


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "company", "channel")
    list_filter = ("channel", "company")
    list_select_related = ("company",)
