"""Reads on payment plans, payments and invoices, always for an acting user.

Each row is visible exactly when its customer is (rows carry the customer for that). Only
users with the finance permission record payments and invoices; anyone who may change an
agreement makes its payment plans.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from banyan.accounts import visibility
from banyan.accounts.models import User
from banyan.agreements import selectors as agreement_selectors
from banyan.agreements.models import Agreement
from banyan.core.errors import PermissionRefused
from banyan.core.fetch import get_for
from banyan.core.lookups import text_contains
from banyan.core.models import ExactSum
from banyan.customers import selectors as customer_selectors
from banyan.customers.models import Customer
from banyan.finance.models import UNCOVERED, Invoice, Payment, PaymentPlan

PLAN_ORDERINGS = {"due_on", "-due_on", "amount", "-amount", "created_at", "-created_at"}
PAYMENT_ORDERINGS = {"paid_on", "-paid_on", "amount", "-amount", "created_at", "-created_at"}
INVOICE_ORDERINGS = {"issued_on", "-issued_on", "amount", "-amount", "number", "-number"}
DUE_SOON_DAYS = 30
ZERO = Decimal("0.00")

# A plan still to collect: not covered, on an agreement not cancelled (the receivables list's
# "open" state, which "overdue" and "due soon" narrow; the receivables report). What is still
# to collect on it is `amount - paid_amount`.
TO_COLLECT = UNCOVERED & ~Q(agreement__status=Agreement.Status.CANCELLED)


def _search_conditions(user: User, rows: QuerySet, search: str, *, own) -> list[Q]:
    """A finance list's search: each word in the row's own text (`own`), its agreement's number
    or its customer's name (see `customers.selectors.search_conditions`)."""
    return customer_selectors.search_conditions(
        user,
        rows,
        search,
        own=own,
        customer_lookup="name__icontains",
        through=[("agreement", Agreement, "number__icontains")],
    )


def can_record_money(user: User) -> bool:
    """Payments and invoices are recorded by users with the finance permission."""
    return bool(
        user.is_authenticated
        and user.company_id
        and user.is_active
        and user.has_perm("accounts.finance")
    )


def _visible(model, user: User) -> QuerySet:
    return visibility.on_visible_customers(user, model)


def visible_plans(user: User) -> QuerySet[PaymentPlan]:
    return _visible(PaymentPlan, user)


def visible_payments(user: User) -> QuerySet[Payment]:
    return _visible(Payment, user)


def visible_invoices(user: User) -> QuerySet[Invoice]:
    return _visible(Invoice, user)


def get_plan_for(user: User, pk, *, for_edit: bool = False) -> PaymentPlan:
    plan = get_for(
        visible_plans(user).select_related("agreement__customer", "agreement__owner"), pk
    )
    if for_edit and not agreement_selectors.can_edit_agreement(user, plan.agreement):
        raise PermissionRefused(_("This customer is shared with you to view only."))
    return plan


def deletable_plans(user: User, agreement: Agreement, plans, *, payments=None) -> set[int]:
    """The keys of those `plans` of `agreement` (one the user may change) that may be
    deleted: none of a cancelled agreement, whose plans are its history; else those no
    payment was recorded against, even one reversed since. The agreement's page and
    `plan_delete` both ask this. Given every payment of the agreement (as the page already
    read them, `agreement_payments`), no query; else one for any number of plans."""
    keys = {plan.pk for plan in plans}
    if not keys or agreement.status == Agreement.Status.CANCELLED:
        return set()
    if payments is not None:
        paid_against = {payment.plan_id for payment in payments}
    else:
        paid_against = set(
            visibility.of_company(user, Payment)
            .filter(plan_id__in=keys)
            .order_by()
            .values_list("plan_id", flat=True)
        )
    return keys - paid_against


def plan_delete_refusal(user: User, plan: PaymentPlan, *, agreement: Agreement) -> str | None:
    """Why the plan cannot be deleted by someone who may change its agreement, or None
    (`deletable_plans`, for one plan)."""
    if plan.pk in deletable_plans(user, agreement, [plan]):
        return None
    if agreement.status == Agreement.Status.CANCELLED:
        return _("This agreement is cancelled: its payment plans are kept as its history.")
    return _("Payments were recorded against this plan: it cannot be deleted.")


