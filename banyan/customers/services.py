"""Writes on customers and contacts: create (with the duplicate check), change, share,
transfer, hot flags. Every function takes the acting user and enforces their rights."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import connection, transaction
from django.db.models import F, OuterRef, ProtectedError, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from banyan.accounts import visibility
from banyan.accounts.guards import ensure_can_write
from banyan.accounts.models import DictionaryOption, User
from banyan.core.errors import DomainError, NotFound, PermissionRefused, ValidationFailed
from banyan.core.fetch import get_or_none
from banyan.core.hooks import Hook
from banyan.core.phones import normalize_phone
from banyan.core.text import clean_text, squash_spaces
from banyan.customers import selectors
from banyan.customers.models import (
    POTENTIAL_TYPE,
    REGULAR_TYPE,
    Contact,
    Customer,
    CustomerShare,
    NamedCustomerRecord,
    customer_record_models,
    named_customer_record_models,
)
from banyan.customers.text import build_search_text, name_key


class DuplicatesFound(DomainError):
    """Other customers have the same name or phone; the user may confirm and save anyway."""

    def __init__(self, matches):
        self.matches = matches
        super().__init__(
            _("Possible duplicates found: check them, then confirm to save anyway."),
            field="duplicates",
        )

    def as_dict(self) -> dict:
        return {
            "duplicates": [m.as_dict() for m in self.matches],
            "detail": [str(self.message)],
        }


# Apps whose records on a customer belong to its owner (open opportunities, open tasks…)
# register here, so a transfer carries them along.
TRANSFER_HOOKS = Hook("customer transferred", "customer, from_owner, to_owner")

CUSTOMER_FIELDS = {
    "name",
    "kind",
    "type",
    "source",
    "industry",
    "region",
    "address",
    "phone",
    "email",
    "website",
    "notes",
}
# Read once: `Kind.values` builds the list of choices (and their labels) at each call.
CUSTOMER_KINDS = frozenset(Customer.Kind.values)
DICTIONARY_FIELDS = {"type": "customer_type", "source": "customer_source", "industry": "industry"}


# --- validation -----------------------------------------------------------------------


def _option(user: User, value, *, kind: str, field: str, errors: dict, current_id=None):
    """A dictionary option of the user's company and the right list (active, unless kept)."""
    if value in (None, ""):
        return None
    if (
        isinstance(value, DictionaryOption)
        and value.company_id == user.company_id
        and value.kind == kind
    ):
        option = value  # already read (an import resolves a whole file's options at once)
    else:
        option = get_or_none(
            DictionaryOption.objects.filter(company_id=user.company_id, kind=kind), value
        )
    if option is None:
        errors.setdefault(field, []).append(_("Choose an option from the list."))
        return None
    if not option.is_active and option.pk != current_id:
        errors.setdefault(field, []).append(
            _("%(label)s is no longer in use: choose another option.")
            % {"label": option.display_label}
        )
        return None
    return option


def _phone(value, field: str, errors: dict, *, mobile_only=False) -> str:
    try:
        return normalize_phone(value or "", mobile_only=mobile_only)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
        return value or ""


def _email(value, field: str, errors: dict) -> str:
    value = clean_text(value).lower()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            errors.setdefault(field, []).append(_("Enter a valid e-mail address."))
    return value


