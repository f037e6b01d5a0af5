"""A triage card written as text: for a ticket (``core.tickets``: Markdown, plain text, Jira) and for a terminal
(``manage.py triage``), every control character of the pasted ticket escaped."""

from __future__ import annotations

from django.conf import settings

from core.tickets import Section, Ticket, code, render
from webex.ticket import printable


def _link_text(item, root: str) -> str:
    if not item.url:
        return item.note or ""
    target = f"{code(item.code)} {item.title}" if item.code and item.code != item.value else item.title
    cause = f", cause: {item.cause}" if item.cause else ""
    note = f" [{item.note}]" if item.note else ""
    return f"{target}{cause} ({item.sureness}){note}: {root}{item.url}"


def _value(item) -> str:
    return code(item.value) if item.kind in ("code", "command") else printable(item.value).replace("\n", " ")


def card_ticket(card, permalink: str = "", root: str | None = None) -> Ticket:
    """The card as a ticket: one section per kind of thing found, the time window, and what is still missing."""
    root = settings.SITE_ROOT if root is None else root
    sections = []
    for _kind, label, items in card.groups:
        facts = [(_value(item), printable(_link_text(item, root)) or f"line {item.line}") for item in items]
        sections.append(Section(heading=label, facts=facts))
    if card.window_text:
        sections.append(Section(heading="Time window", paragraphs=[card.window_text]))
    if card.missing:
        sections.append(Section(heading="Still missing before escalating", steps=card.missing_labels))
    else:
        sections.append(Section(heading="Still missing before escalating", paragraphs=["Nothing: ready to escalate."]))
    if not card.items:
        sections.insert(0, Section(paragraphs=["Nothing the knowledge base knows was found in the ticket."]))
    links = [("Triage card", permalink)] if permalink else []
    return Ticket(title="Triage card", sections=sections, links=links)


def card_terminal(card) -> str:
    """The card for a terminal: plain text, control characters escaped."""
    return printable(render(card_ticket(card), "text"))
