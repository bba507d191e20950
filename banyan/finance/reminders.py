"""Payment-plan reminders: each uncovered plan due within the company's reminder window
(`Company.payment_reminder_days`, default 30) reminds its agreement's owner once.

The reminder goes into the messaging outbox (an SMS to the owner's mobile, else an e-mail)
in the same transaction that sets `plan.reminded_at`; its dedupe key names the plan and its
due date, so a plan reminds once per due date even if two sweeps race. A new due date
clears `reminded_at` (finance services), so the plan reminds again for it.

The sweep runs for no one, over every company (a command on a schedule), so its functions
read and mark plans past any user's visibility and are named `dangerously_*` for it.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from banyan.accounts.models import Company
from banyan.agreements.models import Agreement
from banyan.core.errors import ValidationFailed
from banyan.finance.models import UNCOVERED, PaymentPlan
from banyan.messaging import services as messaging


def plan_reminder_key(plan: PaymentPlan) -> str:
    return f"plan:{plan.pk}:{plan.due_on.isoformat()}"


def _dangerously_plans_to_remind(company: Company, *, now: datetime.datetime):
    """The company's uncovered plans of live agreements, due on or before today plus its
    reminder window, not reminded yet: all of them, for the sweep, which acts for no user."""
    today = timezone.localdate(now, timezone=company.zone)
    horizon = today + datetime.timedelta(days=company.payment_reminder_days)
    return (
        PaymentPlan.objects.filter(
            UNCOVERED, company_id=company.pk, reminded_at__isnull=True, due_on__lte=horizon
        )
        .exclude(agreement__status=Agreement.Status.CANCELLED)
        .select_related("agreement__owner", "customer")
        .order_by("due_on", "id")
    )


@transaction.atomic
def _dangerously_remind_plan(plan: PaymentPlan, *, now: datetime.datetime) -> bool:
    """Queue the reminder of one plan (by SMS to the owner's mobile, else by e-mail) and mark
    it reminded; False when the owner has no usable mobile nor e-mail (the plan stays
    unreminded, to go once they add one). For the sweep, which acts for no user: the plan
    is marked by its key, only if no other sweep marked it first."""
    owner = plan.agreement.owner
    values = {
        "number": plan.agreement.number,
        "customer": plan.customer.name,
        "amount": plan.outstanding,
        "date": plan.due_on.isoformat(),
    }
    body = _("Payment reminder: %(customer)s owes %(amount)s on %(number)s, due %(date)s.") % (
        values
    )
    for channel, address, subject in (
        ("sms", owner.mobile, ""),
        ("email", owner.email, _("Payment due: %(number)s") % values),
    ):
        if not address:
            continue
        try:
            messaging.enqueue(
                company_id=plan.company_id,
                channel=channel,
                recipient=address,
                subject=subject,
                body=body,
                customer=plan.customer,
                dedupe_key=plan_reminder_key(plan),
            )
        except ValidationFailed:
            continue  # an unusable mobile: try the e-mail
        PaymentPlan.objects.filter(pk=plan.pk, reminded_at__isnull=True).update(reminded_at=now)
        return True
    return False


def dangerously_remind_due_plans(now: datetime.datetime | None = None) -> int:
    """Remind the owners of every company's plans due within its window, once per plan.
    Idempotent: a second run finds them reminded. Returns how many plans reminded.

    A system sweep with no acting user, over every active company: each reminder goes to the
    plan's agreement's owner, in the plan's own company."""
    now = now or timezone.now()
    reminded = 0
    for company in Company.objects.filter(status=Company.Status.ACTIVE).order_by("pk"):
        for plan in _dangerously_plans_to_remind(company, now=now):
            reminded += _dangerously_remind_plan(plan, now=now)
    return reminded