def payment_reverse_refusal(
    user: User,
    payment: Payment,
    *,
    agreement: Agreement,
    reversed_ids=None,
    invoices_ahead: bool | None = None,
) -> str | None:
    """Why `payment` (of `agreement`, both fetched for the user) cannot be reversed by the
    user, or None: only the finance permission reverses; a reversal is not itself reversed;
    a payment is reversed once; and unless the company invoices ahead of payment, what is
    left paid may not fall below what is invoiced. `payment_reverse` and every Reverse link
    ask this. `reversed_ids`, the keys of the agreement's payments already reversed (as its
    page read them), and `invoices_ahead`, the company's rule as a page already has it,
    spare the queries."""
    if not can_record_money(user):
        return _("Only users with the finance permission record payments and invoices.")
    if payment.is_reversal:
        return _("This entry is itself a reversal: it cannot be reversed.")
    if reversed_ids is None:
        already = visibility.of_company(user, Payment).filter(reverses_id=payment.pk).exists()
    else:
        already = payment.pk in reversed_ids
    if already:
        return _("This payment has already been reversed.")
    paid_after = agreement.paid_amount - payment.amount
    if invoices_ahead is None and paid_after < agreement.invoiced_amount:
        invoices_ahead = agreement.company.allow_invoice_ahead
    if paid_after < agreement.invoiced_amount and not invoices_ahead:
        return _(
            "After this reversal %(paid)s would be paid but %(invoiced)s is invoiced: "
            "correct the invoices first."
        ) % {"paid": paid_after, "invoiced": agreement.invoiced_amount}
    return None


def reversible_payments(user: User, agreement: Agreement, payments) -> set[int]:
    """The keys of those of `payments`, every payment of `agreement` as its page read them
    (`agreement_payments`), that the user may reverse (`payment_reverse_refusal`). No
    query: a payment's reversal is a payment of the same agreement, and the company's rule
    is the acting user's company's, loaded with them."""
    payments = list(payments)
    reversed_ids = {payment.reverses_id for payment in payments if payment.reverses_id}
    invoices_ahead = user.company.allow_invoice_ahead
    return {
        payment.pk
        for payment in payments
        if payment_reverse_refusal(
            user,
            payment,
            agreement=agreement,
            reversed_ids=reversed_ids,
            invoices_ahead=invoices_ahead,
        )
        is None
    }


def get_payment_for(user: User, pk) -> Payment:
    return get_for(
        visible_payments(user).select_related(
            "agreement", "customer", "plan", "method", "owner", "recorded_by", "reverses"
        ),
        pk,
    )


def get_invoice_for(user: User, pk) -> Invoice:
    return get_for(
        visible_invoices(user).select_related("agreement", "customer", "type", "recorded_by"), pk
    )


# --- one agreement ------------------------------------------------------------------------


def agreement_plans(user: User, agreement: Agreement) -> QuerySet[PaymentPlan]:
    """The plans of an agreement already fetched for the user, by due date."""
    return visibility.of_company(user, PaymentPlan).filter(agreement_id=agreement.pk)


def agreement_payments(user: User, agreement: Agreement) -> QuerySet[Payment]:
    return (
        visibility.of_company(user, Payment)
        .filter(agreement_id=agreement.pk)
        .select_related("method", "owner", "recorded_by", "plan", "reversed_by")
    )


def agreement_invoices(user: User, agreement: Agreement) -> QuerySet[Invoice]:
    return (
        visibility.of_company(user, Invoice)
        .filter(agreement_id=agreement.pk)
        .select_related("type", "recorded_by")
    )


@dataclass
class MoneyState:
    """What the agreement page and the customer view show about money."""

    amount: Decimal
    paid: Decimal
    invoiced: Decimal
    plans: list[PaymentPlan] = field(default_factory=list)
    today: date | None = None

    @property
    def receivable(self) -> Decimal:
        return self.amount - self.paid

    @property
    def uninvoiced(self) -> Decimal:
        return self.paid - self.invoiced

    @property
    def open_plans(self) -> list[PaymentPlan]:
        return [p for p in self.plans if not p.is_covered]

    @property
    def overdue_plans(self) -> list[PaymentPlan]:
        return [p for p in self.open_plans if p.due_on < self.today]

    @property
    def next_due_plan(self) -> PaymentPlan | None:
        upcoming = [p for p in self.open_plans if p.due_on >= self.today]
        return min(upcoming, key=lambda p: (p.due_on, p.pk), default=None)

    @property
    def planned(self) -> Decimal:
        return sum((p.amount for p in self.plans), Decimal("0.00"))


def today_for(user: User) -> date:
    return user.company.today()


def agreement_money(user: User, agreement: Agreement, plans=None) -> MoneyState:
    """Amount, paid, receivable, invoiced, uninvoiced, next due and overdue plans."""
    if plans is None:
        plans = list(agreement_plans(user, agreement))
    return MoneyState(
        amount=agreement.amount,
        paid=agreement.paid_amount,
        invoiced=agreement.invoiced_amount,
        plans=list(plans),
        today=today_for(user),
    )


