"""Form pieces every app's pages share."""

import collections
import functools

from django import forms
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from banyan.core.errors import DomainError
from banyan.core.fetch import MAX_ID
from banyan.core.renderers import attributes_html, option_html
from banyan.core.values import validate_day_in_range


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


COMPACT_FIELD_TEMPLATE = "includes/compact_field.html"
# the search box of a filter bar, behind a magnifier: set on the field after the mixin ran
COMPACT_SEARCH_TEMPLATE = "includes/compact_search_field.html"
# a quiet label beside the widget, for a page header's one-line form
INLINE_FIELD_TEMPLATE = "includes/inline_field.html"


class CompactFieldsMixin:
    """Draws every field of the form, with {{ field.as_field_group }}, as a field of a compact
    bar (includes/compact_field.html): a small label over the widget, for list filters and a
    panel's one-line forms. The page keeps its own column around each field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.template_name = COMPACT_FIELD_TEMPLATE


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


class QuickSelect(forms.Select):
    """A select box written straight from its choices, exactly as Django's templates write
    it: a company's thousand users are three select boxes on the customer view, and a dict
    and a template per option cost more than the rest of the page. Grouped choices go
    through Django's own rendering."""

    def render(self, name, value, attrs=None, renderer=None):
        # iter(): list() would ask a model choice iterator its length, a COUNT query.
        choices = list(iter(self.choices))
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        wanted = set(self.format_value(value))
        parts = [
            format_html('<select name="{}"', name),
            attributes_html(self.build_attrs(self.attrs, attrs)),
            ">",
        ]
        chosen = False
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            selected = not chosen and option_value in wanted
            chosen |= selected
            parts.append(option_html(option_value, label, " selected" if selected else ""))
        parts.append("\n</select>")
        return mark_safe("".join(parts))


class UserChoiceIterator(ModelChoiceIterator):
    """A select box's users, read as rows of the columns their labels need (no model
    instances: a company's thousand users are one filter's options), their role labels
    translated once for the whole list. Each option's instance is that row, with the
    user model's `display_name`."""

    def __iter__(self):
        # The user model's own role choices and name: core knows no model of the accounts.
        model = self.queryset.model
        roles = model._meta.get_field("role").choices
        self.role_labels = {value: str(label) for value, label in roles}
        row_type = _user_row_type(model, tuple(self.field.label_fields))
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        # The labels need the user's own columns alone: no superior or assistant joined in.
        rows = self.queryset.select_related(None).values_list(*self.field.label_fields)
        for values in rows:
            yield self.choice(row_type._make(values))

    def choice(self, obj):
        return (
            ModelChoiceIteratorValue(obj.pk, obj),
            self.field.user_label(obj, self.role_labels.get(obj.role, obj.role)),
        )


@functools.cache
def _user_row_type(model, fields: tuple[str, ...]) -> type:
    return type(
        "UserRow",
        (collections.namedtuple("UserRow", fields),),
        {"__slots__": (), "display_name": model.display_name},
    )


class UserChoiceField(forms.ModelChoiceField):
    """A choice among users, shown with their role: 李娜 (Sales)."""

    iterator = UserChoiceIterator
    widget = QuickSelect
    label_fields = ("pk", "real_name", "username", "role")
    show_role = True

    def user_label(self, obj, role_label: str) -> str:
        return f"{obj.display_name} ({role_label})" if self.show_role else obj.display_name

    def label_from_instance(self, obj) -> str:
        return self.user_label(obj, obj.get_role_display())


def day_field(label) -> forms.DateField:
    """An optional day of a list's filter (a date picker), within the calendar's range."""
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_day_in_range],
    )


def team_field(help_text) -> UserChoiceField:
    """A list's "team of" filter: rows of this person or anyone below them (what a report's
    per-group figure drills down to); its queryset is the people the user sees."""
    return UserChoiceField(
        label=_("Team of"),
        queryset=None,
        required=False,
        empty_label=_("Everyone I see"),
        help_text=help_text,
    )
