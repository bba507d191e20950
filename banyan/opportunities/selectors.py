"""Reads on opportunities, always for an acting user.

An opportunity is visible exactly when its customer is (`visible_customers(user)`), and may be
changed exactly when its customer may be (owner line, or shared to edit). Every list, the
board, the customer panel and the API start from `visible_opportunities(user)`.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connections
from django.db.models import Count, DecimalField, F, QuerySet, Sum
from django.utils.translation import gettext as _

from banyan.accounts import selectors as account_selectors
from banyan.accounts import visibility
from banyan.accounts.models import DictionaryOption, User
from banyan.core.errors import PermissionRefused
from banyan.core.fetch import get_for
from banyan.core.lookups import text_contains
from banyan.core.values import start_of_company_day
from banyan.customers import selectors as customer_selectors
from banyan.customers.models import Customer
from banyan.opportunities.models import Opportunity, StageChange, weighted

STAGE_KIND = "opportunity_stage"
# Σ(amount × percent) has two decimal places and may pass the 14 digits of one amount.
_PRODUCT = DecimalField(max_digits=24, decimal_places=2)
_AMOUNT_SUM = DecimalField(max_digits=20, decimal_places=2)

LIST_ORDERINGS = {
    "name",
    "-name",
    "created_at",
    "-created_at",
    "expected_amount",
    "-expected_amount",
    "expected_close_date",
    "-expected_close_date",
    "probability",
    "-probability",
    "customer__name",
    "-customer__name",
    "stage__position",
    "-stage__position",
    "owner__real_name",
    "-owner__real_name",
}


def visible_opportunities(user: User) -> QuerySet[Opportunity]:
    """Opportunities whose customer the user may see (their line's, or shared with them)."""
    return visibility.on_visible_customers(user, Opportunity)


def get_opportunity_for(user: User, pk, *, for_edit: bool = False) -> Opportunity:
    """The opportunity if the user may see it (NotFound otherwise, whether missing or not
    theirs); with `for_edit`, PermissionRefused when they may see but not change it."""
    opportunity = get_for(
        visible_opportunities(user).select_related(
            "customer__owner", "stage", "owner", "created_by"
        ),
        pk,
    )
    if for_edit and not can_edit_opportunity(user, opportunity):
        raise PermissionRefused(_("This customer is shared with you to view only."))
    return opportunity


def can_edit_opportunity(user: User, opportunity: Opportunity) -> bool:
    """Edit rights on the customer: owner line, or shared to edit."""
    return customer_selectors.can_edit_customer(user, opportunity.customer)


def stages(user: User, *, active_only: bool = False) -> QuerySet[DictionaryOption]:
    """The company's opportunity stages in dictionary order."""
    return account_selectors.dictionary_options(user, STAGE_KIND, active_only=active_only)


def stage_history(user: User, opportunity: Opportunity) -> QuerySet[StageChange]:
    """The opportunity's stage and status changes, oldest first (already a visible one)."""
    return (
        visibility.of_company(user, StageChange)
        .filter(opportunity_id=opportunity.pk)
        .select_related("from_stage", "to_stage", "changed_by")
    )


def opportunity_owners(user: User) -> QuerySet[User]:
    """The people the owner filter offers: those whose records the user sees."""
    return visibility.visible_owners(user).order_by("path")


def opportunity_list(
    user: User,
    *,
    search: str = "",
    customer_id=None,
    stage_id=None,
    status: str = "",
    owner_id=None,
    close_from: date | None = None,
    close_to: date | None = None,
    closed_from: date | None = None,
    closed_to: date | None = None,
    amount_min: Decimal | None = None,
    amount_max: Decimal | None = None,
    ordering: str = "-created_at",
) -> QuerySet[Opportunity]:
    """The opportunity list: search by name or customer name, filter, sort. `closed_from`
    and `closed_to` are days in the company's time zone, both included."""
    opportunities = visible_opportunities(user).select_related("customer", "stage", "owner")
    for condition in customer_selectors.search_conditions(
        user,
        opportunities,
        search,
        own=lambda term: text_contains("name", term, grams=True),
        customer_lookup="name__icontains",
    ):
        opportunities = opportunities.filter(condition)
    if customer_id:
        opportunities = opportunities.filter(customer_id=customer_id)
    if stage_id:
        opportunities = opportunities.filter(stage_id=stage_id)
    if status:
        opportunities = opportunities.filter(status=status)
    if owner_id:
        opportunities = opportunities.filter(owner_id=owner_id)
    if close_from:
        opportunities = opportunities.filter(expected_close_date__gte=close_from)
    if close_to:
        opportunities = opportunities.filter(expected_close_date__lte=close_to)
    if closed_from:
        opportunities = opportunities.filter(closed_at__gte=start_of_company_day(user, closed_from))
    if closed_to:
        opportunities = opportunities.filter(
            closed_at__lt=start_of_company_day(user, closed_to + timedelta(days=1))
        )
    if amount_min is not None:
        opportunities = opportunities.filter(expected_amount__gte=amount_min)
    if amount_max is not None:
        opportunities = opportunities.filter(expected_amount__lte=amount_max)
    if ordering not in LIST_ORDERINGS:
        ordering = "-created_at"
    return opportunities.order_by(ordering, "-id")


@dataclass(frozen=True)
class Totals:
    count: int = 0
    amount: Decimal = Decimal("0.00")
    weighted: Decimal = Decimal("0.00")


def opportunity_totals(opportunities: QuerySet[Opportunity]) -> Totals:
    """Count, Σ expected amount and Σ amount × probability / 100, in one query.

    The weighted sum is added up before rounding (in exact decimals), then rounded half up to
    the fen, so it does not drift with the number of rows.
    """
    row = opportunities.order_by().aggregate(
        count=Count("id"),
        amount=Sum("expected_amount", output_field=_AMOUNT_SUM),
        product=Sum(F("expected_amount") * F("probability"), output_field=_PRODUCT),
    )
    return Totals(
        count=row["count"],
        amount=Decimal(row["amount"] or 0).quantize(Decimal("0.01")),
        weighted=weighted(row["product"]),
    )


def totals_of(opportunities) -> Totals:
    """The same totals for opportunities already in memory."""
    rows = list(opportunities)
    return Totals(
        count=len(rows),
        amount=sum((o.expected_amount for o in rows), Decimal("0.00")),
        weighted=weighted(sum((o.expected_amount * o.probability for o in rows), Decimal(0))),
    )


def customer_opportunities(user: User, customer: Customer) -> QuerySet[Opportunity]:
    """The opportunities of one customer (open first, then the newest)."""
    return (
        customer_selectors.records_of_customer(Opportunity, user, customer)
        .select_related("customer", "stage", "owner")
        .order_by(F("closed_at").desc(nulls_first=True), "-created_at", "-id")
    )


# --- the pipeline board ---------------------------------------------------------------------


@dataclass
class BoardColumn:
    stage: DictionaryOption
    totals: Totals
    cards: list[Opportunity] = field(default_factory=list)

    @property
    def hidden_count(self) -> int:
        return max(self.totals.count - len(self.cards), 0)


@dataclass
class Board:
    columns: list[BoardColumn]
    totals: Totals


# What a card shows, and nothing more is read for it.
CARD_COLUMNS = (
    "id",
    "name",
    "stage_id",
    "position",
    "expected_amount",
    "probability",
    "expected_close_date",
    "customer_id",
    "customer_owner_id",
    "customer__id",
    "customer__company",
    "customer__name",
    "owner__id",
    "owner__username",
    "owner__real_name",
)


def _first_cards(open_opportunities: QuerySet, stage_ids, limit: int) -> list[int]:
    """The keys of the first `limit` cards of each stage, in one query: each stage's cards
    are read through the board index in card order and cut at `limit` (a union of one such
    range per stage), rather than numbering every open opportunity to keep a few."""
    stage_ids = list(stage_ids)
    if not stage_ids:
        return []
    parts, params = [], []
    for number, stage_id in enumerate(stage_ids):
        sql, stage_params = (
            open_opportunities.filter(stage_id=stage_id)
            .order_by("position", "id")
            .values_list("pk", flat=True)[:limit]
            .query.sql_with_params()
        )
        parts.append(f"SELECT * FROM ({sql}) AS stage_{number}")
        params.extend(stage_params)
    with connections[open_opportunities.db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return [row[0] for row in cursor.fetchall()]


# Cards shown per column; the rest are counted and one link away in the list.
BOARD_CARDS = 20


def pipeline_board(user: User, *, owner_id=None, cards_per_column: int = BOARD_CARDS) -> Board:
    """The open opportunities the user sees, one column per active stage in dictionary order
    (plus any inactive stage that still holds some), with count, Σ amount and weighted Σ per
    column. At most `cards_per_column` cards per column; the totals count them all.

    A fixed number of queries whatever the number of opportunities: the visibility keys, the
    stages, the totals per stage, the keys of each column's first cards, the cards, and
    which of them the user may move (`editable_among`, the rule every service asks).
    """
    open_opportunities = visible_opportunities(user).filter(status=Opportunity.Status.OPEN)
    if owner_id:
        open_opportunities = open_opportunities.filter(owner_id=owner_id)
    per_stage = {
        row["stage_id"]: row
        for row in open_opportunities.order_by()
        .values("stage_id")
        .annotate(
            count=Count("id"),
            amount=Sum("expected_amount", output_field=_AMOUNT_SUM),
            product=Sum(F("expected_amount") * F("probability"), output_field=_PRODUCT),
        )
    }
    columns: dict[int, BoardColumn] = {}
    for stage in stages(user):
        if not stage.is_active and stage.pk not in per_stage:
            continue
        row = per_stage.get(stage.pk, {})
        columns[stage.pk] = BoardColumn(
            stage=stage,
            totals=Totals(
                count=row.get("count", 0),
                amount=Decimal(row.get("amount") or 0).quantize(Decimal("0.01")),
                weighted=weighted(row.get("product")),
            ),
        )
    cards = (
        open_opportunities.filter(
            pk__in=_first_cards(open_opportunities, columns, cards_per_column)
        )
        .select_related("customer", "owner")
        .only(*CARD_COLUMNS)
        .order_by("stage_id", "position", "id")
    )
    editable = customer_selectors.editable_among(user, [card.customer for card in cards])
    for card in cards:
        card.editable = card.customer_id in editable
        column = columns.get(card.stage_id)
        if column is not None:
            card.stage = column.stage  # already in memory: no query per card
            column.cards.append(card)
    column_list = list(columns.values())
    total_product = sum(
        (Decimal(row.get("product") or 0) for row in per_stage.values()), Decimal(0)
    )
    return Board(
        columns=column_list,
        totals=Totals(
            count=sum(c.totals.count for c in column_list),
            amount=sum((c.totals.amount for c in column_list), Decimal("0.00")),
            weighted=weighted(total_product),
        ),
    )
