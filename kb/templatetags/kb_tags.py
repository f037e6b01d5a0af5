from django import template

from kb.textlinks import linkify

register = template.Library()


@register.simple_tag(takes_context=True)
def linked(context, text):
    """Render prose with known codes and commands linked (the view puts link maps in the context)."""
    return linkify(text, context.get("code_links", {}), context.get("command_links"))
