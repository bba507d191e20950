from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "banyan.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")

    def ready(self):
        # Menu entries; the purchase order row on a stock slip's page; what a confirmed
        # inbound slip does to its purchase order (services registers into SLIP_CONFIRMED).
        from banyan.purchasing import navigation, panels, services  # noqa: F401
