"""Reads on customers and contacts, always for an acting user.

`visible_customers(user)` is the one way to start a query on customers for a person: owned
by the user or anyone below them (an assistant: below their principal; a boss: everyone),
plus customers shared with them. Contacts and every record hung on a customer derive from it.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from banyan.accounts import scopes
from banyan.accounts.models import User
from banyan.core.errors import NotFound, PermissionRefused
from banyan.customers.models import Contact, Customer, CustomerShare
from banyan.customers.text import name_key, search_terms


def _company_customers(user: User) -> QuerySet[Customer]:
    if not user.is_authenticated or not user.company_id or not user.is_active:
        return Customer.objects.none()
    return Customer.objects.filter(company_id=user.company_id)


def _shared_with(user: User, *, edit_only: bool = False) -> QuerySet[CustomerShare]:
    shares = CustomerShare.objects.filter(company_id=user.company_id, user=user)
    if edit_only:
        shares = shares.filter(level=CustomerShare.Level.EDIT)
    return shares


def managed_customers(user: User) -> QuerySet[Customer]:
    """Customers in the user's line (owned by them or below): edit, share, transfer, delete."""
    return _company_customers(user).filter(scopes.owner_condition(user))


def visible_customers(user: User) -> QuerySet[Customer]:
    """Customers the user may read: their line's, plus those shared with them."""
    customers = _company_customers(user)
    if scopes.sees_whole_company(user):
        return customers
    return customers.filter(
        scopes.owner_condition(user) | Q(pk__in=_shared_with(user).values("customer_id"))
    )


def editable_customers(user: User) -> QuerySet[Customer]:
    """Customers the user may change: their line's, plus those shared with them to edit."""
    customers = _company_customers(user)
    if scopes.sees_whole_company(user):
        return customers
    return customers.filter(
        scopes.owner_condition(user)
        | Q(pk__in=_shared_with(user, edit_only=True).values("customer_id"))
    )


def can_manage_customer(user: User, customer: Customer) -> bool:
    return customer.company_id == user.company_id and scopes.can_see_owner(user, customer.owner)


def can_edit_customer(user: User, customer: Customer) -> bool:
    if can_manage_customer(user, customer):
        return True
    return _shared_with(user, edit_only=True).filter(customer_id=customer.pk).exists()


def get_customer_for(user: User, pk, *, for_edit: bool = False) -> Customer:
    """The customer if the user may see it (NotFound otherwise, whether missing or not theirs);
    with `for_edit`, PermissionRefused when they may see but not change it."""
    try:
        customer = (
            visible_customers(user)
            .select_related("owner", "created_by", "type", "source", "industry")
            .get(pk=int(pk))
        )
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if for_edit and not can_edit_customer(user, customer):
        from django.utils.translation import gettext as _

        raise PermissionRefused(_("This customer is shared with you to view only."))
    return customer


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
    ordering: str = "-created_at",
) -> QuerySet[Customer]:
    """The customer list: searchable by name, pinyin, initials, phone and contact name."""
    customers = visible_customers(user).select_related("owner", "type", "source", "industry")
    for term in search_terms(search):
        customers = customers.filter(search_text__contains=term)
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
    if contacted_before:
        customers = customers.filter(last_contacted_at__lt=contacted_before)
    if contacted_after:
        customers = customers.filter(last_contacted_at__gte=contacted_after)
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
            CustomerShare.objects.filter(customer_id=OuterRef("pk"), user_id=user.pk)
        )
    )


def visible_contacts(user: User) -> QuerySet[Contact]:
    return Contact.objects.filter(
        company_id=user.company_id, customer__in=visible_customers(user)
    ).select_related("customer", "category")


def get_contact_for(user: User, pk, *, for_edit: bool = False) -> Contact:
    try:
        contact = visible_contacts(user).get(pk=int(pk))
    except (Contact.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if for_edit:
        get_customer_for(user, contact.customer_id, for_edit=True)
    return contact


def customer_shares(user: User, customer: Customer) -> QuerySet[CustomerShare]:
    return CustomerShare.objects.filter(
        company_id=user.company_id, customer=customer
    ).select_related("user", "shared_by")


def hot_customer_count(owner: User) -> int:
    return Customer.objects.filter(company_id=owner.company_id, owner=owner, is_hot=True).count()


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


def find_duplicates(
    user: User, *, name: str = "", phones=(), exclude_pk=None
) -> list[DuplicateMatch]:
    """Customers of the whole company with the same name (normalised) or phone.

    The check spans the company, not just what the user sees, so two reps never chase the
    same customer unknowingly; what the user cannot see is reported by owner name only.
    """
    from banyan.core.phones import normalize_phone

    company_customers = Customer.objects.filter(company_id=user.company_id).select_related("owner")
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
        contact_customer_ids = Contact.objects.filter(
            Q(mobile__in=numbers) | Q(phone__in=numbers), company_id=user.company_id
        ).values("customer_id")
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
