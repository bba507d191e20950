from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "banyan.imports"
    label = "imports"
    verbose_name = _("Data import")

    def ready(self):
        from banyan.imports import navigation  # noqa: F401