def customer_money(user: User, customer: Customer) -> MoneyState:
    """The same figures over a customer's agreements (cancelled ones left out). Two queries."""
    figures = agreement_selectors.money_figures(
        agreement_selectors.customer_agreements(user, customer)
    )
    plans = customer_selectors.records_of_customer(PaymentPlan, user, customer)
    plans = plans.exclude(agreement__status=Agreement.Status.CANCELLED).select_related("agreement")
    return MoneyState(
        amount=figures.amount,
        paid=figures.paid,
        invoiced=figures.invoiced,
        plans=list(plans),
        today=today_for(user),
    )


def customer_payments(user: User, customer: Customer) -> QuerySet[Payment]:
    return customer_selectors.records_of_customer(Payment, user, customer).select_related(
        "agreement", "method", "owner"
    )


def customer_invoices(user: User, customer: Customer) -> QuerySet[Invoice]:
    return customer_selectors.records_of_customer(Invoice, user, customer).select_related(
        "agreement", "type"
    )


# --- lists --------------------------------------------------------------------------------


def plan_list(
    user: User,
    *,
    agreement_id=None,
    customer_id=None,
    owner_id=None,
    search: str = "",
    state: str = "",
    due_from: date | None = None,
    due_to: date | None = None,
    ordering: str = "due_on",
) -> QuerySet[PaymentPlan]:
    """Plans: `state` is "open" (not yet covered), "covered", "overdue" (open and past due)
    or "due_soon" (open, due within 30 days). `owner_id` is the agreement's owner; `search`
    looks in the agreement's number and the customer's name."""
    plans = visible_plans(user).select_related("agreement__owner", "customer")
    for condition in _search_conditions(user, plans, search, own=lambda term: Q(pk__in=[])):
        plans = plans.filter(condition)
    if agreement_id:
        plans = plans.filter(agreement_id=agreement_id)
    if customer_id:
        plans = plans.filter(customer_id=customer_id)
    if owner_id:
        plans = plans.filter(agreement__owner_id=owner_id)
    today = today_for(user)
    if state == "open":
        plans = plans.filter(TO_COLLECT)
    elif state == "covered":
        plans = plans.filter(paid_amount__gte=F("amount"))
    elif state == "overdue":
        plans = plans.filter(TO_COLLECT, due_on__lt=today)
    elif state == "due_soon":
        plans = plans.filter(
            TO_COLLECT, due_on__gte=today, due_on__lte=today + timedelta(DUE_SOON_DAYS)
        )
    if due_from:
        plans = plans.filter(due_on__gte=due_from)
    if due_to:
        plans = plans.filter(due_on__lte=due_to)
    if ordering not in PLAN_ORDERINGS:
        ordering = "due_on"
    return plans.order_by(ordering, "id")


def payment_list(
    user: User,
    *,
    agreement_id=None,
    customer_id=None,
    owner_id=None,
    method_id=None,
    team_path: str | None = None,
    paid_from: date | None = None,
    paid_to: date | None = None,
    search: str = "",
    ordering: str = "-paid_on",
) -> QuerySet[Payment]:
    payments = visible_payments(user).select_related(
        "agreement", "customer", "method", "owner", "reverses", "reversed_by"
    )
    for condition in _search_conditions(
        user, payments, search, own=lambda term: text_contains("note", term, grams=True)
    ):
        payments = payments.filter(condition)
    if agreement_id:
        payments = payments.filter(agreement_id=agreement_id)
    if customer_id:
        payments = payments.filter(customer_id=customer_id)
    if owner_id:
        payments = payments.filter(owner_id=owner_id)
    if method_id:
        payments = payments.filter(method_id=method_id)
    if team_path:
        payments = payments.filter(owner__path__startswith=team_path)
    if paid_from:
        payments = payments.filter(paid_on__gte=paid_from)
    if paid_to:
        payments = payments.filter(paid_on__lte=paid_to)
    if ordering not in PAYMENT_ORDERINGS:
        ordering = "-paid_on"
    return payments.order_by(ordering, "-id")


def invoice_list(
    user: User,
    *,
    agreement_id=None,
    customer_id=None,
    owner_id=None,
    type_id=None,
    issued_from: date | None = None,
    issued_to: date | None = None,
    search: str = "",
    ordering: str = "-issued_on",
) -> QuerySet[Invoice]:
    """Invoices: `owner_id` is the agreement's owner."""
    invoices = visible_invoices(user).select_related("agreement__owner", "customer", "type")
    for condition in _search_conditions(
        user,
        invoices,
        search,
        own=lambda term: (
            text_contains("number", term, grams=True) | text_contains("title", term, grams=True)
        ),
    ):
        invoices = invoices.filter(condition)
    if agreement_id:
        invoices = invoices.filter(agreement_id=agreement_id)
    if customer_id:
        invoices = invoices.filter(customer_id=customer_id)
    if owner_id:
        invoices = invoices.filter(agreement__owner_id=owner_id)
    if type_id:
        invoices = invoices.filter(type_id=type_id)
    if issued_from:
        invoices = invoices.filter(issued_on__gte=issued_from)
    if issued_to:
        invoices = invoices.filter(issued_on__lte=issued_to)
    if ordering not in INVOICE_ORDERINGS:
        ordering = "-issued_on"
    return invoices.order_by(ordering, "-id")


