"""Task reminders: an SMS and/or an e-mail to the assignee at the task's remind time.

A reminder goes into the messaging outbox in the same transaction as the task change that
set it, to be sent at `remind_at` (`run_after`). Its dedupe key names the task, the remind
time and the channel (the outbox's keys are unique per company across channels), so the
same reminder is never queued twice: not by a second save, not by the sweep that catches
reminders missed while no worker ran.

The sweep runs for no one, over every company (a command on a schedule): it is the one part
of this module that reads past a user's company, and is named `dangerously_*` for it.
"""

import datetime
import logging

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from banyan.activities.models import Task
from banyan.core.errors import ValidationFailed
from banyan.messaging import services as messaging
from banyan.messaging.models import OutboxMessage

SWEEP_CHUNK = 500
logger = logging.getLogger(__name__)


def reminder_key(task: Task, channel: str) -> str:
    """`task:<id>:<remind time, UTC ISO>:<channel>`; the same instant gives the same key
    whatever the time zone it was entered in."""
    remind_at = task.remind_at.astimezone(datetime.UTC).isoformat()
    return f"task:{task.pk}:{remind_at}:{channel}"


def _recipients(task: Task) -> list[tuple[str, str]]:
    """(channel, address) for the channels the task asks for and the assignee can receive."""
    assignee = task.assignee
    wanted = []
    if task.remind_by_sms and assignee.mobile:
        wanted.append(("sms", assignee.mobile))
    if task.remind_by_email and assignee.email:
        wanted.append(("email", assignee.email))
    return wanted


def _text(task: Task) -> tuple[str, str]:
    zone = task.company.zone
    due = timezone.localtime(task.due_at, zone).strftime("%Y-%m-%d %H:%M")
    subject = _("Reminder: %(subject)s") % {"subject": task.subject}
    if task.customer_id:
        body = _("Reminder: %(subject)s (%(customer)s), due %(due)s.") % {
            "subject": task.subject,
            "customer": task.customer.name,
            "due": due,
        }
    else:
        body = _("Reminder: %(subject)s, due %(due)s.") % {"subject": task.subject, "due": due}
    return subject, body


def schedule_task_reminder(task: Task) -> list[OutboxMessage]:
    """Queue the reminders of an open task with a remind time, to go out at that time.
    Called by the task services after each save, inside their transaction. Returns the
    messages queued now (none when they were already queued). A reminder still waiting for
    an earlier remind time, or for a task now done, is withdrawn first."""
    withdraw_task_reminders(task)
    if task.remind_at is None or task.done_at is not None:
        return []
    recipients = _recipients(task)
    if not recipients:
        return []
    queued = []
    subject, body = _text(task)
    for channel, address in recipients:
        try:
            message = messaging.enqueue(
                company_id=task.company_id,
                channel=channel,
                recipient=address,
                body=body,
                subject=subject if channel == "email" else "",
                customer=task.customer,
                dedupe_key=reminder_key(task, channel),
                run_after=task.remind_at,
            )
        except ValidationFailed:
            # The assignee's own mobile or e-mail is unusable: their task still saves.
            logger.warning("task %s: no %s reminder, bad recipient", task.pk, channel)
            continue
        if message is not None:
            queued.append(message)
    return queued


def withdraw_task_reminders(task: Task) -> int:
    """Withdraw the task's reminders that have not gone out yet."""
    return messaging.withdraw_queued(company_id=task.company_id, key_prefix=f"task:{task.pk}:")


def dangerously_sweep_task_reminders(*, now: datetime.datetime | None = None) -> int:
    """Queue every reminder of an open task whose remind time has passed and that is not in
    the outbox yet (the task was written while reminders were not queued, or by a path that
    does not queue them). Idempotent: run it twice, nothing is queued twice. Returns how
    many messages were queued.

    A system sweep with no acting user: it reads the tasks of every company, and each
    reminder goes to the task's own assignee, in the task's own company."""
    now = now or timezone.now()
    tasks = (
        Task.objects.filter(remind_at__lte=now, done_at__isnull=True)
        .filter(Q(remind_by_sms=True) | Q(remind_by_email=True))
        .select_related("assignee", "customer", "company")
        .order_by("id")
    )
    queued = 0
    batch: list[Task] = []
    for task in tasks.iterator(chunk_size=SWEEP_CHUNK):
        batch.append(task)
        if len(batch) >= SWEEP_CHUNK:
            queued += _dangerously_queue_missing(batch)
            batch = []
    if batch:
        queued += _dangerously_queue_missing(batch)
    return queued


def _dangerously_queue_missing(tasks: list[Task]) -> int:
    """Queue the reminders of the sweep's tasks (of any company) not in the outbox yet: the
    outbox is read by each task's company and dedupe key."""
    keys = {
        (task.company_id, reminder_key(task, channel))
        for task in tasks
        for channel, _address in _recipients(task)
    }
    existing = set(
        OutboxMessage.objects.filter(dedupe_key__in={key for _company, key in keys}).values_list(
            "company_id", "dedupe_key"
        )
    )
    queued = 0
    for task in tasks:
        missing = [
            channel
            for channel, _address in _recipients(task)
            if (task.company_id, reminder_key(task, channel)) not in existing
        ]
        if missing:
            queued += len(schedule_task_reminder(task))
    return queued
