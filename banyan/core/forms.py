"""Form pieces every app's pages share."""

from django import forms
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue

from banyan.core.errors import DomainError
from banyan.core.fetch import MAX_ID


class ServiceErrorsMixin:
    """Puts a service's refusal on the form: each message on its field, or above the form.

    The form keeps what the user typed; only the messages are added.
    """

    # service field name -> form field name, where they differ
    service_field_names: dict[str, str] = {}

    def add_service_errors(self, exc: DomainError) -> None:
        for field, messages in exc.as_dict().items():
            target = self.service_field_names.get(field, field)
            if target not in self.fields:
                target = None
            for message in messages:
                self.add_error(target, message)


class IdField(forms.IntegerField):
    """The id of a row in a query string or form: a whole number a 64-bit key can hold."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", -MAX_ID)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class OptionChoiceField(forms.ModelChoiceField):
    """A choice among data-dictionary options, shown by their (translated) label."""

    def label_from_instance(self, obj) -> str:
        return obj.display_label


class UserChoiceIterator(ModelChoiceIterator):
    """A select box's users, read with only the columns their labels need, their role labels
    translated once for the whole list (a company's thousand users are one filter's options:
    `get_role_display()` per user cost more than the rest of the list page)."""

    def __init__(self, field):
        super().__init__(field)
        if self.queryset is not None:
            # The labels need the user's own columns alone: no superior or assistant joined
            # in (a selector's select_related made each option three users with every column).
            self.queryset = self.queryset.select_related(None).only(*field.label_fields)

    def __iter__(self):
        # The user model's own role choices: core knows no model of the accounts.
        roles = self.queryset.model._meta.get_field("role").choices
        self.role_labels = {value: str(label) for value, label in roles}
        yield from super().__iter__()

    def choice(self, obj):
        return (
            ModelChoiceIteratorValue(self.field.prepare_value(obj), obj),
            self.field.user_label(obj, self.role_labels.get(obj.role, obj.role)),
        )


class UserChoiceField(forms.ModelChoiceField):
    """A choice among users, shown with their role: 李娜 (Sales)."""

    iterator = UserChoiceIterator
    label_fields = ("pk", "real_name", "username", "role")
    show_role = True

    def user_label(self, obj, role_label: str) -> str:
        return f"{obj.display_name} ({role_label})" if self.show_role else obj.display_name

    def label_from_instance(self, obj) -> str:
        return self.user_label(obj, obj.get_role_display())
