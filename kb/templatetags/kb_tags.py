from urllib.parse import quote, urlencode

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from kb.lifecycle import lifecycle_groups as group_lifecycles
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


@register.simple_tag
def join_id(*parts):
    """An element id from parts: ``{% join_id "cause" i "title" %}`` -> ``cause-0-title``."""
    return "-".join(str(p) for p in parts)


@register.simple_tag(takes_context=True)
def autofocus(context, *parts):
    """`` autofocus`` on the element the last Move/Add/Remove button asked for (the view's ``focus``)."""
    return mark_safe(" autofocus") if "-".join(str(p) for p in parts) == context.get("focus") else ""


@register.filter
def lifecycle_groups(entry):
    """The commands an entry's causes name, grouped by the same lifecycle statement (kb/lifecycle.py)."""
    return group_lifecycles(entry)
