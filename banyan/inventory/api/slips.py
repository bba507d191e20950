"""`/api/v1/stock-slips/`, with confirm and reject."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from banyan.accounts.api import acting_user
from banyan.core.api import INVALID, NOT_FOUND, REFUSED, IdField, RelatedIdField
from banyan.core.idempotency import idempotent
from banyan.inventory import selectors, services
from banyan.inventory.api.common import QUANTITY, UsesInventory
from banyan.inventory.models import StockSlip

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
