from django.urls import path

from banyan.opportunities import views

urlpatterns = [
    path("opportunities/", views.opportunity_list_view, name="opportunity-list"),
    path("opportunities/pipeline/", views.pipeline_view, name="opportunity-pipeline"),
    path(
        "customers/<int:customer_pk>/opportunities/new/",
        views.opportunity_create_view,
        name="opportunity-create",
    ),
    path("opportunities/<int:pk>/", views.opportunity_detail_view, name="opportunity-detail"),
    path("opportunities/<int:pk>/edit/", views.opportunity_edit_view, name="opportunity-edit"),
    path("opportunities/<int:pk>/move/", views.opportunity_move_view, name="opportunity-move"),
    path("opportunities/<int:pk>/won/", views.opportunity_won_view, name="opportunity-won"),
    path("opportunities/<int:pk>/lost/", views.opportunity_lost_view, name="opportunity-lost"),
    path(
        "opportunities/<int:pk>/reopen/", views.opportunity_reopen_view, name="opportunity-reopen"
    ),
    path(
        "opportunities/<int:pk>/delete/", views.opportunity_delete_view, name="opportunity-delete"
    ),
]
