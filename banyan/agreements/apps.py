from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "banyan.agreements"
    label = "agreements"
    verbose_name = _("Contracts and orders")

    def ready(self):
        from banyan.agreements import navigation, panels  # noqa: F401
