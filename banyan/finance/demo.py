"""Demo data of the finance app, on the demo agreements: payment plans of two or three
instalments (made by the reps), payments recorded by the finance clerk 徐慧 (xuhui, who holds
the finance permission from accounts/demo.py), so that some plans are covered, some overdue
and some due within the month; two reversals; invoices on part of what was paid.
"""

import random
import string
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from banyan.accounts.demo import DEMO_RESET_STEPS, DEMO_STEPS
from banyan.accounts.models import DictionaryOption
from banyan.agreements.models import Agreement
from banyan.core.values import fen
from banyan.customers.models import Customer
from banyan.finance import services
from banyan.finance.models import Invoice, Payment, PaymentPlan

FINANCE_CLERK = "xuhui"
# Shares of the amount per instalment, and the days after signing each falls due.
SPLITS = [
    [Decimal("0.5"), Decimal("0.5")],
    [Decimal("0.3"), Decimal("0.7")],
    [Decimal("0.3"), Decimal("0.4"), Decimal("0.3")],
    [Decimal("0.3"), Decimal("0.6"), Decimal("0.1")],
]
DUE_AFTER_SIGNING = [(10, 30), (45, 100), (110, 200)]
PLAN_NOTES = {2: ["首付款", "尾款"], 3: ["首付款", "验收款", "尾款"]}
METHOD_WEIGHTS = [("bank_transfer", 6), ("cheque", 1), ("alipay", 1), ("wechat", 1)]
PAYMENT_NOTES = ["", "", "", "网银转账", "客户财务已确认"]
# The how-manyth payment recorded is reversed, why, and whether it is then paid again.
REVERSED_PAYMENTS = {
    3: ("支票退票，款项未到账", True),  # a bounced cheque, paid again by transfer
    11: ("款项记错合同，冲销", False),  # booked on the wrong agreement
}


def _dangerously_delete_ledger(company) -> None:
    """Payments are never deleted by the application; the demo reset alone removes them,
    past the ledger's guard (reversals first: they point at their originals)."""
    ledger = Payment._base_manager.filter(company=company)
    ledger.filter(reverses__isnull=False).delete()
    ledger.delete()


def _tax_id(rng: random.Random) -> str:
    """A made-up unified social credit code: 91 + a region + ten letters and digits."""
    region = rng.choice(["110108", "310115", "330106", "440305", "320506", "510107"])
    return "91" + region + "".join(rng.choices(string.digits + "ABCDEFGHJKLMNPQRTUWXY", k=10))


def _instalments(rng: random.Random, agreement: Agreement, today: date) -> list[dict]:
    split = rng.choice(SPLITS)
    signed_on = agreement.signed_on or today + timedelta(days=rng.randint(5, 20))
    amounts = [fen(agreement.amount * share) for share in split[:-1]]
    amounts.append(agreement.amount - sum(amounts, Decimal("0.00")))
    return [
        {
            "due_on": signed_on + timedelta(days=rng.randint(*DUE_AFTER_SIGNING[n])),
            "amount": amount,
            "note": PLAN_NOTES[len(split)][n],
        }
        for n, amount in enumerate(amounts)
        if amount > 0
    ]


@DEMO_STEPS.register
def demo_finance(company, users) -> bool:
    if PaymentPlan.objects.filter(company=company).exists():
        return False
    agreements = list(
        Agreement.objects.filter(company=company)
        .exclude(status=Agreement.Status.CANCELLED)
        .select_related("owner", "customer")
        .order_by("id")
    )
    if not agreements:
        return False
    rng = random.Random(20261130)
    today = timezone.localdate()
    clerk = users[FINANCE_CLERK]
    options = {
        (o.kind, o.code): o
        for o in DictionaryOption.objects.filter(
            company=company, kind__in=["payment_method", "invoice_type"]
        )
    }
    method_choices = [
        options[("payment_method", code)] for code, weight in METHOD_WEIGHTS for _ in range(weight)
    ]
    recorded = 0
    invoice_number = 44_010_000 + rng.randint(0, 9999)
    for agreement in agreements:
        is_draft = agreement.status == Agreement.Status.DRAFT
        if is_draft and rng.random() < 0.6:
            continue  # most drafts have no plan yet
        if not is_draft and rng.random() < 0.1:
            continue  # and a few signed ones none either
        plans = [
            services.plan_create(user=agreement.owner, agreement=agreement, **instalment)
            for instalment in _instalments(rng, agreement, today)
        ]
        if is_draft:
            continue
        last_paid_on = None
        for plan in plans:
            completed = agreement.status == Agreement.Status.COMPLETED
            if completed or (plan.due_on <= today and rng.random() < 0.7):
                amount = plan.amount  # paid in full: the plan is covered
            elif plan.due_on <= today and rng.random() < 0.4:
                amount = fen(plan.amount * Decimal("0.4"))  # part paid, the rest overdue
            elif plan.due_on > today and rng.random() < 0.08:
                amount = plan.amount  # paid early
            else:
                continue
            paid_on = min(plan.due_on + timedelta(days=rng.randint(-7, 5)), today)
            paid_on = max(paid_on, agreement.signed_on)
            method = rng.choice(method_choices)
            payment = services.payment_record(
                user=clerk,
                agreement=agreement,
                plan=plan,
                amount=amount,
                paid_on=paid_on,
                method=method,
                note=rng.choice(PAYMENT_NOTES),
            )
            recorded += 1
            last_paid_on = paid_on
            if recorded in REVERSED_PAYMENTS:
                reason, paid_again = REVERSED_PAYMENTS[recorded]
                reversed_on = min(paid_on + timedelta(days=rng.randint(1, 5)), today)
                services.payment_reverse(
                    user=clerk, payment=payment, reason=reason, paid_on=reversed_on
                )
                if paid_again:
                    services.payment_record(
                        user=clerk,
                        agreement=agreement,
                        plan=plan,
                        amount=amount,
                        paid_on=reversed_on,
                        method=options[("payment_method", "bank_transfer")],
                        note="退票后重新汇款",
                    )
        agreement.refresh_from_db(fields=["paid_amount", "invoiced_amount"])
        if agreement.paid_amount <= 0 or rng.random() < 0.35:
            continue  # nothing paid, or not invoiced yet
        enterprise = agreement.customer.kind == Customer.Kind.ENTERPRISE
        invoice_number += rng.randint(1, 40)
        services.invoice_create(
            user=clerk,
            agreement=agreement,
            number=f"{invoice_number:08d}",
            type=options[("invoice_type", "vat_special" if enterprise else "vat_ordinary")],
            tax_id=_tax_id(rng) if enterprise else "",
            amount=agreement.paid_amount,
            issued_on=min(last_paid_on + timedelta(days=rng.randint(0, 6)), today),
        )
    return True


@DEMO_RESET_STEPS.register
def demo_finance_reset(company) -> None:
    Invoice.objects.filter(company=company).delete()
    _dangerously_delete_ledger(company)
    PaymentPlan.objects.filter(company=company).delete()
