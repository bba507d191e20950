"""Customers with their contacts (客户 + 联系人).

Each row is checked by the customer and contact rules of `customers.services` (the same the
forms and the API go through), then the duplicate check of the whole company, and the file
itself: rows with the same customer name are one customer with several contacts; a row that
repeats another, or a new customer with the phone of another one of the file, is a duplicate.
The write creates the new customers and contacts in batches (with their history), and
updates, through `customer_update`, the duplicates the user chose to update and may edit.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from banyan.accounts import selectors as account_selectors
from banyan.accounts.models import DictionaryOption, User
from banyan.core.errors import DomainError
from banyan.customers import selectors as customer_selectors
from banyan.customers import services as customer_services
from banyan.customers.models import Customer
from banyan.customers.text import build_contact_search_text, build_search_text, name_key
from banyan.imports.importers.base import (
    ChoiceLookup,
    Plan,
    Progress,
    Row,
    dictionary_lookup,
    parse_date,
    value_key,
)

BATCH = 1000
CUSTOMER_KEYS = (
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
)
DICTIONARIES = {"type": "customer_type", "source": "customer_source", "industry": "industry"}
# contact column → the contact services' field
CONTACT_KEYS = {
    "contact_name": "name",
    "contact_category": "category",
    "contact_title": "title",
    "contact_mobile": "mobile",
    "contact_phone": "phone",
    "contact_email": "email",
    "contact_birthday": "birthday",
}
CONTACT_COLUMN = {field: column for column, field in CONTACT_KEYS.items()}


@dataclass
class CustomerItem:
    """One customer of the file: created, or the duplicate it updates."""

    row: int
    key: str
    data: dict  # cleaned, as the services keep it
    given: dict  # the columns the file gave, as the services take them (for an update)
    owner: User
    phones: set
    rows: list = field(default_factory=list)
    contacts: list = field(default_factory=list)  # (row, cleaned contact, given contact)
    contact_keys: set = field(default_factory=set)
    existing: Customer | None = None
    skipped: bool = False


class Lookups:
    """The company's pick-lists and users, read once for the whole file."""

    def __init__(self, user: User):
        options = list(account_selectors.dictionary_options(user))
        self.dictionaries = {
            kind: dictionary_lookup([o for o in options if o.kind == kind])
            for kind in ("customer_type", "customer_source", "industry", "contact_category")
        }
        self.kinds = ChoiceLookup()
        self.kinds.add(Customer.Kind.ENTERPRISE, "enterprise", "企业", "公司", "单位")
        self.kinds.add(Customer.Kind.INDIVIDUAL, "individual", "个人", "person")
        for value, label in Customer.Kind.choices:
            self.kinds.add_label(value, label)
        users = list(account_selectors.company_users(user))
        self.users_by_username = {u.username.lower(): u for u in users}
        by_name: dict[str, list[User]] = {}
        for u in users:
            if u.real_name:
                by_name.setdefault(value_key(u.real_name), []).append(u)
        self.users_by_name = {key: found[0] for key, found in by_name.items() if len(found) == 1}

    def user(self, text: str) -> User | None:
        return self.users_by_username.get(text.strip().lower()) or self.users_by_name.get(
            value_key(text)
        )


def _pick(lookup: ChoiceLookup, text: str, column: str, plan: Plan, row: Row, label):
    if not text:
        return None, True
    found = lookup.find(text)
    if found is None:
        plan.error(
            row.number,
            column,
            _("%(value)s is not an option of %(list)s.") % {"value": text, "list": label},
        )
        return None, False
    return found, True


