"""API of purchasing: `/api/v1/suppliers/` and `/api/v1/purchase-orders/` (lines nested; place,
cancel and receive actions).

Thin by design: serializers check the shape of the input, selectors fetch, services write and
enforce every rule. Purchasing staff, warehouse keepers and bosses read suppliers and purchase
orders; anyone else is answered 403 with the reason, on the list and on every row alike.
Writing needs the purchasing permission (403 before the body is read). A company that does not
use inventory has neither endpoint (404).

Purchase prices are costs: a line's `unit_price` and `amount` and the order's `amount` are
left out of every answer (not blanked) for users without the see-costs permission, and a
price they send is refused (400); their lines take the price already agreed on the order, or
the product's cost. Registered on the one router in banyan/api.py.
"""

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from banyan.accounts.api import acting_user
from banyan.accounts.permissions import IsCompanyMember
from banyan.agreements.api import CostField
from banyan.core.api import INVALID, NOT_FOUND, REFUSED, IdField, RelatedIdField
from banyan.core.idempotency import idempotent
from banyan.inventory.api import StockSlipSerializer, UsesInventory, slip_data
from banyan.products.selectors import sees_costs
from banyan.purchasing import selectors, services
from banyan.purchasing.models import PurchaseOrder

MONEY = {"max_digits": 14, "decimal_places": 2}
ORDERINGS = ["created_at", "-created_at", "number", "-number", "ordered_on", "-ordered_on"]


class Purchasing(permissions.BasePermission):
    """Purchasing staff, keepers and bosses read; purchasing staff write. Both are checked
    before anything is looked up or validated, so a refusal is always the 403 and its reason
    (a method the endpoint does not answer stays a 405)."""

    def has_permission(self, request, view):
        if view.action is None:
            return True
        selectors.ensure_sees_purchasing(request.user)
        if request.method not in permissions.SAFE_METHODS:
            services.ensure_purchasing(request.user)
        return True


# --- suppliers -----------------------------------------------------------------------------


class SupplierSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(
        label=_("Name"), max_length=200, allow_blank=True, help_text=_("Unique in the company.")
    )
    contact_name = serializers.CharField(
        label=_("Contact person"), max_length=100, required=False, allow_blank=True
    )
    phone = serializers.CharField(label=_("Phone"), max_length=30, required=False, allow_blank=True)
    email = serializers.CharField(
        label=_("E-mail"), max_length=254, required=False, allow_blank=True
    )
    address = serializers.CharField(
        label=_("Address"), max_length=255, required=False, allow_blank=True
    )
    notes = serializers.CharField(label=_("Notes"), required=False, allow_blank=True)
    is_active = serializers.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("An inactive supplier takes no new purchase orders."),
    )
    created_at = serializers.DateTimeField(label=_("Created at"), read_only=True)
    updated_at = serializers.DateTimeField(label=_("Updated at"), read_only=True)


class SupplierListQuery(serializers.Serializer):
    search = serializers.CharField(
        label=_("Search"),
        required=False,
        allow_blank=True,
        help_text=_("Words found in the name, the contact person or the phone."),
    )
    active = serializers.BooleanField(label=_("Active"), required=False, allow_null=True)

    def selector_arguments(self) -> dict:
        data = self.validated_data
        return {"search": data.get("search", ""), "active": data.get("active")}


