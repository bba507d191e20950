"""API of inventory: `/api/v1/warehouses/`, `/api/v1/stock/`, `/api/v1/stock-movements/`,
`/api/v1/stock-slips/` (with confirm and reject), `/api/v1/stocktakes/` (with count and
confirm) and `/api/v1/shipments/`.

Thin by design: serializers check the shape of the input, selectors fetch, services write and
enforce every rule. Who reads what:

- warehouses and stock levels: everyone in the company (a rep checks stock before promising a
  delivery); warehouses are written by an admin boss only (403 for anyone else);
- stock movements and stocktakes: warehouse keepers, purchasing staff and bosses. Anyone else
  is answered 403 with the reason, on the list and on every row alike (the same answer for
  every id, so it tells nothing about what exists);
- stock slips: keepers, purchasing staff and bosses see all of them; anyone else sees the
  slips of the orders they see (404 for the rest). Only a keeper of its warehouse confirms or
  rejects a slip (403 with the reason otherwise);
- shipments follow their order, which follows its customer.

A company that does not use inventory gets 404 on all of these but shipments (an order ships
directly then). Stock `value` is for users allowed to see costs: for anyone else the key is
left out, not blanked. Slips, movements and shipments are records: no PUT, PATCH or DELETE
(405). Registered on the one router in banyan/api.py.
"""

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from banyan.accounts.api import IsAccountAdminOrReadOnly, acting_user
from banyan.accounts.permissions import IsCompanyMember
from banyan.agreements.api import CostField
from banyan.core.api import (
    INVALID,
    NOT_FOUND,
    REFUSED,
    IdField,
    RelatedIdField,
    VisibleObjectMixin,
)
from banyan.core.idempotency import idempotent
from banyan.core.values import fen
from banyan.inventory import selectors, services
from banyan.inventory.models import StockMovement, StockSlip, Stocktake
from banyan.products.selectors import sees_costs

QUANTITY = {"max_digits": 14, "decimal_places": 2}
INVENTORY_OFF = _("Your company does not use inventory.")


class UsesInventory(VisibleObjectMixin):
    """A company that does not use inventory has none of these endpoints (404)."""

    modules = ("uses_inventory",)
    modules_off_message = INVENTORY_OFF


class SeesStockPapers(permissions.BasePermission):
    """Movements and stocktakes are for keepers, purchasing staff and bosses: anyone else is
    refused (403 with the reason) before anything is looked up. A method the endpoint does not
    answer stays a 405."""

    def has_permission(self, request, view):
        if view.action is not None:
            selectors.ensure_sees_stock_papers(request.user)
        return True


def created(data) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)


# --- warehouses ----------------------------------------------------------------------------


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class KeepersField(serializers.ListField):
    """The keepers' user ids; written as a list that replaces them all."""

    child = IdField()

    def to_representation(self, keepers):
        return sorted(keeper.pk for keeper in keepers.all())


class WarehouseSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(
        label=_("Name"), max_length=100, allow_blank=True, help_text=_("Unique in the company.")
    )
    address = serializers.CharField(
        label=_("Address"), max_length=255, required=False, allow_blank=True
    )
    is_active = serializers.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("A closed warehouse takes no new slips, stocktakes or purchase orders."),
    )
    keepers = KeepersField(
        label=_("Keepers"),
        required=False,
        help_text=_(
            "Ids of the users who keep it (each needs the warehouse-keeper permission). Sent, "
            "the list replaces the keepers; left out, they stay."
        ),
    )


