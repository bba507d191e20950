from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "banyan.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self):
        # Menu entries and the order's shipping panel.
        from banyan.inventory import navigation, panels  # noqa: F401
