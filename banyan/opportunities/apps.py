from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpportunitiesConfig(AppConfig):
    name = "banyan.opportunities"
    label = "opportunities"
    verbose_name = _("Opportunities")

    def ready(self):
        # Menu entries, the customer-view panel, and the deactivation handover.
        from banyan.opportunities import handovers, navigation, panels  # noqa: F401
