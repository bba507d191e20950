"""The menu entry of the messaging app."""

from django.utils.translation import gettext_lazy as _

from banyan.core.navigation import NavItem, register

register(NavItem("messaging", _("SMS and e-mail"), "sms-log", "chat-dots", order=75))