def _clean_customer_fields(user: User, data: dict, errors: dict, current: Customer | None):
    cleaned = {}
    if "name" in data:
        cleaned["name"] = squash_spaces(data["name"])
        if not cleaned["name"]:
            errors.setdefault("name", []).append(_("Enter the customer's name."))
        elif len(cleaned["name"]) > 200:
            errors.setdefault("name", []).append(_("A name has at most 200 characters."))
    if "kind" in data:
        if data["kind"] not in CUSTOMER_KINDS:
            errors.setdefault("kind", []).append(_("Choose enterprise or individual."))
        cleaned["kind"] = data["kind"]
    for field, kind in DICTIONARY_FIELDS.items():
        if field in data:
            current_id = getattr(current, f"{field}_id", None) if current else None
            cleaned[field] = _option(
                user, data[field], kind=kind, field=field, errors=errors, current_id=current_id
            )
    for field in ("region", "address"):
        if field in data:
            cleaned[field] = clean_text(data[field])[:255]
    if "notes" in data:
        cleaned["notes"] = (data["notes"] or "").strip()
    if "phone" in data:
        cleaned["phone"] = _phone(data["phone"], "phone", errors)
    if "email" in data:
        cleaned["email"] = _email(data["email"], "email", errors)
    if "website" in data:
        website = clean_text(data["website"])
        if website and "://" not in website:
            website = f"https://{website}"
        if website:
            try:
                URLValidator(schemes=["http", "https"])(website)
            except ValidationError:
                errors.setdefault("website", []).append(_("Enter a valid web address."))
        cleaned["website"] = website
    return cleaned


def _clean_contact_fields(user: User, data: dict, errors: dict, current: Contact | None):
    cleaned = {}
    if "name" in data:
        cleaned["name"] = squash_spaces(data["name"])
        if not cleaned["name"]:
            errors.setdefault("name", []).append(_("Enter the contact's name."))
    if "category" in data:
        cleaned["category"] = _option(
            user,
            data["category"],
            kind="contact_category",
            field="category",
            errors=errors,
            current_id=current.category_id if current else None,
        )
    if "title" in data:
        cleaned["title"] = clean_text(data["title"])[:100]
    if "mobile" in data:
        cleaned["mobile"] = _phone(data["mobile"], "mobile", errors, mobile_only=True)
    if "phone" in data:
        cleaned["phone"] = _phone(data["phone"], "phone", errors)
    if "email" in data:
        cleaned["email"] = _email(data["email"], "email", errors)
    if "birthday" in data:
        cleaned["birthday"] = data["birthday"] or None
    if "notes" in data:
        cleaned["notes"] = (data["notes"] or "").strip()
    if "is_primary" in data:
        cleaned["is_primary"] = bool(data["is_primary"])
    return cleaned


def customer_fields_clean(
    user: User, data: dict, errors: dict, current: Customer | None = None
) -> dict:
    """A customer's fields as the services keep them (the rules of the customer form), with
    the reasons for what is wrong added to `errors` by field. For importers, which check a
    whole file before writing it."""
    return _clean_customer_fields(user, data, errors, current)


def contact_fields_clean(
    user: User, data: dict, errors: dict, current: Contact | None = None
) -> dict:
    """A contact's fields as the services keep them (the rules of the contact form)."""
    return _clean_contact_fields(user, data, errors, current)


def customer_owner_refusal(user: User, owner: User) -> str | None:
    """Why `user` may not make `owner` the owner of a new customer, or None: customers go to
    the user themself or to someone below them (an active user of the company)."""
    if owner.company_id != user.company_id:
        return _("Choose a user of your company.")
    if not owner.is_active:
        return _("%(name)s is deactivated.") % {"name": owner.display_name}
    if not visibility.can_see_owner(user, owner):
        return _("You can give customers only to yourself or to people below you.")
    return None


def _active_user_of_company(user: User, candidate, field: str) -> User:
    target = get_or_none(User.objects.filter(company_id=user.company_id), candidate)
    if target is None:
        raise ValidationFailed({field: [_("Choose a user of your company.")]})
    if not target.is_active:
        raise ValidationFailed(
            {field: [_("%(name)s is deactivated.") % {"name": target.display_name}]}
        )
    return target


def save_as(record, user: User, **save_options) -> None:
    """Save a record whose changes are audited, naming who made them: the acting user, also
    for API calls and imports, where no logged-in request is there to tell."""
    record._history_user = user
    record.save(**save_options)


