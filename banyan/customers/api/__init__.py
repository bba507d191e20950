"""API of the customers app: customers, contacts, sharing, transfer, the duplicate check.

Thin by design: serializers check the shape of the input, selectors fetch (only what the
acting user may see: anything else is 404), services write and enforce every rule (a visible
customer the user may not change is 403). Registered on the one router in banyan/api.py.

One module per section: `customers` (the list and changes), `shares` (sharing and transfer,
actions of the customer viewset), `contacts`, `duplicates`; `serializers` holds the shapes
several of them use. Everything is importable from here, as it was from the one module.
"""

from banyan.customers.api.common import body_or_query, option_label
from banyan.customers.api.contacts import (
    ContactFieldsSerializer,
    ContactListQuery,
    ContactSerializer,
    ContactViewSet,
    VisibleCustomerField,
)
from banyan.customers.api.customers import CUSTOMER_CHANGE_RESPONSES, CustomerViewSet
from banyan.customers.api.duplicates import DuplicateCheckViewSet, DuplicateQuery
from banyan.customers.api.serializers import (
    DUPLICATES_FOUND,
    ORDERINGS,
    CustomerListQuery,
    CustomerSerializer,
    DuplicateMatchSerializer,
)
from banyan.customers.api.shares import (
    SHARE_LEVELS,
    BulkShareRequestSerializer,
    BulkTransferRequestSerializer,
    CustomerSharingActions,
    ShareRequestSerializer,
    ShareSerializer,
    TransferRequestSerializer,
    UnshareRequestSerializer,
)

__all__ = [
    "CUSTOMER_CHANGE_RESPONSES",
    "DUPLICATES_FOUND",
    "ORDERINGS",
    "SHARE_LEVELS",
    "BulkShareRequestSerializer",
    "BulkTransferRequestSerializer",
    "ContactFieldsSerializer",
    "ContactListQuery",
    "ContactSerializer",
    "ContactViewSet",
    "CustomerListQuery",
    "CustomerSerializer",
    "CustomerSharingActions",
    "CustomerViewSet",
    "DuplicateCheckViewSet",
    "DuplicateMatchSerializer",
    "DuplicateQuery",
    "ShareRequestSerializer",
    "ShareSerializer",
    "TransferRequestSerializer",
    "UnshareRequestSerializer",
    "VisibleCustomerField",
    "body_or_query",
    "option_label",
    "register",
]


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
    router.register("customers", CustomerViewSet, basename="customer-api")
    router.register("contacts", ContactViewSet, basename="contact-api")
    router.register("duplicates", DuplicateCheckViewSet, basename="duplicate-api")
