from urllib.parse import quote, urlencode

from django import template
from django.urls import reverse

from kb.textlinks import linkify

register = template.Library()


@register.simple_tag(takes_context=True)
def linked(context, text):
    """Render prose with known codes and commands linked (the view puts link maps in the context)."""
    return linkify(text, context.get("code_links", {}), context.get("command_links"))


@register.simple_tag
def ticket_url(entry, cause=None):
    """The ticket text URL of an entry (or one of its causes), ready for ``format=…`` to be appended."""
    url = reverse("kb:entry-ticket", args=[entry.code])
    return f"{url}?cause={quote(cause.slug)}&" if cause is not None else f"{url}?"


@register.simple_tag
def replay_url(command_key, **extra):
    """The replay form, prefilled with a command (``/replay/?command=p.php%3FAT%3DSU``)."""
    return f"{reverse('replay:replay')}?{urlencode({'command': command_key, **{k: v for k, v in extra.items() if v}})}"
