"""The customer's shape in the API (its list, its changes, its sharing and transfer), and
the duplicates a new customer may have."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    inline_serializer,
)
from rest_framework import serializers

from banyan.core.api import (
    IdField,
    InstantField,
    RelatedIdField,
)
from banyan.customers import selectors
from banyan.customers.api.common import option_label
from banyan.customers.api.contacts import ContactFieldsSerializer
from banyan.customers.models import Customer

ORDERINGS = [
    "name",
    "-name",
    "created_at",
    "-created_at",
    "last_contacted_at",
    "-last_contacted_at",
]


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
