"""Pages of the purchasing app: suppliers and purchase orders."""

from django.urls import path

from banyan.purchasing import views

urlpatterns = [
    path("purchasing/suppliers/", views.supplier_list_view, name="supplier-list"),
    path("purchasing/suppliers/new/", views.supplier_create_view, name="supplier-create"),
    path("purchasing/suppliers/<int:pk>/", views.supplier_detail_view, name="supplier-detail"),
    path("purchasing/suppliers/<int:pk>/edit/", views.supplier_edit_view, name="supplier-edit"),
    path("purchasing/orders/", views.purchase_order_list_view, name="purchase-order-list"),
    path("purchasing/orders/new/", views.purchase_order_create_view, name="purchase-order-create"),
    path(
        "purchasing/orders/<int:pk>/",
        views.purchase_order_detail_view,
        name="purchase-order-detail",
    ),
    path(
        "purchasing/orders/<int:pk>/edit/",
        views.purchase_order_edit_view,
        name="purchase-order-edit",
    ),
    path(
        "purchasing/orders/<int:pk>/place/",
        views.purchase_order_place_view,
        name="purchase-order-place",
    ),
    path(
        "purchasing/orders/<int:pk>/cancel/",
        views.purchase_order_cancel_view,
        name="purchase-order-cancel",
    ),
    path(
        "purchasing/orders/<int:pk>/receive/",
        views.purchase_order_receive_view,
        name="purchase-order-receive",
    ),
]
