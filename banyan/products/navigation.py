"""The menu entry of the products app: the catalogue, for every user of the company."""

from django.utils.translation import gettext_lazy as _

from banyan.core.navigation import NavItem, register

register(NavItem("products", _("Products"), "product-list", "box-seam", order=60))
