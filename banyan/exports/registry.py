"""The lists a user may export, each declared by the app that owns it.

An app registers its lists from its own `exports.py` (found when Django loads, see
`ExportsConfig.ready`), so this app, low in the layers, never imports the apps above it:

    register(ExportKind(
        key="customers",
        label=_("Customers"),
        list_url_name="customer-list",
        page_rows=customer_rows_of_page,     # (user, query) → the list page's queryset
        api_rows=rows_of_list_api(CustomerViewSet),  # (user, query) → the list API's
        columns=(Column("name", _("Name"), "name"), ...),
    ))

Rows always come from the list's own code: the page's filter form and selector for an export
started from the page (its query string), the list API's queryset for one started from the
API (its query parameters). So an export holds exactly the rows, in the order, that the user
sees on the list, and visibility is never written twice. Each column is read with
`values_list` (no model instances: an export reads tens of thousands of rows a second); a
column marked `costs` is left out for a user who may not see costs and gross profit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict

from banyan.accounts.models import User


@dataclass(frozen=True)
class Column:
    key: str
    header: Any  # a lazy translation, read in the exporting user's language
    # What `values_list` reads: a field, a related field (`owner__real_name`), an annotation,
    # or several of them, which `display` then combines into the cell.
    path: str | tuple[str, ...]
    display: Callable[..., Any] | None = (
        None  # the stored value(s) → the cell (a choice → its label)
    )
    costs: bool = False  # cost or gross profit: only for users who may see costs
    # Keys shown through a table read once per export for the exporting user ({id: label}).
    lookup: Callable[[User], dict] | None = None

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,) if isinstance(self.path, str) else tuple(self.path)


@dataclass(frozen=True)
class Sheet:
    """A second sheet of the .xlsx (an agreement's lines): rows read from the main rows."""

    key: str
    title: Any
    columns: tuple[Column, ...]
    rows: Callable[[User, QuerySet], QuerySet]  # (user, the main sheet's rows) → its rows


@dataclass(frozen=True)
class ExportKind:
    key: str
    label: Any
    list_url_name: str
    columns: tuple[Column, ...]
    page_rows: Callable[[User, QueryDict], QuerySet]
    api_rows: Callable[[User, QueryDict], QuerySet]
    sheets: tuple[Sheet, ...] = ()
    # Whether the user may open the list at all (its module in use, a special permission);
    # the list's own selector still decides which rows.
    allowed: Callable[[User], bool] = field(default=lambda user: True)
    sees_costs: Callable[[User], bool] = field(default=lambda user: False)

    def columns_for(self, user: User, columns: Iterable[Column] | None = None) -> list[Column]:
        """The columns this user gets: without the cost columns unless they may see costs."""
        columns = list(self.columns if columns is None else columns)
        if any(column.costs for column in columns) and not self.sees_costs(user):
            columns = [column for column in columns if not column.costs]
        return columns


_kinds: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    _kinds[kind.key] = kind
    return kind


def kind_named(key: str) -> ExportKind | None:
    return _kinds.get(key)


def all_kinds() -> list[ExportKind]:
    return list(_kinds.values())


def kind_for_list(url_name: str) -> ExportKind | None:
    return next((kind for kind in _kinds.values() if kind.list_url_name == url_name), None)


def choice_labels(choices) -> Callable[[Any], Any]:
    """A `display` that shows a TextChoices value as its label (in the exporting language)."""
    labels = dict(choices.choices)
    return lambda value: str(labels[value]) if value in labels else value


def _option_labels(user: User) -> dict:
    from banyan.accounts.selectors import dictionary_options

    return {
        option.pk: option.display_label
        for option in dictionary_options(user).only("id", "kind", "code", "label")
    }


def _user_names(user: User) -> dict:
    from banyan.accounts.selectors import company_users

    return {
        person.pk: person.display_name
        for person in company_users(user).select_related(None).only("id", "real_name", "username")
    }


def _usernames(user: User) -> dict:
    from banyan.accounts.selectors import company_users

    return dict(company_users(user).select_related(None).values_list("id", "username"))


def username_column(key: str, header, field: str) -> Column:
    """A user by their username (what an import names an owner by)."""
    return Column(key, header, f"{field}_id", lookup=_usernames)


def option_column(key: str, header, field: str) -> Column:
    """A data-dictionary option (type, source, industry…) shown by its label: the company's
    own, or the built-in option's translated default. Read as the row's key, named from the
    company's dictionary read once per export (no join per row)."""
    return Column(key, header, f"{field}_id", lookup=_option_labels)


def user_column(key: str, header, field: str) -> Column:
    """A user (owner, assignee…) shown by their name, or their username without one; read as
    the row's key, named from the company's people read once per export."""
    return Column(key, header, f"{field}_id", lookup=_user_names)


def yes_no(value) -> str:
    from django.utils.translation import gettext

    return gettext("Yes") if value else gettext("No")


def query_of(filters: dict | QueryDict | None) -> QueryDict:
    """Stored filters (a dict of lists, or of single values) as the QueryDict a list reads."""
    if isinstance(filters, QueryDict):
        return filters
    query = QueryDict(mutable=True)
    for name, value in (filters or {}).items():
        if isinstance(value, list | tuple):
            query.setlist(name, [str(item) for item in value])
        elif isinstance(value, bool):
            query[name] = "true" if value else "false"
        elif value is not None:
            query[name] = str(value)
    query._mutable = False
    return query


def rows_of_list_api(viewset_class) -> Callable[[User, QueryDict], QuerySet]:
    """The rows the list API (`GET` on `viewset_class`) answers for `query`: its permissions,
    its `get_queryset` and its filter backends, exactly as for a request of that user. A bad
    parameter raises the API's own ValidationError (400 naming the field)."""
    from rest_framework.request import Request

    def rows(user: User, query: QueryDict) -> QuerySet:
        http_request = HttpRequest()
        http_request.method = "GET"
        http_request.GET = query
        http_request.user = user
        request = Request(http_request)
        request.user = user
        view = viewset_class(action="list", request=request, args=(), kwargs={}, format_kwarg=None)
        view.headers = {}
        view.check_permissions(request)
        return view.filter_queryset(view.get_queryset())

    return rows
