from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "banyan.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from banyan.reports import definitions, navigation  # noqa: F401

        # A report may also live in the app that owns its data, in that app's `reports.py`
        # (found as the exports app finds `exports.py`).
        autodiscover_modules("reports")
