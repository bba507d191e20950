"""Pages of the messaging app. The SMS log has no edit or delete URL: it is a ledger."""

from django.urls import path

from banyan.messaging import views

urlpatterns = [
    path("messages/sms/", views.sms_log_view, name="sms-log"),
    path("messages/sms/send/", views.sms_send_view, name="sms-send"),
    path("messages/email/", views.email_log_view, name="email-log"),
    path("messages/email/send/", views.email_send_view, name="email-send"),
    path("messages/templates/", views.template_list_view, name="message-template-list"),
    path("messages/templates/new/", views.template_create_view, name="message-template-create"),
    path(
        "messages/templates/<int:pk>/edit/",
        views.template_edit_view,
        name="message-template-edit",
    ),
]
