from django import forms, template
from django.utils.html import format_html

from banyan.core.idempotency import FORM_TOKEN_FIELD, new_form_token, posted_form_token

register = template.Library()


@register.filter
def bootstrap(field):
    """Render a bound field's widget with Bootstrap classes and aria attributes."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    attrs = {"class": f"{widget.attrs.get('class', '')} {css}".strip()}
    if field.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}_errors"
    elif field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_help"
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_multi_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxSelectMultiple)


@register.simple_tag(takes_context=True)
def form_token(context):
    """The hidden one-time token of a form that creates money or stock (see
    core/idempotency.py): the posted one when the form comes back with errors, else new."""
    request = context["request"]
    token = posted_form_token(request) or new_form_token(request.user)
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_TOKEN_FIELD, token)
