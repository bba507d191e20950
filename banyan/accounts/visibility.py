"""The visibility engine: what a user may see. Every `visible_*` selector starts here.

Whatever else it keeps, every answer is limited to the user's company, and a user who is
inactive or belongs to no company sees nothing. What it keeps is one of these rules:

- **The company** (`of_company`): records every member of the company may read (products,
  warehouses, the dictionary), and the rows under a record the user was already allowed to
  open (an agreement's lines, an opportunity's stage history).
- **Owned in the line** (`owned_in_line`): rows owned by the user or anyone below them in the
  reporting line (an assistant: below their principal too). A boss's line is the whole
  company: the rule `WHOLE_COMPANY`, never an empty condition.
- **On visible customers** (`on_visible_customers`): the customer-centred rule. A customer is
  visible when its owner is in the user's line or it is shared with them; a row hung on a
  customer (contacts, activities, tasks, opportunities, agreements, money, shipments) is
  visible exactly when its customer is. Such a row carries its customer's owner
  (`customer_owner`, kept equal to it by the services that change an owner, in the same
  transaction), so the condition is on the row's own columns: an indexed range scan, never a
  subquery over every customer of the company.

The owners of a line and the customers shared with a user are short lists of keys, looked up
first (one small indexed query each) and written into the query, so the planner sees what it
filters by. The conditions (`line_condition`, `customer_condition`) always include the
company: `Model.objects.filter(line_condition(boss))` is one company's rows, and OR-ing two
conditions never widens either past the company.
"""

from collections.abc import Callable

from django.db.models import Model, Q, QuerySet, Value

from banyan.accounts.models import Role, User

# Up to this many keys (owners of a line, shared customers) are written into a query as a
# list; past it they go in as a subquery.
KEYS_INLINED = 2_000

# The customer-centred rule's column on rows hung on a customer.
CUSTOMER_OWNER = "customer_owner"

WHOLE_COMPANY = "whole company"
LINE = "line"


def _rows(rows: type[Model] | QuerySet) -> QuerySet:
    return rows._default_manager.all() if isinstance(rows, type) else rows


def _member(user: User) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and getattr(user, "company_id", None)
    )


def is_member(user: User) -> bool:
    """An active user of a company: anyone else sees (and changes) nothing."""
    return _member(user)


def sees_whole_company(user: User) -> bool:
    return bool(_member(user) and user.role == Role.BOSS)


def rule_of(user: User) -> str:
    """The name of the rule that decides what the user sees of the company."""
    return WHOLE_COMPANY if sees_whole_company(user) else LINE


# The reporting line -------------------------------------------------------------------------


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
    if not _member(user):
        return users.none()
    if sees_whole_company(user):
        return users
    condition = Q(path__startswith=user.path)
    for path in subtree_paths(user)[1:]:
        condition |= Q(path__startswith=path)
    return users.filter(condition)


def line_owner_keys(user: User) -> list[int] | QuerySet:
    """The keys of the users in `user`'s line, as a list (a subquery past KEYS_INLINED)."""
    owners = visible_owners(user).order_by().values_list("pk", flat=True)
    keys = list(owners[: KEYS_INLINED + 1])
    return owners if len(keys) > KEYS_INLINED else keys


def can_see_owner(user: User, owner: User | None) -> bool:
    """The rule of `line_condition`, for one owner already in memory."""
    if owner is None or not _member(user) or owner.company_id != user.company_id:
        return False
    if sees_whole_company(user):
        return True
    return any(owner.path.startswith(path) for path in subtree_paths(user))


def subordinates(user: User, *, include_self: bool = False) -> QuerySet[User]:
    """Everyone below `user` in the reporting line (for a boss: the whole company)."""
    users = User.objects.filter(company_id=user.company_id)
    if not _member(user):
        return users.none()
    if not sees_whole_company(user):
        users = users.filter(path__startswith=user.path)
    return users if include_self else users.exclude(pk=user.pk)


# Shares ---------------------------------------------------------------------------------------

# The customers app registers how to find the customers shared with a user: a function
# (user, edit_only) → a queryset of customer keys. A list, so this module never imports the
# app that builds on it.
SHARE_SOURCES: list[Callable[[User, bool], QuerySet]] = []


