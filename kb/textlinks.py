"""Turn codes and commands named in plain prose into links to their pages.

Prose is escaped first; only tokens that are known codes, aliases or commands become links.
"""

import re

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from kb.codes import entry_path
from kb.generation import per_generation
from kb.models import Alias, Command, Entry
from webex.commandkeys import URL_KEY_IN_TEXT, command_key

# Codes are CamelCase words (AccessDenied) or six-digit XML exception IDs (030002).
CODE_TOKEN = re.compile(r"(?<![\w/])([A-Za-z][A-Za-z0-9]{5,}|\d{6})(?![\w/])")
COMMAND_TOKEN = URL_KEY_IN_TEXT


def candidate_tokens(texts):
    tokens = set()
    for text in texts:
        tokens.update(CODE_TOKEN.findall(text or ""))
    return tokens


def build_link_map(texts, *, exclude_code=None):
    """One query each for codes and aliases named anywhere in ``texts``; returns {token: url}. Drafts are not
    linked: their pages are for editors only."""
    tokens = candidate_tokens(texts)
    links = {}
    if not tokens:
        return links
    for code in Entry.objects.published().filter(code__in=tokens).values_list("code", flat=True):
        links[code] = entry_path(code)
    aliases = Alias.objects.filter(alias__in=tokens - set(links), entry__status=Entry.Status.PUBLISHED)
    for alias, code in aliases.values_list("alias", "entry__code"):
        links[alias] = entry_path(code)
    if exclude_code:
        links.pop(exclude_code, None)
    return links


@per_generation
def command_links():
    """{command key: its page}, read once per process for each KB generation (shared: do not change it)."""
    return {cmd.key: cmd.get_absolute_url() for cmd in Command.objects.select_related("service")}


def linkify(text, links, commands=None):
    """Escape ``text`` and wrap known codes and commands in <a> tags."""
    out = []
    pos = 0
    text = text or ""
    pattern = re.compile(f"{COMMAND_TOKEN.pattern}|{CODE_TOKEN.pattern}")
    for match in pattern.finditer(text):
        start, end = match.span()
        token = match.group(0)
        url = None
        if match.group(1) and commands is not None:
            url = commands.get(command_key(match.group(1), match.group(2).upper(), xml=False))
        elif match.group(3):
            url = links.get(token)
        if url:
            out.append(escape(text[pos:start]))
            out.append(format_html('<a href="{}"><code>{}</code></a>', url, token))
            pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # every piece above is escaped
