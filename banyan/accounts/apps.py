from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "banyan.accounts"
    label = "accounts"
    verbose_name = _("Enterprise accounts and users")

    def ready(self):
        from banyan.accounts import navigation  # noqa: F401  (registers the menu entries)
