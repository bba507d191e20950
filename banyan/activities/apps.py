from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "banyan.activities"
    label = "activities"
    verbose_name = _("Activities and tasks")

    def ready(self):
        from banyan.activities import handovers, navigation, panels  # noqa: F401
