from django.utils.translation import gettext_lazy as _

from banyan.core.navigation import NavItem, register


def _is_admin(user) -> bool:
    return user.is_account_admin


# The account menu is the admin bosses'; everyone else imports from the customer and product
# lists' Import buttons.
register(
    NavItem(
        "imports",
        _("Import data"),
        "import-list",
        "upload",
        order=90,
        section="account",
        allowed=_is_admin,
    )
)