def _check_row(user: User, row: Row, plan: Plan, lookups: Lookups, lists: dict):
    """(customer given, customer cleaned, owner, contact given, contact cleaned) of a row,
    or None when it has errors (added to the plan)."""
    values = row.values
    ok = True
    given: dict = {}
    for key in CUSTOMER_KEYS:
        if key not in values:
            continue
        text = values[key]
        if key == "kind":
            if text:
                kind, found = _pick(lookups.kinds, text, key, plan, row, _("Customer kind"))
                ok &= found
                given[key] = kind
        elif key in DICTIONARIES:
            option, found = _pick(
                lookups.dictionaries[DICTIONARIES[key]], text, key, plan, row, lists[key]
            )
            ok &= found
            if found:
                given[key] = option
        else:
            given[key] = text
    given.setdefault("name", "")
    errors: dict = {}
    create_data = {"kind": Customer.Kind.ENTERPRISE, **given}
    cleaned = customer_services.customer_fields_clean(user, create_data, errors)
    owner = user
    owner_text = values.get("owner", "")
    if owner_text:
        owner = lookups.user(owner_text)
        if owner is None:
            plan.error(
                row.number,
                "owner",
                _("There is no user %(name)s in your company.") % {"name": owner_text},
            )
            ok = False
        else:
            refusal = customer_services.customer_owner_refusal(user, owner)
            if refusal:
                plan.error(row.number, "owner", refusal)
                ok = False
    contact_given: dict = {}
    for column, name in CONTACT_KEYS.items():
        if column not in values or not values[column]:
            continue
        text = values[column]
        if name == "category":
            option, found = _pick(
                lookups.dictionaries["contact_category"], text, column, plan, row, lists[column]
            )
            ok &= found
            contact_given[name] = option
        elif name == "birthday":
            day = parse_date(text)
            if day is None:
                plan.error(row.number, column, _("Enter a date such as 1980-05-20."))
                ok = False
            contact_given[name] = day
        else:
            contact_given[name] = text
    contact_cleaned = None
    if contact_given:
        contact_errors: dict = {}
        contact_cleaned = customer_services.contact_fields_clean(
            user, {"name": "", **contact_given}, contact_errors
        )
        for name, messages in contact_errors.items():
            for message in messages:
                plan.error(row.number, CONTACT_COLUMN.get(name, name), message)
        ok &= not contact_errors
    for name, messages in errors.items():
        for message in messages:
            plan.error(row.number, name, message)
    if errors or not ok:
        return None
    return given, cleaned, owner, contact_given, contact_cleaned


def _contact_key(contact: dict | None) -> tuple:
    if not contact:
        return ()
    return (value_key(contact.get("name")), contact.get("mobile", ""), contact.get("email", ""))


# A check is trusted to have seen every customer written more than this long before it began:
# a transaction still open then (another import's, however long) has not committed yet.
UNCOMMITTED_MARGIN = datetime.timedelta(hours=1)


def plan_customers(
    *, user: User, rows: list[Row], plan: Plan, on_duplicate: str, progress: Progress
) -> Plan:
    plan.extra["checked_from"] = (timezone.now() - UNCOMMITTED_MARGIN).isoformat()
    lookups = Lookups(user)
    lists = {
        "type": _("Customer type"),
        "source": _("Source"),
        "industry": _("Industry"),
        "contact_category": _("Contact category"),
    }
    items: dict[str, CustomerItem] = {}
    phone_owner: dict[str, CustomerItem] = {}
    total = len(rows)
    plan.rows_total = total
    for index, row in enumerate(rows):
        if index % 500 == 0:
            progress(index, total)
        checked = _check_row(user, row, plan, lookups, lists)
        if checked is None:
            continue
        given, cleaned, owner, contact_given, contact_cleaned = checked
        key = name_key(cleaned["name"])
        item = items.get(key)
        contact_phones = (
            {contact_cleaned.get("mobile", ""), contact_cleaned.get("phone", "")} - {""}
            if contact_cleaned
            else set()
        )
        if item is None:
            phones = ({cleaned.get("phone", "")} - {""}) | contact_phones
            other = next((phone_owner[p] for p in sorted(phones) if p in phone_owner), None)
            item = CustomerItem(row.number, key, cleaned, given, owner, phones)
            items[key] = item
            if other is not None:
                item.skipped = True
                plan.duplicate(
                    row.number,
                    _("Same phone as %(name)s on row %(row)d: skipped.")
                    % {"name": other.data["name"], "row": other.row},
                )
                continue
            for phone in phones:
                phone_owner.setdefault(phone, item)
        elif item.skipped:
            plan.duplicate(
                row.number,
                _("Belongs to %(name)s on row %(row)d, which is skipped.")
                % {"name": item.data["name"], "row": item.row},
            )
            continue
        contact_key = _contact_key(contact_cleaned)
        if row.number != item.row and (not contact_key or contact_key in item.contact_keys):
            plan.duplicate(
                row.number,
                _("Repeats row %(row)d: skipped.")
                % {"row": item.contacts[0][0] if contact_key and item.contacts else item.row},
            )
            continue
        item.rows.append(row.number)
        if contact_cleaned:
            item.contact_keys.add(contact_key)
            item.contacts.append((row.number, contact_cleaned, contact_given))
            item.phones |= contact_phones
            for phone in contact_phones:
                phone_owner.setdefault(phone, item)
    progress(total, total)
    live = [item for item in items.values() if not item.skipped]
    index = customer_selectors.company_wide_duplicate_index(
        user,
        name_keys=[item.key for item in live],
        phones=[phone for item in live for phone in item.phones],
    )
    for item in live:
        matches = index.matches(key=item.key, phones=item.phones)
        if not matches:
            continue
        descriptions = []
        for reason, customer in matches:
            what = _("same name") if reason == "name" else _("same phone")
            if customer.pk in index.visible_ids:
                descriptions.append(
                    _("%(what)s as %(name)s (owner %(owner)s)")
                    % {"what": what, "name": customer.name, "owner": customer.owner.display_name}
                )
            else:
                descriptions.append(
                    _("%(what)s as a customer of %(owner)s that you cannot see")
                    % {"what": what, "owner": customer.owner.display_name}
                )
        found = "; ".join(descriptions)
        target = matches[0][1]
        if on_duplicate == "update" and len(matches) == 1 and target.pk in index.editable_ids:
            item.existing = target
            plan.duplicate(
                item.row, _("Duplicate: %(found)s. It will be updated.") % {"found": found}
            )
        else:
            item.skipped = True
            if on_duplicate == "update" and len(matches) == 1:
                reason = _("You may not change it: skipped.")
            elif on_duplicate == "update":
                reason = _("It matches several customers: skipped.")
            else:
                reason = _("Skipped.")
            plan.duplicate(
                item.row, _("Duplicate: %(found)s. %(reason)s") % {"found": found, "reason": reason}
            )
            for number in item.rows[1:]:
                plan.duplicate(
                    number,
                    _("Belongs to %(name)s on row %(row)d, which is skipped.")
                    % {"name": item.data["name"], "row": item.row},
                )
    kept = [item for item in live if not item.skipped]
    plan.rows_valid = sum(len(item.rows) for item in kept)
    plan.items = [_record(item) for item in kept]
    progress(total, total)
    plan.errors.sort(key=lambda e: e["row"])
    plan.duplicates.sort(key=lambda e: e["row"])
    return plan


