"""Reads on customers and contacts, always for an acting user.

`visible_customers(user)` is the one way to start a query on customers for a person: owned
by the user or anyone below them (an assistant: below their principal; a boss: everyone),
plus customers shared with them. Contacts and every record hung on a customer derive from it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.db.models.fields.reverse_related import ManyToOneRel
from django.utils.translation import gettext as _

from banyan.accounts import visibility
from banyan.accounts.models import User
from banyan.core.errors import PermissionRefused
from banyan.core.fetch import get_for
from banyan.core.history import (  # noqa: F401 (HistoryChange: part of this module's API)
    HIDDEN_FIELDS,
    HistoryChange,
    HistoryEntry,
    build_history,
)
from banyan.core.lookups import GRAM_INDEXED, scan_safe, text_contains, unindexed, uses_grams
from banyan.core.values import start_of_company_day
from banyan.customers.models import Contact, Customer, CustomerShare, NamedCustomerRecord
from banyan.customers.text import name_key, search_terms


def shared_customer_keys(user: User, edit_only: bool) -> QuerySet:
    """The keys of the customers shared with the user (to edit, with `edit_only`): the
    visibility engine's source of shares (registered in `CustomersConfig.ready`)."""
    shares = visibility.of_company(user, CustomerShare).filter(user_id=user.pk)
    if edit_only:
        shares = shares.filter(level=CustomerShare.Level.EDIT)
    return shares.order_by().values_list("customer_id", flat=True)


def _shared_with(user: User, *, edit_only: bool = False) -> QuerySet[CustomerShare]:
    shares = visibility.of_company(user, CustomerShare).filter(user_id=user.pk)
    if edit_only:
        shares = shares.filter(level=CustomerShare.Level.EDIT)
    return shares


def managed_customers(user: User) -> QuerySet[Customer]:
    """Customers in the user's line (owned by them or below): edit, share, transfer, delete."""
    return visibility.owned_in_line(user, Customer)


def visible_customers(user: User) -> QuerySet[Customer]:
    """Customers the user may read: their line's, plus those shared with them."""
    return visibility.on_visible_customers(user, Customer, owner_field="owner", customer_field="pk")


def editable_customers(user: User) -> QuerySet[Customer]:
    """Customers the user may change: their line's, plus those shared with them to edit."""
    return visibility.on_visible_customers(
        user, Customer, owner_field="owner", customer_field="pk", edit_only=True
    )


def can_manage_customer(user: User, customer: Customer) -> bool:
    return customer.company_id == user.company_id and visibility.can_see_owner(user, customer.owner)


def can_edit_customer(user: User, customer: Customer) -> bool:
    """Owner line, or shared to edit: the one rule of "may change" for a customer and every
    row hung on it (`editable_among`, for one). Remembered on the customer object for this
    user, so the customer view's panels ask the database once, not once each."""
    return customer.pk in editable_among(user, [customer])


def _remembered(user: User, customer: Customer) -> bool | None:
    remembered = getattr(customer, "_editable_by", None)
    return remembered[1] if remembered is not None and remembered[0] == user.pk else None


def editable_among(user: User, customers) -> set[int]:
    """The keys of those `customers` (already fetched visible) the user may change: those in
    their line, and those shared with them to edit. Every list's and panel's "may change"
    and every service's guard ask this (through `can_edit_customer` for one customer).

    Answered in memory where it can be (an answer remembered on the object, the loaded
    owner's path, a boss), else in one query for all the rest, whatever their number."""
    customers = [c for c in customers if c is not None]
    if not visibility.is_member(user):
        return set()
    editable: set[int] = set()
    refused: set[int] = set()
    unknown: dict[int, list[Customer]] = {}
    for customer in customers:
        remembered = _remembered(user, customer)
        if customer.company_id != user.company_id:
            refused.add(customer.pk)
        elif remembered is not None:
            (editable if remembered else refused).add(customer.pk)
        elif visibility.sees_whole_company(user) or (
            Customer.owner.is_cached(customer) and visibility.can_see_owner(user, customer.owner)
        ):
            editable.add(customer.pk)
        else:
            unknown.setdefault(customer.pk, []).append(customer)
    rest = set(unknown) - editable - refused
    if rest:
        editable |= editable_customer_keys(user, rest)
    for customer in customers:
        customer._editable_by = (user.pk, customer.pk in editable)
    return editable


