"""The visibility engine: whose records a user sees.

A user sees what they own and what anyone below them in the reporting line owns; an
assistant sees what their principal sees; a boss sees the whole company. Each app's
selectors compose `owner_condition(user)` with their own filters (and, later, sharing):

    Customer.objects.filter(company_id=user.company_id).filter(owner_condition(user))

Subtrees are materialised paths on User, so the condition is one indexed SQL subquery and
never a walk over the tree in Python.
"""

from django.db.models import Q, QuerySet

from banyan.accounts.models import Role, User


def sees_whole_company(user: User) -> bool:
    return bool(user.is_active and user.role == Role.BOSS and user.company_id)


def subtree_paths(user: User) -> list[str]:
    """The roots of the subtrees whose owners `user` sees (their own, and a principal's)."""
    paths = [user.path]
    principal = user.assistant_of
    if (
        principal is not None
        and principal.is_active
        and principal.company_id == user.company_id
        and not any(principal.path.startswith(p) for p in paths)
    ):
        paths.append(principal.path)
    return paths


def visible_owners(user: User) -> QuerySet[User]:
    """The users (active or not) whose records `user` sees, themself included."""
    users = User.objects.filter(company_id=user.company_id)
    if not user.is_active or not user.company_id:
        return users.none()
    if sees_whole_company(user):
        return users
    condition = Q()
    for path in subtree_paths(user):
        condition |= Q(path__startswith=path)
    return users.filter(condition)


def owner_condition(user: User, field: str = "owner") -> Q:
    """A condition on a queryset of tenant rows: owned by someone `user` sees.

    The caller's queryset must already be limited to `user.company`.
    """
    if not user.is_active or not user.company_id:
        return Q(pk__in=[])
    if sees_whole_company(user):
        return Q()
    return Q(**{f"{field}__in": visible_owners(user).values("pk")})


def can_see_owner(user: User, owner: User | None) -> bool:
    """The same rule as `owner_condition`, for one owner already in memory."""
    if owner is None or not user.is_active or owner.company_id != user.company_id:
        return False
    if sees_whole_company(user):
        return True
    return any(owner.path.startswith(path) for path in subtree_paths(user))


def subordinates(user: User, *, include_self: bool = False) -> QuerySet[User]:
    """Everyone below `user` in the reporting line (for a boss: the whole company)."""
    users = User.objects.filter(company_id=user.company_id)
    if sees_whole_company(user):
        return users if include_self else users.exclude(pk=user.pk)
    below = users.filter(path__startswith=user.path)
    return below if include_self else below.exclude(pk=user.pk)
