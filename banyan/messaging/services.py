"""Writes of the messaging app: the outbox, sending, and message templates.

A message is written to the outbox in the caller's transaction (`enqueue`); once that
commits, a task sends it (`send_pending`). Sending is idempotent: the task claims the row
under a lock and a lease, and before sending an SMS again it asks the gateway whether the
earlier attempt got through (by the message's `out_id`). Failures are retried with
exponential backoff, at most MAX_ATTEMPTS times, then marked failed with the gateway's
answer. Every final SMS outcome writes one SmsLog row. `sweep` re-enqueues what is due and
whose task was lost (a worker down, a queue emptied): safe to run as often as one likes.

Nothing of the demo company ever reaches a gateway: `send_pending` decides it when sending,
whatever queued the message, and records it as sent to the log.
"""

import contextlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from banyan.accounts.guards import ensure_can_write
from banyan.accounts.models import User
from banyan.core.errors import PermissionRefused, ValidationFailed
from banyan.core.phones import normalize_phone
from banyan.core.text import squash_spaces
from banyan.customers.models import Contact
from banyan.messaging.backends import LogBackend, SendFailed, SendResult, get_sms_backend
from banyan.messaging.models import Channel, MessageTemplate, OutboxMessage, SmsLog

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_RETRY_AFTER = timedelta(minutes=1)  # then 2, 4, 8 minutes
SENDING_LEASE = timedelta(minutes=5)  # a worker silent for longer than this has died
SWEEP_GRACE = timedelta(minutes=2)  # a due message's own task normally runs within this
SWEEP_BATCH = 500
SMS_SINGLE_PART = 70
SMS_LONG_PART = 67
SMS_MAX_CHARACTERS = 500
PLACEHOLDERS = ("contact_name", "customer_name", "my_name")


# Counting and number rules ---------------------------------------------------------------------


def sms_parts(text: str) -> tuple[int, int]:
    """(characters, parts) as Chinese gateways bill: one part up to 70 characters, beyond
    that 67 per part. Chinese and ASCII characters count alike."""
    characters = len(text or "")
    if characters == 0:
        return 0, 0
    if characters <= SMS_SINGLE_PART:
        return characters, 1
    return characters, -(-characters // SMS_LONG_PART)


def sms_recipient(raw: str) -> str:
    """The number an SMS goes to, or ValidationError with the reason: an 11-digit mobile, or
    a fixed-line / PHS (小灵通) number written as its area code followed by the number with
    nothing between them, the way the gateways take it (010-6288 1234 → 01062881234)."""
    if not (raw or "").strip():
        raise ValidationError(_("No mobile number."), code="missing")
    number = normalize_phone(raw)
    if re.fullmatch(r"1\d{10}", number):
        return number
    if re.fullmatch(r"0\d{2,3}-\d{7,8}", number):
        return number.replace("-", "")
    # A foreign number: our gateways are set up for mainland numbers only.
    raise ValidationError(
        _("%(value)s is not a mainland China mobile or fixed-line number."),
        params={"value": raw},
        code="not_mainland",
    )


def email_recipient(raw: str) -> str:
    address = (raw or "").strip()
    if not address:
        raise ValidationError(_("No e-mail address."), code="missing")
    validate_email(address)
    return address


def _reason(exc: ValidationError) -> str:
    return " ".join(str(message) for message in exc.messages)


def render_text(text: str, *, user: User | None, contact=None, customer=None) -> str:
    """`text` with its placeholders filled in; anything else in braces is left as typed."""
    if customer is None and contact is not None:
        customer = contact.customer
    values = {
        "contact_name": contact.name if contact is not None else "",
        "customer_name": customer.name if customer is not None else "",
        "my_name": user.display_name if user is not None else "",
    }
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


# The outbox ------------------------------------------------------------------------------------


def _enqueue_task(message_id: int, run_after: datetime | None = None) -> None:
    from banyan.messaging.tasks import send_message

    task = send_message
    if run_after is not None and run_after > timezone.now():
        if not task.get_backend().supports_defer:
            return  # this queue cannot wait: the sweep sends it once it is due
        task = task.using(run_after=run_after)
    task.enqueue(message_id)


def _schedule(message: OutboxMessage, run_after: datetime | None = None) -> None:
    message_id = message.pk
    transaction.on_commit(lambda: _enqueue_task(message_id, run_after), robust=True)


def _recipient_for(channel: str, raw: str) -> str:
    try:
        if channel == Channel.SMS:
            return sms_recipient(raw)
        if channel == Channel.EMAIL:
            return email_recipient(raw)
        raise ValidationError(_("Choose SMS or e-mail."))
    except ValidationError as exc:
        raise ValidationFailed({"recipient": [_reason(exc)]}) from None


def enqueue(
    *,
    company_id: int,
    channel: str,
    recipient: str,
    body: str,
    subject: str = "",
    created_by: User | None = None,
    customer=None,
    contact=None,
    dedupe_key: str | None = None,
    run_after: datetime | None = None,
) -> OutboxMessage | None:
    """Write one message to the outbox in the caller's transaction; its sending task is
    enqueued when that transaction commits (to run at `run_after`, if given). The recipient
    is normalised (a mobile for SMS, an address for e-mail) or refused on `recipient`.
    None when a message with this `dedupe_key` already exists in the company."""
    recipient = _recipient_for(channel, recipient)
    if not (body or "").strip():
        raise ValidationFailed({"body": [_("Write the text of the message.")]})
    if (
        dedupe_key
        and OutboxMessage.objects.filter(company_id=company_id, dedupe_key=dedupe_key).exists()
    ):
        return None
    return _write_message(
        company_id=company_id,
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        created_by=created_by,
        customer=customer,
        contact=contact,
        dedupe_key=dedupe_key,
        run_after=run_after,
    )


def _write_message(*, dedupe_key, run_after, **fields) -> OutboxMessage | None:
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                next_attempt_at=run_after or timezone.now(),
                dedupe_key=dedupe_key or None,
                **fields,
            )
    except IntegrityError:
        if dedupe_key:
            return None  # enqueued by a concurrent caller a moment ago
        raise
    _schedule(message, run_after)
    return message


