from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "banyan.messaging"
    label = "messaging"
    verbose_name = _("SMS and e-mail")

    def ready(self):
        from banyan.messaging import navigation  # noqa: F401
