"""Form pieces every app's pages share."""

from django import forms

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


class UserChoiceField(forms.ModelChoiceField):
    """A choice among users, shown with their role: 李娜 (Sales)."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name} ({obj.get_role_display()})"