def refresh_search_text(customer: Customer) -> None:
    """Rebuild what the search box finds a customer by (called after every change)."""
    contacts = list(customer.contacts.values_list("name", "mobile", "phone"))
    customer.name_key = name_key(customer.name)
    customer.search_text = build_search_text(
        name=customer.name,
        phones=[customer.phone] + [c[1] for c in contacts] + [c[2] for c in contacts],
        contact_names=[c[0] for c in contacts],
        email=customer.email,
    )
    Customer.objects.filter(pk=customer.pk).update(
        name_key=customer.name_key, search_text=customer.search_text
    )


# --- customers ------------------------------------------------------------------------


@transaction.atomic
def customer_create(
    *,
    user: User,
    name: str,
    kind: str = Customer.Kind.ENTERPRISE,
    owner: User | int | None = None,
    contacts: Iterable[dict] = (),
    confirm_duplicates: bool = False,
    is_hot: bool = False,
    **fields,
) -> Customer:
    """A new customer owned by the user (or by someone they may assign to), with its first
    contacts, marked hot when asked (within the cap: else nothing is created). Same name or
    phone elsewhere in the company raises DuplicatesFound unless the user confirms."""
    ensure_can_write(user)
    unknown = set(fields) - CUSTOMER_FIELDS
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    errors: dict[str, list[str]] = {}
    data = _clean_customer_fields(user, {"name": name, "kind": kind, **fields}, errors, None)
    contacts = list(contacts)
    cleaned_contacts = []
    for index, contact in enumerate(contacts):
        contact_errors: dict[str, list[str]] = {}
        cleaned_contacts.append(
            _clean_contact_fields(user, {"name": "", **contact}, contact_errors, None)
        )
        for field, messages in contact_errors.items():
            errors.setdefault(f"contacts.{index}.{field}", []).extend(messages)
    if owner is None:
        owner_user = user
    else:
        owner_user = _active_user_of_company(user, owner, "owner")
        refusal = customer_owner_refusal(user, owner_user)
        if refusal:
            errors.setdefault("owner", []).append(refusal)
    if errors:
        raise ValidationFailed(errors)
    if not confirm_duplicates:
        phones = [data.get("phone", "")] + [
            c.get(f, "") for c in cleaned_contacts for f in ("mobile", "phone")
        ]
        matches = selectors.company_wide_duplicates(user, name=data["name"], phones=phones)
        if matches:
            raise DuplicatesFound(matches)
    customer = Customer(company_id=user.company_id, owner=owner_user, created_by=user, **data)
    save_as(customer, user)
    for contact in cleaned_contacts:
        save_as(
            Contact(company_id=user.company_id, customer=customer, created_by=user, **contact),
            user,
        )
    refresh_search_text(customer)
    if is_hot:
        customer = customer_set_hot(user=user, customer=customer, is_hot=True)
    return customer


@transaction.atomic
def customer_change(
    *, user: User, customer: Customer, is_hot: bool | None = None, owner=None, **fields
) -> Customer:
    """One change of a customer, all or nothing: its details (`customer_update`: the owner
    line, or shared to edit), then its hot flag, then its owner (`customer_transfer`: for
    those who manage it). Only what is given changes; the same owner is no transfer."""
    if fields:
        customer = customer_update(user=user, customer=customer, **fields)
    if is_hot is not None:
        customer = customer_set_hot(user=user, customer=customer, is_hot=is_hot)
    if owner is not None and owner != customer.owner_id:
        customer = customer_transfer(user=user, customer=customer, owner=owner)
    return customer