def shared_customer_keys(user: User, *, edit_only: bool = False) -> list[int] | QuerySet:
    """The keys of the customers shared with the user (to edit, with `edit_only`)."""
    if not _member(user) or not SHARE_SOURCES:
        return []
    keys: list[int] = []
    for source in SHARE_SOURCES:
        shared = source(user, edit_only)
        found = list(shared[: KEYS_INLINED + 1])
        if len(found) > KEYS_INLINED:
            return shared
        keys.extend(found)
    return keys


# Conditions (each includes the company) --------------------------------------------------------


def _nothing() -> Q:
    return Q(pk__in=[])


def _company(user: User) -> Q:
    return Q(company_id=user.company_id)


def line_condition(user: User, field: str = "owner") -> Q:
    """Rows of the user's company whose `field` (a user) is in the user's line; for a boss,
    every row of the company."""
    if not _member(user):
        return _nothing()
    if sees_whole_company(user):
        return _company(user)
    return _company(user) & Q(**{f"{field}__in": line_owner_keys(user)})


def _line_and_shared_keys(
    user: User, *, edit_only: bool
) -> tuple[list | QuerySet, list | QuerySet]:
    """(keys of the owners in the user's line, keys of the customers shared with them), in
    one query; either is a subquery instead when it passes KEYS_INLINED."""
    owners = visible_owners(user).order_by().values_list("pk", flat=True)
    sources = [source(user, edit_only) for source in SHARE_SOURCES]
    tagged = owners.annotate(_tag=Value(0)).values_list("pk", "_tag")
    for shared in sources:
        tagged = tagged.union(
            shared.annotate(_tag=Value(1)).values_list(*shared.query.values_select, "_tag"),
            all=True,
        )
    rows = list(tagged[: 2 * KEYS_INLINED + 2])
    owner_keys = [key for key, tag in rows if tag == 0]
    shared_keys = [key for key, tag in rows if tag == 1]
    if len(rows) > 2 * KEYS_INLINED + 1:  # too many to be sure both lists are whole
        return (
            owners if len(owner_keys) >= KEYS_INLINED else owner_keys,
            sources[0] if len(sources) == 1 else shared_customer_keys(user, edit_only=edit_only),
        )
    return owner_keys, shared_keys


def customer_condition(
    user: User,
    *,
    owner_field: str = CUSTOMER_OWNER,
    customer_field: str = "customer",
    edit_only: bool = False,
    also: Callable[[list | QuerySet], Q] | None = None,
) -> Q:
    """Rows of the user's company on a customer they may see (with `edit_only`: may change):
    its owner (`owner_field`, the row's copy of it) in their line, or the customer
    (`customer_field`) shared with them. `also(owner_keys)` adds the rows visible by a rule
    of their own, given the keys of the owners in the line (a task without a customer). For
    a boss, every row of the company."""
    if not _member(user):
        return _nothing()
    if sees_whole_company(user):
        return _company(user)
    owners, shared = _line_and_shared_keys(user, edit_only=edit_only)
    condition = Q(**{f"{owner_field}__in": owners})
    if isinstance(shared, QuerySet) or shared:
        condition |= Q(**{f"{customer_field}__in": shared})
    if also is not None:
        condition |= also(owners)
    return _company(user) & condition


# Querysets --------------------------------------------------------------------------------------


def of_company(user: User, rows: type[Model] | QuerySet) -> QuerySet:
    """Rows of the user's company: records every member reads, and rows under a record the
    user was already allowed to open."""
    rows = _rows(rows)
    return rows.filter(_company(user)) if _member(user) else rows.none()


def owned_in_line(user: User, rows: type[Model] | QuerySet, *, field: str = "owner") -> QuerySet:
    """Rows owned (by `field`) by the user or anyone in their line."""
    rows = _rows(rows)
    return rows.filter(line_condition(user, field)) if _member(user) else rows.none()


def on_visible_customers(
    user: User,
    rows: type[Model] | QuerySet,
    *,
    owner_field: str = CUSTOMER_OWNER,
    customer_field: str = "customer",
    edit_only: bool = False,
    also: Callable[[list | QuerySet], Q] | None = None,
) -> QuerySet:
    """Rows on the customers the user may see (with `edit_only`: may change), by the columns
    the rows carry: see `customer_condition`."""
    rows = _rows(rows)
    if not _member(user):
        return rows.none()
    return rows.filter(
        customer_condition(
            user,
            owner_field=owner_field,
            customer_field=customer_field,
            edit_only=edit_only,
            also=also,
        )
    )
