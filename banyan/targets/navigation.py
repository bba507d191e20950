"""The menu entry of the targets app: everyone sees their own targets."""

from django.utils.translation import gettext_lazy as _

from banyan.core.navigation import NavItem, register

register(NavItem("targets", _("Sales targets"), "target-list", "flag", order=70))
