"""The menu entries of the accounts app."""

from django.utils.translation import gettext_lazy as _

from banyan.core.navigation import NavItem, register

register(NavItem("workbench", _("Workbench"), "home", "speedometer2", order=0))


def _is_admin(user) -> bool:
    return user.is_account_admin


register(
    NavItem(
        "account-users", _("Users"), "account-users", "people", 10, "account", allowed=_is_admin
    )
)
register(
    NavItem(
        "account-company",
        _("Company profile"),
        "account-company",
        "building",
        20,
        "account",
        allowed=_is_admin,
    )
)
register(
    NavItem(
        "account-settings",
        _("Modules and rules"),
        "account-settings",
        "toggles",
        30,
        "account",
        allowed=_is_admin,
    )
)
register(
    NavItem(
        "account-dictionary",
        _("Data dictionary"),
        "account-dictionary",
        "list-ul",
        40,
        "account",
        allowed=_is_admin,
    )
)
