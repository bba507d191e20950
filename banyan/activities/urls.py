from django.urls import path

from banyan.activities import views

urlpatterns = [
    path("activities/", views.activity_list_view, name="activity-list"),
    path("activities/<int:pk>/edit/", views.activity_edit_view, name="activity-edit"),
    path("activities/<int:pk>/delete/", views.activity_delete_view, name="activity-delete"),
    path(
        "customers/<int:customer_pk>/activities/new/",
        views.activity_log_view,
        name="activity-log",
    ),
    path("tasks/", views.task_list_view, name="task-list"),
    path("tasks/new/", views.task_create_view, name="task-create"),
    path("tasks/<int:pk>/edit/", views.task_edit_view, name="task-edit"),
    path("tasks/<int:pk>/done/", views.task_done_view, name="task-done"),
    path("tasks/<int:pk>/delete/", views.task_delete_view, name="task-delete"),
    path(
        "customers/<int:customer_pk>/tasks/new/",
        views.customer_task_create_view,
        name="customer-task-create",
    ),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/feed/", views.calendar_feed_view, name="calendar-feed"),
    path(
        "calendar/feed/regenerate/",
        views.calendar_feed_regenerate_view,
        name="calendar-feed-regenerate",
    ),
    path("calendar/feed/<str:token>.ics", views.calendar_feed_ics_view, name="calendar-feed-ics"),
    path(
        "customers/<int:customer_pk>/work-summaries/new/",
        views.work_summary_create_view,
        name="work-summary-create",
    ),
    path(
        "work-summaries/<int:pk>/delete/",
        views.work_summary_delete_view,
        name="work-summary-delete",
    ),
]
