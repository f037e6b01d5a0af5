"""Text for a ticket: the one home of how an entry, a wizard outcome or a replay is written into a ticket.

A :class:`Ticket` is a title, sections (facts, paragraphs, numbered steps) and links. :func:`render` writes it as
Markdown, plain text or Jira wiki markup. Every text put into a ticket is a value (an entry's text, a site's ``RS``
or reason, a wizard step), escaped when it is written: Markdown and Jira markup in it (a heading, a link, an image
such as a tracking ``![x](http://…)`` or ``!http://…!``, ``[label|url]``, ``{code}``) is shown as text, never acted
on, and control characters are shown visibly (``webex.text.shown_safely``). The markup is the format's own
(``_STYLES``), and a code or command is marked with :func:`code`: Markdown writes it in backticks, Jira as
``{{monospace}}``, plain text as it is. The entry page's "Copy for ticket", the wizard's summary and a replay record
all answer through :func:`ticket_response`, so the three formats read the same everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.http import HttpResponse, HttpResponseBadRequest

from webex.commandkeys import URL_KEY_IN_TEXT, XML_SERVICE
from webex.text import shown_safely
from webex.ticket import printable

FORMATS = {"markdown": "Markdown", "text": "Plain text", "jira": "Jira"}
DEFAULT_FORMAT = "markdown"
# A code span inside a ticket's text: private-use marks that no format writes (see code()).
_CODE_OPEN, _CODE_CLOSE = "\ue010", "\ue011"
_CODE_SPAN = re.compile("\ue010([^\ue010\ue011]*)\ue011")
# Markdown: every character that can open markup (emphasis, code, links and images, raw HTML and autolinks,
# headings, tables, strike-through) is backslash-escaped; a value's line breaks become spaces, and a value that
# starts a line cannot start a list, a quote or a setext heading.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~!])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)]))")
# Jira wiki markup: text effects, {macros}, [links|url], !images!, tables, lists; -strike- and ??citation?? only
# where they could open or close. A value that starts a line cannot start a heading (h1.) or a quote (bq.).
_JIRA_SPECIAL = re.compile(r"([\\*_+^~{}\[\]!|#]|(?<!\w)-|-(?!\w)|\?(?=\?))")
# An address a Markdown or Jira renderer would turn into a link by itself.
_URL = re.compile(
    r"((?:\b[A-Za-z][A-Za-z0-9+.-]{1,20}:/{1,3}|\bwww\.|\bmailto:)[^\s<>()\[\]{}|!`'\"]*[^\s<>()\[\]{}|!`'\".,;:?])"
)
_JIRA_LINE_START = re.compile(r"^(\s*)(h[1-6]|bq)\.", re.IGNORECASE)


@dataclass
class Section:
    heading: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)  # preformatted text (a request, an answer), kept as it is


@dataclass
class Ticket:
    title: str
    sections: list[Section] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)


def code(text) -> str:
    """Mark ``text`` as a code or command inside a ticket's text (the value itself is escaped when written)."""
    value = re.sub(r"[`\ue010\ue011\r\n]", "", str(text))
    return f"{_CODE_OPEN}{value}{_CODE_CLOSE}"


def _escaped(text, fmt):
    """A value's text (outside code spans) with the format's markup escaped; a bare address, which a renderer would
    turn into a link by itself, is written as code."""
    text = text.replace(_CODE_OPEN, "").replace(_CODE_CLOSE, "")
    if fmt == "text":
        return text
    parts = _URL.split(text)  # odd items are the addresses
    return "".join(_code_span(part, fmt) if i % 2 else _markup_escaped(part, fmt) for i, part in enumerate(parts))


def _markup_escaped(text, fmt):
    if fmt == "markdown":
        return _MD_SPECIAL.sub(r"\\\1", text)
    if fmt == "jira":
        return _JIRA_SPECIAL.sub(r"\\\1", text)
    return text


def _code_span(value, fmt):
    if not value:
        return ""
    if fmt == "markdown":
        return "`" + value.replace("`", "") + "`"
    if fmt == "jira":
        return "{{" + _markup_escaped(value, fmt) + "}}"
    return value


