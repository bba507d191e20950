"""Reads on agreements (contracts and orders), always for an acting user.

An agreement is visible exactly when its customer is, and may be changed exactly when its
customer may be (owner line, or shared to edit). Lists, the customer panel, the finance page
and the API all start from `visible_agreements(user)`.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from banyan.accounts import visibility
from banyan.accounts.models import User
from banyan.agreements.models import Agreement, AgreementAttachment, AgreementLine
from banyan.core.errors import PermissionRefused
from banyan.core.fetch import get_for
from banyan.core.history import HIDDEN_FIELDS, HistoryEntry, build_history
from banyan.core.hooks import Hook
from banyan.core.lookups import text_contains
from banyan.core.models import ExactSum
from banyan.customers import selectors as customer_selectors
from banyan.customers.models import Customer

# The app that keeps an agreement's payment plans (finance) registers how they stand for the
# user: fn(*, user, agreement) -> an object with `next_due_plan` and `overdue_plans`. A hook,
# so this app never imports the one that builds on it.
PLAN_STANDING = Hook("an agreement's payment plans", "user, agreement")

LIST_ORDERINGS = {
    "number",
    "-number",
    "title",
    "-title",
    "created_at",
    "-created_at",
    "signed_on",
    "-signed_on",
    "amount",
    "-amount",
    "paid_amount",
    "-paid_amount",
    "customer__name",
    "-customer__name",
    "owner__real_name",
    "-owner__real_name",
    "status",
    "-status",
}

# The status filter's "any but cancelled": what sales figures count (signed, executing,
# completed, and drafts with a signing date).
NOT_CANCELLED = "not_cancelled"

# Paid ahead of its invoices, and not cancelled: an agreement still to invoice (the finance
# desk's "to invoice" list, the list filter `uninvoiced`, the receivables report). What is
# left to invoice on it is `paid_amount - invoiced_amount`.
TO_INVOICE = Q(invoiced_amount__lt=F("paid_amount")) & ~Q(status=Agreement.Status.CANCELLED)


def kinds_in_use(user: User) -> list[str]:
    """The agreement kinds the user's company uses (contracts and/or orders)."""
    company = user.company
    kinds = []
    if company.uses_contracts:
        kinds.append(Agreement.Kind.CONTRACT)
    if company.uses_orders:
        kinds.append(Agreement.Kind.ORDER)
    return kinds


def visible_agreements(user: User, kind: str | None = None) -> QuerySet[Agreement]:
    """Agreements whose customer the user may see (their line's, or shared with them)."""
    agreements = visibility.on_visible_customers(user, Agreement)
    if kind:
        agreements = agreements.filter(kind=kind)
    return agreements


def plan_standing(user: User, agreement: Agreement):
    """How the agreement's payment plans stand (`next_due_plan`, `overdue_plans`), as the
    app that keeps them tells; None when no app does."""
    for standing in PLAN_STANDING.run(user=user, agreement=agreement):
        if standing is not None:
            return standing
    return None


def can_edit_agreement(user: User, agreement: Agreement) -> bool:
    return customer_selectors.can_edit_customer(user, agreement.customer)


def agreement_cancel_refusal(agreement: Agreement) -> str | None:
    """Why the agreement cannot be cancelled by someone who may change it, or None: it is
    open (not completed or cancelled) and no money is booked on it. Its Cancel button and
    `agreement_cancel` both ask this, in memory."""
    if not agreement.is_open:
        return _("This agreement is %(status)s: it cannot be cancelled.") % {
            "status": agreement.get_status_display()
        }
    if agreement.paid_amount != 0 or agreement.invoiced_amount != 0:
        return _(
            "Money is booked on this agreement (paid %(paid)s, invoiced %(invoiced)s): "
            "reverse the payments and remove the invoices before cancelling it."
        ) % {"paid": agreement.paid_amount, "invoiced": agreement.invoiced_amount}
    return None


def agreement_delete_refusal(agreement: Agreement) -> str | None:
    """Why the agreement cannot be deleted by someone who may change it, or None: only a
    draft with no payment plan, payment or invoice goes. Its Delete button and
    `agreement_delete` both ask this (no query unless it is a draft)."""
    if agreement.status != Agreement.Status.DRAFT:
        return _("Only a draft can be deleted: cancel the agreement instead.")
    if (
        agreement.payment_plans.exists()
        or agreement.payments.exists()
        or agreement.invoices.exists()
    ):
        return _("This draft has payment plans: cancel it instead of deleting it.")
    return None


