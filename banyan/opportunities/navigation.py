"""The menu entries of the opportunities app."""

from django.utils.translation import gettext_lazy as _

from banyan.core.navigation import NavItem, register

MODULES = ("uses_opportunity_tracking",)

register(
    NavItem(
        "opportunities",
        _("Opportunities"),
        "opportunity-list",
        "bullseye",
        order=40,
        modules=MODULES,
    )
)
register(
    NavItem(
        "opportunity-pipeline",
        _("Pipeline"),
        "opportunity-pipeline",
        "kanban",
        order=41,
        modules=MODULES,
    )
)