def _json_value(value):
    if isinstance(value, DictionaryOption):
        return value.pk
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _columns(data: dict) -> dict:
    """Cleaned fields as the table's columns, in JSON (an option by its id)."""
    return {
        (f"{name}_id" if isinstance(value, DictionaryOption) or name in OPTION_FIELDS else name): (
            _json_value(value)
        )
        for name, value in data.items()
    }


OPTION_FIELDS = {"type", "source", "industry", "category"}


def _record(item: CustomerItem) -> dict:
    """What the write does for one customer of the file, in JSON: the rows checked once are
    not checked again when the file is confirmed (unless something changed meanwhile), and
    the search text is built here, once."""
    contacts = [contact for _row, contact, _given in item.contacts]
    fields = _columns(item.data)
    if item.existing is None:
        fields["name_key"] = item.key
        fields["search_text"] = build_search_text(
            name=item.data["name"],
            phones=[item.data.get("phone", "")]
            + [c.get("mobile", "") for c in contacts]
            + [c.get("phone", "") for c in contacts],
            contact_names=[c["name"] for c in contacts],
            email=item.data.get("email", ""),
        )
    contact_records = []
    for row, contact, given in item.contacts:
        columns = _columns(contact)
        columns["search_text"] = build_contact_search_text(
            name=contact.get("name", ""),
            title=contact.get("title", ""),
            mobile=contact.get("mobile", ""),
            phone=contact.get("phone", ""),
            email=contact.get("email", ""),
        )
        contact_records.append(
            {"row": row, "fields": columns, "given": {k: _json_value(v) for k, v in given.items()}}
        )
    return {
        "row": item.row,
        "rows": item.rows,
        "key": item.key,
        "phones": sorted(item.phones),
        "owner": item.owner.pk,
        "existing": item.existing.pk if item.existing is not None else None,
        "fields": fields,
        "given": {k: _json_value(v) for k, v in item.given.items() if k != "kind"},
        "contacts": contact_records,
    }


def still_valid(*, user: User, plan: Plan, on_duplicate: str) -> bool:
    """Whether a checked plan can be written as it is: its pick-list options still in use,
    its owners still ones the user may give customers to, no new duplicate in the company
    since, and the customers it updates still the user's to edit. A few queries."""
    option_ids = set()
    for record in plan.items:
        for source in [record["fields"], *[c["fields"] for c in record["contacts"]]]:
            option_ids |= {source.get(f"{name}_id") for name in OPTION_FIELDS} - {None}
    if option_ids:
        active = set(
            account_selectors.dictionary_options(user, active_only=True)
            .filter(pk__in=option_ids)
            .values_list("pk", flat=True)
        )
        if active != option_ids:
            return False
    owner_ids = {record["owner"] for record in plan.items}
    owners = {u.pk: u for u in account_selectors.company_users(user).filter(pk__in=owner_ids)}
    if set(owners) != owner_ids or any(
        customer_services.customer_owner_refusal(user, owner) for owner in owners.values()
    ):
        return False
    # No customer or contact written since the check could see them: no new duplicate.
    # (The customers it updates are checked again in any case: who may edit them can change
    # without a change of theirs.)
    checked_from = plan.extra.get("checked_from")
    if (
        checked_from
        and not any(record["existing"] for record in plan.items)
        and not customer_selectors.company_wide_customers_changed_since(
            user, datetime.datetime.fromisoformat(checked_from)
        )
    ):
        return True
    index = customer_selectors.company_wide_duplicate_index(
        user,
        name_keys=[record["key"] for record in plan.items],
        phones=[phone for record in plan.items for phone in record["phones"]],
    )
    for record in plan.items:
        found = {
            customer.pk
            for _r, customer in index.matches(key=record["key"], phones=record["phones"])
        }
        expected = {record["existing"]} if record["existing"] else set()
        if found != expected or (expected and not expected <= index.editable_ids):
            return False
    return True