WAREHOUSE_CHANGE = {200: WarehouseSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(summary=_("Warehouses")),
    retrieve=extend_schema(
        summary=_("A warehouse"), responses={200: WarehouseSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary=_("Add a warehouse (admin boss)"),
        responses={201: WarehouseSerializer, 400: INVALID, 403: REFUSED},
    ),
    update=extend_schema(summary=_("Change a warehouse (admin boss)"), responses=WAREHOUSE_CHANGE),
    partial_update=extend_schema(
        summary=_("Change a warehouse (admin boss)"), responses=WAREHOUSE_CHANGE
    ),
    destroy=extend_schema(
        summary=_("Delete a warehouse without any stock records (admin boss)"),
        responses={204: None, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class WarehouseViewSet(UsesInventory, viewsets.ModelViewSet):
    """Warehouses (仓库) and their keepers (库管). Everyone in the company reads them; an
    admin boss adds, changes and deletes them (403 for anyone else, before the body is read).
    A warehouse with stock records is closed (`is_active` false), not deleted."""

    serializer_class = WarehouseSerializer
    filter_backends: list = []
    permission_classes = [IsCompanyMember, IsAccountAdminOrReadOnly]

    def get_queryset(self):
        return selectors.warehouse_list(acting_user(self))

    fetch_one = selectors.get_warehouse_for

    def _fresh(self, warehouse):
        return self.get_queryset().get(pk=warehouse.pk)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        warehouse = services.warehouse_create(
            user=self.request.user, name=data.pop("name"), keepers=data.pop("keepers", ()), **data
        )
        serializer.instance = self._fresh(warehouse)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        warehouse = services.warehouse_update(
            user=self.request.user,
            warehouse=serializer.instance,
            keepers=data.pop("keepers", None),
            **data,
        )
        serializer.instance = self._fresh(warehouse)

    def perform_destroy(self, instance):
        services.warehouse_delete(user=self.request.user, warehouse=instance)


# --- stock levels --------------------------------------------------------------------------


STOCK_ORDERINGS = {
    "product_code": "product__code",
    "quantity": "quantity",
    "-quantity": "-quantity",
    "warehouse_name": "warehouse__name",
}


class StockLevelSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product = RelatedIdField(label=_("Product"), read_only=True)
    product_code = serializers.CharField(
        label=_("Product code"), source="product.code", read_only=True
    )
    product_name = serializers.CharField(
        label=_("Product name"), source="product.name", read_only=True
    )
    warehouse = RelatedIdField(label=_("Warehouse"), read_only=True)
    warehouse_name = serializers.CharField(
        label=_("Warehouse name"), source="warehouse.name", read_only=True
    )
    quantity = serializers.DecimalField(label=_("Quantity"), **QUANTITY, read_only=True)
    low_stock = serializers.SerializerMethodField(
        label=_("Low stock"),
        help_text=_("At or below the product's low-stock threshold in this warehouse."),
    )
    value = CostField(
        label=_("Stock value"),
        help_text=_(
            "Quantity × the product's cost, CNY. Only for users with the see-costs permission "
            "(absent otherwise)."
        ),
    )

    def get_low_stock(self, level) -> bool:
        return level.quantity <= level.product.low_stock_threshold

    def to_representation(self, level):
        if self.context.get("sees_costs"):
            level.value = fen(level.quantity * level.product.cost)
        data = super().to_representation(level)
        if not self.context.get("sees_costs"):
            data.pop("value", None)
        return data


class StockListQuery(serializers.Serializer):
    warehouse = IdField(label=_("Warehouse (id)"), required=False)
    product = IdField(label=_("Product (id)"), required=False)
    search = serializers.CharField(
        label=_("Search"),
        required=False,
        allow_blank=True,
        help_text=_("Words found in the product's code or name."),
    )
    low = serializers.BooleanField(
        label=_("Low stock only"),
        required=False,
        help_text=_("true: only levels at or below the product's low-stock threshold."),
    )
    ordering = serializers.ChoiceField(
        label=_("Ordering"),
        choices=list(STOCK_ORDERINGS),
        required=False,
        help_text=_("The default is product_code."),
    )

    def selector_arguments(self) -> dict:
        data = self.validated_data
        return {
            "warehouse_id": data.get("warehouse"),
            "product_id": data.get("product"),
            "search": data.get("search", ""),
            "low_only": data.get("low", False),
            "ordering": STOCK_ORDERINGS[data.get("ordering", "product_code")],
        }


@extend_schema_view(
    list=extend_schema(summary=_("Stock per product per warehouse"), parameters=[StockListQuery]),
    retrieve=extend_schema(
        summary=_("The stock of one product in one warehouse"),
        responses={200: StockLevelSerializer, 404: NOT_FOUND},
    ),
)
class StockLevelViewSet(UsesInventory, viewsets.ReadOnlyModelViewSet):
    """Stock levels (库存): read only; stock changes through slips and stocktakes."""

    serializer_class = StockLevelSerializer
    filter_backends: list = []

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["sees_costs"] = sees_costs(acting_user(self))
        return context

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.stock_levels(user)
        query = StockListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return selectors.stock_levels(user, **query.selector_arguments())

    fetch_one = selectors.get_stock_level_for


# --- stock movements -----------------------------------------------------------------------


class StockMovementSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product = RelatedIdField(label=_("Product"), read_only=True)
    product_code = serializers.CharField(
        label=_("Product code"), source="product.code", read_only=True
    )
    product_name = serializers.CharField(
        label=_("Product name"), source="product.name", read_only=True
    )
    warehouse = RelatedIdField(label=_("Warehouse"), read_only=True)
    warehouse_name = serializers.CharField(
        label=_("Warehouse name"), source="warehouse.name", read_only=True
    )
    quantity = serializers.DecimalField(
        label=_("Quantity"),
        **QUANTITY,
        read_only=True,
        help_text=_("Signed: positive into stock, negative out of it."),
    )
    reason = serializers.ChoiceField(
        label=_("Reason"), choices=StockMovement.Reason.choices, read_only=True
    )
    note = serializers.CharField(label=_("Note"), read_only=True)
    slip = RelatedIdField(label=_("Stock slip"), read_only=True, allow_null=True)
    slip_number = serializers.CharField(
        label=_("Slip number"), source="slip.number", read_only=True, allow_null=True
    )
    stocktake = RelatedIdField(label=_("Stocktake"), read_only=True, allow_null=True)
    stocktake_number = serializers.CharField(
        label=_("Stocktake number"), source="stocktake.number", read_only=True, allow_null=True
    )
    moved_by = RelatedIdField(label=_("By"), read_only=True)
    moved_by_name = serializers.CharField(
        label=_("By (name)"), source="moved_by.display_name", read_only=True
    )
    moved_at = serializers.DateTimeField(label=_("At"), read_only=True)


class MovementListQuery(serializers.Serializer):
    warehouse = IdField(label=_("Warehouse (id)"), required=False)
    product = IdField(label=_("Product (id)"), required=False)
    slip = IdField(label=_("Stock slip (id)"), required=False)

    def selector_arguments(self) -> dict:
        data = self.validated_data
        return {
            "warehouse_id": data.get("warehouse"),
            "product_id": data.get("product"),
            "slip_id": data.get("slip"),
        }


@extend_schema_view(
    list=extend_schema(
        summary=_("The stock ledger, newest first (keepers, purchasing staff, bosses)"),
        parameters=[MovementListQuery],
        responses={200: StockMovementSerializer(many=True), 403: REFUSED},
    ),
    retrieve=extend_schema(
        summary=_("A stock movement (keepers, purchasing staff, bosses)"),
        responses={200: StockMovementSerializer, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class StockMovementViewSet(UsesInventory, viewsets.ReadOnlyModelViewSet):
    """Stock movements (库存流水): one row per change of a stock level, written with the
    change and never changed or deleted. Keepers, purchasing staff and bosses read them;
    anyone else is answered 403 with the reason."""

    serializer_class = StockMovementSerializer
    filter_backends: list = []
    permission_classes = [IsCompanyMember, SeesStockPapers]

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.movements(user)
        query = MovementListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return selectors.movements(user, **query.selector_arguments())

    fetch_one = selectors.get_movement_for


# --- stock slips ---------------------------------------------------------------------------


class StockSlipLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product = RelatedIdField(
        label=_("Product"),
        required=False,
        help_text=_(
            "A slip by hand: id of a product that tracks stock. An order's slip takes the "
            "product of the order line."
        ),
    )
    product_code = serializers.CharField(
        label=_("Product code"), source="product.code", read_only=True
    )
    product_name = serializers.CharField(
        label=_("Product name"), source="product.name", read_only=True
    )
    quantity = serializers.DecimalField(
        label=_("Quantity"), **QUANTITY, help_text=_("Above zero, at most two decimals.")
    )
    agreement_line = RelatedIdField(
        label=_("Order line"),
        required=False,
        allow_null=True,
        help_text=_("An order's slip: id of a line of that order whose product tracks stock."),
    )
    purchase_line = RelatedIdField(label=_("Purchase order line"), read_only=True, allow_null=True)


class StockSlipSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(label=_("Number"), read_only=True)
    kind = serializers.ChoiceField(
        label=_("Kind"),
        choices=StockSlip.Kind.choices,
        required=False,
        help_text=_(
            "inbound or outbound: required for a slip by hand; an order's slip is outbound."
        ),
    )
    status = serializers.ChoiceField(
        label=_("Status"), choices=StockSlip.Status.choices, read_only=True
    )
    warehouse = RelatedIdField(label=_("Warehouse"), help_text=_("Id of an open warehouse."))
    warehouse_name = serializers.CharField(
        label=_("Warehouse name"), source="warehouse.name", read_only=True
    )
    agreement = RelatedIdField(
        label=_("Order"),
        required=False,
        allow_null=True,
        help_text=_(
            "Id of a signed order you may change: the slip takes its stock items out of the "
            "warehouse (by default everything not yet on a slip). Left out: a slip by hand."
        ),
    )
    agreement_number = serializers.CharField(
        label=_("Order number"), source="agreement.number", read_only=True, allow_null=True
    )
    purchase_order = RelatedIdField(label=_("Purchase order"), read_only=True, allow_null=True)
    purchase_order_number = serializers.CharField(
        label=_("Purchase order number"),
        source="purchase_order.number",
        read_only=True,
        allow_null=True,
    )
    reason = serializers.CharField(
        label=_("Reason"),
        max_length=255,
        required=False,
        allow_blank=True,
        help_text=_("Why: required for a slip by hand, none for an order's slip."),
    )
    reject_reason = serializers.CharField(label=_("Rejection reason"), read_only=True)
    lines = StockSlipLineSerializer(
        many=True,
        required=False,
        allow_empty=False,
        label=_("Lines"),
        help_text=_(
            "A slip by hand: [{product, quantity}], at least one. An order's slip: "
            "[{agreement_line, quantity}], or left out for everything not yet on a slip."
        ),
    )
    created_by = RelatedIdField(label=_("Created by"), read_only=True)
    created_at = serializers.DateTimeField(label=_("Created at"), read_only=True)
    decided_by = RelatedIdField(
        label=_("Confirmed or rejected by"), read_only=True, allow_null=True
    )
    decided_at = serializers.DateTimeField(
        label=_("Confirmed or rejected at"), read_only=True, allow_null=True
    )


class SlipListQuery(serializers.Serializer):
    kind = serializers.ChoiceField(label=_("Kind"), choices=StockSlip.Kind.choices, required=False)
    status = serializers.ChoiceField(
        label=_("Status"), choices=StockSlip.Status.choices, required=False
    )
    warehouse = IdField(label=_("Warehouse (id)"), required=False)
    agreement = IdField(label=_("Order (id)"), required=False)
    search = serializers.CharField(
        label=_("Search"),
        required=False,
        allow_blank=True,
        help_text=_("Words found in the number or the reason."),
    )
    ordering = serializers.ChoiceField(
        label=_("Ordering"),
        choices=["created_at", "-created_at", "number", "-number"],
        required=False,
        help_text=_("A leading minus sorts in descending order; the default is -created_at."),
    )

    def selector_arguments(self) -> dict:
        data = self.validated_data
        return {
            "kind": data.get("kind", ""),
            "status": data.get("status", ""),
            "warehouse_id": data.get("warehouse"),
            "agreement_id": data.get("agreement"),
            "search": data.get("search", ""),
            "ordering": data.get("ordering", "-created_at"),
        }


class RejectRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        label=_("Reason"), allow_blank=True, help_text=_("Why it is rejected (required).")
    )


SLIP_DECISION = {200: StockSlipSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(summary=_("Stock slips you see"), parameters=[SlipListQuery]),
    retrieve=extend_schema(
        summary=_("A stock slip"), responses={200: StockSlipSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary=_("Write a slip by hand (keeper) or ask for an order's outbound slip"),
        responses={201: StockSlipSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class StockSlipViewSet(
    UsesInventory,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Stock slips: inbound (入库单) and outbound (出库单). A slip waits until a keeper of its
    warehouse confirms it (stock changes, never below zero: a shortage is a 400 naming each
    product short) or rejects it with a reason. Slips are records: no PUT, PATCH or DELETE."""

    serializer_class = StockSlipSerializer
    filter_backends: list = []

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.visible_slips(user)
        query = SlipListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return selectors.slip_list(user, **query.selector_arguments()).prefetch_related(
            "lines__product"
        )

    fetch_one = selectors.get_slip_for

    def _answer(self, slip, *, status_code=status.HTTP_200_OK) -> Response:
        return Response(slip_data(self.request, slip), status=status_code)

    @idempotent
    def create(self, request, *args, **kwargs):
        body = StockSlipSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        slip = services.slip_request(user=request.user, **body.validated_data)
        return self._answer(slip, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses=SLIP_DECISION,
        summary=_("Confirm a waiting slip (a keeper of its warehouse): stock changes"),
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        slip = services.slip_confirm(user=request.user, slip=self.get_object())
        return self._answer(slip)

    @extend_schema(
        request=RejectRequestSerializer,
        responses=SLIP_DECISION,
        summary=_("Reject a waiting slip with the reason (a keeper of its warehouse)"),
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        slip = self.get_object()
        body = RejectRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        slip = services.slip_reject(
            user=request.user, slip=slip, reason=body.validated_data["reason"]
        )
        return self._answer(slip)


def slip_data(request, slip) -> dict:
    """A slip as the API answers it, read afresh (with its lines) as the user sees it."""
    fresh = (
        selectors.visible_slips(request.user)
        .select_related("warehouse", "agreement", "purchase_order")
        .prefetch_related("lines__product")
        .get(pk=slip.pk)
    )
    return StockSlipSerializer(fresh, context={"request": request}).data


# --- stocktakes ----------------------------------------------------------------------------


class StocktakeLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product = RelatedIdField(label=_("Product"), read_only=True)
    product_code = serializers.CharField(
        label=_("Product code"), source="product.code", read_only=True
    )
    product_name = serializers.CharField(
        label=_("Product name"), source="product.name", read_only=True
    )
    book_quantity = serializers.DecimalField(
        label=_("Book quantity"),
        **QUANTITY,
        read_only=True,
        help_text=_("The stock in the books when the count sheet was made."),
    )
    counted_quantity = serializers.DecimalField(
        label=_("Counted quantity"), **QUANTITY, read_only=True, allow_null=True
    )
    difference = serializers.DecimalField(
        label=_("Difference"),
        **QUANTITY,
        read_only=True,
        allow_null=True,
        help_text=_("Counted less book quantity; null until counted."),
    )
    reason = serializers.CharField(label=_("Reason for the difference"), read_only=True)


class StocktakeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(label=_("Number"), read_only=True)
    warehouse = RelatedIdField(
        label=_("Warehouse"), help_text=_("Id of an open warehouse you keep.")
    )
    warehouse_name = serializers.CharField(
        label=_("Warehouse name"), source="warehouse.name", read_only=True
    )
    status = serializers.ChoiceField(
        label=_("Status"), choices=Stocktake.Status.choices, read_only=True
    )
    counted_on = serializers.DateField(label=_("Count date"), read_only=True)
    note = serializers.CharField(label=_("Note"), max_length=255, required=False, allow_blank=True)
    created_by = RelatedIdField(label=_("Created by"), read_only=True)
    created_at = serializers.DateTimeField(label=_("Created at"), read_only=True)
    confirmed_by = RelatedIdField(label=_("Confirmed by"), read_only=True, allow_null=True)
    confirmed_at = serializers.DateTimeField(
        label=_("Confirmed at"), read_only=True, allow_null=True
    )


class StocktakeDetailSerializer(StocktakeSerializer):
    lines = serializers.SerializerMethodField(
        label=_("Lines"),
        help_text=_("One per stock-tracked product: book quantity, count, difference, reason."),
    )

    @extend_schema_field(StocktakeLineSerializer(many=True))
    def get_lines(self, stocktake):
        rows = selectors.stocktake_lines(self.context["request"].user, stocktake)
        return StocktakeLineSerializer(rows, many=True).data


class StocktakeListQuery(serializers.Serializer):
    warehouse = IdField(label=_("Warehouse (id)"), required=False)
    status = serializers.ChoiceField(
        label=_("Status"), choices=Stocktake.Status.choices, required=False
    )

    def selector_arguments(self) -> dict:
        data = self.validated_data
        return {"warehouse_id": data.get("warehouse"), "status": data.get("status", "")}


class CountSerializer(serializers.Serializer):
    line = IdField(label=_("Stocktake line (id)"))
    counted = serializers.DecimalField(
        label=_("Counted quantity"),
        **QUANTITY,
        allow_null=True,
        help_text=_("Zero or more; null clears the count."),
    )
    reason = serializers.CharField(
        label=_("Reason"),
        max_length=255,
        required=False,
        allow_blank=True,
        help_text=_("Required when the count differs from the book quantity."),
    )


class CountRequestSerializer(serializers.Serializer):
    counts = CountSerializer(many=True, allow_empty=False, label=_("Counts"))


STOCKTAKE_CHANGE = {200: StocktakeDetailSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(
        summary=_("Stocktakes, newest first (keepers, purchasing staff, bosses)"),
        parameters=[StocktakeListQuery],
        responses={200: StocktakeSerializer(many=True), 403: REFUSED},
    ),
    retrieve=extend_schema(
        summary=_("A stocktake with its lines"),
        responses={200: StocktakeDetailSerializer, 403: REFUSED, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary=_("Start a stocktake of a warehouse you keep"),
        responses={201: StocktakeDetailSerializer, 400: INVALID, 403: REFUSED},
    ),
)
class StocktakeViewSet(
    UsesInventory,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Stocktakes (盘点). A keeper starts one for a warehouse (a count sheet with the book
    quantities), enters the counted quantities with a reason for each difference, and
    confirms it: each difference becomes an adjustment movement. The list leaves the lines
    out (a sheet has a line per stock item); a single stocktake has them. Keepers, purchasing
    staff and bosses read them; anyone else is answered 403 with the reason."""

    serializer_class = StocktakeSerializer
    filter_backends: list = []
    permission_classes = [IsCompanyMember, SeesStockPapers]

    def get_serializer_class(self):
        if self.action == "list":
            return StocktakeSerializer
        return StocktakeDetailSerializer

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.visible_stocktakes(user)
        query = StocktakeListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return selectors.stocktake_list(user, **query.selector_arguments())

    fetch_one = selectors.get_stocktake_for

    def _answer(self, stocktake, *, status_code=status.HTTP_200_OK) -> Response:
        fresh = selectors.get_stocktake_for(self.request.user, stocktake.pk)
        data = StocktakeDetailSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    @idempotent
    def create(self, request, *args, **kwargs):
        body = StocktakeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        stocktake = services.stocktake_start(
            user=request.user,
            warehouse=body.validated_data["warehouse"],
            note=body.validated_data.get("note", ""),
        )
        return self._answer(stocktake, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        request=CountRequestSerializer,
        responses=STOCKTAKE_CHANGE,
        summary=_("Enter counted quantities (a keeper of its warehouse)"),
    )
    @action(detail=True, methods=["post"])
    def count(self, request, pk=None):
        stocktake = self.get_object()
        body = CountRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        counts = {
            entry["line"]: {"counted": entry["counted"], "reason": entry.get("reason", "")}
            for entry in body.validated_data["counts"]
        }
        stocktake = services.stocktake_count(user=request.user, stocktake=stocktake, counts=counts)
        return self._answer(stocktake)

    @extend_schema(
        request=None,
        responses=STOCKTAKE_CHANGE,
        summary=_("Confirm a counted stocktake: differences adjust the stock"),
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        stocktake = services.stocktake_confirm(user=request.user, stocktake=self.get_object())
        return self._answer(stocktake)


# --- shipments -----------------------------------------------------------------------------


class ShipmentLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    agreement_line = RelatedIdField(
        label=_("Order line"), help_text=_("Id of a line of the order.")
    )
    product = serializers.IntegerField(
        label=_("Product"), source="agreement_line.product_id", read_only=True
    )
    product_code = serializers.CharField(
        label=_("Product code"), source="agreement_line.product.code", read_only=True
    )
    product_name = serializers.CharField(
        label=_("Product name"), source="agreement_line.product.name", read_only=True
    )
    quantity = serializers.DecimalField(
        label=_("Quantity"), **QUANTITY, help_text=_("Above zero, at most two decimals.")
    )


class ShipmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    agreement = RelatedIdField(
        label=_("Order"), help_text=_("Id of a signed or executing order you may change.")
    )
    agreement_number = serializers.CharField(
        label=_("Order number"), source="agreement.number", read_only=True
    )
    customer = RelatedIdField(label=_("Customer"), read_only=True)
    customer_name = serializers.CharField(
        label=_("Customer name"), source="customer.name", read_only=True
    )
    carrier = serializers.CharField(label=_("Carrier"), max_length=100, allow_blank=True)
    tracking_number = serializers.CharField(
        label=_("Tracking number"), max_length=100, required=False, allow_blank=True
    )
    shipped_on = serializers.DateField(label=_("Shipping date"))
    note = serializers.CharField(label=_("Note"), max_length=255, required=False, allow_blank=True)
    lines = ShipmentLineSerializer(
        many=True,
        required=False,
        allow_empty=False,
        label=_("Lines"),
        help_text=_(
            "[{agreement_line, quantity}]; left out: everything that may ship now. Never more "
            "than ordered, nor (for stock items, when the company uses inventory) more than "
            "its confirmed outbound slips released."
        ),
    )
    created_by = RelatedIdField(label=_("Created by"), read_only=True)
    created_at = serializers.DateTimeField(label=_("Created at"), read_only=True)


class ShipmentListQuery(serializers.Serializer):
    agreement = IdField(label=_("Order (id)"), required=False)
    customer = IdField(label=_("Customer (id)"), required=False)

    def selector_arguments(self) -> dict:
        data = self.validated_data
        return {"agreement_id": data.get("agreement"), "customer_id": data.get("customer")}


@extend_schema_view(
    list=extend_schema(summary=_("Shipments you see"), parameters=[ShipmentListQuery]),
    retrieve=extend_schema(
        summary=_("A shipment"), responses={200: ShipmentSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary=_("Ship an order's goods"),
        responses={201: ShipmentSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class ShipmentViewSet(
    VisibleObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Shipments (发货) of orders: visible exactly when the order's customer is; made by whoever
    may change the order. A record: no PUT, PATCH or DELETE."""

    serializer_class = ShipmentSerializer
    filter_backends: list = []

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.visible_shipments(user)
        query = ShipmentListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return selectors.shipment_list(user, **query.selector_arguments(), with_lines=True)

    fetch_one = selectors.get_shipment_for

    def get_object(self):
        return self._with_lines(super().get_object())

    def _fetch(self, pk):
        return self._with_lines(selectors.get_shipment_for(self.request.user, pk))

    def _with_lines(self, shipment):
        prefetch_related_objects([shipment], "lines__agreement_line__product")
        return shipment

    @idempotent
    def create(self, request, *args, **kwargs):
        body = ShipmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        lines = data.pop("lines", None)
        shipment = services.shipment_create(
            user=request.user,
            agreement=data.pop("agreement"),
            lines=None
            if lines is None
            else [
                {"agreement_line": line["agreement_line"], "quantity": line["quantity"]}
                for line in lines
            ],
            **data,
        )
        fresh = self._fetch(shipment.pk)
        return created(ShipmentSerializer(fresh, context=self.get_serializer_context()).data)


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
    router.register("warehouses", WarehouseViewSet, basename="warehouse")
    router.register("stock", StockLevelViewSet, basename="stock")
    router.register("stock-movements", StockMovementViewSet, basename="movement")
    router.register("stock-slips", StockSlipViewSet, basename="slip")
    router.register("stocktakes", StocktakeViewSet, basename="stocktake")
    router.register("shipments", ShipmentViewSet, basename="shipment")