def _inline(text, fmt):
    """A value as ``fmt`` writes it: its code spans marked, everything else escaped."""
    text = shown_safely(str(text or "").replace("\r", "")).strip()
    if fmt != "text":
        text = re.sub(r"[ \t]*\n\s*", " ", text)
    out, pos = [], 0
    for m in _CODE_SPAN.finditer(text):
        out += [_escaped(text[pos : m.start()], fmt), _code_span(m.group(1), fmt)]
        pos = m.end()
    out.append(_escaped(text[pos:], fmt))
    text = "".join(out)
    if fmt == "markdown":
        return _MD_LINE_START.sub(
            lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}"), text
        )
    if fmt == "jira":
        return _JIRA_LINE_START.sub(lambda m: f"{m.group(1)}{m.group(2)}\\.", text)
    return text


@dataclass(frozen=True)
class _Style:
    """How one format writes a ticket's parts; ``{}`` takes the text, ``{n}`` a step's number."""

    title: str
    heading: str
    fact: str
    step: str
    link: str
    underline_title: bool = False


_STYLES = {
    "markdown": _Style(title="### {}", heading="**{}**", fact="**{}:** {}", step="{n}. {}", link="{}: {}"),
    "text": _Style(title="{}", heading="{}", fact="{}: {}", step="{n}. {}", link="{}: {}", underline_title=True),
    "jira": _Style(title="h3. {}", heading="*{}*", fact="*{}:* {}", step="# {}", link="{}: [{}]"),
}


def _lines(ticket, fmt):
    style = _STYLES[fmt]
    title = _inline(ticket.title, fmt)
    lines = [style.title.format(title)]
    if style.underline_title:
        lines.append("=" * min(len(title), 72))
    # Markdown joins lines that no blank line separates into one paragraph: there, a heading, each fact and each
    # paragraph stand alone (numbered steps are a list and stay together).
    apart = fmt == "markdown"

    def block(line):
        if apart and lines[-1]:
            lines.append("")
        lines.append(line)

    for section in ticket.sections:
        lines.append("")
        if section.heading:
            lines.append(style.heading.format(_inline(section.heading, fmt)))
        for label, value in section.facts:
            block(style.fact.format(_inline(label, fmt), _inline(value, fmt)))
        for paragraph in section.paragraphs:
            block(_inline(paragraph, fmt))
        for number, step in enumerate(section.steps, start=1):
            line = style.step.format(_inline(step, fmt), n=number)
            if number == 1:
                block(line)
            else:
                lines.append(line)
        for part in section.blocks:
            lines += _block(part, fmt)
    if ticket.links:
        lines.append("")
        lines += [style.link.format(label, url) for label, url in ticket.links]
    return lines


def _block(text, fmt) -> list[str]:
    """Preformatted text: a fenced block in Markdown, ``{noformat}`` in Jira, indented by four spaces in plain text.
    A fence or ``{noformat}`` inside the text cannot close the block early."""
    body = str(text or "").replace("\r", "").rstrip("\n")
    if fmt == "markdown":
        fence = "```"
        while fence in body:
            fence += "`"
        return [fence, body, fence]
    if fmt == "jira":
        return ["{noformat}", body.replace("{noformat}", "{ noformat }"), "{noformat}"]
    return ["    " + line for line in body.split("\n")]


def render(ticket: Ticket, fmt: str = DEFAULT_FORMAT) -> str:
    """The ticket as ``fmt`` ("markdown", "text" or "jira"). Raises KeyError for another format."""
    return "\n".join(_lines(ticket, fmt)).strip() + "\n"


def mark_codes(text, codes=()) -> str:
    """``text`` with every command key (``p.php?AT=LI``, ``XMLService:user.GetUser``) and every code of ``codes``
    (``BadWebExIDorPassword``, ``030002``) marked as code; text already marked is left alone."""
    text = str(text or "")
    names = sorted({c for c in codes if c}, key=len, reverse=True)
    pieces = [_COMMAND_IN_TEXT.pattern] + [rf"(?<![\w`?=.]){re.escape(c)}(?![\w`])" for c in names]
    pattern = re.compile("|".join(pieces))
    out, pos = [], 0
    for match in _CODE_SPAN.finditer(text):  # keep what is already marked
        out.append(pattern.sub(lambda m: code(m.group(0)), text[pos : match.start()]))
        out.append(match.group(0))
        pos = match.end()
    out.append(pattern.sub(lambda m: code(m.group(0)), text[pos:]))
    return "".join(out)


