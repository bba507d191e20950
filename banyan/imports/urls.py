"""Pages of the imports app."""

from django.urls import path

from banyan.imports import views

urlpatterns = [
    path("imports/", views.import_list_view, name="import-list"),
    path("imports/<int:pk>/", views.import_detail_view, name="import-detail"),
    path("imports/<int:pk>/progress/", views.import_progress_view, name="import-progress"),
    path("imports/<int:pk>/confirm/", views.import_confirm_view, name="import-confirm"),
    path("imports/<int:pk>/revert/", views.import_revert_view, name="import-revert"),
    path(
        "imports/templates/<str:kind>.<str:file_format>",
        views.import_template_view,
        name="import-template",
    ),
]
