"""The panels the finance app contributes: payments and invoices on the customer view; on an
agreement's page, its money, payment plans, payments and invoices; on the workbench, the
payment plans due in the user's line and, for finance users, the payments to record."""

from django.utils.translation import gettext_lazy as _

from banyan.agreements import selectors as agreement_selectors
from banyan.agreements.models import Agreement
from banyan.core.panels import Panel, agreement_view, customer_view, workbench
from banyan.finance import selectors

RECENT = 5
WORKBENCH_ROWS = 20
TO_COLLECT = 10
MONEY_MODULES = ("uses_contracts", "uses_orders")


def panel_context(user, customer) -> dict:
    """Amount, paid, receivable, invoiced, uninvoiced over the customer's agreements, the next
    due and the overdue instalments, and the last payments and invoices: four queries."""
    return {
        "money": selectors.customer_money(user, customer),
        "recent_payments": list(selectors.customer_payments(user, customer)[:RECENT]),
        "recent_invoices": list(selectors.customer_invoices(user, customer)[:RECENT]),
    }


customer_view.register(
    Panel(
        key="finance",
        title=_("Payments and invoices"),
        template="finance/panels/customer_finance.html",
        order=55,
        context=panel_context,
        modules=MONEY_MODULES,
    )
)


# --- the agreement's page -----------------------------------------------------------------


def agreement_ledger(user, agreement) -> dict:
    """What the agreement's four money panels show, read once for all four (remembered on the
    agreement for this user): its plans, payments and invoices, three queries."""
    remembered = getattr(agreement, "_finance_ledger", None)
    if remembered is not None and remembered[0] == user.pk:
        return remembered[1]
    plans = list(selectors.agreement_plans(user, agreement))
    money = selectors.agreement_money(user, agreement, plans)
    payments = list(selectors.agreement_payments(user, agreement))
    can_edit = agreement_selectors.can_edit_agreement(user, agreement)
    ledger = {
        "agreement": agreement,
        "can_edit": can_edit,
        "money": money,
        "plans": plans,
        "overdue_ids": {plan.pk for plan in money.overdue_plans}
        if agreement.status != Agreement.Status.CANCELLED
        else set(),
        "payments": payments,
        "invoices": list(selectors.agreement_invoices(user, agreement)),
        "deletable_plan_ids": selectors.deletable_plans(user, agreement, plans, payments=payments)
        if can_edit
        else set(),
        "reversible_payment_ids": selectors.reversible_payments(user, agreement, payments),
        "can_record_money": selectors.can_record_money(user),
    }
    agreement._finance_ledger = (user.pk, ledger)
    return ledger


for key, title, template, slot, order in (
    ("money", _("Money"), "finance/panels/agreement_money.html", "side", 10),
    ("plans", _("Payment plans"), "finance/panels/agreement_plans.html", "after_lines", 10),
    ("payments", _("Payments"), "finance/panels/agreement_payments.html", "after_lines", 20),
    ("invoices", _("Invoices"), "finance/panels/agreement_invoices.html", "after_lines", 30),
):
    agreement_view.register(
        Panel(
            key=key,
            title=title,
            template=template,
            order=order,
            context=agreement_ledger,
            slot=slot,
            framed=False,
        )
    )


# --- the workbench ------------------------------------------------------------------------


def plans_due_context(user, _obj) -> dict:
    today = selectors.today_for(user)
    plans = selectors.plans_due_in_line(user, limit=WORKBENCH_ROWS)
    for plan in plans:
        plan.is_overdue = plan.due_on < today
    return {"plans": plans}


def plans_due_data(user) -> dict:
    today = selectors.today_for(user)
    return {
        "plans": [
            {
                "id": plan.pk,
                "agreement": plan.agreement_id,
                "agreement_number": plan.agreement.number,
                "customer": plan.customer_id,
                "customer_name": plan.customer.name,
                "owner": plan.agreement.owner_id,
                "due_on": plan.due_on.isoformat(),
                "amount": str(plan.amount),
                "outstanding": str(plan.outstanding),
                "is_overdue": plan.due_on < today,
            }
            for plan in selectors.plans_due_in_line(user, limit=WORKBENCH_ROWS)
        ]
    }


def to_collect_context(user, _obj) -> dict:
    return {"agreements": list(selectors.agreements_to_collect(user)[:TO_COLLECT])}


def to_collect_data(user) -> dict:
    return {
        "agreements": [
            {
                "id": agreement.pk,
                "number": agreement.number,
                "customer": agreement.customer_id,
                "customer_name": agreement.customer.name,
                "amount": str(agreement.amount),
                "paid": str(agreement.paid_amount),
                "receivable": str(agreement.receivable),
            }
            for agreement in selectors.agreements_to_collect(user)[:TO_COLLECT]
        ]
    }


workbench.register(
    Panel(
        key="plans_due",
        title=_("Payment plans due"),
        template="finance/workbench/plans_due.html",
        order=20,
        context=plans_due_context,
        data=plans_due_data,
        modules=MONEY_MODULES,
    )
)
workbench.register(
    Panel(
        key="payments_to_record",
        title=_("Payments to record"),
        template="finance/workbench/payments_to_record.html",
        order=40,
        context=to_collect_context,
        data=to_collect_data,
        modules=MONEY_MODULES,
        allowed=lambda user, _obj: selectors.can_record_money(user),
    )
)