def get_agreement_for(user: User, pk, *, for_edit: bool = False) -> Agreement:
    """The agreement if the user may see it (NotFound otherwise, whether missing or not
    theirs); with `for_edit`, PermissionRefused when they may see but not change it."""
    related = ("customer__owner", "customer__type", "owner", "created_by")
    agreement = get_for(visible_agreements(user).select_related(*related), pk)
    agreement.customer._visible_to_user_id = user.pk
    if for_edit and not can_edit_agreement(user, agreement):
        raise PermissionRefused(_("This customer is shared with you to view only."))
    return agreement


def agreement_owners(user: User) -> QuerySet[User]:
    """The people the owner filter offers: those whose records the user sees."""
    return visibility.visible_owners(user).order_by("path")


def agreement_list(
    user: User,
    *,
    kind: str = "",
    search: str = "",
    status: str = "",
    customer_id=None,
    owner_id=None,
    team_path: str | None = None,
    signed_from: date | None = None,
    signed_to: date | None = None,
    receivable: bool | None = None,
    uninvoiced: bool | None = None,
    product_id=None,
    category_id=None,
    ordering: str = "-created_at",
) -> QuerySet[Agreement]:
    """The contract or order list: search by number, title or customer name; filter; sort.
    `status` is one status, or NOT_CANCELLED for every status but cancelled (what counts as
    signed in the targets and the dashboard). `product_id`: the agreements with a line of
    that product; `category_id`: with a line of a product directly in that category (what
    the products report counts, per product and per category)."""
    agreements = visible_agreements(user, kind or None).select_related("customer", "owner")
    for condition in customer_selectors.search_conditions(
        user,
        agreements,
        search,
        own=lambda term: (
            text_contains("number", term, grams=True) | text_contains("title", term, grams=True)
        ),
        customer_lookup="name__icontains",
    ):
        agreements = agreements.filter(condition)
    if status == NOT_CANCELLED:
        agreements = agreements.exclude(status=Agreement.Status.CANCELLED)
    elif status:
        agreements = agreements.filter(status=status)
    if customer_id:
        agreements = agreements.filter(customer_id=customer_id)
    if owner_id:
        agreements = agreements.filter(owner_id=owner_id)
    if team_path:
        agreements = agreements.filter(owner__path__startswith=team_path)
    if signed_from:
        agreements = agreements.filter(signed_on__gte=signed_from)
    if signed_to:
        agreements = agreements.filter(signed_on__lte=signed_to)
    if receivable is not None:
        condition = Q(paid_amount__lt=F("amount")) & ~Q(status=Agreement.Status.CANCELLED)
        agreements = agreements.filter(condition) if receivable else agreements.exclude(condition)
    if uninvoiced is not None:
        agreements = agreements.filter(TO_INVOICE) if uninvoiced else agreements.exclude(TO_INVOICE)
    if product_id or category_id:
        lines = visibility.of_company(user, AgreementLine)
        if product_id:
            lines = lines.filter(product_id=product_id)
        if category_id:
            lines = lines.filter(product__category_id=category_id)
        agreements = agreements.filter(pk__in=lines.values("agreement_id"))
    if ordering not in LIST_ORDERINGS:
        ordering = "-created_at"
    return agreements.order_by(ordering, "-id")


def agreement_lines(user: User, agreement: Agreement) -> QuerySet[AgreementLine]:
    """The lines of an agreement already fetched for the user, in order."""
    return (
        visibility.of_company(user, AgreementLine)
        .filter(agreement_id=agreement.pk)
        .select_related("product")
    )


def lines_to_prefetch(user: User) -> QuerySet[AgreementLine]:
    """Lines (with their products) to prefetch onto agreements fetched through
    `visible_agreements`: their visibility is the agreements', already checked."""
    return visibility.of_company(user, AgreementLine).select_related("product")


def agreement_attachments(user: User, agreement: Agreement) -> QuerySet[AgreementAttachment]:
    return (
        visibility.of_company(user, AgreementAttachment)
        .filter(agreement_id=agreement.pk)
        .select_related("uploaded_by")
    )


