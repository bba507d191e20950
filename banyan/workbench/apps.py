from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    name = "banyan.workbench"
    label = "workbench"
    verbose_name = _("Workbench")

    def ready(self):
        from banyan.workbench import panels  # noqa: F401  (the announcement and complaint slots)
