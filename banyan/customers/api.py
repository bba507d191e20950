"""API of the customers app: customers, contacts, sharing, transfer, the duplicate check.

Thin by design: serializers check the shape of the input, selectors fetch (only what the
acting user may see: anything else is 404), services write and enforce every rule (a visible
customer the user may not change is 403). Registered on the one router in banyan/api.py.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from banyan.accounts.api import acting_user
from banyan.core.api import (
    INVALID,
    NOT_FOUND,
    REFUSED,
    IdField,
    InstantField,
    RelatedIdField,
    VisibleObjectMixin,
)
from banyan.customers import selectors, services
from banyan.customers.models import Customer, CustomerShare

ORDERINGS = [
    "name",
    "-name",
    "created_at",
    "-created_at",
    "last_contacted_at",
    "-last_contacted_at",
]
SHARE_LEVELS = CustomerShare.Level.choices


# Shared pieces ------------------------------------------------------------------------------


def option_label(option) -> str:
    return option.display_label if option is not None else ""


def body_or_query(request, name: str):
    """A value from the JSON body or, for clients that cannot send a DELETE body, the query."""
    if hasattr(request.data, "get") and request.data.get(name) is not None:
        return request.data.get(name)
    return request.query_params.get(name)


# Contacts -----------------------------------------------------------------------------------


class ContactFieldsSerializer(serializers.Serializer):
    """What a contact is made of, inside a customer or on its own."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(label=_("Name"), max_length=100, allow_blank=True)
    category = RelatedIdField(
        label=_("Category"),
        allow_null=True,
        required=False,
        help_text=_("Id of an option of the contact category list."),
    )
    category_label = serializers.SerializerMethodField(label=_("Category label"))
    title = serializers.CharField(
        label=_("Job title"), max_length=100, allow_blank=True, required=False
    )
    mobile = serializers.CharField(
        label=_("Mobile"), max_length=50, allow_blank=True, required=False
    )
    phone = serializers.CharField(label=_("Phone"), max_length=50, allow_blank=True, required=False)
    email = serializers.CharField(
        label=_("E-mail"), max_length=254, allow_blank=True, required=False
    )
    birthday = serializers.DateField(label=_("Birthday"), allow_null=True, required=False)
    notes = serializers.CharField(label=_("Notes"), allow_blank=True, required=False)
    is_primary = serializers.BooleanField(label=_("Primary contact"), required=False)

    def get_category_label(self, contact) -> str:
        return option_label(contact.category)


@extend_schema_field(OpenApiTypes.INT)
class VisibleCustomerField(serializers.PrimaryKeyRelatedField):
    """A customer id that resolves only among the customers the acting user sees: a missing
    and an invisible customer get the same answer."""

    default_error_messages = {
        "does_not_exist": _("Choose a customer you have access to."),
        "incorrect_type": _("Give the id of a customer (a whole number)."),
    }

    def get_queryset(self):
        return selectors.visible_customers(self.context["request"].user)


class ContactSerializer(ContactFieldsSerializer):
    customer = VisibleCustomerField(label=_("Customer"))
    customer_name = serializers.CharField(
        label=_("Customer name"), source="customer.name", read_only=True
    )

    def validate_customer(self, customer):
        if self.instance is not None and customer.pk != self.instance.customer_id:
            raise serializers.ValidationError(_("A contact stays with its customer."))
        return customer


class ContactListQuery(serializers.Serializer):
    customer = IdField(
        label=_("Customer (id)"), required=False, help_text=_("Only this customer's contacts.")
    )
    category = IdField(label=_("Category (option id)"), required=False)
    search = serializers.CharField(
        label=_("Search"),
        required=False,
        allow_blank=True,
        help_text=_(
            "Words found in the name, job title, phone numbers, e-mail or customer's name."
        ),
    )
    ordering = serializers.ChoiceField(
        label=_("Ordering"),
        choices=["name", "-name", "customer__name", "-customer__name", "created_at", "-created_at"],
        required=False,
        help_text=_("A leading minus sorts in descending order; the default is name."),
    )


