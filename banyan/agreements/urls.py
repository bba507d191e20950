"""Pages of the agreements app: contracts and orders share every page but their lists and
their create forms."""

from django.urls import path

from banyan.agreements import views
from banyan.agreements.models import Agreement

CONTRACT = {"kind": Agreement.Kind.CONTRACT}
ORDER = {"kind": Agreement.Kind.ORDER}

urlpatterns = [
    path("contracts/", views.agreement_list_view, CONTRACT, name="contract-list"),
    path("orders/", views.agreement_list_view, ORDER, name="order-list"),
    path("contracts/new/", views.agreement_create_view, CONTRACT, name="contract-create"),
    path("orders/new/", views.agreement_create_view, ORDER, name="order-create"),
    path("agreements/<int:pk>/", views.agreement_detail_view, name="agreement-detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit_view, name="agreement-edit"),
    path("agreements/<int:pk>/delete/", views.agreement_delete_view, name="agreement-delete"),
    path("agreements/<int:pk>/status/", views.agreement_status_view, name="agreement-status"),
    path("agreements/<int:pk>/cancel/", views.agreement_cancel_view, name="agreement-cancel"),
    path(
        "agreements/<int:pk>/attachments/",
        views.attachment_add_view,
        name="agreement-attachment-add",
    ),
    path(
        "agreement-attachments/<int:pk>/",
        views.attachment_download_view,
        name="agreement-attachment-download",
    ),
    path(
        "agreement-attachments/<int:pk>/delete/",
        views.attachment_delete_view,
        name="agreement-attachment-delete",
    ),
]