@transaction.atomic
def customer_update(*, user: User, customer: Customer, **fields) -> Customer:
    """Change a customer's details (owner line, or shared to edit). The kind stays. A move
    from the potential type to the regular one converts the customer now (`converted_at`),
    a move back to potential clears that (`_converted_at_after`)."""
    ensure_can_write(user)
    customer = _lock_for_edit(user, customer)
    if "kind" in fields and fields["kind"] != customer.kind:
        raise ValidationFailed(
            {"kind": [_("The kind of a customer is chosen at creation and stays the same.")]}
        )
    fields.pop("kind", None)
    unknown = set(fields) - CUSTOMER_FIELDS
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    errors: dict[str, list[str]] = {}
    data = _clean_customer_fields(user, fields, errors, customer)
    if errors:
        raise ValidationFailed(errors)
    renamed = "name" in data and data["name"] != customer.name
    if "type" in data and getattr(data["type"], "pk", None) != customer.type_id:
        customer.converted_at = _converted_at_after(customer, data["type"])
    for field, value in data.items():
        setattr(customer, field, value)
    save_as(customer, user)
    refresh_search_text(customer)
    if renamed:
        for model in named_customer_record_models():
            model._default_manager.filter(company_id=customer.company_id, customer=customer).update(
                customer_name=customer.name
            )
    return customer


def _converted_at_after(customer: Customer, new_type: DictionaryOption | None):
    """The customer's `converted_at` once its type changes to `new_type`: now for a move
    from potential to regular, None for a move back to potential (the conversion is undone),
    else what it was (regular → VIP keeps the time it was won)."""
    new_code = new_type.code if new_type is not None else None
    if new_code == POTENTIAL_TYPE:
        return None
    if new_code == REGULAR_TYPE and customer.type_id is not None:
        previous_code = (
            DictionaryOption.objects.filter(pk=customer.type_id)
            .values_list("code", flat=True)
            .first()
        )
        if previous_code == POTENTIAL_TYPE:
            return timezone.now()
    return customer.converted_at


def _lock_for_edit(user: User, customer: Customer) -> Customer:
    selectors.get_customer_for(user, customer.pk, for_edit=True)
    return (
        Customer.objects.select_for_update(of=("self",)).select_related("owner").get(pk=customer.pk)
    )


def _lock_for_manage(user: User, customer: Customer) -> Customer:
    selectors.get_customer_for(user, customer.pk)
    locked = (
        Customer.objects.select_for_update(of=("self",)).select_related("owner").get(pk=customer.pk)
    )
    if not selectors.can_manage_customer(user, locked):
        raise PermissionRefused(
            _("Only the owner and the people above them can do this with a customer.")
        )
    return locked


@transaction.atomic
def customer_delete(*, user: User, customer: Customer) -> None:
    """Delete a customer with its contacts and follow-ups (owner line only). Refused once
    business records (agreements, payments…) refer to it."""
    ensure_can_write(user)
    customer = _lock_for_manage(user, customer)
    try:
        customer._history_user = user
        customer.delete()
    except ProtectedError:
        raise DomainError(
            _("%(name)s has contracts, orders or other records and cannot be deleted.")
            % {"name": customer.name}
        ) from None


@transaction.atomic
def customer_transfer(*, user: User, customer: Customer, owner) -> Customer:
    """Give a customer to another owner; its records follow it (they hang on the customer).
    A hot flag does not travel: the new owner decides."""
    ensure_can_write(user)
    customer = _lock_for_manage(user, customer)
    new_owner = _active_user_of_company(user, owner, "owner")
    if new_owner.pk == customer.owner_id:
        return customer
    previous_owner = customer.owner
    customer.owner = new_owner
    customer.is_hot = False
    save_as(customer, user, update_fields=["owner", "is_hot", "updated_at"])
    for model in customer_record_models():
        model._default_manager.filter(company_id=customer.company_id, customer=customer).update(
            customer_owner=new_owner
        )
    # The new owner's line sees it now; a share with the new owner is redundant.
    CustomerShare.objects.filter(customer=customer, user=new_owner).delete()
    TRANSFER_HOOKS.run(customer=customer, from_owner=previous_owner, to_owner=new_owner)
    return customer


