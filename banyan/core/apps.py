from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "banyan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from banyan.core import lookups
        from banyan.core.images import limit_pillow_decoding

        limit_pillow_decoding()
        lookups.register()
