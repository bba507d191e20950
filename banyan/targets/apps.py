from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "banyan.targets"
    label = "targets"
    verbose_name = _("Sales targets")

    def ready(self):
        from banyan.targets import navigation, panels  # noqa: F401
