from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "banyan.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from banyan.accounts import visibility
        from banyan.customers import handovers, navigation, panels, selectors  # noqa: F401

        visibility.SHARE_SOURCES.register(selectors.shared_customer_keys)
