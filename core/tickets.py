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

from webex.commandkeys import URL_KEY_IN_TEXT, XML_SERVICE

FORMATS = {"markdown": "Markdown", "text": "Plain text", "jira": "Jira"}
DEFAULT_FORMAT = "markdown"
_CODE = re.compile(r"`([^`\n]+)`")


@dataclass
class Section:
    heading: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)


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
            block(style.fact.format(label, _inline(value, fmt)))
        for paragraph in section.paragraphs:
            block(_inline(paragraph, fmt))
        for number, step in enumerate(section.steps, start=1):
            line = style.step.format(_inline(step, fmt), n=number)
            if number == 1:
                block(line)
            else:
                lines.append(line)
    if ticket.links:
        lines.append("")
        lines += [style.link.format(label, url) for label, url in ticket.links]
    return lines


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
    for match in _CODE.finditer(text):  # keep what is already `marked`
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
