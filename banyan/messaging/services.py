"""Writes of the messaging app: the outbox, sending, and message templates.

A message is written to the outbox in the caller's transaction (`enqueue`); once that
commits, a task sends it (`send_pending`). Sending is idempotent: the task claims the row
under a lock and a lease, and before sending an SMS again it asks the gateway whether the
earlier attempt got through (by the message's `out_id`). Failures are retried with
exponential backoff, at most MAX_ATTEMPTS times, then marked failed with the gateway's
answer. Every final SMS outcome writes one SmsLog row. `sweep` re-enqueues what is due and
whose task was lost (a worker down, a queue emptied): safe to run as often as one likes.

Nothing of the demo company ever reaches a gateway: `send_pending` decides it when sending,
whatever queued the message, and records it as sent to the log. Sends are limited per user
(SEND_LIMIT_PER_USER_HOUR) and per company (SEND_LIMIT_PER_COMPANY_DAY, SEND_LIMIT_DEMO_DAY
for the demo), counted from the outbox in the transaction that writes the messages.
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
from django.utils.translation import ngettext
from django_tasks import task

from banyan.accounts.guards import ensure_can_write
from banyan.accounts.models import Company, User
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
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


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
    None when a message with this `dedupe_key` already exists in the company.

    A person's message counts toward the send limits and is refused past them. A system
    message (a reminder: `created_by` None) is never refused, since that would fail the save
    that queued it or lose it unseen; it counts toward its company's daily limit, and past
    that limit it is written but goes to the log only, with the reason, for anyone to see in
    the SMS or e-mail log."""
    recipient = _recipient_for(channel, recipient)
    if not (body or "").strip():
        raise ValidationFailed({"body": [_("Write the text of the message.")]})
    if (
        dedupe_key
        and OutboxMessage.objects.filter(company_id=company_id, dedupe_key=dedupe_key).exists()
    ):
        return None
    log_only_reason = ""
    if created_by is None:
        log_only_reason = _system_message_log_only_reason(company_id)
    else:
        ensure_room_to_send(user=created_by, count=1)
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
        log_only_reason=log_only_reason,
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


# Send limits -----------------------------------------------------------------------------------


def _limit_setting(name: str) -> int:
    """A send limit from the settings; 0 switches it off."""
    return max(int(getattr(settings, name, 0) or 0), 0)


def company_send_limit(company: Company) -> int:
    """How many messages the company may queue in any 24 hours (0: no limit):
    SEND_LIMIT_DEMO_DAY for the demo company, SEND_LIMIT_PER_COMPANY_DAY for the others."""
    if company.is_demo:
        return _limit_setting("SEND_LIMIT_DEMO_DAY")
    return _limit_setting("SEND_LIMIT_PER_COMPANY_DAY")


def _counted_toward_company_limit(company: Company):
    """The company's messages that count toward its daily limit: all of them, reminders
    included, but in the demo company only its visitors' sends. Nothing of the demo leaves
    the system; its limit is on what visitors do, and the reminders of its seeded tasks
    (dozens at each rebuild) must not use up their day."""
    rows = OutboxMessage.objects.filter(company_id=company.pk)
    if company.is_demo:
        rows = rows.filter(created_by__isnull=False)
    return rows


@dataclass(frozen=True)
class Room:
    """What a send limit leaves: `left` messages now; `frees_at`, when a send too big for
    now fits (None when it fits now, or never fits because it is bigger than the limit)."""

    limit: int
    left: int
    frees_at: datetime | None = None


def _room(rows, *, limit: int, window: timedelta, needed: int, now: datetime) -> Room:
    """The room `rows` (outbox messages) leave under `limit` messages per `window`, rolling:
    a message stops counting once it is older than the window."""
    recent = rows.filter(created_at__gt=now - window)
    used = recent.count()
    left = max(limit - used, 0)
    if left >= needed or needed > limit:
        return Room(limit, left)
    # The send fits once enough of the recent messages have aged out of the window.
    must_age = used - (limit - needed)
    oldest = list(
        recent.order_by("created_at").values_list("created_at", flat=True)[must_age - 1 : must_age]
    )
    return Room(limit, left, oldest[0] + window if oldest else now)


def _minute_after(moment: datetime, company: Company) -> str:
    """The moment in the company's time zone, rounded up to the minute."""
    moment = timezone.localtime(moment, company.zone)
    if moment.second or moment.microsecond:
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return moment.strftime("%Y-%m-%d %H:%M")


