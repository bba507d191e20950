"""Pages of the products app."""

from django.urls import path

from banyan.products import views

urlpatterns = [
    path("products/", views.product_list_view, name="product-list"),
    path("products/new/", views.product_create_view, name="product-create"),
    path("products/<int:pk>/", views.product_detail_view, name="product-detail"),
    path("products/<int:pk>/edit/", views.product_edit_view, name="product-edit"),
    path("products/<int:pk>/delete/", views.product_delete_view, name="product-delete"),
    path("products/categories/", views.category_list_view, name="product-categories"),
    path(
        "products/categories/<int:pk>/edit/",
        views.category_edit_view,
        name="product-category-edit",
    ),
    path(
        "products/categories/<int:pk>/delete/",
        views.category_delete_view,
        name="product-category-delete",
    ),
]