@extend_schema_view(
    list=extend_schema(
        summary=_("Contacts of the customers you see"), parameters=[ContactListQuery]
    ),
    retrieve=extend_schema(
        summary=_("A contact"), responses={200: ContactSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary=_("Add a contact to a customer you may edit"),
        responses={201: ContactSerializer, 400: INVALID, 403: REFUSED},
    ),
    update=extend_schema(
        summary=_("Change a contact"),
        responses={200: ContactSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary=_("Change a contact"),
        responses={200: ContactSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
    destroy=extend_schema(
        summary=_("Delete a contact"), responses={204: None, 403: REFUSED, 404: NOT_FOUND}
    ),
)
class ContactViewSet(VisibleObjectMixin, viewsets.ModelViewSet):
    """Contacts (联系人). A contact is visible, and may be changed, exactly when its customer is."""

    serializer_class = ContactSerializer
    fetch_one = selectors.get_contact_for
    fetch_for_edit = True
    filter_backends: list = []  # filtering and search go through selectors.search_contacts

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.visible_contacts(user)
        query = ContactListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        data = query.validated_data
        contacts = selectors.search_contacts(
            user,
            search=data.get("search", ""),
            category_id=data.get("category"),
            ordering=data.get("ordering", "name"),
        )
        if data.get("customer"):
            contacts = contacts.filter(customer_id=data["customer"])
        return contacts

    def _reread(self, contact):
        return selectors.get_contact_for(self.request.user, contact.pk)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        contact = services.contact_create(
            user=self.request.user, customer=data.pop("customer"), **data
        )
        serializer.instance = self._reread(contact)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("customer", None)
        contact = services.contact_update(
            user=self.request.user, contact=serializer.instance, **data
        )
        serializer.instance = self._reread(contact)

    def perform_destroy(self, instance):
        services.contact_delete(user=self.request.user, contact=instance)


# Customers ----------------------------------------------------------------------------------


class CustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(label=_("Name"), max_length=200, allow_blank=True)
    kind = serializers.ChoiceField(
        label=_("Kind"),
        choices=Customer.Kind.choices,
        required=False,
        help_text=_("Chosen at creation (default enterprise); it cannot change afterwards."),
    )
    type = RelatedIdField(label=_("Customer type"), allow_null=True, required=False)
    type_label = serializers.SerializerMethodField(label=_("Customer type label"))
    source = RelatedIdField(label=_("Source"), allow_null=True, required=False)
    source_label = serializers.SerializerMethodField(label=_("Source label"))
    industry = RelatedIdField(label=_("Industry"), allow_null=True, required=False)
    industry_label = serializers.SerializerMethodField(label=_("Industry label"))
    region = serializers.CharField(
        label=_("Region"), max_length=100, allow_blank=True, required=False
    )
    phone = serializers.CharField(label=_("Phone"), max_length=50, allow_blank=True, required=False)
    email = serializers.CharField(
        label=_("E-mail"), max_length=254, allow_blank=True, required=False
    )
    address = serializers.CharField(
        label=_("Address"), max_length=255, allow_blank=True, required=False
    )
    website = serializers.CharField(
        label=_("Website"), max_length=200, allow_blank=True, required=False
    )
    notes = serializers.CharField(label=_("Notes"), allow_blank=True, required=False)
    owner = RelatedIdField(
        label=_("Owner"),
        required=False,
        help_text=_(
            "Id of the owner: yourself (the default) or someone below you. Changing it "
            "transfers the customer."
        ),
    )
    owner_name = serializers.CharField(
        label=_("Owner name"), source="owner.display_name", read_only=True
    )
    is_hot = serializers.BooleanField(
        label=_("Hot customer"),
        required=False,
        help_text=_("At most the company's cap of hot customers per owner."),
    )
    last_contacted_at = serializers.DateTimeField(label=_("Last contacted"), read_only=True)
    created_by = RelatedIdField(label=_("Created by"), read_only=True)
    created_at = serializers.DateTimeField(label=_("Created at"), read_only=True)
    updated_at = serializers.DateTimeField(label=_("Updated at"), read_only=True)
    contacts = ContactFieldsSerializer(
        label=_("Contacts"),
        many=True,
        required=False,
        help_text=_("Read: the customer's contacts. Write: the first contacts of a new customer."),
    )
    can_edit = serializers.SerializerMethodField(label=_("You may edit"))
    confirm_duplicates = serializers.BooleanField(
        label=_("Save despite possible duplicates"),
        write_only=True,
        required=False,
        help_text=_("Send true after a 409 answer to save the customer anyway."),
    )

    def get_type_label(self, customer) -> str:
        return option_label(customer.type)

    def get_source_label(self, customer) -> str:
        return option_label(customer.source)

    def get_industry_label(self, customer) -> str:
        return option_label(customer.industry)

    def get_can_edit(self, customer) -> bool:
        editable = self.context.get("editable_ids")
        if editable is None:
            return selectors.can_edit_customer(self.context["request"].user, customer)
        return customer.pk in editable

    def validate(self, attrs):
        if self.instance is not None and "contacts" in attrs:
            raise serializers.ValidationError(
                {"contacts": [_("Change contacts through /api/v1/contacts/.")]}
            )
        return attrs


class CustomerListQuery(serializers.Serializer):
    search = serializers.CharField(
        label=_("Search"),
        required=False,
        allow_blank=True,
        help_text=_("Words found in the name, its pinyin or initials, phones or contact names."),
    )
    kind = serializers.ChoiceField(label=_("Kind"), choices=Customer.Kind.choices, required=False)
    type = IdField(label=_("Customer type (option id)"), required=False)
    source = IdField(label=_("Source (option id)"), required=False)
    industry = IdField(label=_("Industry (option id)"), required=False)
    owner = IdField(label=_("Owner (user id)"), required=False)
    is_hot = serializers.BooleanField(label=_("Hot customer"), required=False, allow_null=True)
    contacted_after = InstantField(label=_("Last contacted after"), required=False)
    contacted_before = InstantField(label=_("Last contacted before"), required=False)
    never_contacted = serializers.BooleanField(label=_("Never contacted"), required=False)
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
            "kind": data.get("kind", ""),
            "type_id": data.get("type"),
            "source_id": data.get("source"),
            "industry_id": data.get("industry"),
            "owner_id": data.get("owner"),
            "is_hot": data.get("is_hot"),
            "contacted_after": data.get("contacted_after"),
            "contacted_before": data.get("contacted_before"),
            "never_contacted": data.get("never_contacted", False),
            "ordering": data.get("ordering", "-created_at"),
        }


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


class DuplicateMatchSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=[("name", _("Name")), ("phone", _("Phone"))])
    owner = serializers.CharField(help_text=_("The other customer's owner."))
    visible = serializers.BooleanField(help_text=_("Whether you may open the other customer."))
    id = serializers.IntegerField(required=False, help_text=_("Only when visible."))
    name = serializers.CharField(required=False, help_text=_("Only when visible."))


DUPLICATES_FOUND = OpenApiResponse(
    response=inline_serializer(
        "DuplicatesFound",
        {
            "duplicates": DuplicateMatchSerializer(many=True),
            "detail": serializers.ListField(child=serializers.CharField()),
        },
    ),
    description=_("Possible duplicates: send confirm_duplicates=true to save anyway."),
)
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
class CustomerViewSet(VisibleObjectMixin, viewsets.ModelViewSet):
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


# The duplicate check ------------------------------------------------------------------------


class DuplicateQuery(serializers.Serializer):
    name = serializers.CharField(label=_("Name"), required=False, allow_blank=True)
    phone = serializers.ListField(
        label=_("Phone"),
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text=_("A phone number; repeat the parameter to check several."),
    )


class DuplicateCheckViewSet(viewsets.ViewSet):
    """The duplicate check (查重) across the whole company, before adding a customer."""

    @extend_schema(
        summary=_("Customers of your company with the same name or phone"),
        description=_(
            "Customers you cannot see are reported by their owner's name only, so two reps "
            "never chase the same customer unknowingly."
        ),
        parameters=[DuplicateQuery],
        responses={
            200: inline_serializer(
                "DuplicateCheck", {"results": DuplicateMatchSerializer(many=True)}
            )
        },
    )
    def list(self, request):
        query = DuplicateQuery(
            data={
                "name": request.query_params.get("name", ""),
                "phone": request.query_params.getlist("phone"),
            }
        )
        query.is_valid(raise_exception=True)
        matches = selectors.company_wide_duplicates(
            request.user,
            name=query.validated_data.get("name", ""),
            phones=query.validated_data.get("phone", []),
        )
        return Response({"results": [match.as_dict() for match in matches]})


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
    router.register("customers", CustomerViewSet, basename="customer-api")
    router.register("contacts", ContactViewSet, basename="contact-api")
    router.register("duplicates", DuplicateCheckViewSet, basename="duplicate-api")
