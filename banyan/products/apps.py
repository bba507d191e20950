from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "banyan.products"
    label = "products"
    verbose_name = _("Products")

    def ready(self):
        from banyan.products import navigation  # noqa: F401