def _claim(message_id: int) -> tuple[OutboxMessage | None, bool]:
    """Lock the message and take it for sending: (message, was it attempted before), or
    (None, False) when it is finished, not due, or another worker's lease still runs."""
    now = timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(of=("self",))
            .select_related("company")
            .filter(pk=message_id)
            .first()
        )
        if message is None or message.status in (
            OutboxMessage.Status.SENT,
            OutboxMessage.Status.FAILED,
        ):
            return None, False
        if message.next_attempt_at > now:
            return None, False
        interrupted = message.status == OutboxMessage.Status.SENDING
        attempted_before = message.attempts > 0
        message.status = OutboxMessage.Status.SENDING
        message.next_attempt_at = now + SENDING_LEASE
        message.attempts += 1
        message.save(update_fields=["status", "next_attempt_at", "attempts", "updated_at"])
    message.interrupted = interrupted
    return message, attempted_before


def withdraw_queued(*, company_id: int, key_prefix: str) -> int:
    """Drop the messages not yet being sent whose dedupe key starts with `key_prefix` (the
    reminders of a task that was done, deleted or given another time). Messages a worker is
    sending, or that went out or failed, stay: they are the record of what was sent."""
    withdrawn, _detail = OutboxMessage.objects.filter(
        company_id=company_id,
        dedupe_key__startswith=key_prefix,
        status=OutboxMessage.Status.QUEUED,
    ).delete()
    return withdrawn


def send_pending(message_id: int) -> str | None:
    """Send one outbox message if it is due; the sending task. Returns the new status, or
    None when there was nothing to do (already finished, not due, another worker on it)."""
    message, attempted_before = _claim(message_id)
    if message is None:
        return None
    log_only_reason = _log_only_reason(message)
    if log_only_reason:
        _mark_sent(message, LogBackend.name, SendResult(answer=log_only_reason))
    elif message.channel == Channel.SMS:
        _deliver_sms(message, attempted_before=attempted_before)
    else:
        _deliver_email(message)
    return OutboxMessage.objects.values_list("status", flat=True).get(pk=message.pk)