def editable_customer_keys(user: User, keys) -> set[int]:
    """Of these customer keys, those the user may change (the rule of `editable_among`):
    one query however many keys (none for no keys)."""
    keys = {int(key) for key in keys if key is not None}
    if not keys or not visibility.is_member(user):
        return set()
    customers = visibility.of_company(user, Customer).filter(pk__in=keys)
    if not visibility.sees_whole_company(user):
        in_line = Q(pk__in=[])
        for path in visibility.subtree_paths(user):
            in_line |= Q(owner__path__startswith=path)
        customers = customers.filter(in_line | Q(pk__in=shared_customer_keys(user, True)))
    return set(customers.order_by().values_list("pk", flat=True))


def contacts_to_prefetch(user: User) -> QuerySet[Contact]:
    """Contacts to prefetch onto customers that were fetched through `visible_customers`:
    their visibility is the customers', already checked."""
    return visibility.of_company(user, Contact).select_related("category")


def get_customer_for(user: User, pk, *, for_edit: bool = False) -> Customer:
    """The customer if the user may see it (NotFound otherwise, whether missing or not theirs);
    with `for_edit`, PermissionRefused when they may see but not change it."""
    customer = get_for(
        visible_customers(user).select_related("owner", "created_by", "type", "source", "industry"),
        pk,
    )
    customer._visible_to_user_id = user.pk
    if for_edit and not can_edit_customer(user, customer):
        raise PermissionRefused(_("This customer is shared with you to view only."))
    return customer


def records_of_customer(records, user: User, customer: Customer) -> QuerySet:
    """The rows of `records` (a model or a queryset of contacts, activities, opportunities…)
    hung on one customer.

    Visibility was checked once when the customer was fetched with `get_customer_for`, so
    the rows are found by key alone: no visibility condition for every panel of the customer
    view. A customer obtained any other way is checked here first.
    """
    rows = visibility.of_company(user, records)
    if customer.company_id != user.company_id:
        return rows.none()
    if getattr(customer, "_visible_to_user_id", None) != user.pk and not (
        visible_customers(user).filter(pk=customer.pk).exists()
    ):
        return rows.none()
    return rows.filter(customer_id=customer.pk)


