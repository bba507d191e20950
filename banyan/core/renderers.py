"""How forms are rendered: Django's templates, one project template for a field and one for a
whole form, and one shortcut for select boxes."""

import html

from django.forms.renderers import TemplatesSetting
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def attributes_html(attrs: dict) -> str:
    """The attributes as Django's `attrs.html` writes them: False left out, True bare."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def escape(text) -> str:
    """`conditional_escape` without its lazy-string wrapper (a thousand options each)."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))


def option_html(value, label, attributes: str = "") -> str:
    """One option as Django's `select_option.html` writes it (`attributes`: already
    written, as `attributes_html` gives them)."""
    return f'\n  <option value="{escape(value)}"{attributes}>{escape(label)}</option>\n'


def select_html(widget: dict) -> str | None:
    """A select box exactly as Django's `select.html` and `select_option.html` write it, or
    None when one of its options asks for another template."""
    parts = [
        format_html('<select name="{}"', widget["name"]),
        attributes_html(widget["attrs"]),
        ">",
    ]
    for group_name, options, _index in widget["optgroups"]:
        if any(option["template_name"] != OPTION_TEMPLATE for option in options):
            return None
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        parts.extend(
            option_html(option["value"], option["label"], attributes_html(option["attrs"]))
            for option in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))


class FormRenderer(TemplatesSetting):
    """Django's template-based rendering (project templates may override any widget), except
    a plain select box, written out in Python: a template per option made a list filter that
    offers a company's thousand owners spend tens of milliseconds on its options.

    Every page draws a field with `{{ field.as_field_group }}` and a whole form with
    `{{ form }}`, both through the two templates named here (label, required mark, widget
    with Bootstrap classes, help and errors next to the field)."""

    field_template_name = "includes/field.html"
    form_template_name = "includes/form.html"

    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE:
            html = select_html(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request)
