"""Sharing and transfer of customers: `/api/v1/customers/<id>/share/`, `…/transfer/`,
`…/bulk-transfer/`, `…/bulk-share/`, the actions of `CustomerViewSet`."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from banyan.core.api import (
    INVALID,
    NOT_FOUND,
    REFUSED,
    IdField,
)
from banyan.customers import selectors, services
from banyan.customers.api.common import body_or_query
from banyan.customers.api.serializers import CustomerSerializer
from banyan.customers.models import CustomerShare

SHARE_LEVELS = CustomerShare.Level.choices


class ShareSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="customer_id", read_only=True)
    user = serializers.IntegerField(source="user_id", read_only=True)
    user_name = serializers.CharField(source="user.display_name", read_only=True)
    level = serializers.ChoiceField(choices=SHARE_LEVELS, read_only=True)
    shared_by = serializers.IntegerField(source="shared_by_id", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


class ShareRequestSerializer(serializers.Serializer):
    user = IdField(label=_("User (id)"))
    level = serializers.ChoiceField(label=_("Level"), choices=SHARE_LEVELS)


class UnshareRequestSerializer(serializers.Serializer):
    user = IdField(label=_("User (id)"))


class TransferRequestSerializer(serializers.Serializer):
    owner = IdField(label=_("New owner (user id)"))


class BulkTransferRequestSerializer(serializers.Serializer):
    customers = serializers.ListField(label=_("Customers (ids)"), child=IdField())
    owner = IdField(label=_("New owner (user id)"))


class BulkShareRequestSerializer(serializers.Serializer):
    customers = serializers.ListField(label=_("Customers (ids)"), child=IdField())
    user = IdField(label=_("User (id)"))
    level = serializers.ChoiceField(label=_("Level"), choices=SHARE_LEVELS)


class CustomerSharingActions:
    """The customer viewset's actions that share and transfer (its `customer_response`)."""

    @extend_schema(
        methods=["GET"],
        summary=_("Who a customer is shared with"),
        responses={200: ShareSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Share a customer with a user, to view or to edit"),
        request=ShareRequestSerializer,
        responses={
            200: ShareSerializer,
            201: ShareSerializer,
            400: INVALID,
            403: REFUSED,
            404: NOT_FOUND,
        },
    )
    @extend_schema(
        methods=["DELETE"],
        summary=_("Stop sharing a customer with a user"),
        description=_('Send `{"user": id}` as the body (or `?user=id`).'),
        parameters=[
            OpenApiParameter(
                "user",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                required=False,
                description=_("The user to stop sharing with, when not sent as the body."),
            )
        ],
        responses={204: None, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(
        detail=True, methods=["get", "post", "delete"], pagination_class=None, filter_backends=[]
    )
    def share(self, request, pk=None):
        user = request.user
        customer = selectors.get_customer_for(user, pk)
        if request.method == "GET":
            shares = selectors.customer_shares(user, customer)
            return Response(ShareSerializer(shares, many=True).data)
        if request.method == "DELETE":
            serializer = UnshareRequestSerializer(data={"user": body_or_query(request, "user")})
            serializer.is_valid(raise_exception=True)
            services.customer_unshare(
                user=user, customer=customer, target=serializer.validated_data["user"]
            )
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = ShareRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target = serializer.validated_data["user"]
        existed = selectors.customer_shares(user, customer).filter(user_id=target).exists()
        share = services.customer_share(
            user=user, customer=customer, target=target, level=serializer.validated_data["level"]
        )
        return Response(
            ShareSerializer(share).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary=_("Give a customer to another owner"),
        request=TransferRequestSerializer,
        responses={200: CustomerSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def transfer(self, request, pk=None):
        customer = selectors.get_customer_for(request.user, pk)
        serializer = TransferRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = services.customer_transfer(
            user=request.user, customer=customer, owner=serializer.validated_data["owner"]
        )
        return self.customer_response(customer)

    @extend_schema(
        summary=_("Give many customers to another owner (all or nothing)"),
        request=BulkTransferRequestSerializer,
        responses={
            200: inline_serializer(
                "BulkTransferResult", {"transferred": serializers.IntegerField()}
            ),
            400: INVALID,
            403: REFUSED,
            404: NOT_FOUND,
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="bulk-transfer",
        pagination_class=None,
        filter_backends=[],
    )
    def bulk_transfer(self, request):
        serializer = BulkTransferRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = services.customers_bulk_transfer(
            user=request.user,
            customer_ids=serializer.validated_data["customers"],
            owner=serializer.validated_data["owner"],
        )
        return Response({"transferred": count})

    @extend_schema(
        summary=_("Share many customers with a user (all or nothing)"),
        request=BulkShareRequestSerializer,
        responses={
            200: inline_serializer("BulkShareResult", {"shared": serializers.IntegerField()}),
            400: INVALID,
            403: REFUSED,
            404: NOT_FOUND,
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="bulk-share",
        pagination_class=None,
        filter_backends=[],
    )
    def bulk_share(self, request):
        serializer = BulkShareRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = services.customers_bulk_share(
            user=request.user,
            customer_ids=serializer.validated_data["customers"],
            target=serializer.validated_data["user"],
            level=serializer.validated_data["level"],
        )
        return Response({"shared": count})
