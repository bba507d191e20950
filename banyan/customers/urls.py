from django.urls import path

from banyan.customers import views

urlpatterns = [
    path("customers/", views.customer_list_view, name="customer-list"),
    path("customers/<int:pk>/", views.customer_detail_view, name="customer-detail"),
    path("contacts/", views.contact_list_view, name="contact-list"),
]
