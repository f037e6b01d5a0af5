"""Text for a ticket: the one home of how an entry, a wizard outcome or a replay is written into a ticket.

A :class:`Ticket` is a title, sections (facts, paragraphs, numbered steps) and links. :func:`render` writes it as
Markdown, plain text or Jira wiki markup. Inside any text, `backticks` mark a code or command: Markdown keeps them,
Jira writes ``{{monospace}}``, plain text drops them. The entry page's "Copy for ticket", the wizard's summary and a
replay record all answer through :func:`ticket_response`, so the three formats read the same everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.http import HttpResponse, HttpResponseBadRequest

from webex.ticket import printable

FORMATS = {"markdown": "Markdown", "text": "Plain text", "jira": "Jira"}
DEFAULT_FORMAT = "markdown"
_CODE = re.compile(r"`([^`\n]+)`")


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
    """Mark ``text`` as a code or command inside a ticket's text."""
    return f"`{str(text).replace('`', '')}`"


def _inline(text, fmt):
    text = str(text or "").replace("\r", "").strip()
    if fmt == "markdown":
        return text
    if fmt == "jira":
        return _CODE.sub(lambda m: "{{" + m.group(1) + "}}", text)
    return _CODE.sub(lambda m: m.group(1), text)


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
    for section in ticket.sections:
        lines.append("")
        if section.heading:
            lines.append(style.heading.format(_inline(section.heading, fmt)))
        lines += [style.fact.format(_inline(label, fmt), _inline(value, fmt)) for label, value in section.facts]
        lines += [_inline(p, fmt) for p in section.paragraphs]
        lines += [style.step.format(_inline(s, fmt), n=i) for i, s in enumerate(section.steps, start=1)]
        for block in section.blocks:
            lines += _block(block, fmt)
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


def entry_ticket(entry, permalink, cause=None) -> Ticket:
    """An entry for a ticket: its title and summary, then the cause's meaning and numbered steps (every cause when
    none is named), and the permalink."""
    causes = [cause] if cause is not None else list(entry.causes.all())
    sections = [Section(paragraphs=[entry.summary])]
    for number, item in enumerate(causes, start=1):
        heading = f"Cause: {item.title}" if len(causes) == 1 else f"Cause {number}: {item.title}"
        sections.append(Section(heading=heading, facts=[("What it means", item.meaning)]))
        steps = [step.text for step in item.steps.all()]
        if steps:
            sections.append(Section(heading="What to do", steps=steps))
    return Ticket(title=f"{code(entry.code)}: {entry.title}", sections=sections, links=[("Knowledge base", permalink)])


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
