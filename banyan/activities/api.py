"""API of activities, tasks and work summaries, registered on the one router in banyan/api.py.

Thin: serializers check the shape of the input and resolve ids among what the acting user
may see; selectors fetch (another company's or an invisible row is a 404); services write and
enforce every rule (a visible row the user may not change is a 403).
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from banyan.accounts import selectors as account_selectors
from banyan.accounts.api import CompanyUserField, IdFilter, acting_user
from banyan.activities import selectors, services
from banyan.activities.models import Activity, Task, WorkSummary
from banyan.core.api import InstantField, InstantsModelSerializer, VisibleObjectMixin
from banyan.core.values import validate_day_in_range
from banyan.customers import api as customers_api
from banyan.customers import selectors as customer_selectors

# Fields -------------------------------------------------------------------------------------


class VisibleCustomerField(customers_api.VisibleCustomerField):
    """A customer id that resolves only among the customers the acting user may see."""

    default_error_messages = {
        "does_not_exist": _("Choose a customer you can see."),
        "incorrect_type": _("Give the id of a customer (a whole number)."),
    }


class VisibleContactField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": _("Choose a contact you can see."),
        "incorrect_type": _("Give the id of a contact (a whole number)."),
    }

    def get_queryset(self):
        return customer_selectors.visible_contacts(self.context["request"].user)


class ActivityTypeField(serializers.PrimaryKeyRelatedField):
    """An option of the company's "activity type" list (the service checks it is active)."""

    default_error_messages = {
        "does_not_exist": _("Choose an activity type from the list."),
        "incorrect_type": _("Give the id of an activity type (a whole number)."),
    }

    def get_queryset(self):
        return account_selectors.dictionary_options(self.context["request"].user, "activity_type")


# Activities ---------------------------------------------------------------------------------