def _log_only_reason(message: OutboxMessage) -> str:
    """Why the message goes to the log only, or "" when it goes to its gateway. The demo
    company's messages always do: whoever queued them, whatever SMS_BACKEND and
    EMAIL_BACKEND say, its visitors never reach a real phone or mailbox."""
    if message.company.is_demo:
        return _("The demo company: logged, not sent.")
    return ""


def _deliver_sms(message: OutboxMessage, *, attempted_before: bool) -> None:
    gateway = ""
    try:
        backend = get_sms_backend()
        gateway = backend.name
        # An earlier attempt may have reached the gateway (the worker died, or the answer
        # timed out): ask before sending, so a message is never sent twice.
        if attempted_before and backend.was_sent(
            message.out_id, recipient=message.recipient, since=message.created_at
        ):
            result = SendResult(answer=_("Accepted by the gateway in an earlier attempt."))
        else:
            result = backend.send(message)
    except SendFailed as exc:
        _attempt_failed(message, gateway, exc.answer, retryable=exc.retryable)
        return
    except ImproperlyConfigured as exc:
        _attempt_failed(message, gateway or settings.SMS_BACKEND, str(exc), retryable=True)
        return
    _mark_sent(message, gateway, result)


def _deliver_email(message: OutboxMessage) -> None:
    if message.interrupted:
        # SMTP has no way to ask whether the earlier attempt went out: not sending again
        # is the promise we keep.
        _attempt_failed(
            message,
            "email",
            _("The worker stopped while sending; the e-mail is not sent again."),
            retryable=False,
        )
        return
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"X-Banyan-Out-Id": message.out_id},
    )
    try:
        email.send(fail_silently=False)
    except Exception as exc:  # any backend's failure (SMTP, socket…) is one failed attempt
        _attempt_failed(message, "email", f"{type(exc).__name__}: {exc}", retryable=True)
        return
    _mark_sent(message, "email", SendResult(answer="accepted by the mail server"))


def _write_sms_log(message: OutboxMessage, status: str, gateway: str, answer: str) -> None:
    SmsLog.objects.create(
        company_id=message.company_id,
        message=message,
        sender_id=message.created_by_id,
        recipient=message.recipient,
        body=message.body,
        status=status,
        gateway=gateway,
        gateway_answer=answer,
        at=timezone.now(),
    )


@transaction.atomic
def _mark_sent(message: OutboxMessage, gateway: str, result: SendResult) -> None:
    updated = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxMessage.Status.SENDING
    ).update(
        status=OutboxMessage.Status.SENT,
        sent_at=timezone.now(),
        gateway=gateway,
        gateway_answer=result.answer,
        provider_id=result.provider_id,
        last_error="",
        updated_at=timezone.now(),
    )
    if updated and message.channel == Channel.SMS:
        _write_sms_log(message, SmsLog.Status.SENT, gateway, result.answer)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the n-th failed attempt: 1, 2, 4, 8 minutes."""
    return FIRST_RETRY_AFTER * (2 ** max(attempts - 1, 0))


@transaction.atomic
def _attempt_failed(message: OutboxMessage, gateway: str, answer: str, *, retryable: bool):
    now = timezone.now()
    rows = OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.SENDING)
    if retryable and message.attempts < MAX_ATTEMPTS:
        next_attempt_at = now + retry_delay(message.attempts)
        rows.update(
            status=OutboxMessage.Status.QUEUED,
            next_attempt_at=next_attempt_at,
            gateway=gateway,
            gateway_answer=answer,
            last_error=answer,
            updated_at=now,
        )
        _schedule(message, next_attempt_at)
        return
    updated = rows.update(
        status=OutboxMessage.Status.FAILED,
        gateway=gateway,
        gateway_answer=answer,
        last_error=answer,
        updated_at=now,
    )
    if updated and message.channel == Channel.SMS:
        _write_sms_log(message, SmsLog.Status.FAILED, gateway, answer)


def sweep(*, now: datetime | None = None, grace: timedelta = SWEEP_GRACE) -> int:
    """Enqueue the sending task again for every message due (queued, or `sending` past its
    lease) for longer than `grace`: their own task was lost. A message whose task does
    exist is not sent twice: the second task finds it sent or claimed. Returns how many."""
    now = now or timezone.now()
    due = list(
        OutboxMessage.objects.filter(
            status__in=[OutboxMessage.Status.QUEUED, OutboxMessage.Status.SENDING],
            next_attempt_at__lte=now - grace,
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for message_id in due:
        _enqueue_task(message_id)
    return len(due)


# Sending from the CRM --------------------------------------------------------------------------


@dataclass
class Refusal:
    recipient: str
    reason: str
    contact_id: int | None = None


@dataclass
class SendReport:
    queued: list[OutboxMessage] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def _check_text(channel: str, body: str, subject: str) -> None:
    errors = {}
    if not (body or "").strip():
        errors["body"] = [_("Write the text of the message.")]
    elif channel == Channel.SMS and len(body) > SMS_MAX_CHARACTERS:
        errors["body"] = [
            _("An SMS has at most %(max)d characters (this one has %(count)d).")
            % {"max": SMS_MAX_CHARACTERS, "count": len(body)}
        ]
    if channel == Channel.EMAIL:
        if not (subject or "").strip():
            errors["subject"] = [_("Write a subject.")]
        elif len(subject) > 200:
            errors["subject"] = [_("A subject has at most 200 characters.")]
    if errors:
        raise ValidationFailed(errors)


class RecipientOutsideDemo(ValidationFailed):
    """A recipient typed in the demo company that is none of the demo's contacts."""