def _limit_reached(rule: str, room: Room, *, needed: int, company: Company) -> ValidationFailed:
    if room.frees_at is not None:
        then = ngettext(
            "This send has %(count)d message; there is room for it from %(time)s.",
            "This send has %(count)d messages; there is room for them from %(time)s.",
            needed,
        ) % {"count": needed, "time": _minute_after(room.frees_at, company)}
    else:
        then = ngettext(
            "This send has %(count)d message: send to fewer recipients at a time.",
            "This send has %(count)d messages: send to fewer recipients at a time.",
            needed,
        ) % {"count": needed}
    return ValidationFailed({"recipients": [f"{rule} {then}"]})


def _lock_company_sends(company_id: int) -> None:
    # Concurrent sends of one company count one after the other, so that two of them cannot
    # both fit in the last few messages left. NO KEY: other writes of the company's rows
    # (whose foreign keys share-lock this row) are not held up. SQLite has no row locks:
    # its transactions start IMMEDIATE (settings), so writers are one at a time anyway.
    list(
        Company.objects.select_for_update(no_key=True)
        .filter(pk=company_id)
        .values_list("pk", flat=True)
    )


def ensure_room_to_send(*, user: User, count: int) -> None:
    """Refuse, on `recipients` and before anything is written, a send of `count` messages
    by `user` that would take them past SEND_LIMIT_PER_USER_HOUR messages in the last hour,
    or their company past its limit for the last 24 hours (`company_send_limit`); the
    message says the limit, how many are left and when the send fits. Counted from the
    outbox: exact across processes, when called in the transaction that writes the messages
    (it locks the company's row until that transaction ends)."""
    company = user.company
    _lock_company_sends(company.pk)
    now = timezone.now()
    rows = OutboxMessage.objects.filter(company_id=company.pk)
    per_user = _limit_setting("SEND_LIMIT_PER_USER_HOUR")
    if per_user:
        room = _room(
            rows.filter(created_by=user), limit=per_user, window=HOUR, needed=count, now=now
        )
        if room.left < count:
            rule = ngettext(
                "You can send %(limit)d messages an hour; %(left)d is left this hour.",
                "You can send %(limit)d messages an hour; %(left)d are left this hour.",
                room.left,
            ) % {"limit": per_user, "left": room.left}
            raise _limit_reached(rule, room, needed=count, company=company)
    per_company = company_send_limit(company)
    if per_company:
        room = _room(
            _counted_toward_company_limit(company),
            limit=per_company,
            window=DAY,
            needed=count,
            now=now,
        )
        if room.left < count:
            if company.is_demo:
                rule = ngettext(
                    "The demo company can send %(limit)d messages a day; %(left)d is left today.",
                    "The demo company can send %(limit)d messages a day; %(left)d are left today.",
                    room.left,
                )
            else:
                rule = ngettext(
                    "Your company can send %(limit)d messages a day; %(left)d is left today.",
                    "Your company can send %(limit)d messages a day; %(left)d are left today.",
                    room.left,
                )
            rule = rule % {"limit": per_company, "left": room.left}
            raise _limit_reached(rule, room, needed=count, company=company)


def _system_message_log_only_reason(company_id: int) -> str:
    """Why a reminder queued now goes to the log only (its company has reached its daily
    limit), or ""."""
    company = Company.objects.get(pk=company_id)
    limit = company_send_limit(company)
    if not limit or company.is_demo:  # the demo's messages go to the log only anyway
        return ""
    room = _room(
        _counted_toward_company_limit(company),
        limit=limit,
        window=DAY,
        needed=1,
        now=timezone.now(),
    )
    if room.left:
        return ""
    logger.warning(
        "company %s reached its limit of %d messages a day: a reminder is logged, not sent",
        company.code,
        limit,
    )
    return _(
        "Queued when the company had reached its limit of %(limit)d messages a day: "
        "logged, not sent."
    ) % {"limit": limit}


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


@task()
def send_message(message_id: int) -> str | None:
    """The background task that sends one outbox message (idempotent: `send_pending`).

    Declared here, beside the outbox that enqueues it (also again, to retry), so the services
    and the task need no import of each other; `tasks.py` names it for the worker."""
    return send_pending(message_id)


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
    return message.log_only_reason


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
    if planned:
        # The whole send fits in the limits, or none of it is written.
        ensure_room_to_send(user=user, count=len(planned))
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
    """A template is changed by whoever wrote it, or a boss: the template list's edit links,
    the edit page and `template_update` all ask this."""
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
