from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "banyan.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")

    def ready(self):
        # Menu entries.
        from banyan.purchasing import navigation  # noqa: F401
