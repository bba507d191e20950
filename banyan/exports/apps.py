from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "banyan.exports"
    label = "exports"
    verbose_name = _("Exports")

    def ready(self):
        from banyan.exports import navigation  # noqa: F401

        # Each app declares its exportable lists in its own `exports.py` (as the admin finds
        # `admin.py`): this app, low in the layers, never imports the apps above it.
        autodiscover_modules("exports")