_COMMAND_IN_TEXT = re.compile(rf"{URL_KEY_IN_TEXT.pattern}|\b{XML_SERVICE}:[A-Za-z]+\.[A-Za-z]+")


def entry_ticket(entry, permalink, cause=None, codes=()) -> Ticket:
    """An entry for a ticket: its title and summary, then the cause's meaning and numbered steps (every cause when
    none is named), and the permalink. Commands and ``codes`` (those the texts name) are marked as code."""
    causes = [cause] if cause is not None else list(entry.causes.all())
    codes = {entry.code, *codes}
    sections = [Section(paragraphs=[mark_codes(entry.summary, codes)])]
    for number, item in enumerate(causes, start=1):
        heading = f"Cause: {item.title}" if len(causes) == 1 else f"Cause {number}: {item.title}"
        sections.append(Section(heading=heading, facts=[("What it means", mark_codes(item.meaning, codes))]))
        steps = [mark_codes(step.text, codes) for step in item.steps.all()]
        if steps:
            sections.append(Section(heading="What to do", steps=steps))
    sections += _lifecycle_sections(causes)
    return Ticket(title=f"{code(entry.code)}: {entry.title}", sections=sections, links=[("Knowledge base", permalink)])


def _lifecycle_sections(causes) -> list[Section]:
    """The lifecycle and REST way on of the causes' commands (each once), as the knowledge base words them
    (``lifecycle_text``, ``rest_text``); none when no command has either."""
    facts, seen = [], set()
    for cause in causes:
        for command in cause.commands.all():
            if command.pk in seen:
                continue
            seen.add(command.pk)
            if getattr(command, "lifecycle_text", ""):
                facts.append((f"{command.key} lifecycle", command.lifecycle_text))
            if getattr(command, "rest_text", ""):
                facts.append((f"{command.key} REST way on", command.rest_text))
    return [Section(heading="Is the API still there?", facts=facts)] if facts else []


def _triage_link(item, root: str) -> str:
    if not item.url:
        return item.note or ""
    target = f"{code(item.code)} {item.title}" if item.code and item.code != item.value else item.title
    cause = f", cause: {item.cause}" if item.cause else ""
    note = f" [{item.note}]" if item.note else ""
    return f"{target}{cause} ({item.sureness}){note}: {root}{item.url}"


def triage_ticket(card, permalink: str = "", root: str = "") -> Ticket:
    """A triage card (kb.triage.card.Card) as a ticket: one section per kind of thing found (codes and commands
    marked as code), the UTC time window, and what is still missing before escalating. Control characters of the
    pasted ticket are escaped."""
    sections = []
    for kind, label, items in card.groups:
        facts = []
        for item in items:
            value = code(item.value) if kind in ("code", "command") else printable(item.value).replace("\n", " ")
            facts.append((value, printable(_triage_link(item, root)) or f"line {item.line}"))
        sections.append(Section(heading=label, facts=facts))
    if not card.items:
        sections.append(Section(paragraphs=["Nothing the knowledge base knows was found in the ticket."]))
    if card.window_text:
        sections.append(Section(heading="Time window", paragraphs=[card.window_text]))
    missing = Section(heading="Still missing before escalating", steps=card.missing_labels)
    missing.paragraphs = [] if card.missing else ["Nothing: ready to escalate."]
    sections.append(missing)
    return Ticket(title="Triage card", sections=sections, links=[("Triage card", permalink)] if permalink else [])


def read_format(request):
    """The ``format`` asked for, or None when it is not one of :data:`FORMATS`."""
    fmt = request.GET.get("format", DEFAULT_FORMAT) or DEFAULT_FORMAT
    return fmt if fmt in FORMATS else None


def text_response(text, status=200):
    response = HttpResponse(text, content_type="text/plain; charset=utf-8", status=status)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def bad_format_response():
    choices = ", ".join(FORMATS)
    response = HttpResponseBadRequest(
        f"Unknown format: use one of {choices}.\n", content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = "inline"
    return response


def ticket_response(request, build):
    """``build()`` -> Ticket, answered in the format the request asks for (400 text for an unknown one)."""
    fmt = read_format(request)
    if fmt is None:
        return bad_format_response()
    return text_response(render(build(), fmt))