@transaction.atomic
def customers_bulk_transfer(*, user: User, customer_ids: Iterable, owner) -> int:
    """Transfer many customers at once: all or nothing."""
    ensure_can_write(user)
    ids = _clean_ids(customer_ids)
    new_owner = _active_user_of_company(user, owner, "owner")
    customers = list(selectors.visible_customers(user).filter(pk__in=ids))
    if len(customers) != len(ids):
        raise NotFound()
    for customer in customers:
        customer_transfer(user=user, customer=customer, owner=new_owner)
    return len(customers)


def _clean_ids(values) -> set[int]:
    try:
        ids = {int(v) for v in values}
    except (TypeError, ValueError):
        raise ValidationFailed({"customers": [_("Choose customers from the list.")]}) from None
    if not ids:
        raise ValidationFailed({"customers": [_("Choose at least one customer.")]})
    return ids


@transaction.atomic
def customer_share(*, user: User, customer: Customer, target, level: str) -> CustomerShare:
    """Share one customer with a user to view or to edit (or change the level)."""
    ensure_can_write(user)
    customer = _lock_for_manage(user, customer)
    if level not in CustomerShare.Level.values:
        raise ValidationFailed({"level": [_("Choose view or edit.")]})
    target_user = _active_user_of_company(user, target, "user")
    if target_user.pk == customer.owner_id:
        raise ValidationFailed({"user": [_("The owner already has this customer.")]})
    share, _created = CustomerShare.objects.update_or_create(
        customer=customer,
        user=target_user,
        defaults={"company_id": user.company_id, "level": level, "shared_by": user},
    )
    return share


@transaction.atomic
def customer_unshare(*, user: User, customer: Customer, target) -> None:
    ensure_can_write(user)
    customer = _lock_for_manage(user, customer)
    target_id = target.pk if isinstance(target, User) else target
    try:
        target_id = int(target_id)
    except (TypeError, ValueError):
        raise ValidationFailed({"user": [_("Choose a user of your company.")]}) from None
    deleted, _rows = CustomerShare.objects.filter(customer=customer, user_id=target_id).delete()
    if not deleted:
        raise ValidationFailed({"user": [_("This customer is not shared with that user.")]})


@transaction.atomic
def customers_bulk_share(*, user: User, customer_ids: Iterable, target, level: str) -> int:
    ensure_can_write(user)
    ids = _clean_ids(customer_ids)
    customers = list(selectors.visible_customers(user).filter(pk__in=ids))
    if len(customers) != len(ids):
        raise NotFound()
    for customer in customers:
        customer_share(user=user, customer=customer, target=target, level=level)
    return len(customers)


@transaction.atomic
def customer_set_hot(*, user: User, customer: Customer, is_hot: bool) -> Customer:
    """Mark a customer likely to sign this month; at most the company's cap per owner."""
    ensure_can_write(user)
    customer = _lock_for_edit(user, customer)
    if customer.is_hot == bool(is_hot):
        return customer
    if is_hot:
        # Lock the owner's row so two concurrent requests cannot both pass the cap.
        owner = User.objects.select_for_update().get(pk=customer.owner_id)
        cap = user.company.hot_customer_cap
        if selectors.hot_customer_count(owner) >= cap:
            raise DomainError(
                _(
                    "%(owner)s already has %(cap)d hot customers, the most your company "
                    "allows: unmark one first."
                )
                % {"owner": owner.display_name, "cap": cap},
                field="is_hot",
            )
    customer.is_hot = bool(is_hot)
    save_as(customer, user, update_fields=["is_hot", "updated_at"])
    return customer