@dataclass
class _Planned:
    recipient: str
    typed: str = ""  # as typed, for a recipient that is no contact
    contact: object = None


def _company_wide_contact_recipients(*, company_id: int, channel: str, typed: list) -> set[str]:
    """Of the typed recipients (normalised and as typed), those that are a mobile, phone or
    e-mail address of a contact of the company, whoever may see that contact: the demo's
    rule is about the company's own contacts, not about the sender's visibility."""
    if channel == Channel.EMAIL:
        addresses = {planned.recipient.lower() for planned in typed}
        found = Contact.objects.filter(company_id=company_id, email__in=addresses)
        return {address.lower() for address in found.values_list("email", flat=True)}
    candidates = set()
    for planned in typed:
        candidates.add(planned.recipient)
        with contextlib.suppress(ValidationError):
            candidates.add(normalize_phone(planned.typed))
    found = Contact.objects.filter(
        Q(mobile__in=candidates) | Q(phone__in=candidates), company_id=company_id
    ).values_list("mobile", "phone")
    known = set()
    for numbers in found:
        for number in numbers:
            with contextlib.suppress(ValidationError):
                known.add(sms_recipient(number))
    return known


def _ensure_demo_recipients(*, user: User, channel: str, planned: list[_Planned]) -> None:
    """In the demo company, refuse (on `recipients`) a send to anyone but the demo's own
    contacts: the demo is public, and must not let anyone message any number or address."""
    typed = [item for item in planned if item.contact is None]
    if not typed:
        return
    known = _company_wide_contact_recipients(
        company_id=user.company_id, channel=channel, typed=typed
    )
    outside = [item.typed for item in typed if item.recipient.lower() not in known]
    if outside:
        shown = ", ".join(outside[:10]) + ("…" if len(outside) > 10 else "")
        raise RecipientOutsideDemo(
            {
                "recipients": [
                    _("In the demo company, messages can only go to the demo's own contacts."),
                    _("Not one of them: %(recipients)s.") % {"recipients": shown},
                ]
            }
        )


