"""`{% export_buttons "customers" %}`: the Export menu of a list (.xlsx, CSV), carrying the
list's current filters and sort; nothing at all for a user without the export permission."""

from django import template

from banyan.exports.registry import kind_named
from banyan.exports.selectors import can_export

register = template.Library()


@register.inclusion_tag("exports/_export_buttons.html", takes_context=True)
def export_buttons(context, kind_key: str):
    request = context.get("request")
    user = getattr(request, "user", None)
    kind = kind_named(kind_key)
    shown = bool(user is not None and kind is not None and can_export(user) and kind.allowed(user))
    query = request.GET.copy() if shown else None
    if query is not None:
        query.pop("page", None)
    return {
        "shown": shown,
        "kind": kind_key,
        "query": query.urlencode() if query is not None else "",
        "csrf_token": context.get("csrf_token"),
    }