class ActivitySerializer(serializers.ModelSerializer):
    customer = VisibleCustomerField(label=_("Customer"))
    contact = VisibleContactField(label=_("Contact"), allow_null=True, required=False)
    type = ActivityTypeField(label=_("Type"))
    occurred_at = InstantField(
        label=_("Time"), required=False, help_text=_("When it happened; now if left out.")
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "customer",
            "contact",
            "type",
            "subject",
            "details",
            "occurred_at",
            "owner",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["owner", "created_at", "updated_at"]


class ActivityFilter(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id", label=_("Customer (id)"))
    type = IdFilter(field_name="type_id", label=_("Type (id)"))
    owner = IdFilter(field_name="owner_id", label=_("Done by (id)"))
    occurred_after = django_filters.IsoDateTimeFilter(
        field_name="occurred_at",
        lookup_expr="gte",
        label=_("At or after"),
        validators=[validate_day_in_range],
    )
    occurred_before = django_filters.IsoDateTimeFilter(
        field_name="occurred_at",
        lookup_expr="lt",
        label=_("Before"),
        validators=[validate_day_in_range],
    )

    class Meta:
        model = Activity
        fields = ["customer", "type", "owner", "occurred_after", "occurred_before"]


@extend_schema_view(
    list=extend_schema(summary=_("Activities on the customers you can see")),
    create=extend_schema(
        summary=_("Log an activity"),
        description=_("Needs edit rights on the customer; moves its “last contacted” forward."),
    ),
)
class ActivityViewSet(VisibleObjectMixin, viewsets.ModelViewSet):
    """Activities (行动历史): visible exactly when their customer is; changed by the person who
    logged them and the people above them, while they may edit the customer."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    search_fields = ["subject"]
    ordering_fields = ["occurred_at", "created_at", "id"]
    ordering = ["-occurred_at", "-id"]
    fetch_one = staticmethod(selectors.get_activity_for)
    ensure_can_change = staticmethod(services.ensure_can_change_activity)

    def get_queryset(self):
        return selectors.visible_activities(acting_user(self))

    def perform_create(self, serializer):
        serializer.instance = services.activity_log(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.activity_update(
            user=self.request.user, activity=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.activity_delete(user=self.request.user, activity=instance)


# Tasks --------------------------------------------------------------------------------------


class TaskSerializer(InstantsModelSerializer):
    customer = VisibleCustomerField(label=_("Customer"), allow_null=True, required=False)
    assignee = CompanyUserField(
        label=_("Assignee"),
        required=False,
        help_text=_("Yourself (the default) or someone below you."),
    )
    is_done = serializers.BooleanField(label=_("Done"), required=False)

    class Meta:
        model = Task
        fields = [
            "id",
            "customer",
            "subject",
            "details",
            "due_at",
            "remind_at",
            "remind_by_sms",
            "remind_by_email",
            "assignee",
            "is_done",
            "done_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["done_at", "created_by", "created_at", "updated_at"]


class TaskFilter(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id", label=_("Customer (id)"))
    assignee = IdFilter(field_name="assignee_id", label=_("Assignee (id)"))
    created_by = IdFilter(field_name="created_by_id", label=_("Created by (id)"))
    is_done = django_filters.BooleanFilter(
        field_name="done_at", lookup_expr="isnull", exclude=True, label=_("Done")
    )
    due_after = django_filters.IsoDateTimeFilter(
        field_name="due_at",
        lookup_expr="gte",
        label=_("Due at or after"),
        validators=[validate_day_in_range],
    )
    due_before = django_filters.IsoDateTimeFilter(
        field_name="due_at",
        lookup_expr="lt",
        label=_("Due before"),
        validators=[validate_day_in_range],
    )

    class Meta:
        model = Task
        fields = ["customer", "assignee", "created_by", "is_done", "due_after", "due_before"]


@extend_schema_view(
    list=extend_schema(summary=_("Tasks you can see")),
    create=extend_schema(summary=_("Add a task")),
    partial_update=extend_schema(
        summary=_("Change a task, or mark it done"),
        description=_(
            "Send only is_done to mark a task done or open again: its assignee, its creator "
            "and the people above the assignee may."
        ),
    ),
)
class TaskViewSet(VisibleObjectMixin, viewsets.ModelViewSet):
    """Tasks (待办任务): on a customer, visible exactly when the customer is; without one, to
    the assignee, the creator and the people above the assignee."""

    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    search_fields = ["subject"]
    ordering_fields = ["due_at", "created_at", "done_at", "id"]
    ordering = ["due_at", "id"]
    fetch_one = staticmethod(selectors.get_task_for)

    def get_queryset(self):
        return selectors.visible_tasks(acting_user(self))

    def check_change(self, user, task):
        services.ensure_can_write_task(
            user, task, fields=self.request.data, deleting=self.request.method == "DELETE"
        )

    def perform_create(self, serializer):
        serializer.instance = services.task_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.task_change(
            user=self.request.user, task=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.task_delete(user=self.request.user, task=instance)


# Work summaries -----------------------------------------------------------------------------


class WorkSummarySerializer(serializers.ModelSerializer):
    customer = VisibleCustomerField(label=_("Customer"))
    addressed_to = CompanyUserField(label=_("Addressed to"), allow_null=True, required=False)

    class Meta:
        model = WorkSummary
        fields = [
            "id",
            "customer",
            "kind",
            "content",
            "addressed_to",
            "author",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["author", "created_at", "updated_at"]


class WorkSummaryFilter(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id", label=_("Customer (id)"))
    kind = django_filters.ChoiceFilter(choices=WorkSummary.Kind.choices)
    author = IdFilter(field_name="author_id", label=_("Author (id)"))
    addressed_to = IdFilter(field_name="addressed_to_id", label=_("Addressed to (id)"))

    class Meta:
        model = WorkSummary
        fields = ["customer", "kind", "author", "addressed_to"]


@extend_schema_view(
    list=extend_schema(summary=_("Work summaries on the customers you can see")),
    create=extend_schema(summary=_("Add a work summary (edit rights on the customer)")),
)
class WorkSummaryViewSet(VisibleObjectMixin, viewsets.ModelViewSet):
    """Work summaries (工作总结): an evaluation of a customer or a request for help, optionally
    addressed to a user; visible exactly when their customer is."""

    serializer_class = WorkSummarySerializer
    filterset_class = WorkSummaryFilter
    search_fields = ["content"]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]
    fetch_one = staticmethod(selectors.get_work_summary_for)
    ensure_can_change = staticmethod(services.ensure_can_change_work_summary)

    def get_queryset(self):
        return selectors.visible_work_summaries(acting_user(self))

    def perform_create(self, serializer):
        serializer.instance = services.work_summary_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.work_summary_update(
            user=self.request.user, summary=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.work_summary_delete(user=self.request.user, summary=instance)


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
    router.register("activities", ActivityViewSet, basename="activity")
    router.register("tasks", TaskViewSet, basename="task")
    router.register("work-summaries", WorkSummaryViewSet, basename="work-summary")