SUPPLIER_CHANGE = {200: SupplierSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(
        summary=_("Suppliers (purchasing staff, keepers, bosses)"),
        parameters=[SupplierListQuery],
        responses={200: SupplierSerializer(many=True), 403: REFUSED},
    ),
    retrieve=extend_schema(
        summary=_("A supplier"), responses={200: SupplierSerializer, 403: REFUSED, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary=_("Add a supplier (purchasing)"),
        responses={201: SupplierSerializer, 400: INVALID, 403: REFUSED},
    ),
    update=extend_schema(summary=_("Change a supplier (purchasing)"), responses=SUPPLIER_CHANGE),
    partial_update=extend_schema(
        summary=_("Change a supplier (purchasing)"), responses=SUPPLIER_CHANGE
    ),
    destroy=extend_schema(
        summary=_("Delete a supplier without purchase orders (purchasing)"),
        responses={204: None, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class SupplierViewSet(UsesInventory, viewsets.ModelViewSet):
    """Suppliers (供应商). One with purchase orders is set inactive, not deleted."""

    serializer_class = SupplierSerializer
    filter_backends: list = []
    permission_classes = [IsCompanyMember, Purchasing]

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.company_suppliers(user)
        query = SupplierListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return selectors.supplier_list(user, **query.selector_arguments())

    fetch_one = selectors.get_supplier_for

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        supplier = services.supplier_create(user=self.request.user, name=data.pop("name"), **data)
        serializer.instance = selectors.get_supplier_for(self.request.user, supplier.pk)

    def perform_update(self, serializer):
        supplier = services.supplier_update(
            user=self.request.user, supplier=serializer.instance, **serializer.validated_data
        )
        serializer.instance = selectors.get_supplier_for(self.request.user, supplier.pk)

    def perform_destroy(self, instance):
        services.supplier_delete(user=self.request.user, supplier=instance)


# --- purchase orders -----------------------------------------------------------------------


def hide_costs(data: dict, context: dict, names) -> dict:
    """Cost keys are left out, not blanked: the key itself would tell there is a price."""
    if not context.get("sees_costs"):
        for name in names:
            data.pop(name, None)
    return data


class PurchaseOrderLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product = RelatedIdField(label=_("Product"), help_text=_("Id of a physical product."))
    product_code = serializers.CharField(
        label=_("Product code"), source="product.code", read_only=True
    )
    product_name = serializers.CharField(
        label=_("Product name"), source="product.name", read_only=True
    )
    quantity = serializers.DecimalField(
        label=_("Quantity"), **MONEY, help_text=_("Above zero, at most two decimals.")
    )
    unit_price = serializers.DecimalField(
        label=_("Purchase price"),
        **MONEY,
        required=False,
        allow_null=True,
        help_text=_(
            "CNY. Only for users with the see-costs permission: absent from their answers "
            "otherwise, and refused when they send it. Left out: the price the line already "
            "had, else the product's cost."
        ),
    )
    amount = CostField(
        label=_("Amount"),
        help_text=_(
            "Purchase price × quantity. Only for users with the see-costs permission (absent "
            "otherwise)."
        ),
    )
    received_quantity = serializers.DecimalField(
        label=_("Received"),
        **MONEY,
        read_only=True,
        help_text=_("Counted in when a keeper confirms an inbound slip of this order."),
    )

    def to_representation(self, line):
        return hide_costs(super().to_representation(line), self.context, ("unit_price", "amount"))


class PurchaseOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(label=_("Number"), read_only=True)
    supplier = RelatedIdField(label=_("Supplier"), help_text=_("Id of an active supplier."))
    supplier_name = serializers.CharField(
        label=_("Supplier name"), source="supplier.name", read_only=True
    )
    warehouse = RelatedIdField(
        label=_("Receiving warehouse"), help_text=_("Id of an open warehouse.")
    )
    warehouse_name = serializers.CharField(
        label=_("Warehouse name"), source="warehouse.name", read_only=True
    )
    status = serializers.ChoiceField(
        label=_("Status"), choices=PurchaseOrder.Status.choices, read_only=True
    )
    ordered_on = serializers.DateField(label=_("Order date"), required=False, allow_null=True)
    expected_on = serializers.DateField(
        label=_("Expected delivery"), required=False, allow_null=True
    )
    amount = CostField(
        label=_("Amount"),
        help_text=_(
            "The lines' total. Only for users with the see-costs permission (absent otherwise)."
        ),
    )
    note = serializers.CharField(label=_("Note"), required=False, allow_blank=True)
    lines = PurchaseOrderLineSerializer(
        many=True,
        required=False,
        label=_("Lines"),
        help_text=_(
            "The product lines, at least one. On a change, sending lines replaces them all "
            "(only while the order is a draft)."
        ),
    )
    created_by = RelatedIdField(label=_("Created by"), read_only=True)
    created_at = serializers.DateTimeField(label=_("Created at"), read_only=True)
    updated_at = serializers.DateTimeField(label=_("Updated at"), read_only=True)

    def to_representation(self, order):
        return hide_costs(super().to_representation(order), self.context, ("amount",))


def line_input(line: dict) -> dict:
    """A validated line as the service takes it: a price only when one was sent."""
    # .get: a PATCH reads nested lines partially; a missing key is the service's message.
    data = {"product": line.get("product"), "quantity": line.get("quantity")}
    if line.get("unit_price") is not None:
        data["unit_price"] = line["unit_price"]
    return data


class PurchaseOrderListQuery(serializers.Serializer):
    search = serializers.CharField(
        label=_("Search"),
        required=False,
        allow_blank=True,
        help_text=_("Words found in the number or the supplier's name."),
    )
    status = serializers.ChoiceField(
        label=_("Status"), choices=PurchaseOrder.Status.choices, required=False
    )
    supplier = IdField(label=_("Supplier (id)"), required=False)
    warehouse = IdField(label=_("Warehouse (id)"), required=False)
    ordering = serializers.ChoiceField(
        label=_("Ordering"),
        choices=ORDERINGS,
        required=False,
        help_text=_("A leading minus sorts in descending order; the default is -created_at."),
    )

    def selector_arguments(self) -> dict:
        data = self.validated_data
        return {
            "search": data.get("search", ""),
            "status": data.get("status", ""),
            "supplier_id": data.get("supplier"),
            "warehouse_id": data.get("warehouse"),
            "ordering": data.get("ordering", "-created_at"),
        }


class PlaceRequestSerializer(serializers.Serializer):
    ordered_on = serializers.DateField(
        label=_("Order date"),
        required=False,
        allow_null=True,
        help_text=_("Left out: the date already entered, else today."),
    )


class ReceiveLineSerializer(serializers.Serializer):
    line = IdField(label=_("Purchase order line (id)"))
    quantity = serializers.DecimalField(
        label=_("Quantity"), **MONEY, help_text=_("At most what is still to receive.")
    )


class ReceiveRequestSerializer(serializers.Serializer):
    lines = ReceiveLineSerializer(
        many=True,
        required=False,
        allow_empty=False,
        label=_("Lines"),
        help_text=_("Left out: everything not yet received and not on a waiting inbound slip."),
    )


PO_CHANGE = {200: PurchaseOrderSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(
        summary=_("Purchase orders (purchasing staff, keepers, bosses)"),
        parameters=[PurchaseOrderListQuery],
        responses={200: PurchaseOrderSerializer(many=True), 403: REFUSED},
    ),
    retrieve=extend_schema(
        summary=_("A purchase order"),
        responses={200: PurchaseOrderSerializer, 403: REFUSED, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary=_("Write a draft purchase order (purchasing)"),
        responses={201: PurchaseOrderSerializer, 400: INVALID, 403: REFUSED},
    ),
    update=extend_schema(summary=_("Change a draft purchase order"), responses=PO_CHANGE),
    partial_update=extend_schema(summary=_("Change a draft purchase order"), responses=PO_CHANGE),
    destroy=extend_schema(
        summary=_("Delete a draft purchase order"),
        responses={204: None, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class PurchaseOrderViewSet(UsesInventory, viewsets.ModelViewSet):
    """Purchase orders (采购单): a draft changes freely; `place` sends it to the supplier;
    `receive` writes an inbound slip for what is still outstanding, which a keeper of the
    receiving warehouse confirms (only then are the goods counted as received); `cancel`
    while nothing was received."""

    serializer_class = PurchaseOrderSerializer
    filter_backends: list = []
    permission_classes = [IsCompanyMember, Purchasing]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["sees_costs"] = sees_costs(acting_user(self))
        return context

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.visible_purchase_orders(user)
        query = PurchaseOrderListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return selectors.purchase_order_list(user, **query.selector_arguments()).prefetch_related(
            "lines__product"
        )

    fetch_one = selectors.get_purchase_order_for

    def get_object(self):
        return self._with_lines(super().get_object())

    def _fetch(self, pk) -> PurchaseOrder:
        return self._with_lines(selectors.get_purchase_order_for(self.request.user, pk))

    def _with_lines(self, order) -> PurchaseOrder:
        prefetch_related_objects([order], "lines__product")
        return order

    def _answer(self, order) -> Response:
        fresh = self._fetch(order.pk)
        return Response(PurchaseOrderSerializer(fresh, context=self.get_serializer_context()).data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        order = services.purchase_order_create(
            user=self.request.user,
            supplier=data.pop("supplier"),
            warehouse=data.pop("warehouse"),
            lines=[line_input(line) for line in data.pop("lines", [])],
            **data,
        )
        serializer.instance = self._fetch(order.pk)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        lines = data.pop("lines", None)
        order = services.purchase_order_update(
            user=self.request.user,
            order=serializer.instance,
            lines=None if lines is None else [line_input(line) for line in lines],
            **data,
        )
        serializer.instance = self._fetch(order.pk)

    def perform_destroy(self, instance):
        services.purchase_order_delete(user=self.request.user, order=instance)

    @extend_schema(
        request=PlaceRequestSerializer,
        responses=PO_CHANGE,
        summary=_("Place a draft purchase order with its supplier"),
    )
    @action(detail=True, methods=["post"])
    def place(self, request, pk=None):
        order = self.get_object()
        body = PlaceRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        order = services.purchase_order_place(
            user=request.user, order=order, ordered_on=body.validated_data.get("ordered_on")
        )
        return self._answer(order)

    @extend_schema(
        request=None,
        responses=PO_CHANGE,
        summary=_("Cancel a purchase order nothing was received on"),
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = services.purchase_order_cancel(user=request.user, order=self.get_object())
        return self._answer(order)

    @idempotent
    @extend_schema(
        request=ReceiveRequestSerializer,
        responses={201: StockSlipSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
        summary=_("Receive goods: writes the inbound slip a keeper confirms"),
    )
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        order = self.get_object()
        body = ReceiveRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lines = body.validated_data.get("lines")
        slip = services.purchase_order_receive(
            user=request.user,
            order=order,
            lines=None
            if lines is None
            else [{"line": line["line"], "quantity": line["quantity"]} for line in lines],
        )
        return Response(slip_data(request, slip), status=status.HTTP_201_CREATED)


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
    router.register("suppliers", SupplierViewSet, basename="supplier")
    router.register("purchase-orders", PurchaseOrderViewSet, basename="purchase-order")
