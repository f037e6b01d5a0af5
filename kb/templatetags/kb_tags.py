from django import template
from django.utils.safestring import mark_safe

from kb.textlinks import linkify

register = template.Library()


@register.simple_tag(takes_context=True)
def linked(context, text):
    """Render prose with known codes and commands linked (the view puts link maps in the context)."""
    return linkify(text, context.get("code_links", {}), context.get("command_links"))


@register.simple_tag
def join_id(*parts):
    """An element id from parts: ``{% join_id "cause" i "title" %}`` -> ``cause-0-title``."""
    return "-".join(str(p) for p in parts)


@register.simple_tag(takes_context=True)
def autofocus(context, *parts):
    """`` autofocus`` on the element the last Move/Add/Remove button asked for (the view's ``focus``)."""
    return mark_safe(" autofocus") if "-".join(str(p) for p in parts) == context.get("focus") else ""