def record_owner(user: User, value, customer: Customer, errors: dict) -> User | None:
    """The owner given for a record of `customer` (an opportunity, an agreement…): an active
    user of the company who is the acting user, someone below them, or the customer's owner.
    Appends the reason to `errors["owner"]` and returns None otherwise."""
    owner = get_or_none(User.objects.filter(company_id=user.company_id), value)
    if owner is None:
        errors.setdefault("owner", []).append(_("Choose a user of your company."))
        return None
    if not owner.is_active:
        errors.setdefault("owner", []).append(
            _("%(name)s is deactivated.") % {"name": owner.display_name}
        )
        return None
    if owner.pk != customer.owner_id and not visibility.can_see_owner(user, owner):
        errors.setdefault("owner", []).append(
            _("Choose yourself, someone below you, or the customer's owner.")
        )
        return None
    return owner


def default_record_owner(user: User, customer: Customer) -> User:
    """The acting user when the customer is in their own line, else the customer's owner (a
    colleague the customer is shared with works on the owner's behalf)."""
    if selectors.can_manage_customer(user, customer):
        return user
    return customer.owner


def customer_signed(*, customer: Customer, by: User | None = None) -> None:
    """Hook for agreements: a customer who signs is no longer "hot", and a potential customer
    (潜在客户) becomes a regular one (普通客户) where the company keeps that rule, converted
    now (`converted_at`). The changes go into the customer's history under the user who
    signed."""
    # of=self: PostgreSQL locks no row on the nullable side of the outer join to the type.
    customer = (
        Customer.objects.select_for_update(of=("self",)).select_related("type").get(pk=customer.pk)
    )
    changed = []
    if customer.is_hot:
        customer.is_hot = False
        changed.append("is_hot")
    company = customer.company
    if company.signing_makes_regular and customer.type and customer.type.code == POTENTIAL_TYPE:
        regular = DictionaryOption.objects.filter(
            company_id=customer.company_id, kind="customer_type", code=REGULAR_TYPE
        ).first()
        if regular is not None:
            customer.type = regular
            customer.converted_at = timezone.now()
            changed += ["type", "converted_at"]
    if changed:
        if by is not None:
            customer._history_user = by
        customer.save(update_fields=[*changed, "updated_at"])


def customer_contacted(*, customer: Customer, at=None) -> None:
    """Keep "last contacted" current (activities call this): it only ever moves forward."""
    at = at or timezone.now()
    Customer.objects.filter(pk=customer.pk).filter(
        Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=at)
    ).update(last_contacted_at=at)


def transfer_all_customers(*, actor: User, from_user: User, to_user: User) -> int:
    """When a rep leaves: every customer they own goes to `to_user` (a deactivation handover)."""
    ids = list(
        Customer.objects.filter(company_id=actor.company_id, owner=from_user).values_list(
            "pk", flat=True
        )
    )
    if not ids:
        return 0
    Customer.objects.filter(pk__in=ids).update(owner=to_user, is_hot=False)
    # Every row hung on those customers, and only those, carries `from_user` as their owner.
    for model in customer_record_models():
        model._default_manager.filter(company_id=actor.company_id, customer_owner=from_user).update(
            customer_owner=to_user
        )
    CustomerShare.objects.filter(customer_id__in=ids, user=to_user).delete()
    return len(ids)


# --- contacts -------------------------------------------------------------------------


@transaction.atomic
def contact_create(*, user: User, customer: Customer, name: str, **fields) -> Contact:
    ensure_can_write(user)
    customer = _lock_for_edit(user, customer)
    errors: dict[str, list[str]] = {}
    data = _clean_contact_fields(user, {"name": name, **fields}, errors, None)
    if errors:
        raise ValidationFailed(errors)
    contact = Contact(company_id=user.company_id, customer=customer, created_by=user, **data)
    save_as(contact, user)
    refresh_search_text(customer)
    return contact