def agreements_to_collect(user: User) -> QuerySet[Agreement]:
    """Signed, executing or completed agreements not yet fully paid: payments to record."""
    return (
        agreement_selectors.visible_agreements(user)
        .filter(
            status__in=[
                Agreement.Status.SIGNED,
                Agreement.Status.EXECUTING,
                Agreement.Status.COMPLETED,
            ],
            paid_amount__lt=F("amount"),
        )
        .select_related("customer", "owner")
        .order_by("signed_on", "id")
    )


def plans_due_in_line(user: User, *, days: int = DUE_SOON_DAYS, limit: int = 20) -> list:
    """Uncovered plans of live agreements owned by the user or anyone below them (the
    workbench), overdue ones and those due within `days`, soonest first. Two queries."""
    horizon = today_for(user) + timedelta(days=days)
    return list(
        visible_plans(user)
        .filter(UNCOVERED, visibility.line_condition(user, field="agreement__owner"))
        .exclude(agreement__status=Agreement.Status.CANCELLED)
        .filter(due_on__lte=horizon)
        .select_related("agreement__owner", "customer")
        .order_by("due_on", "id")[:limit]
    )


def agreements_to_invoice(user: User) -> QuerySet[Agreement]:
    """Agreements whose payments run ahead of their invoices: invoices to record."""
    return (
        agreement_selectors.visible_agreements(user)
        .filter(agreement_selectors.TO_INVOICE)
        .select_related("customer", "owner")
        .order_by("signed_on", "id")
    )


# --- what the pages add up --------------------------------------------------------------------


def plan_totals(plans: QuerySet[PaymentPlan]) -> dict:
    """Count, amount, paid against them and still outstanding over a list of plans: one
    query, whatever the number of rows."""
    row = plans.order_by().aggregate(
        count=Count("id"),
        planned=ExactSum("amount"),
        paid=ExactSum("paid_amount"),
        outstanding=ExactSum(F("amount") - F("paid_amount"), filter=UNCOVERED),
    )
    row["amount"] = row.pop("planned")
    return {key: value if value is not None else ZERO for key, value in row.items()}


def payment_totals(payments: QuerySet[Payment]) -> dict:
    """Count, received (the payments), reversed (the reversals, negative) and the net of a
    list of payments: one query."""
    row = payments.order_by().aggregate(
        count=Count("id"),
        net=ExactSum("amount"),
        received=ExactSum("amount", filter=Q(reverses__isnull=True)),
        reversed=ExactSum("amount", filter=Q(reverses__isnull=False)),
    )
    return {key: value if value is not None else ZERO for key, value in row.items()}


def invoice_totals(invoices: QuerySet[Invoice]) -> dict:
    """Count and amount of a list of invoices: one query."""
    row = invoices.order_by().aggregate(count=Count("id"), invoiced=ExactSum("amount"))
    return {"count": row["count"], "amount": row["invoiced"] or ZERO}


def money_of_agreements(user: User, agreements) -> dict[int, MoneyState]:
    """For agreements already fetched for the user (a page of the finance list): each one's
    money state with its plans not yet covered, so the page shows the next due and the
    overdue plans. One query, whatever the number of agreements."""
    agreements = list(agreements)
    plans: dict[int, list[PaymentPlan]] = {a.pk: [] for a in agreements}
    if agreements:
        for plan in (
            visibility.of_company(user, PaymentPlan)
            .filter(UNCOVERED, agreement_id__in=list(plans))
            .order_by("due_on", "id")
        ):
            plans[plan.agreement_id].append(plan)
    today = today_for(user)
    return {
        a.pk: MoneyState(
            amount=a.amount,
            paid=a.paid_amount,
            invoiced=a.invoiced_amount,
            plans=plans[a.pk],
            today=today,
        )
        for a in agreements
    }


def payment_reversal(user: User, payment: Payment) -> Payment | None:
    """The entry that reversed `payment` (fetched for the user), if any."""
    return (
        visibility.of_company(user, Payment)
        .filter(reverses_id=payment.pk)
        .select_related("recorded_by")
        .first()
    )


def payment_history(user: User, payment: Payment) -> list:
    """The audit records of a payment (fetched for the user) and of its reversal, oldest
    first, with who wrote them. One query."""
    ids = [payment.pk]
    if payment.reverses_id:
        ids.append(payment.reverses_id)
    return list(
        Payment.history.filter(company_id=user.company_id)
        .filter(Q(id__in=ids) | Q(reverses_id=payment.pk))
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
