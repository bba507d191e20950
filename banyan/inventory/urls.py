"""Pages of the inventory app, and the two forms an order's shipping panel posts to."""

from django.urls import path

from banyan.inventory import views

urlpatterns = [
    path("inventory/warehouses/", views.warehouse_list_view, name="warehouse-list"),
    path("inventory/warehouses/new/", views.warehouse_create_view, name="warehouse-create"),
    path("inventory/warehouses/<int:pk>/", views.warehouse_detail_view, name="warehouse-detail"),
    path("inventory/warehouses/<int:pk>/edit/", views.warehouse_edit_view, name="warehouse-edit"),
    path(
        "inventory/warehouses/<int:pk>/initial-stock/",
        views.warehouse_initial_stock_view,
        name="warehouse-initial-stock",
    ),
    path("inventory/stock/", views.stock_list_view, name="stock-list"),
    path("inventory/low-stock/", views.low_stock_view, name="low-stock"),
    path("inventory/movements/", views.movement_list_view, name="movement-list"),
    path("inventory/slips/", views.slip_list_view, name="slip-list"),
    path("inventory/slips/queue/", views.slip_queue_view, name="slip-queue"),
    path("inventory/slips/new/", views.slip_create_view, name="slip-create"),
    path("inventory/slips/<int:pk>/", views.slip_detail_view, name="slip-detail"),
    path("inventory/slips/<int:pk>/confirm/", views.slip_confirm_view, name="slip-confirm"),
    path("inventory/slips/<int:pk>/reject/", views.slip_reject_view, name="slip-reject"),
    path("inventory/stocktakes/", views.stocktake_list_view, name="stocktake-list"),
    path("inventory/stocktakes/new/", views.stocktake_create_view, name="stocktake-create"),
    path("inventory/stocktakes/<int:pk>/", views.stocktake_detail_view, name="stocktake-detail"),
    path(
        "inventory/stocktakes/<int:pk>/confirm/",
        views.stocktake_confirm_view,
        name="stocktake-confirm",
    ),
    path("inventory/shipments/", views.shipment_list_view, name="shipment-list"),
    path("agreements/<int:pk>/outbound/", views.order_outbound_view, name="order-outbound"),
    path("agreements/<int:pk>/ship/", views.order_ship_view, name="order-ship"),
]
