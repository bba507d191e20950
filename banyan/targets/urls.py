"""Pages of the targets app."""

from django.urls import path

from banyan.targets import views

urlpatterns = [
    path("targets/", views.target_list_view, name="target-list"),
    path("targets/set/", views.target_set_view, name="target-set"),
    path("targets/<int:pk>/delete/", views.target_delete_view, name="target-delete"),
]