def _whole_phone(query: str) -> str:
    """The normalised number when the whole search box is one phone number, however typed
    ("+86 138 0013 8000", "010-6288 1234"); otherwise ""."""
    from django.core.exceptions import ValidationError

    from banyan.core.phones import normalize_phone
    from banyan.core.text import to_half_width

    text = to_half_width(query or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < 10 or any(ch not in "0123456789+-() " for ch in text):
        return ""
    try:
        return normalize_phone(text)
    except ValidationError:
        return ""


def _search_conditions(user: User, query: str) -> list[Q]:
    """A whole phone number is looked up through the phone indexes (customer and contacts);
    otherwise every word must be in the search text (name, pinyin, initials, contacts, phones)."""
    number = _whole_phone(query)
    if number:
        # The contacts' customers are looked up first (each by its index): an OR with
        # subqueries would make both databases scan every customer.
        contacts = visibility.of_company(user, Contact)
        customer_ids = {
            *contacts.filter(mobile=number).values_list("customer_id", flat=True)[:200],
            *contacts.filter(phone=number).values_list("customer_id", flat=True)[:200],
        }
        if not customer_ids:
            return [Q(phone=number)]
        return [Q(phone=number) | Q(pk__in=sorted(customer_ids))]
    return [text_contains("search_text", term, lookup="contains") for term in search_terms(query)]


def in_tracking_without_open_task(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """Those `customers` in tracking (followed up at least once) with no open task (nothing
    planned next): the seed's "not using the CRM properly" list. Tasks are read by the
    reverse relation, so this app never imports the activities app above it."""
    return customers.filter(last_contacted_at__isnull=False).exclude(
        company_wide_has_open_task(OuterRef("pk"))
    )


def company_wide_has_open_task(customer) -> Exists:
    """Whether the customer (a key or an OuterRef to one, already visible to the reader) has
    an open task, whoever's: a condition on that one row, not a read of other rows."""
    return Exists(
        Customer.objects.filter(
            pk=customer, tasks__done_at__isnull=True, tasks__isnull=False
        ).values("pk")
    )


# The customer list's "not filled in" filter: field name → its condition.
MISSING_FIELDS = {
    "type": Q(type__isnull=True),
    "source": Q(source__isnull=True),
    "industry": Q(industry__isnull=True),
    "region": Q(region=""),
}


def customer_list(
    user: User,
    *,
    search: str = "",
    kind: str = "",
    type_id=None,
    source_id=None,
    industry_id=None,
    owner_id=None,
    is_hot: bool | None = None,
    contacted_before=None,
    contacted_after=None,
    never_contacted: bool = False,
    without_open_task: bool = False,
    created_from: date | None = None,
    created_to: date | None = None,
    region: str = "",
    missing: str = "",
    converted_from: date | None = None,
    converted_to: date | None = None,
    ordering: str = "-created_at",
) -> QuerySet[Customer]:
    """The customer list: searchable by name, pinyin, initials, phone and contact name.
    `created_from`/`created_to` and `converted_from`/`converted_to` (moved from potential to
    regular, `converted_at`) are days of the company's calendar, both ends included;
    `region` is matched whole; `missing` names one of MISSING_FIELDS left empty."""
    customers = visible_customers(user).select_related("owner", "type", "source", "industry")
    for condition in _search_conditions(user, search):
        customers = customers.filter(condition)
    if kind:
        customers = customers.filter(kind=kind)
    if type_id:
        customers = customers.filter(type_id=type_id)
    if source_id:
        customers = customers.filter(source_id=source_id)
    if industry_id:
        customers = customers.filter(industry_id=industry_id)
    if owner_id:
        customers = customers.filter(owner_id=owner_id)
    if is_hot is not None:
        customers = customers.filter(is_hot=is_hot)
    if never_contacted:
        customers = customers.filter(last_contacted_at__isnull=True)
    if without_open_task:
        customers = in_tracking_without_open_task(customers)
    if contacted_before:
        customers = customers.filter(last_contacted_at__lt=contacted_before)
    if contacted_after:
        customers = customers.filter(last_contacted_at__gte=contacted_after)
    if created_from:
        customers = customers.filter(created_at__gte=start_of_company_day(user, created_from))
    if created_to:
        next_day = created_to + timedelta(days=1)
        customers = customers.filter(created_at__lt=start_of_company_day(user, next_day))
    if region:
        customers = customers.filter(region=region)
    if missing in MISSING_FIELDS:
        customers = customers.filter(MISSING_FIELDS[missing])
    if converted_from:
        customers = customers.filter(converted_at__gte=start_of_company_day(user, converted_from))
    if converted_to:
        next_day = converted_to + timedelta(days=1)
        customers = customers.filter(converted_at__lt=start_of_company_day(user, next_day))
    allowed = {
        "name",
        "-name",
        "created_at",
        "-created_at",
        "last_contacted_at",
        "-last_contacted_at",
        "owner__real_name",
        "-owner__real_name",
    }
    if ordering not in allowed:
        ordering = "-created_at"
    return customers.order_by(ordering, "-id")


def with_share_flags(customers: QuerySet[Customer], user: User) -> QuerySet[Customer]:
    """Annotate `shared_with_me` so a list can mark shared rows without a query per row."""
    return customers.annotate(
        shared_with_me=Exists(
            visibility.of_company(user, CustomerShare).filter(
                customer_id=OuterRef("pk"), user_id=user.pk
            )
        )
    )


def visible_contacts(user: User) -> QuerySet[Contact]:
    """Contacts of the customers the user may see."""
    return visibility.on_visible_customers(user, Contact).select_related("customer", "category")


def customer_contacts(user: User, customer: Customer) -> list[Contact]:
    """The contacts of one customer, primary first (the customer view's panel)."""
    return list(records_of_customer(Contact, user, customer).select_related("category"))


def _contact_keeping_relations() -> list[tuple[type, str]]:
    """(model, field name) of every foreign key that keeps a contact from being deleted
    (PROTECT or RESTRICT), whichever app declares it: read from the model registry, so this
    module imports none of the apps above it. An activity or a message that merely names the
    contact (SET_NULL) keeps its own text and loses the link instead."""
    return [
        (relation.related_model, relation.field.name)
        for relation in Contact._meta.related_objects
        if isinstance(relation, ManyToOneRel)
        and relation.on_delete in (models.PROTECT, models.RESTRICT)
    ]


def deletable_contacts(user: User, contacts) -> set[int]:
    """The keys of those `contacts` (of customers the user may change) that may be
    deleted: those no other record keeps (`_contact_keeping_relations`). The customer
    view's Delete buttons and `contact_delete` both ask this; one query per keeping
    relation whatever the number of contacts."""
    keys = {contact.pk for contact in contacts}
    for model, field_name in _contact_keeping_relations():
        if not keys:
            break
        kept = (
            visibility.of_company(user, model)
            .filter(**{f"{field_name}__in": keys})
            .order_by()
            .values_list(field_name, flat=True)
        )
        keys -= set(kept)
    return keys


def contact_delete_refusal(user: User, contact: Contact) -> str | None:
    """Why the contact cannot be deleted by someone who may change its customer, or None
    (`deletable_contacts`, for one contact)."""
    if contact.pk in deletable_contacts(user, [contact]):
        return None
    return _("%(name)s is referred to by other records and cannot be deleted.") % {
        "name": contact.name
    }


def get_contact_for(user: User, pk, *, for_edit: bool = False) -> Contact:
    contact = get_for(visible_contacts(user), pk)
    if for_edit:
        get_customer_for(user, contact.customer_id, for_edit=True)
    return contact


def customer_shares(user: User, customer: Customer) -> QuerySet[CustomerShare]:
    return (
        visibility.of_company(user, CustomerShare)
        .filter(customer=customer)
        .select_related("user", "shared_by")
    )


def customer_owner_choices(user: User) -> QuerySet[User]:
    """The people the customer list's owner filter offers: those whose customers the user
    sees by their line, and the owners of the customers shared with them."""
    line = visibility.visible_owners(user)
    if visibility.sees_whole_company(user):
        return line.order_by("path")
    shared_owners = visibility.of_company(user, Customer).filter(
        pk__in=shared_customer_keys(user, False)
    )
    return (
        visibility.of_company(user, User)
        .filter(Q(pk__in=line.values("pk")) | Q(pk__in=shared_owners.values("owner_id")))
        .order_by("path")
    )


def hot_customer_count(owner: User) -> int:
    return visibility.of_company(owner, Customer).filter(owner=owner, is_hot=True).count()


@dataclass(frozen=True)
class DuplicateMatch:
    """Another customer with the same name or phone. Invisible ones reveal only the owner."""

    reason: str  # "name" or "phone"
    owner_name: str
    visible: bool
    customer_id: int | None = None
    customer_name: str | None = None

    def as_dict(self) -> dict:
        data = {"reason": self.reason, "owner": self.owner_name, "visible": self.visible}
        if self.visible:
            data.update({"id": self.customer_id, "name": self.customer_name})
        return data


def company_wide_duplicates(
    user: User, *, name: str = "", phones=(), exclude_pk=None
) -> list[DuplicateMatch]:
    """Customers of the whole company with the same name (normalised) or phone.

    The check spans the company, not just what the user sees (a deliberate pass over the
    line rule), so two reps never chase the same customer unknowingly; what the user cannot
    see is reported by owner name only.
    """
    from banyan.core.phones import normalize_phone

    company_customers = visibility.of_company(user, Customer).select_related("owner")
    if exclude_pk:
        company_customers = company_customers.exclude(pk=exclude_pk)
    found: dict[int, tuple[str, Customer]] = {}
    key = name_key(name)
    if key:
        for customer in company_customers.filter(name_key=key)[:20]:
            found.setdefault(customer.pk, ("name", customer))
    numbers = set()
    for phone in phones:
        try:
            number = normalize_phone(phone or "")
        except Exception:
            continue
        if number:
            numbers.add(number)
    if numbers:
        contact_customer_ids = (
            visibility.of_company(user, Contact)
            .filter(Q(mobile__in=numbers) | Q(phone__in=numbers))
            .values("customer_id")
        )
        for customer in company_customers.filter(
            Q(phone__in=numbers) | Q(pk__in=contact_customer_ids)
        )[:20]:
            found.setdefault(customer.pk, ("phone", customer))
    if not found:
        return []
    visible_ids = set(
        visible_customers(user).filter(pk__in=found.keys()).values_list("pk", flat=True)
    )
    matches = []
    for pk, (reason, customer) in found.items():
        visible = pk in visible_ids
        matches.append(
            DuplicateMatch(
                reason=reason,
                owner_name=customer.owner.display_name,
                visible=visible,
                customer_id=pk if visible else None,
                customer_name=customer.name if visible else None,
            )
        )
    return matches


@dataclass
class DuplicateIndex:
    """Customers of the whole company found by name key and by phone, for checking many new
    customers at once (an import): the same rule as `company_wide_duplicates`."""

    by_name_key: dict[str, list[Customer]]
    by_phone: dict[str, list[Customer]]
    visible_ids: set[int]
    editable_ids: set[int]

    def matches(self, *, key: str, phones) -> list[tuple[str, Customer]]:
        """(reason, customer) for each customer with this name key or one of these phones."""
        found: dict[int, tuple[str, Customer]] = {}
        for customer in self.by_name_key.get(key, []) if key else []:
            found.setdefault(customer.pk, ("name", customer))
        for phone in phones:
            for customer in self.by_phone.get(phone, []) if phone else []:
                found.setdefault(customer.pk, ("phone", customer))
        return list(found.values())


def company_wide_duplicate_index(
    user: User, *, name_keys, phones, chunk: int = 2000
) -> DuplicateIndex:
    """The company's customers (a deliberate pass over the line rule, as in
    `company_wide_duplicates`) whose name key is among `name_keys` or whose phone, or a
    contact's mobile or phone, is among `phones` (already normalised), with which of them the
    user sees and may edit. A few queries per `chunk` keys, however many keys."""
    company_customers = visibility.of_company(user, Customer).select_related("owner")
    by_name_key: dict[str, list[Customer]] = {}
    by_phone: dict[str, list[Customer]] = {}
    customers: dict[int, Customer] = {}
    name_keys = sorted({key for key in name_keys if key})
    phones = sorted({phone for phone in phones if phone})
    for start in range(0, len(name_keys), chunk):
        part = name_keys[start : start + chunk]
        for customer in company_customers.filter(name_key__in_array=part).order_by("pk"):
            customers.setdefault(customer.pk, customer)
            by_name_key.setdefault(customer.name_key, []).append(customer)
    for start in range(0, len(phones), chunk):
        part = phones[start : start + chunk]
        for customer in company_customers.filter(phone__in_array=part).order_by("pk"):
            customer = customers.setdefault(customer.pk, customer)
            by_phone.setdefault(customer.phone, []).append(customer)
        contact_rows = (
            visibility.of_company(user, Contact)
            .filter(Q(mobile__in_array=part) | Q(phone__in_array=part))
            .values_list("customer_id", "mobile", "phone")
        )
        wanted: dict[int, set[str]] = {}
        for customer_id, mobile, phone in contact_rows:
            wanted.setdefault(customer_id, set()).update(
                number for number in (mobile, phone) if number in part
            )
        missing = set(wanted) - set(customers)
        if missing:
            for customer in company_customers.filter(pk__in_array=sorted(missing)):
                customers[customer.pk] = customer
        for customer_id, numbers in wanted.items():
            for number in numbers:
                entries = by_phone.setdefault(number, [])
                if all(c.pk != customer_id for c in entries):
                    entries.append(customers[customer_id])
    visible_ids: set[int] = set()
    keys = sorted(customers)
    for start in range(0, len(keys), chunk):
        visible_ids |= set(
            visible_customers(user)
            .filter(pk__in_array=keys[start : start + chunk])
            .values_list("pk", flat=True)
        )
    editable_ids = editable_among(user, [customers[pk] for pk in sorted(visible_ids)])
    return DuplicateIndex(by_name_key, by_phone, visible_ids, editable_ids)


# A search word held by at most this many rows (or customers) is looked up first and written
# into the list's query as keys.
SEARCH_KEYS = 2000
# A word more of the rows hold than this is dense: in list order a page of matches comes soon.
DENSE_MATCHES = 5000


def search_conditions(
    user: User,
    rows: QuerySet,
    query: str,
    *,
    own: Callable[[str], Q],
    customer_lookup: str,
    customer_field: str = "customer",
    through: Sequence[tuple[str, type[Model], str]] = (),
) -> list[Q]:
    """One condition per word of `query` for rows hung on a customer (already limited to
    what the user sees): the word in the row's own text (`own(word)`), in its customer's
    (`customer_lookup`, e.g. "search_text__contains"), or in another record the row points to
    (`through`: (field, model, lookup), e.g. a payment's agreement number).

    Each side is looked up on its own first, through its index (trigram, or for a word of one
    or two characters the gram index where the column has one), among the customers the user
    sees or the records of the company: a word few records hold becomes their keys (at most
    SEARCH_KEYS), so the rows are one table read by keys and indexes. A word common on a side
    is matched as the rows are read (in list order that stops after a page), and a word common
    among the rows themselves needs no keys for them. `own` should build its conditions with
    `text_contains`.
    """
    terms = search_terms(query)
    if not terms:
        return []
    sides = [(customer_field, Customer, customer_lookup), *through]
    conditions = []
    for term in terms:
        others = Q()
        scanned = False  # a side tested on each row as the rows are read
        for field, model, lookup_name in sides:
            lookup = _side_lookup(model, lookup_name, term)
            records = visible_customers(user) if model is Customer else None
            if records is None:
                records = visibility.of_company(user, model)
            if model is Customer and lookup_name == "search_text__contains" and _short_hanzi(term):
                keys = _customers_named(user, term)
            else:
                keys = list(
                    records.filter(**{lookup: term})
                    .order_by()
                    .values_list("pk", flat=True)[: SEARCH_KEYS + 1]
                )
            if len(keys) > SEARCH_KEYS:
                # Tested on each row's record as the rows are read: the plain lookup, since a
                # gram test there would compute every record's pieces; on the row's own copy
                # of its customer's name where it keeps one (no customer fetched per row).
                tested = f"{field}__{scan_safe(lookup_name, term)}"
                if _copies_customer_name(rows.model, model, field, lookup_name):
                    tested = f"customer_name__{scan_safe(lookup_name.split('__', 1)[1], term)}"
                others |= Q(**{tested: term})
                scanned = True
            elif keys:
                others |= Q(**{f"{field}_id__in": keys})
        # The rows' own side: through its index while the matches are few enough to fetch
        # and sort (keys would let the planner read the whole list in order, testing each
        # row, when the matches lie together in that order: contacts named 王伟 in name
        # order); tested as the rows are read in list order when the word is dense, or when
        # another side is tested so anyway (an index cannot serve half of an OR, and a gram
        # test on each row computes its pieces).
        condition = own(term)
        if uses_grams(condition):
            dense = (
                scanned
                or rows.filter(condition).order_by()[: DENSE_MATCHES + 1].count() > DENSE_MATCHES
            )
            condition = unindexed(condition) if dense else condition
        condition |= others
        conditions.append(condition)
    return conditions


def _short_hanzi(term: str) -> bool:
    """A word of one or two Chinese characters: too short for the trigram index."""
    return len(term) <= 2 and all(
        "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or char >= "\U00020000"
        for char in term
    )


def _customers_named(user: User, term: str) -> list[int]:
    """The keys (at most SEARCH_KEYS + 1) of the customers the user sees whose search text
    holds `term`, a word of Chinese characters: in their search text, such a word can only be
    in the customer's name or a contact's name (the rest is pinyin, phones and the e-mail),
    and both have a gram index, where the search text has none."""
    keys = list(
        visible_customers(user)
        .filter(name__icontains_grams=term)
        .order_by()
        .values_list("pk", flat=True)[: SEARCH_KEYS + 1]
    )
    if len(keys) <= SEARCH_KEYS:
        by_contact = (
            visibility.on_visible_customers(user, Contact)
            .filter(search_text__contains_grams=term, name__contains=term)
            .order_by()
            .values_list("customer_id", flat=True)[: SEARCH_KEYS + 1]
        )
        keys = list(dict.fromkeys([*keys, *by_contact]))
    return keys


def _copies_customer_name(rows: type[Model], side: type[Model], field: str, lookup: str) -> bool:
    return (
        side is Customer
        and field == "customer"
        and lookup.split("__")[0] == "name"
        and issubclass(rows, NamedCustomerRecord)
    )


def _side_lookup(model: type[Model], lookup: str, term: str) -> str:
    column = model._meta.get_field(lookup.split("__")[0]).column
    return scan_safe(lookup, term, grams=(model._meta.db_table, column) in GRAM_INDEXED)


def search_contacts(
    user: User, *, search: str = "", category_id=None, ordering: str = "name"
) -> QuerySet[Contact]:
    """The contacts page: each search word must be in the contact's name, title, mobile,
    phone or e-mail, or in their customer's name."""
    contacts = visible_contacts(user)
    for condition in search_conditions(
        user,
        contacts,
        search,
        own=lambda term: text_contains("search_text", term, lookup="contains", grams=True),
        customer_lookup="name__icontains",
    ):
        contacts = contacts.filter(condition)
    if category_id:
        contacts = contacts.filter(category_id=category_id)
    allowed = {"name", "-name", "customer__name", "-customer__name", "created_at", "-created_at"}
    if ordering not in allowed:
        ordering = "name"
    return contacts.order_by(ordering, "id")


HISTORY_HIDDEN_FIELDS = HIDDEN_FIELDS


def customer_history(user: User, customer: Customer, *, limit: int = 20) -> list[HistoryEntry]:
    """The last `limit` changes to a customer and its contacts (deleted ones too), newest
    first, each with what changed against the record before it. The customer must have been
    fetched through this module for `user`; a fixed number of queries, whatever the history."""
    return build_history(
        user,
        [
            Customer.history.filter(company_id=user.company_id, id=customer.pk),
            Contact.history.filter(company_id=user.company_id, customer_id=customer.pk),
        ],
        describe=lambda record: (
            "customer" if record.instance_type is Customer else "contact",
            record.name,
        ),
        limit=limit,
    )


def company_wide_customers_by_keys(user: User, keys, *, chunk: int = 2000) -> list[Customer]:
    """The company's customers with these keys, whoever sees them: for reverting an import,
    whose records may have moved out of the importer's line since (a deliberate pass over
    the line rule; the revert itself is the importer's or an admin boss's)."""
    keys = sorted({int(key) for key in keys})
    found: list[Customer] = []
    for start in range(0, len(keys), chunk):
        found += list(
            visibility.of_company(user, Customer)
            .filter(pk__in=keys[start : start + chunk])
            .select_related("owner")
            .order_by("pk")
        )
    return found


def company_wide_shared_keys(user: User, keys, *, chunk: int = 2000) -> set[int]:
    """Of these customer keys, those shared with someone (company-wide, as above)."""
    keys = sorted({int(key) for key in keys})
    shared: set[int] = set()
    for start in range(0, len(keys), chunk):
        shared |= set(
            visibility.of_company(user, CustomerShare)
            .filter(customer_id__in=keys[start : start + chunk])
            .values_list("customer_id", flat=True)
        )
    return shared


def company_wide_customers_changed_since(user: User, since) -> bool:
    """Whether any customer or contact of the company was created or changed since `since`
    (a deliberate pass over the line rule): their history, read through its date index. A
    removal can only take a duplicate away, so it does not count."""
    return any(
        model.history.filter(company_id=user.company_id, history_date__gte=since)
        .exclude(history_type="-")
        .exists()
        for model in (Customer, Contact)
    )


def company_wide_use_since(
    user: User, keys, *, own_contact_ids, since, chunk: int = 2000
) -> tuple[set[int], set[int]]:
    """Of these customers (an import's, company-wide as above): those changed since `since`
    (the customer, or one of `own_contact_ids`, its contacts from the same import), and
    those with rows hung on them other than those contacts, or shared since."""
    from banyan.customers.models import customer_record_models

    keys = sorted({int(key) for key in keys})
    own_contact_ids = set(own_contact_ids)
    changed: set[int] = set()
    used: set[int] = set()
    for start in range(0, len(keys), chunk):
        part = keys[start : start + chunk]
        changed |= set(
            visibility.of_company(user, Customer)
            .filter(pk__in=part, updated_at__gt=since)
            .values_list("pk", flat=True)
        )
        for model in customer_record_models():
            rows = visibility.of_company(user, model).filter(customer_id__in=part)
            if model is Contact:
                for contact_id, customer_id, updated_at in rows.values_list(
                    "pk", "customer_id", "updated_at"
                ):
                    if contact_id not in own_contact_ids:
                        used.add(customer_id)
                    elif updated_at > since:
                        changed.add(customer_id)
                continue
            used |= set(rows.order_by().values_list("customer_id", flat=True).distinct())
    return changed, used | company_wide_shared_keys(user, keys)