@transaction.atomic
def contact_update(*, user: User, contact: Contact, **fields) -> Contact:
    ensure_can_write(user)
    customer = _lock_for_edit(user, contact.customer)
    contact = Contact.objects.select_for_update().get(pk=contact.pk, customer=customer)
    fields.pop("customer", None)
    errors: dict[str, list[str]] = {}
    data = _clean_contact_fields(user, fields, errors, contact)
    if errors:
        raise ValidationFailed(errors)
    for field, value in data.items():
        setattr(contact, field, value)
    save_as(contact, user)
    refresh_search_text(customer)
    return contact


@transaction.atomic
def contact_delete(*, user: User, contact: Contact) -> None:
    """Delete a contact of a customer the user may change, unless another record keeps it:
    `selectors.contact_delete_refusal`, which the Delete buttons ask too."""
    ensure_can_write(user)
    customer = _lock_for_edit(user, contact.customer)
    contact = Contact.objects.get(pk=contact.pk, customer=customer)
    refusal = selectors.contact_delete_refusal(user, contact)
    if refusal is not None:
        raise DomainError(refusal)
    try:
        contact._history_user = user
        contact.delete()
    except ProtectedError:  # a record that keeps it was written meanwhile
        raise DomainError(
            _("%(name)s is referred to by other records and cannot be deleted.")
            % {"name": contact.name}
        ) from None
    refresh_search_text(customer)


# --- the copies of the owner --------------------------------------------------------------


def _copies_that_differ(model) -> QuerySet:
    """Rows of `model` whose copies of their customer's owner (and name, where it keeps one)
    are not their customer's (any company)."""
    rows = model._default_manager.all()
    differs = Q(customer_owner__isnull=True) | ~Q(customer_owner_id=F("customer__owner_id"))
    without_customer = Q(customer_owner__isnull=False)
    if issubclass(model, NamedCustomerRecord):
        differs |= ~Q(customer_name=F("customer__name"))
        without_customer |= ~Q(customer_name="")
    return rows.filter(
        Q(customer__isnull=False) & differs | Q(customer__isnull=True) & without_customer
    )


def visibility_copy_mismatches(*, fix: bool = False) -> dict[str, int]:
    """{model label: rows whose copy of the customer's owner differs}, for every company;
    with `fix`, the copies are rewritten first (each model in one UPDATE)."""
    found = {}
    for model in customer_record_models():
        if fix:
            with transaction.atomic():
                owner = Subquery(
                    Customer.objects.filter(pk=OuterRef("customer_id")).values("owner_id")[:1]
                )
                copies = {"customer_owner": owner}
                if issubclass(model, NamedCustomerRecord):
                    copies["customer_name"] = Coalesce(
                        Subquery(
                            Customer.objects.filter(pk=OuterRef("customer_id")).values("name")[:1]
                        ),
                        Value(""),
                    )
                model._default_manager.filter(
                    pk__in=_copies_that_differ(model).values("pk")
                ).update(**copies)
        count = _copies_that_differ(model).count()
        if count:
            found[model._meta.label] = count
    return found


# --- imports ------------------------------------------------------------------------------


@transaction.atomic
def customers_create_checked(*, user: User, customers: list[dict]) -> tuple[list[int], list[int]]:
    """Create many customers with their contacts in a few statements, with their history:
    for an import, which has put every one through `customer_fields_clean`,
    `contact_fields_clean`, `customer_owner_refusal` and the duplicate check first
    (`company_wide_duplicate_index`), and built their `name_key` and `search_text`. Each
    entry: {"fields": {column: value}, "owner_id", "contacts": [{column: value}]}. Returns
    the ids of the customers and of the contacts created, in order."""
    ensure_can_write(user)
    made = {"company_id": user.company_id, "created_by_id": user.pk}
    customer_ids = insert_with_history(
        [{**entry["fields"], **made, "owner_id": entry["owner_id"]} for entry in customers],
        Customer,
        user=user,
    )
    contacts = [
        {**contact, **made, "customer_id": pk, "customer_owner_id": entry["owner_id"]}
        for entry, pk in zip(customers, customer_ids, strict=True)
        for contact in entry["contacts"]
    ]
    return customer_ids, insert_with_history(contacts, Contact, user=user)


