from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "banyan.accounts"
    label = "accounts"
    verbose_name = _("Enterprise accounts and users")

    def ready(self):
        from banyan.accounts import navigation, selectors  # noqa: F401  (the menu entries)
        from banyan.core import history

        # Every app's history names dictionary options and users by their labels.
        history.SHARED_LABELS.register(selectors.history_labels)
