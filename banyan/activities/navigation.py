"""The menu entries of customer-based tracking: shown when the company uses it."""

from django.utils.translation import gettext_lazy as _

from banyan.core.navigation import NavItem, register

TRACKING = ("uses_customer_tracking",)

register(
    NavItem("activities", _("Activities"), "activity-list", "chat-left-text", 20, modules=TRACKING)
)
register(NavItem("tasks", _("Tasks"), "task-list", "check2-square", 21, modules=TRACKING))
register(NavItem("calendar", _("Calendar"), "calendar", "calendar3", 22, modules=TRACKING))
