"""Reads of the messaging app, always for an acting user.

Logs follow the reporting line of their sender: a user sees what they sent, a manager or
director what their subtree sent, a boss everything (reminders, sent by nobody, included).
Templates are shared by the whole company.
"""

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from banyan.accounts import visibility
from banyan.accounts.models import User
from banyan.core.errors import NotFound, PermissionRefused
from banyan.core.fetch import as_id, get_for
from banyan.customers import selectors as customer_selectors
from banyan.customers.models import Contact, Customer
from banyan.messaging.models import Channel, MessageTemplate, OutboxMessage, SmsLog
from banyan.messaging.services import can_edit_template

MAX_BULK_CUSTOMERS = 200


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.company_id and user.is_active)


def visible_sms_logs(user: User) -> QuerySet[SmsLog]:
    """Texts sent by the user or anyone in their line (a boss: all, reminders included)."""
    return visibility.owned_in_line(user, SmsLog, field="sender")


def sms_log_list(user: User, *, status: str = "", query: str = "") -> QuerySet[SmsLog]:
    rows = visible_sms_logs(user).select_related("sender", "message__customer", "message__contact")
    if status:
        rows = rows.filter(status=status)
    if query:
        rows = rows.filter(
            Q(recipient__contains=query)
            | Q(body__icontains=query)
            | Q(message__customer__name__icontains=query)
        )
    return rows.order_by("-at", "-id")


def get_sms_log_for(user: User, pk) -> SmsLog:
    return get_for(sms_log_list(user), pk)


def visible_emails(user: User) -> QuerySet[OutboxMessage]:
    """E-mails written by the user or anyone in their line (a boss: all)."""
    return visibility.owned_in_line(user, OutboxMessage, field="created_by").filter(
        channel=Channel.EMAIL
    )


def email_list(user: User, *, status: str = "", query: str = "") -> QuerySet[OutboxMessage]:
    rows = visible_emails(user).select_related("created_by", "customer", "contact")
    if status:
        rows = rows.filter(status=status)
    if query:
        rows = rows.filter(
            Q(recipient__icontains=query)
            | Q(subject__icontains=query)
            | Q(customer__name__icontains=query)
        )
    return rows.order_by("-created_at", "-id")


def get_email_for(user: User, pk) -> OutboxMessage:
    return get_for(email_list(user), pk)


def get_message_for(user: User, pk) -> OutboxMessage:
    """An outbox message the user sent (or sees the sender of), of either channel."""
    rows = visibility.owned_in_line(user, OutboxMessage, field="created_by")
    return get_for(rows, pk)


# Templates ------------------------------------------------------------------------------------


def company_templates(user: User, *, channel: str = "") -> QuerySet[MessageTemplate]:
    rows = visibility.of_company(user, MessageTemplate).select_related("created_by")
    return rows.filter(channel=channel) if channel else rows


def get_template_for(user: User, pk, *, for_edit: bool = False) -> MessageTemplate:
    template = get_for(company_templates(user), pk)
    if for_edit and not can_edit_template(user, template):
        raise PermissionRefused(_("Only its author or a boss changes a template."))
    return template


# Recipients -----------------------------------------------------------------------------------


def parse_ids(text: str) -> list[int]:
    """ "1,2, 3" → [1, 2, 3]; anything that is not a whole number is NotFound."""
    ids = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        value = as_id(part)
        if value is None or value <= 0:
            raise NotFound()
        if value not in ids:
            ids.append(value)
    return ids


def customers_with_contacts(user: User, customer_ids: list[int]) -> list[Customer]:
    """The customers, in the order given, each with its contacts prefetched. NotFound when
    any of them is missing or not visible to the user (another company's included)."""
    if not customer_ids:
        raise NotFound()
    if len(customer_ids) > MAX_BULK_CUSTOMERS:
        raise PermissionRefused(
            _("Send to at most %(max)d customers at a time.") % {"max": MAX_BULK_CUSTOMERS}
        )
    contacts = visibility.of_company(user, Contact).order_by("-is_primary", "name", "id")
    customers = {
        customer.pk: customer
        for customer in customer_selectors.visible_customers(user)
        .filter(pk__in=customer_ids)
        .prefetch_related(Prefetch("contacts", queryset=contacts))
    }
    if len(customers) != len(customer_ids):
        raise NotFound()
    return [customers[pk] for pk in customer_ids]


def visible_contacts_by_ids(user: User, contact_ids) -> dict[int, Contact]:
    """{id: contact} for those of the ids the user sees (the rest are simply absent)."""
    if not _active(user) or not contact_ids:
        return {}
    rows = customer_selectors.visible_contacts(user).filter(pk__in=list(contact_ids))
    return {contact.pk: contact for contact in rows}
