"""The opportunity board's pieces written in Python: a board holds hundreds of cards."""

from django import template
from django.utils.html import format_html_join

register = template.Library()


@register.simple_tag(takes_context=True)
def stage_options(context, board, stage_id):
    """The options of a card's stage select: the active stages, and the card's own if it is
    no longer in use, the card's selected. The same for every card of a column, so written
    once per column and page."""
    cache = context.render_context.setdefault("stage_options", {})
    if stage_id not in cache:
        cache[stage_id] = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (column.stage.pk, " selected" if column.stage.pk == stage_id else "", label)
                for column in board.columns
                if column.stage.is_active or column.stage.pk == stage_id
                for label in [column.stage.display_label]
            ),
        )
    return cache[stage_id]
