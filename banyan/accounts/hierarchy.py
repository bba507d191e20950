"""The rules of the reporting line (who may report to whom) and their validation.

Legal lines: director → boss; manager → director; sales → boss, director or manager;
bosses report to nobody. So boss→sales, boss→director→sales, boss→director→manager→sales
all work, and boss→manager→sales is refused.
"""

from django.utils.translation import gettext as _

from banyan.accounts.models import Role, User

ALLOWED_SUPERIOR_ROLES: dict[str, set[str]] = {
    Role.BOSS: set(),
    Role.DIRECTOR: {Role.BOSS},
    Role.MANAGER: {Role.DIRECTOR},
    Role.SALES: {Role.BOSS, Role.DIRECTOR, Role.MANAGER},
}
ASSISTANT_PRINCIPAL_ROLES = {Role.DIRECTOR, Role.MANAGER}


def _role_label(role: str) -> str:
    return str(Role(role).label)


def _allowed_superiors_text(role: str) -> str:
    return _(" or ").join(_role_label(r) for r in sorted(ALLOWED_SUPERIOR_ROLES[role]))


def position_errors(
    *,
    user: User | None,
    company_id: int,
    role: str,
    superior: User | None,
    assistant_of: User | None,
    is_admin: bool,
) -> dict[str, list[str]]:
    """Every reason the proposed place of `user` (None when new) in the company is illegal."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if role not in ALLOWED_SUPERIOR_ROLES:
        add("role", _("Choose a role: boss, director, manager or sales."))
        return errors

    if role == Role.BOSS:
        if superior is not None:
            add("superior", _("A boss reports to nobody: leave the superior empty."))
    elif superior is None:
        add(
            "superior",
            _("A %(role)s must report to a %(allowed)s.")
            % {"role": _role_label(role), "allowed": _allowed_superiors_text(role)},
        )
    else:
        if superior.company_id != company_id:
            add("superior", _("The superior must be a user of your company."))
        elif user is not None and superior.pk == user.pk:
            add("superior", _("A user cannot report to themself."))
        elif user is not None and user.pk and superior.path.startswith(user.path):
            add(
                "superior",
                _("%(superior)s reports to %(user)s, directly or indirectly: that would be a loop.")
                % {"superior": superior.display_name, "user": user.display_name},
            )
        elif not superior.is_active:
            add("superior", _("%(name)s is deactivated.") % {"name": superior.display_name})
        elif superior.role not in ALLOWED_SUPERIOR_ROLES[role]:
            add(
                "superior",
                _("A %(role)s reports to a %(allowed)s, not to a %(superior_role)s.")
                % {
                    "role": _role_label(role),
                    "allowed": _allowed_superiors_text(role),
                    "superior_role": _role_label(superior.role),
                },
            )

    if user is not None and user.pk:
        for subordinate in user.subordinates.filter(is_active=True).only(
            "role", "real_name", "username"
        ):
            if role not in ALLOWED_SUPERIOR_ROLES[subordinate.role]:
                add(
                    "role",
                    _(
                        "%(name)s (%(sub_role)s) reports to this user and cannot report to a "
                        "%(role)s: move them first."
                    )
                    % {
                        "name": subordinate.display_name,
                        "sub_role": _role_label(subordinate.role),
                        "role": _role_label(role),
                    },
                )

    if assistant_of is not None:
        if assistant_of.company_id != company_id:
            add("assistant_of", _("The principal must be a user of your company."))
        elif user is not None and assistant_of.pk == user.pk:
            add("assistant_of", _("A user cannot be their own assistant."))
        elif assistant_of.role not in ASSISTANT_PRINCIPAL_ROLES:
            add("assistant_of", _("An assistant works for a director or a manager."))
        elif not assistant_of.is_active:
            add("assistant_of", _("%(name)s is deactivated.") % {"name": assistant_of.display_name})

    if is_admin and role != Role.BOSS:
        add("is_admin", _("Only a boss can be an account administrator."))
    return errors
