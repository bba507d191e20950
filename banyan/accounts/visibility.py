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

"Owned in the line, or shared" is an OR across two indexes, which no single index scan
answers in list order: for a rep PostgreSQL read the company's rows in list order and
filtered (passing over thousands of others' rows per page), or read every visible row and
sorted. So a narrow line's rows are read as the UNION ALL of the disjoint parts of the rule
(`union_of_parts`), each an indexed range scan that the list's order and limit reach into;
the WHERE clause keeps the whole condition for every other way of reading the query
(updates, deletes, locking reads, a queryset OR-ed with another).
"""

from collections.abc import Callable

from django.core.exceptions import FullResultSet
from django.db.models import Model, Q, QuerySet, Value
from django.db.models.sql.compiler import SQLDeleteCompiler, SQLUpdateCompiler
from django.db.models.sql.datastructures import BaseTable
from django.db.models.sql.where import AND, WhereNode

from banyan.accounts.models import Role, User
from banyan.core.hooks import Hook

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
# (user, edit_only) → a queryset of customer keys. A hook, so this module never imports the
# app that builds on it.
SHARE_SOURCES = Hook("customers shared with a user", "user, edit_only")


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


def _customer_parts(
    owners: list | QuerySet,
    shared: list | QuerySet,
    *,
    owner_field: str,
    customer_field: str,
    also: Callable[[list | QuerySet], Q] | None,
) -> list[Q]:
    """The alternatives of the customer rule, given the keys of the owners in the user's line
    and of the customers shared with them: the owner in the line, the customer shared, and
    `also`'s own rule."""
    parts = [Q(**{f"{owner_field}__in": owners})]
    if isinstance(shared, QuerySet) or shared:
        parts.append(Q(**{f"{customer_field}__in": shared}))
    if also is not None:
        parts.append(also(owners))
    return parts


def _any_of(parts: list[Q]) -> Q:
    condition = parts[0]
    for part in parts[1:]:
        condition |= part
    return condition


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
    parts = _customer_parts(
        owners, shared, owner_field=owner_field, customer_field=customer_field, also=also
    )
    return _company(user) & _any_of(parts)


# Reading an OR as a UNION ALL ----------------------------------------------------------------

# A line of at most this many owners is read as a union: its rows are a sliver of the
# company's, and reading the company's rows in list order through a filter passes over
# thousands of others for each row of a page. A wider line is a fair share of the company,
# read in list order with the whole condition as a filter, which stops after a page.
UNION_MAX_OWNERS = 1


def _reads_union(compiler, token) -> bool:
    """Whether `compiler` reads its base table as the union paired with `token`: a plain
    SELECT (not an UPDATE, a DELETE or a locking read) whose WHERE clause still holds, at its
    top, the condition the union stands for."""
    query = compiler.query
    if query.select_for_update or isinstance(compiler, (SQLUpdateCompiler, SQLDeleteCompiler)):
        return False
    if (
        not query.alias_map
        or getattr(query.alias_map[query.base_table], "token", None) is not token
    ):
        return False
    where = query.where
    return (
        where.connector == AND
        and not where.negated
        and any(getattr(child, "token", None) is token for child in where.children)
    )


class _UnionOfParts(BaseTable):
    """A queryset's base table read as `(SELECT … WHERE part 1 UNION ALL SELECT … WHERE
    part 2 …) AS <the table's alias>`: PostgreSQL flattens it into one scan per part and
    pushes the query's other conditions, its order and its limit into each, and every column
    reference of the query still resolves. Read only while the paired condition
    (`_ConditionOfUnion`) stands at the top of the WHERE clause; otherwise (an UPDATE, a
    DELETE, SELECT … FOR UPDATE, the queryset OR-ed with another) the plain table is read
    and the condition is written out."""

    def __init__(self, table_name: str, alias: str, parts: list[QuerySet], token: object):
        super().__init__(table_name, alias)
        self.parts = parts
        self.token = token

    def as_sql(self, compiler, connection):
        if not _reads_union(compiler, self.token):
            return super().as_sql(compiler, connection)
        selects, params = [], []
        for part in self.parts:
            sql, part_params = part.query.get_compiler(connection=connection).as_sql(
                with_limits=False
            )
            selects.append(sql)
            params.extend(part_params)
        alias = compiler.quote_name_unless_alias(self.table_alias)
        return f"({' UNION ALL '.join(selects)}) {alias}", params

    def relabeled_clone(self, change_map):
        return self.__class__(
            self.table_name,
            change_map.get(self.table_alias, self.table_alias),
            self.parts,
            self.token,
        )


class _ConditionOfUnion(WhereNode):
    """The condition a union of parts stands for, kept in the WHERE clause: left out where
    the union is read (the parts already hold it, and repeating it in each part would skew
    the planner's estimates), written out everywhere else."""

    token = None

    def as_sql(self, compiler, connection):
        if _reads_union(compiler, self.token):
            raise FullResultSet
        return super().as_sql(compiler, connection)

    def clone(self):
        clone = super().clone()
        clone.token = self.token
        return clone


def union_of_parts(rows: QuerySet, parts: list[Q], *, common: Q) -> QuerySet:
    """`rows` limited to `common` and any of `parts`, read as the UNION ALL of the parts made
    disjoint (each part without the rows of the ones before it: no row comes twice), each an
    indexed range scan. `common` stays a plain condition of the query."""
    rows = rows.filter(common)
    if len(parts) < 2 or rows.query.where.connector != AND or rows.query.where.negated:
        return rows.filter(_any_of(parts))
    model = rows.model._meta.concrete_model
    disjoint = [
        model._base_manager.filter(common, part, *[~earlier for earlier in parts[:index]])
        .order_by()
        .values(*[field.attname for field in model._meta.concrete_fields])
        for index, part in enumerate(parts)
    ]
    kept = len(rows.query.where.children)
    rows = rows.filter(_any_of(parts))
    token = object()
    query = rows.query
    condition = _ConditionOfUnion(query.where.children[kept:], AND)
    condition.token = token
    query.where.children[kept:] = [condition]
    alias = query.get_initial_alias()
    query.unref_alias(alias)
    query.alias_map[alias] = _UnionOfParts(
        query.alias_map[alias].table_name, alias, disjoint, token
    )
    return rows


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
    the rows carry: see `customer_condition`. Read as the union of the rule's parts (owned in
    the line; shared; `also`), each an indexed range scan."""
    rows = _rows(rows)
    if not _member(user):
        return rows.none()
    if sees_whole_company(user):
        return rows.filter(_company(user))
    owners, shared = _line_and_shared_keys(user, edit_only=edit_only)
    parts = _customer_parts(
        owners,
        shared,
        owner_field=owner_field,
        customer_field=customer_field,
        also=also,
    )
    common = _company(user)
    if "__" in owner_field:  # the relation's rows are the company's too: its indexes lead so
        common &= Q(**{f"{owner_field.rsplit('__', 1)[0]}__company_id": user.company_id})
    if isinstance(owners, QuerySet) or len(owners) > UNION_MAX_OWNERS:
        return rows.filter(common & _any_of(parts))
    return union_of_parts(rows, parts, common=common)
