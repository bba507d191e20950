from django.utils.translation import gettext_lazy as _

from banyan.core.navigation import NavItem, register

register(NavItem("imports", _("Import data"), "import-list", "upload", order=90, section="account"))
