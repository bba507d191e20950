"""The reports' entry in the main menu: everyone may open the reports of their own figures."""

from django.utils.translation import gettext_lazy as _

from banyan.core.navigation import NavItem, register

register(NavItem("reports", _("Reports"), "report-list", "bar-chart-line", order=72))
