"""Django admin for the operator of the service: companies, (read-only) their users, and their
API tokens (without keys).

Nothing is deleted here, and plan and status change only through the actions, which call
the company services. Companies are created with `manage.py create_company` (or by trial
registration), which also makes the first boss and the data dictionary.
"""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from banyan.accounts import services
from banyan.accounts.models import ApiToken, Company, User


class ReadOnlyHistoryMixin:
    """History is for reading: reverting a row would bypass the services."""

    def has_change_history_permission(self, request, obj=None):
        return False


@admin.register(Company)
class CompanyAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    list_display = (
        "code",
        "name",
        "plan",
        "trial_ends_on",
        "status",
        "user_count",
        "contact_name",
        "created_at",
    )
    list_display_links = ("code", "name")
    list_filter = ("plan", "status", "trial_ends_on", "created_at")
    search_fields = ("code", "name", "contact_name", "contact_email", "contact_phone")
    date_hierarchy = "created_at"
    ordering = ("code",)
    readonly_fields = ("code", "plan", "trial_ends_on", "status", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "name", "logo", "time_zone")}),
        (_("Plan"), {"fields": ("plan", "trial_ends_on", "status")}),
        (_("Contact"), {"fields": ("contact_name", "contact_email", "contact_phone")}),
        (
            _("Modules"),
            {
                "fields": (
                    "uses_contracts",
                    "uses_orders",
                    "uses_customer_tracking",
                    "uses_opportunity_tracking",
                    "uses_inventory",
                    "hot_customer_cap",
                )
            },
        ),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
    )
    actions = ("convert_to_formal", "extend_trial", "suspend", "reactivate")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(user_count=Count("users"))

    @admin.display(description=_("users"), ordering="user_count")
    def user_count(self, obj):
        return obj.user_count

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _report(self, request, done: int, skipped: list[Company], done_message, skip_message):
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)
        if skipped:
            names = ", ".join(company.code for company in skipped)
            self.message_user(request, skip_message % {"codes": names}, messages.WARNING)

    @admin.action(description=_("Convert to a formal account"), permissions=["change"])
    def convert_to_formal(self, request, queryset):
        done, skipped = 0, []
        for company in queryset:
            if company.plan == Company.Plan.TRIAL:
                services.company_convert_to_formal(company=company)
                done += 1
            else:
                skipped.append(company)
        self._report(
            request,
            done,
            skipped,
            ngettext(
                "%(count)d company converted to a formal account; all its records are kept.",
                "%(count)d companies converted to formal accounts; all their records are kept.",
                done,
            ),
            _("Not converted (not on a trial): %(codes)s."),
        )

    @admin.action(description=_("Extend the trial by 30 days"), permissions=["change"])
    def extend_trial(self, request, queryset):
        done, skipped = 0, []
        for company in queryset:
            if company.plan == Company.Plan.TRIAL:
                services.company_extend_trial(company=company, days=30)
                done += 1
            else:
                skipped.append(company)
        self._report(
            request,
            done,
            skipped,
            ngettext(
                "%(count)d trial extended by 30 days.",
                "%(count)d trials extended by 30 days.",
                done,
            ),
            _("Not extended (not on a trial): %(codes)s."),
        )

    @staticmethod
    def _set_status(queryset, status) -> int:
        done = 0
        for company in queryset.exclude(status=status):
            services.company_set_status(company=company, status=status)
            done += 1
        return done

    @admin.action(description=_("Suspend (its users cannot log in)"), permissions=["change"])
    def suspend(self, request, queryset):
        done = self._set_status(queryset, Company.Status.SUSPENDED)
        message = ngettext(
            "%(count)d company suspended.", "%(count)d companies suspended.", done
        ) % {"count": done}
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Reactivate"), permissions=["change"])
    def reactivate(self, request, queryset):
        done = self._set_status(queryset, Company.Status.ACTIVE)
        message = ngettext(
            "%(count)d company reactivated.", "%(count)d companies reactivated.", done
        ) % {"count": done}
        self.message_user(request, message, messages.SUCCESS)


@admin.register(User)
class UserAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    """Company users are managed by their own admin bosses; the operator only looks."""

    list_display = (
        "company",
        "username",
        "real_name",
        "role",
        "superior",
        "is_admin",
        "is_active",
        "last_login",
    )
    list_display_links = ("username",)
    list_filter = ("role", "is_admin", "is_active", "is_staff", "company__plan")
    search_fields = ("username", "real_name", "email", "mobile", "company__code", "company__name")
    list_select_related = ("company", "superior")
    ordering = ("company__code", "path")
    fields = (
        "company",
        "username",
        "real_name",
        "mobile",
        "email",
        "role",
        "superior",
        "assistant_of",
        "is_admin",
        "is_active",
        "is_staff",
        "is_superuser",
        "user_permissions",
        "date_joined",
        "last_login",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Who holds API tokens, and since when; never a key (only its hash is stored, and not
    shown either). Revoking goes through the action."""

    list_display = (
        "prefix",
        "user",
        "company",
        "label",
        "created_at",
        "last_used_at",
        "expires_at",
    )
    list_display_links = ("prefix",)
    list_filter = ("expires_at", "last_used_at", "company__plan")
    search_fields = ("prefix", "label", "user__username", "company__code", "company__name")
    list_select_related = ("user", "company")
    ordering = ("-created_at",)
    fields = ("prefix", "user", "company", "label", "created_at", "last_used_at", "expires_at")
    readonly_fields = fields
    actions = ("revoke",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Revoke the selected tokens"), permissions=["view"])
    def revoke(self, request, queryset):
        done = 0
        for token in queryset.select_related("user"):
            services.api_token_revoke(user=token.user, token=token)
            done += 1
        message = ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", done) % {
            "count": done
        }
        self.message_user(request, message, messages.SUCCESS)