def get_attachment_for(user: User, pk, *, for_edit: bool = False) -> AgreementAttachment:
    """An attachment of an agreement the user may see (NotFound otherwise)."""
    attachments = visibility.on_visible_customers(
        user,
        AgreementAttachment,
        owner_field="agreement__customer_owner",
        customer_field="agreement__customer",
    )
    attachment = get_for(attachments.select_related("agreement"), pk)
    if for_edit:
        get_agreement_for(user, attachment.agreement_id, for_edit=True)
    return attachment


def customer_agreements(user: User, customer: Customer) -> QuerySet[Agreement]:
    """The agreements of one customer, newest first (the customer was fetched for the user)."""
    return (
        customer_selectors.records_of_customer(Agreement, user, customer)
        .select_related("owner")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class MoneyFigures:
    """Amount, paid, receivable, invoiced and uninvoiced over some agreements."""

    count: int = 0
    amount: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")
    invoiced: Decimal = Decimal("0.00")

    @property
    def receivable(self) -> Decimal:
        return self.amount - self.paid

    @property
    def uninvoiced(self) -> Decimal:
        return self.paid - self.invoiced


def money_figures(agreements: QuerySet[Agreement]) -> MoneyFigures:
    """The sums over agreements not cancelled, in one query."""
    row = (
        agreements.exclude(status=Agreement.Status.CANCELLED)
        .order_by()
        .aggregate(
            count=Count("id"),
            amount=ExactSum("amount"),
            paid=ExactSum("paid_amount"),
            invoiced=ExactSum("invoiced_amount"),
        )
    )
    return MoneyFigures(
        count=row["count"] or 0,
        amount=row["amount"] or Decimal("0.00"),
        paid=row["paid"] or Decimal("0.00"),
        invoiced=row["invoiced"] or Decimal("0.00"),
    )


def figures_of(agreements) -> MoneyFigures:
    """The same sums for agreements already in memory."""
    rows = [a for a in agreements if a.status != Agreement.Status.CANCELLED]
    return MoneyFigures(
        count=len(rows),
        amount=sum((a.amount for a in rows), Decimal("0.00")),
        paid=sum((a.paid_amount for a in rows), Decimal("0.00")),
        invoiced=sum((a.invoiced_amount for a in rows), Decimal("0.00")),
    )


# --- history ------------------------------------------------------------------------------

# Planned, paid and invoiced move with the finance ledger (which has its own history); the
# creator and cancellation time are shown elsewhere on the page.
AGREEMENT_HISTORY_HIDDEN = HIDDEN_FIELDS | {
    "planned_amount",
    "paid_amount",
    "invoiced_amount",
    "created_by",
    "cancelled_at",
}
LINE_HISTORY_HIDDEN = HIDDEN_FIELDS | {"agreement", "position"}


def _product_labels(user: User, keys: set) -> dict:
    from banyan.products.models import Product

    products = visibility.of_company(user, Product).filter(pk__in=keys)
    return {product.pk: f"{product.code} {product.name}" for product in products}


def _customer_labels(user: User, keys: set) -> dict:
    customers = visibility.of_company(user, Customer).filter(pk__in=keys)
    return {customer.pk: customer.name for customer in customers}


def agreement_history(user: User, agreement: Agreement, *, limit: int = 20) -> list[HistoryEntry]:
    """The last `limit` changes to an agreement and its lines (removed lines too), newest
    first, each with what changed. The agreement must have been fetched for `user` through
    `get_agreement_for`. A line's unit cost shows only to users who see costs. A fixed
    number of queries, whatever the history."""
    from banyan.products import selectors as product_selectors
    from banyan.products.models import Product

    line_hidden = LINE_HISTORY_HIDDEN
    if not product_selectors.sees_costs(user):
        line_hidden = line_hidden | {"unit_cost"}

    def describe(record) -> tuple[str, str]:
        if record.instance_type is AgreementLine:
            return "line", record.description
        return "agreement", record.number

    return build_history(
        user,
        [
            Agreement.history.filter(company_id=user.company_id, id=agreement.pk),
            AgreementLine.history.filter(company_id=user.company_id, agreement_id=agreement.pk),
        ],
        describe=describe,
        limit=limit,
        hidden=lambda model: line_hidden if model is AgreementLine else AGREEMENT_HISTORY_HIDDEN,
        extra_labels={Product: _product_labels, Customer: _customer_labels},
    )
