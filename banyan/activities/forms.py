"""Forms of the activity, task and work-summary pages.

They only parse input into types; every rule (visibility, assignee, reminder before due…)
is the services' job, and a refusal is put back on its field with `add_service_errors`.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from banyan.accounts import selectors as account_selectors
from banyan.accounts import visibility
from banyan.activities.models import WorkSummary
from banyan.core.forms import (
    CompactFieldsMixin,
    IdField,
    OptionChoiceField,
    ServiceErrorsMixin,
    UserChoiceField,
    day_field,
)
from banyan.customers import selectors as customer_selectors

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATETIME_INPUT_FORMATS = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def datetime_field(label, *, required=True, help_text=""):
    """A date and time typed in the company's time zone (the browser's datetime-local)."""
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


class ActivityForm(ServiceErrorsMixin, forms.Form):
    """An activity on one customer (log or edit)."""

    type = OptionChoiceField(label=_("Type"), queryset=None, empty_label=None)
    subject = forms.CharField(
        label=_("Key points"),
        max_length=200,
        widget=forms.TextInput(attrs={"maxlength": 200}),
    )
    details = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    occurred_at = datetime_field(_("Time"), required=False, help_text=_("Leave empty for now."))
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=None, required=False, empty_label=_("(none)")
    )

    def __init__(self, *args, user, customer, activity=None, **kwargs):
        super().__init__(*args, **kwargs)
        types = account_selectors.dictionary_options(user, "activity_type", active_only=True)
        if activity is not None:
            # A type switched off since keeps its place on the activities that use it.
            types = account_selectors.dictionary_options(user, "activity_type").filter(
                Q(is_active=True) | Q(pk=activity.type_id)
            )
        self.fields["type"].queryset = types.order_by("position", "id")
        self.fields["contact"].queryset = customer_selectors.visible_contacts(user).filter(
            customer=customer
        )


class ActivityLogForm(ActivityForm):
    """Log an activity and, optionally, schedule the next follow-up in one go."""

    next_subject = forms.CharField(
        label=_("What to do next"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"maxlength": 200}),
        help_text=_("Leave empty to log the activity only."),
    )
    next_due_at = datetime_field(_("Due"), required=False)
    next_assignee = UserChoiceField(
        label=_("Assignee"), queryset=None, required=False, empty_label=_("Myself")
    )
    remind_at = datetime_field(_("Remind at"), required=False)
    remind_by_sms = forms.BooleanField(label=_("Remind by SMS"), required=False)
    remind_by_email = forms.BooleanField(label=_("Remind by e-mail"), required=False)

    follow_up_fields = (
        "next_subject",
        "next_due_at",
        "next_assignee",
        "remind_at",
        "remind_by_sms",
        "remind_by_email",
    )

    def __init__(self, *args, user, customer, **kwargs):
        super().__init__(*args, user=user, customer=customer, **kwargs)
        self.fields["next_assignee"].queryset = account_selectors.assignable_users(user)

    def activity_fields(self):
        return [self[name] for name in self.fields if name not in self.follow_up_fields]

    def follow_up_bound_fields(self):
        return [self[name] for name in self.follow_up_fields]


class TaskForm(ServiceErrorsMixin, forms.Form):
    subject = forms.CharField(
        label=_("Subject"), max_length=200, widget=forms.TextInput(attrs={"maxlength": 200})
    )
    due_at = datetime_field(_("Due"))
    details = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    assignee = UserChoiceField(
        label=_("Assignee"), queryset=None, required=False, empty_label=_("Myself")
    )
    remind_at = datetime_field(_("Remind at"), required=False)
    remind_by_sms = forms.BooleanField(label=_("Remind by SMS"), required=False)
    remind_by_email = forms.BooleanField(label=_("Remind by e-mail"), required=False)

    def __init__(self, *args, user, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        assignees = account_selectors.assignable_users(user)
        if task is not None:
            assignees = assignees | account_selectors.company_users(user).filter(
                pk=task.assignee_id
            )
        self.fields["assignee"].queryset = assignees.distinct()


class QuickTaskForm(CompactFieldsMixin, ServiceErrorsMixin, forms.Form):
    """The customer view's quick add: what and when, for oneself."""

    subject = TaskForm.base_fields["subject"]
    due_at = TaskForm.base_fields["due_at"]


class WorkSummaryForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=WorkSummary.Kind.choices)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 5}))
    addressed_to = UserChoiceField(
        label=_("Addressed to"), queryset=None, required=False, empty_label=_("(nobody)")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["addressed_to"].queryset = account_selectors.company_users(user).filter(
            is_active=True
        )


class ActivityFilterForm(CompactFieldsMixin, forms.Form):
    q = forms.CharField(label=_("Key points or customer"), required=False)
    type = OptionChoiceField(
        label=_("Type"), queryset=None, required=False, empty_label=_("All types")
    )
    owner = UserChoiceField(
        label=_("Done by"), queryset=None, required=False, empty_label=_("Everyone")
    )
    date_from = day_field(_("From"))
    date_to = day_field(_("To"))
    key_points = forms.ChoiceField(
        label=_("Key points"),
        required=False,
        choices=[("", _("Any")), ("missing", _("Missing"))],
    )
    customer = IdField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = account_selectors.dictionary_options(user, "activity_type")
        self.fields["owner"].queryset = visibility.visible_owners(user).order_by("path")


class TaskFilterForm(CompactFieldsMixin, forms.Form):
    SCOPES = [
        ("mine", _("Mine")),
        ("team", _("My team")),
        ("created", _("Created by me for others")),
        ("all", _("All I can see")),
    ]
    STATUSES = [
        ("open", _("Open")),
        ("overdue", _("Overdue")),
        ("today", _("Due today")),
        ("done", _("Done")),
        ("all", _("All")),
    ]
    scope = forms.ChoiceField(label=_("Whose"), choices=SCOPES, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUSES, required=False)
    q = forms.CharField(label=_("Subject or customer"), required=False)

    def __init__(self, *args, show_team: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_team:
            self.fields["scope"].choices = [c for c in self.SCOPES if c[0] != "team"]
