"""The export log's entry in the account menu."""

from django.utils.translation import gettext_lazy as _

from banyan.core.navigation import NavItem, register


def _sees_export_log(user) -> bool:
    from banyan.exports.selectors import can_export

    return user.is_account_admin or can_export(user)


register(
    NavItem(
        "account-exports",
        _("Export log"),
        "export-log",
        "download",
        60,
        "account",
        allowed=_sees_export_log,
    )
)
