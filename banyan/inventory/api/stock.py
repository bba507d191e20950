"""`/api/v1/stock/` (levels, for everyone) and `/api/v1/stock-movements/` (the ledger)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from banyan.accounts.api import acting_user
from banyan.accounts.permissions import IsCompanyMember
from banyan.agreements.api import CostField
from banyan.core.api import NOT_FOUND, REFUSED, IdField, RelatedIdField
from banyan.core.values import fen
from banyan.inventory import selectors
from banyan.inventory.api.common import QUANTITY, SeesStockPapers, UsesInventory
from banyan.inventory.models import StockMovement
from banyan.products.selectors import sees_costs

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
