"""`/api/v1/contacts/`: the contacts of the customers the user sees."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets

from banyan.accounts.api import acting_user
from banyan.core.api import (
    INVALID,
    NOT_FOUND,
    REFUSED,
    IdField,
    RelatedIdField,
    VisibleObjectMixin,
)
from banyan.customers import selectors, services
from banyan.customers.api.common import option_label


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
