"""Reads on accounts, always for an acting user and limited to their company."""

from django.db.models import QuerySet

from banyan.accounts import visibility
from banyan.accounts.dictionary import KINDS
from banyan.accounts.models import ApiToken, Company, DictionaryOption, User
from banyan.core.fetch import get_for


def company_users(user: User) -> QuerySet[User]:
    """Everyone in the user's company: names and places in the line are company-public."""
    return visibility.of_company(user, User).select_related("superior", "assistant_of")


def get_company_user(user: User, pk) -> User:
    return get_for(company_users(user), pk)


def assignable_users(user: User) -> QuerySet[User]:
    """Active users `user` may give work to: themself and everyone below them."""
    return visibility.subordinates(user, include_self=True).filter(is_active=True)


def _line_position(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def user_tree(user: User) -> list[tuple[User, int]]:
    """The company's users in reporting-line order, with their depth, for the tree page."""
    users = list(company_users(user).prefetch_related("user_permissions"))
    users.sort(key=lambda u: _line_position(u.path))
    return [(u, u.depth) for u in users]


def user_tree_keys(user: User) -> list[int]:
    """The keys of the company's users in reporting-line order: the tree page pages through
    them and reads whole users for one page only (a thousand rows drawn at once took half a
    second)."""
    rows = visibility.of_company(user, User).values_list("pk", "path")
    return [pk for pk, path in sorted(rows, key=lambda row: _line_position(row[1]))]


def users_of_tree_page(user: User, keys: list[int]) -> list[tuple[User, int]]:
    """The users of `keys` (one page of `user_tree_keys`) in that order, with their depth."""
    found = company_users(user).prefetch_related("user_permissions").in_bulk(keys)
    return [(found[pk], found[pk].depth) for pk in keys if pk in found]


def dictionary_options(
    user: User, kind: str | None = None, *, active_only: bool = False
) -> QuerySet[DictionaryOption]:
    options = visibility.of_company(user, DictionaryOption)
    if kind is not None:
        options = options.filter(kind=kind)
    if active_only:
        options = options.filter(is_active=True)
    return options.order_by("kind", "position", "id")


def get_dictionary_option(user: User, pk) -> DictionaryOption:
    return get_for(dictionary_options(user), pk)


def dictionary_kinds() -> dict:
    return KINDS


def company_of(user: User) -> Company:
    return user.company


def dangerously_demo_boss() -> User | None:
    """The admin boss of the public demo company, whom "Try the demo" signs in as.

    A lookup past every company's walls, for nobody: the login page has no acting user yet,
    and finds the demo company by its configured code."""
    from django.conf import settings

    return (
        User.objects.filter(
            company__code=settings.BANYAN_DEMO_COMPANY_CODE,
            company__plan=Company.Plan.DEMO,
            company__status=Company.Status.ACTIVE,
            role="boss",
            is_admin=True,
            is_active=True,
        )
        .select_related("company")
        .order_by("pk")
        .first()
    )


def own_api_tokens(user: User) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first: nobody sees another person's tokens.

    Read through the user's own relation rather than their company's rows: an operator of
    the service belongs to no company and has tokens too."""
    if not user.pk:  # nobody, or the API schema's stand-in user: nothing
        return visibility.of_company(user, ApiToken)
    return user.api_tokens.order_by("-created_at", "-id")


def get_own_api_token(user: User, pk) -> ApiToken:
    return get_for(own_api_tokens(user), pk)


# --- labels in histories --------------------------------------------------------------------


def company_wide_option_labels(user: User, keys: set) -> dict:
    """{pk: label} of those dictionary options of the user's company (a history names them)."""
    options = DictionaryOption.objects.filter(company_id=user.company_id, pk__in=keys)
    return {option.pk: option.display_label for option in options}


def company_wide_user_labels(user: User, keys: set) -> dict:
    """{pk: name} of those users of the user's company, former ones too (a history names
    whoever made or was given a change)."""
    people = User.objects.filter(company_id=user.company_id, pk__in=keys)
    return {person.pk: person.display_name for person in people}


def history_labels() -> dict:
    """How every app's history labels the accounts' rows (registered into core's history)."""
    return {DictionaryOption: company_wide_option_labels, User: company_wide_user_labels}


def may_view_reports(user: User) -> bool:
    """Figures beyond one's own (reports, the workbench's dashboard): the "view reports"
    special permission, which an admin boss holds by office (every other boss, director and
    manager needs it granted)."""
    return visibility.is_member(user) and (
        user.is_account_admin or user.has_perm("accounts.view_reports")
    )