def _contact_fields(fields: dict) -> dict:
    fields = dict(fields)
    if fields.get("birthday"):
        fields["birthday"] = datetime.date.fromisoformat(fields["birthday"])
    return fields


def write_customers(*, user: User, plan: Plan, progress: Progress) -> dict:
    """Write the plan (inside the caller's transaction). Returns what a revert needs."""
    created_customers: list[int] = []
    created_contacts: list[int] = []
    before_values: list[dict] = []
    new_records = [record for record in plan.items if record["existing"] is None]
    updates = [record for record in plan.items if record["existing"] is not None]
    total = plan.rows_valid
    done = 0
    for start in range(0, len(new_records), BATCH):
        batch = new_records[start : start + BATCH]
        customer_ids, contact_ids = customer_services.customers_create_checked(
            user=user,
            customers=[
                {
                    "fields": record["fields"],
                    "owner_id": record["owner"],
                    "contacts": [_contact_fields(c["fields"]) for c in record["contacts"]],
                }
                for record in batch
            ],
        )
        created_customers += customer_ids
        created_contacts += contact_ids
        done += sum(len(record["rows"]) for record in batch)
        progress(done, total)
    existing = {
        c.pk: c
        for c in customer_selectors.company_wide_customers_by_keys(
            user, [record["existing"] for record in updates]
        )
    }
    for record in updates:
        customer = existing[record["existing"]]
        fields = {name: value for name, value in record["given"].items() if value not in (None, "")}
        before_values.append(
            {
                "model": "customer",
                "id": customer.pk,
                "values": {name: _value_of(customer, name) for name in fields},
            }
        )
        customer = customer_services.customer_update(user=user, customer=customer, **fields)
        for contact in record["contacts"]:
            created = customer_services.contact_create(
                user=user, customer=customer, **_contact_fields(contact["given"])
            )
            created_contacts.append(created.pk)
        done += len(record["rows"])
        progress(done, total)
    return {
        "created_ids": {"customers": created_customers, "contacts": created_contacts},
        "before_values": before_values,
        "rows_written": done,
    }


def _value_of(customer: Customer, name: str):
    if name in DICTIONARIES:
        return getattr(customer, f"{name}_id")
    return getattr(customer, name)


def revert_customers(*, user: User, job) -> list[dict]:
    """Undo a customers import (in the caller's transaction): delete what it created unless
    it was changed or had records hung on it since, and give the customers it updated their
    values back. Returns what was kept, with the reason."""
    kept: list[dict] = []
    since = job.finished_at
    customer_ids = set(job.created_ids.get("customers", []))
    contact_ids = set(job.created_ids.get("contacts", []))
    company_customers = customer_selectors.company_wide_customers_by_keys(user, customer_ids)
    changed, used = customer_selectors.company_wide_use_since(
        user, customer_ids, own_contact_ids=contact_ids, since=since
    )
    for customer in company_customers:
        if customer.pk in changed:
            kept.append(
                {
                    "model": "customer",
                    "id": customer.pk,
                    "name": customer.name,
                    "reason": _("changed since the import"),
                }
            )
        elif customer.pk in used:
            kept.append(
                {
                    "model": "customer",
                    "id": customer.pk,
                    "name": customer.name,
                    "reason": _("has records added since the import"),
                }
            )
    deletable = [c for c in company_customers if c.pk not in changed | used]
    customer_services.customers_delete_imported(user=user, customers=deletable)
    # Contacts added to customers that existed before the import.
    kept += customer_services.contacts_delete_imported(
        user=user, contact_ids=contact_ids, unchanged_since=since, keep_customers=changed | used
    )
    for before in job.before_values:
        customer = customer_selectors.company_wide_customers_by_keys(user, [before["id"]])
        if not customer:
            continue
        try:
            customer_services.customer_update(user=user, customer=customer[0], **before["values"])
        except DomainError as exc:
            kept.append(
                {
                    "model": "customer",
                    "id": customer[0].pk,
                    "name": customer[0].name,
                    "reason": str(exc.message),
                }
            )
    return kept
