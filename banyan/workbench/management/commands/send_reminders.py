"""`manage.py send_reminders`: queue the reminders that are due and not yet in the outbox.

Task reminders are queued when a task is written, to go out at their remind time; this
sweep catches any whose time passed without being queued, and reminds the owners of the
payment plans now within their company's reminder window. Run it on a schedule (cron, or
at the task worker's start): it is idempotent, every reminder has a dedupe key, so nothing
is sent twice however often it runs.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from banyan.activities.reminders import dangerously_sweep_task_reminders
from banyan.finance.reminders import dangerously_remind_due_plans


class Command(BaseCommand):
    help = "Queue task reminders whose time has passed and payment-plan reminders now due."

    def handle(self, *args, **options):
        now = timezone.now()
        tasks = dangerously_sweep_task_reminders(now=now)
        plans = dangerously_remind_due_plans(now)
        self.stdout.write(f"task reminders queued: {tasks}; payment plans reminded: {plans}")
