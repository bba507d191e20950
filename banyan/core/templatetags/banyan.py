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
    classes = widget.attrs.get("class", "").split()
    classes += [name for name in css.split() if name not in classes]
    attrs = {"class": " ".join(classes)}
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


@register.inclusion_tag("includes/pagination.html", takes_context=True)
def pagination(context, page, param: str = "page", *, numbered=False, query=None, base_url=""):
    """The pages of a list, keeping the request's search and filters: `{% pagination page %}`,
    or with the page's own parameter where a page holds two lists
    (`{% pagination to_collect "collect_page" %}`). `numbered=True` links every page number
    (elided) instead of "Page n of m"; `query` (default: the request's) and `base_url`
    (default: the page's own address) serve a list rendered in answer to another address,
    as the customer list is after a bulk action."""
    query = (context["request"].GET if query is None else query).copy()
    query.pop(param, None)
    return {
        "page": page,
        "param": param,
        "query": query.urlencode(),
        "base_url": base_url,
        "numbered": numbered,
    }


@register.simple_tag
def status_badge(record):
    """A record's status as a badge: `{% status_badge agreement %}`. The colour is the tone
    its model's STATUS_BADGES gives the status ("" for any other), plus its model's
    STATUS_BADGE_CLASS when it has one (pages and tests find the badge by it)."""
    tones = record.STATUS_BADGES
    tone = tones.get(record.status, tones.get("", "secondary"))
    extra = getattr(record, "STATUS_BADGE_CLASS", "")
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        f"{tone} {extra}" if extra else tone,
        record.get_status_display(),
    )