def _send(
    *,
    user: User,
    channel: str,
    body: str,
    subject: str,
    contacts: Iterable,
    recipients: Iterable[str],
) -> SendReport:
    ensure_can_write(user)
    _check_text(channel, body, subject)
    normalise = sms_recipient if channel == Channel.SMS else email_recipient
    report = SendReport()
    planned: list[_Planned] = []
    seen: set[str] = set()

    def add(raw: str, *, contact=None) -> None:
        shown = raw or (contact.name if contact is not None else "")
        try:
            recipient = normalise(raw)
        except ValidationError as exc:
            reason = _reason(exc)
            if contact is not None:
                reason = _("%(contact)s: %(reason)s") % {"contact": contact.name, "reason": reason}
            report.refused.append(Refusal(shown, reason, getattr(contact, "pk", None)))
            return
        if recipient in seen:
            report.refused.append(
                Refusal(
                    shown, _("Already a recipient of this message."), getattr(contact, "pk", None)
                )
            )
            return
        seen.add(recipient)
        planned.append(_Planned(recipient, typed=raw if contact is None else "", contact=contact))

    for contact in contacts:
        if contact.company_id != user.company_id:
            raise PermissionRefused()
        if channel == Channel.SMS:
            add(contact.mobile or contact.phone, contact=contact)
        else:
            add(contact.email, contact=contact)
    for raw in recipients:
        add(str(raw))
    if not planned and not report.refused:
        raise ValidationFailed({"recipients": [_("Choose at least one recipient.")]})
    if user.company.is_demo:
        _ensure_demo_recipients(user=user, channel=channel, planned=planned)
    for item in planned:
        contact = item.contact
        report.queued.append(
            _write_message(
                company_id=user.company_id,
                channel=channel,
                recipient=item.recipient,
                subject=render_text(subject, user=user, contact=contact),
                body=render_text(body, user=user, contact=contact),
                created_by=user,
                customer=contact.customer if contact is not None else None,
                contact=contact,
                dedupe_key=None,
                run_after=None,
            )
        )
    return report


@transaction.atomic
def sms_send(
    *, user: User, body: str, contacts: Iterable = (), recipients: Iterable[str] = ()
) -> SendReport:
    """Queue one SMS per recipient: the contacts' mobiles (already fetched through the
    selectors, so visible to the user) and numbers typed in. Each bad number is refused with
    its reason while the good ones are queued; placeholders are filled in per contact."""
    return _send(
        user=user,
        channel=Channel.SMS,
        body=body,
        subject="",
        contacts=contacts,
        recipients=recipients,
    )


@transaction.atomic
def email_send(
    *,
    user: User,
    subject: str,
    body: str,
    contacts: Iterable = (),
    recipients: Iterable[str] = (),
) -> SendReport:
    """The same as `sms_send`, by e-mail (through Django's e-mail backend)."""
    return _send(
        user=user,
        channel=Channel.EMAIL,
        body=body,
        subject=subject,
        contacts=contacts,
        recipients=recipients,
    )


# Templates -------------------------------------------------------------------------------------


def can_edit_template(user: User, template: MessageTemplate) -> bool:
    """A template is changed by whoever wrote it, or a boss."""
    return template.company_id == user.company_id and (
        user.is_boss or template.created_by_id == user.pk
    )


def _validate_template(*, user: User, channel: str, name: str, subject: str, body: str) -> dict:
    name = squash_spaces(name)
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = [_("Choose SMS or e-mail.")]
    if not name:
        errors["name"] = [_("Give the template a name.")]
    elif len(name) > 100:
        errors["name"] = [_("A name has at most 100 characters.")]
    try:
        _check_text(channel, body, subject)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return {"channel": channel, "name": name, "subject": subject.strip(), "body": body}


def _save_template(template: MessageTemplate) -> MessageTemplate:
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise ValidationFailed({"name": [_("A template of this name already exists.")]}) from None
    return template


@transaction.atomic
def template_create(
    *, user: User, channel: str, name: str, body: str, subject: str = ""
) -> MessageTemplate:
    ensure_can_write(user)
    data = _validate_template(user=user, channel=channel, name=name, subject=subject, body=body)
    return _save_template(MessageTemplate(company_id=user.company_id, created_by=user, **data))


@transaction.atomic
def template_update(
    *, user: User, template: MessageTemplate, name: str, body: str, subject: str = ""
) -> MessageTemplate:
    ensure_can_write(user)
    if not can_edit_template(user, template):
        raise PermissionRefused(_("Only its author or a boss changes a template."))
    data = _validate_template(
        user=user, channel=template.channel, name=name, subject=subject, body=body
    )
    for key, value in data.items():
        setattr(template, key, value)
    return _save_template(template)
