from django.urls import path

from banyan.customers import views

urlpatterns = [
    path("customers/", views.customer_list_view, name="customer-list"),
    path("customers/new/", views.customer_create_view, name="customer-create"),
    path("customers/duplicates/", views.customer_duplicates_view, name="customer-duplicates"),
    path("customers/bulk/", views.customer_bulk_view, name="customer-bulk"),
    path("customers/<int:pk>/", views.customer_detail_view, name="customer-detail"),
    path("customers/<int:pk>/edit/", views.customer_edit_view, name="customer-edit"),
    path("customers/<int:pk>/delete/", views.customer_delete_view, name="customer-delete"),
    path("customers/<int:pk>/share/", views.customer_share_view, name="customer-share"),
    path("customers/<int:pk>/unshare/", views.customer_unshare_view, name="customer-unshare"),
    path("customers/<int:pk>/transfer/", views.customer_transfer_view, name="customer-transfer"),
    path("customers/<int:pk>/hot/", views.customer_hot_view, name="customer-hot"),
    path("customers/<int:pk>/contacts/new/", views.contact_create_view, name="contact-create"),
    path("contacts/", views.contact_list_view, name="contact-list"),
    path("contacts/<int:pk>/edit/", views.contact_edit_view, name="contact-edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete_view, name="contact-delete"),
]