def insert_with_history(rows: list[dict], model, *, user: User) -> list[int]:
    """Insert new rows of an audited model, each given as {attname: value} (the model's
    defaults fill the rest), with their "created" history naming `user`; returns their ids in
    order. On PostgreSQL by COPY, straight from the values: Django's multi-row INSERT spent
    as long composing its SQL as the database spent inserting, and making a model instance
    per row cost as much again."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        instances = [model(**row) for row in rows]
        bulk_create_with_history(instances, model, batch_size=len(instances), default_user=user)
        return [instance.pk for instance in instances]
    now = timezone.now()
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    fields = list(model._meta.concrete_fields)
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = lambda: now
        elif not f.primary_key:
            defaults[f.attname] = f.get_default
    pk_name = model._meta.pk.attname
    values = []
    for row, pk in zip(rows, ids, strict=True):
        full = {pk_name: pk}
        for name, default in defaults.items():
            full[name] = row[name] if name in row else default()
        values.append(full)
    _copy_rows(table, fields, values)
    history_model = model.history.model
    history_fields = [f for f in history_model._meta.concrete_fields if f.attname != "history_id"]
    base = {
        "history_date": now,
        "history_type": "+",
        "history_user_id": user.pk,
        "history_change_reason": None,
    }
    _copy_rows(history_model._meta.db_table, history_fields, values, extra=base)
    return ids


def _copy_rows(table: str, fields, rows: list[dict], *, extra: dict | None = None) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    extra = extra or {}
    names = [f.attname for f in fields]
    fixed = [(index, extra[name]) for index, name in enumerate(names) if name in extra]
    taken = [name for name in names if name not in extra]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            line = [row[name] for name in taken]
            for index, value in fixed:
                line.insert(index, value)
            copy.write_row(line)


@transaction.atomic
def customers_delete_imported(*, user: User, customers, chunk: int = 1000) -> int:
    """Remove customers an import created, with their contacts (the import's revert, which
    has already kept those changed or used since). All or nothing."""
    ensure_can_write(user)
    ids = sorted(customer.pk for customer in customers)
    for start in range(0, len(ids), chunk):
        try:
            Customer.objects.filter(
                company_id=user.company_id, pk__in=ids[start : start + chunk]
            ).delete()
        except ProtectedError:
            raise DomainError(
                _("Some of these customers have records that refer to them: nothing was removed.")
            ) from None
    return len(ids)


@transaction.atomic
def contacts_delete_imported(
    *, user: User, contact_ids, unchanged_since, keep_customers=()
) -> list[dict]:
    """Remove contacts an import added (its revert) unless changed since `unchanged_since`
    or referred to by other records, or on a customer in `keep_customers`. Returns the
    contacts kept, with the reason."""
    ensure_can_write(user)
    kept = []
    ids = sorted(contact_ids)
    keep_customers = set(keep_customers)
    contacts = []
    for start in range(0, len(ids), 2000):
        contacts += [
            contact
            for contact in visibility.of_company(user, Contact)
            .filter(pk__in=ids[start : start + 2000])
            .select_related("customer")
            if contact.customer_id not in keep_customers
        ]
    touched = set()
    for contact in contacts:
        if contact.updated_at > unchanged_since:
            kept.append(
                {
                    "model": "contact",
                    "id": contact.pk,
                    "name": contact.name,
                    "reason": _("changed since the import"),
                }
            )
            continue
        try:
            with transaction.atomic():
                contact._history_user = user
                contact.delete()
        except ProtectedError:
            kept.append(
                {
                    "model": "contact",
                    "id": contact.pk,
                    "name": contact.name,
                    "reason": _("referred to by other records"),
                }
            )
            continue
        touched.add(contact.customer)
    for customer in touched:
        refresh_search_text(customer)
    return kept
