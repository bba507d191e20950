"""The iCalendar feed of one user's tasks, for phone and desktop calendars to subscribe to."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

# A task is a point in time; calendars show zero-length events poorly, so each one lasts
# a short while from its due time.
EVENT_LENGTH = datetime.timedelta(minutes=30)


def task_uid(task) -> str:
    """Stable per task, so a changed task updates its event instead of adding one."""
    return f"task-{task.pk}@banyan"


def build_calendar(*, user, tasks, task_url=None) -> bytes:
    """VCALENDAR with one VEVENT per task: DTSTART = due time (UTC), SUMMARY = subject and
    customer, DESCRIPTION = details, and a VALARM at the reminder time when there is one."""
    calendar = Calendar()
    calendar.add("prodid", "-//Banyan CRM//Tasks//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Banyan CRM tasks of %(name)s") % {"name": user.display_name})
    calendar.add("x-wr-timezone", user.company.time_zone)
    calendar.add(
        "refresh-interval", datetime.timedelta(minutes=30), parameters={"VALUE": "DURATION"}
    )
    calendar.add("x-published-ttl", "PT30M")
    now = timezone.now()
    for task in tasks:
        event = Event()
        event.add("uid", task_uid(task))
        event.add("dtstamp", task.updated_at or now)
        event.add("last-modified", task.updated_at or now)
        event.add("created", task.created_at or now)
        event.add("dtstart", task.due_at)
        event.add("dtend", task.due_at + EVENT_LENGTH)
        summary = task.subject
        if task.customer_id:
            summary = f"{task.subject} · {task.customer.name}"
        event.add("summary", summary)
        if task.details:
            event.add("description", task.details)
        if task_url is not None:
            event.add("url", task_url(task))
        if task.remind_at:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", summary)
            alarm.add("trigger", task.remind_at - task.due_at)
            event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
