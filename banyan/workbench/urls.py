"""Pages of the workbench app."""

from django.urls import path

from banyan.workbench import views

urlpatterns = [
    path("workbench/dashboard/", views.dashboard_view, name="workbench-dashboard"),
]
