from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "banyan.finance"
    label = "finance"
    verbose_name = _("Payments and invoices")

    def ready(self):
        from banyan.finance import hooks, navigation, panels  # noqa: F401
