"""`/api/v1/customers/`: the customers the user sees, and their changes."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.response import Response

from banyan.accounts.api import acting_user
from banyan.core.api import (
    INVALID,
    NOT_FOUND,
    REFUSED,
    VisibleObjectMixin,
)
from banyan.customers import selectors, services
from banyan.customers.api.serializers import (
    DUPLICATES_FOUND,
    CustomerListQuery,
    CustomerSerializer,
)
from banyan.customers.api.shares import CustomerSharingActions

CUSTOMER_CHANGE_RESPONSES = {
    200: CustomerSerializer,
    400: INVALID,
    403: REFUSED,
    404: NOT_FOUND,
}


@extend_schema_view(
    list=extend_schema(summary=_("Customers you see"), parameters=[CustomerListQuery]),
    retrieve=extend_schema(
        summary=_("A customer"), responses={200: CustomerSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary=_("Add a customer (with its first contacts)"),
        responses={201: CustomerSerializer, 400: INVALID, 409: DUPLICATES_FOUND},
    ),
    update=extend_schema(summary=_("Change a customer"), responses=CUSTOMER_CHANGE_RESPONSES),
    partial_update=extend_schema(
        summary=_("Change a customer"), responses=CUSTOMER_CHANGE_RESPONSES
    ),
    destroy=extend_schema(
        summary=_("Delete a customer (the owner and the people above them)"),
        responses={204: None, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class CustomerViewSet(CustomerSharingActions, VisibleObjectMixin, viewsets.ModelViewSet):
    """Customers (客户): yours, your line's, and those shared with you."""

    serializer_class = CustomerSerializer
    fetch_one = selectors.get_customer_for
    fetch_for_edit = True
    # Deleting, sharing and transferring are for the customer's managers: their services say
    # so, whatever a share allows.
    change_methods = ("PUT", "PATCH")
    filter_backends: list = []  # filtering, search and ordering go through selectors.customer_list

    def with_row_data(self, customers):
        """What every row shows, in a fixed number of queries whatever the page size."""
        user = acting_user(self)
        return customers.select_related("owner").prefetch_related(
            Prefetch("contacts", queryset=selectors.contacts_to_prefetch(user))
        )

    def list(self, request, *args, **kwargs):
        customers = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(customers)
        rows = list(page if page is not None else customers)
        self.editable_ids = selectors.editable_among(acting_user(self), rows)
        serializer = self.get_serializer(rows, many=True)
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "editable_ids"):
            context["editable_ids"] = self.editable_ids
        return context

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.visible_customers(user)
        query = CustomerListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return self.with_row_data(selectors.customer_list(user, **query.selector_arguments()))

    def customer_response(self, customer, status_code=status.HTTP_200_OK) -> Response:
        """The customer as a row of the list; after a transfer out of the user's sight, as the
        service left it."""
        user = self.request.user
        row = (
            self.with_row_data(
                selectors.visible_customers(user).select_related(
                    "owner", "type", "source", "industry"
                )
            )
            .filter(pk=customer.pk)
            .first()
        )
        serializer = self.get_serializer(row or customer)
        return Response(serializer.data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return self.customer_response(self.get_object())

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            customer = services.customer_create(user=request.user, **serializer.validated_data)
        except services.DuplicatesFound as exc:
            return Response(exc.as_dict(), status=status.HTTP_409_CONFLICT)
        return self.customer_response(customer, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        customer = self.get_object()
        serializer = self.get_serializer(customer, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("confirm_duplicates", None)
        customer = services.customer_change(user=request.user, customer=customer, **data)
        return self.customer_response(customer)

    def perform_destroy(self, instance):
        services.customer_delete(user=self.request.user, customer=instance)
