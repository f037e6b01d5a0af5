"""A triage card: what a whole pasted ticket holds, each thing linked to what the knowledge base says of it.

:func:`build_card` redacts the ticket first (webex.redaction), cuts it into parts (``webex.ticket.segments``), asks
``webex.detect`` about each part and ``kb.search.search`` about each distinct thing detected (so the search's links,
causes, conditions and confidence rules apply unchanged), looks up the codes written in prose with the search's own
code shapes and keys, reads the facts support asks for (``webex.ticket.facts``), and lists what is still missing
before escalating. Drafts never appear: only published entries are linked.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime

from kb.models import Entry
from kb.search import key_term, search
from kb.search.keys import keys_for
from kb.search.lexicon import code_shape
from webex import detect
from webex.redaction import redact_text
from webex.ticket import MAX_TICKET_CHARS, facts, rest_error, segments, time_window

MAX_ITEMS = 60  # things listed per kind
# A line of prose that webex.detect may read something in: "=", a tag, a JSON brace, a query, a URL, a 6-digit
# exception ID, a status or reason word. Other lines (most of a mail) are not worth its time.
_MAY_DETECT = re.compile(
    r"[=<{?]|://|(?<!\d)\d{6}(?!\d)|\b(?:fail|failed|failure|success|error|err|exception|reason|rs|st|at)\b", re.I
)

# What each kind of thing found is called on the card, in the card's order.
KIND_LABELS = {
    "code": "Codes",
    "rest": "REST errors",
    "status": "HTTP statuses",
    "command": "Commands",
    "site": "Sites",
    "user": "Users",
    "tracking": "Tracking IDs",
    "gsb": "gsbStatus",
    "time": "Times",
}
# What is still missing, as the card words it (kind of fact -> what to ask the customer for).
MISSING_LABELS = {
    "site": "The site name (the part after webex.com/ in the site's address, or siteName)",
    "user": "The user: the WebEx ID or email address of the account that failed",
    "time": "The time window, with its time zone (UTC if possible)",
    "tracking": "A tracking ID: the REST answer's trackingId, or the XML API answer's gsbStatus",
    "request": "The exact request: the URL or XML sent (password removed), not only the answer",
}


@dataclass
class Item:
    """One thing found in the ticket."""

    kind: str  # a key of KIND_LABELS
    value: str
    line: int  # the ticket's line it was first found on
    context: str = ""  # the redacted part it was found in, one line
    title: str = ""  # what it links to: an entry's title (or a condition's, or a command's name)
    url: str = ""
    code: str = ""  # the entry's code
    cause: str = ""  # the cause that fits (its title)
    match: str = ""  # how the search matched it (code, detected, condition, command …)
    confident: bool = False  # the search is sure this is the diagnosis
    note: str = ""  # what the card says beside it (not in the knowledge base, a success, a request …)

    @property
    def sureness(self) -> str:
        if not self.url:
            return ""
        return "sure" if self.confident else "possible"

    def to_json(self):
        return {
            "kind": self.kind,
            "value": self.value,
            "line": self.line,
            "link": (
                {
                    "title": self.title,
                    "url": self.url,
                    "code": self.code or None,
                    "cause": self.cause or None,
                    "match": self.match,
                    "confident": self.confident,
                }
                if self.url
                else None
            ),
            "note": self.note or None,
        }


@dataclass
class Card:
    text: str  # the ticket, redacted
    items: list[Item] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # keys of MISSING_LABELS
    window: tuple[datetime, datetime] | None = None  # the UTC time window of the times found
    redacted: bool = False  # the ticket held a secret, now •••
    cut: bool = False  # the ticket was longer than MAX_TICKET_CHARS
    duration_ms: float = 0.0

    def of_kind(self, kind) -> list[Item]:
        return [item for item in self.items if item.kind == kind]

    @property
    def groups(self) -> list[tuple[str, str, list[Item]]]:
        """(kind, label, items) of every kind found, in the card's order."""
        return [(kind, label, items) for kind, label in KIND_LABELS.items() if (items := self.of_kind(kind))]

    @property
    def missing_labels(self) -> list[str]:
        return [MISSING_LABELS[key] for key in self.missing]

    @property
    def window_text(self) -> str:
        if self.window is None:
            return ""
        first, last = self.window
        fmt = "%Y-%m-%d %H:%M:%S"
        return f"{first.strftime(fmt)} – {last.strftime(fmt)} UTC" if first != last else f"{first.strftime(fmt)} UTC"

    def to_json(self):
        return {
            "items": [item.to_json() for item in self.items],
            "missing": [{"key": key, "text": MISSING_LABELS[key]} for key in self.missing],
            "time_window_utc": (
                {"start": self.window[0].isoformat(), "end": self.window[1].isoformat()} if self.window else None
            ),
            "redacted": self.redacted,
            "cut": self.cut,
        }


def _one_line(text: str, limit: int = 160) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _link(item: Item, response) -> None:
    """Fill ``item``'s link from a search answer: its first result (an entry at the cause that fits, or whatever the
    search matched, such as a condition), and the search's confidence."""
    if response.missing_code:
        item.note = "not in the knowledge base yet"
        return
    if not response.results:
        return
    result = response.results[0]
    item.title = str(getattr(result, "title", "") or "")
    item.url = str(getattr(result, "href", "") or getattr(result, "url", "") or "")
    item.code = str(getattr(result, "code", "") or "")
    cause = getattr(result, "cause", None)
    detected = response.detected
    if cause is None and detected is not None and detected.cause is not None:
        cause = detected.cause
    item.cause = str(getattr(cause, "title", "") or "")
    item.match = str(getattr(result, "match", "") or "")
    item.confident = bool(response.confident)
    if response.lists_command_errors:
        item.note = "errors this command can return (not a diagnosis)"


class _Reader:
    """One card being built: what was searched already, and what was found."""

    def __init__(self):
        self.items: list[Item] = []
        self.searched: dict[str, object] = {}
        self.detected: dict[str, object] = {}
        self.rest_read: set[str] = set()
        self.seen: set[tuple[str, str]] = set()
        self.has_request = False

    def search(self, text):
        if text not in self.searched:
            self.searched[text] = search(text, limit=5)
        return self.searched[text]

    def add(self, item: Item) -> Item | None:
        key = (item.kind, item.value.lower())
        if key in self.seen or len([i for i in self.items if i.kind == item.kind]) >= MAX_ITEMS:
            return None
        self.seen.add(key)
        self.items.append(item)
        return item

    def detect(self, segment):
        """``webex.detect`` of a part, once per distinct text (a mail thread quotes itself), and only for a line of
        prose that holds something detection reads (a parameter, a tag, a URL, a 6-digit ID, a status word)."""
        if not segment.structured and not _MAY_DETECT.search(segment.text):
            return None
        if segment.text not in self.detected:
            self.detected[segment.text] = detect(segment.text)
        return self.detected[segment.text]

    def detection(self, segment) -> bool:
        found = self.detect(segment)
        if found is None or not (found.code or found.command or found.status):
            return False
        context = _one_line(found.fragment or segment.text)
        if found.is_request or found.form in ("http-request", "html-form"):
            self.has_request = True
        if found.code:
            item = self.add(Item("code", found.code, segment.line, context))
            if item is not None:
                _link(item, self.search(segment.text))
                if found.status:
                    item.note = item.note or f"{found.status}" + (f" from {found.command}" if found.command else "")
        if found.command:
            item = self.add(Item("command", found.command, segment.line, context))
            if item is not None:
                response = self.search(found.command)
                command = response.commands[0] if response.commands else None
                if command is not None:
                    item.title, item.url, item.match = command.name, command.get_absolute_url(), "command"
                    item.confident = True
                item.note = "request" if found.is_request else (found.status or "").lower()
        return True

    def rest(self, segment) -> None:
        if segment.text in self.rest_read:
            return  # the same part again (a mail quoting itself): listed once
        self.rest_read.add(segment.text)
        error = rest_error(segment.text)
        if error is None:
            return
        value = f"HTTP {error.status}" if error.status else "REST error"
        item = self.add(Item("rest", value, segment.line, _one_line(error.message)))
        if item is not None:
            if error.message:
                response = self.search(error.message)
                if response.confident:
                    _link(item, response)
            tracking = f"trackingId {error.tracking_id}" if error.tracking_id else "no trackingId in the answer"
            item.note = f"“{item.context}” · {tracking}" if item.context else tracking

    def prose_codes(self, plain) -> None:
        """Codes written in prose or log text that detection did not read: the search's code shapes, looked up in
        one query; a 6-digit exception ID no entry has is listed as missing from the knowledge base."""
        shaped: dict[str, tuple[str, object]] = {}
        looked: set[str] = set()
        for segment in plain:
            for token in segment.text.split():
                if token in looked:
                    continue
                looked.add(token)
                shape = code_shape(token)
                if shape is not None and shape.kind in ("exception-id", "reason-code", "sub-error"):
                    shaped.setdefault(key_term(shape.code), (shape.code, segment))
        known = keys_for(list(shaped)) if shaped else {}
        for term, (value, segment) in shaped.items():
            if term not in known and not term.isdigit():
                continue  # a CamelCase word no entry has (a product name): not a code
            item = self.add(Item("code", value, segment.line, _one_line(segment.text)))
            if item is not None:
                _link(item, self.search(value))


def _published_only(items: list[Item]) -> list[Item]:
    """Drop the link of an item whose entry is not published (a draft), whatever found it."""
    codes = {item.code for item in items if item.code}
    if not codes:
        return items
    published = set(Entry.objects.published().filter(code__in=codes).values_list("code", flat=True))
    for item in items:
        if item.code and item.code not in published:
            item.title = item.url = item.code = item.cause = item.match = ""
            item.confident = False
    return items


def _missing(reader: _Reader, found_kinds: set[str], window) -> list[str]:
    missing = [kind for kind in ("site", "user") if kind not in found_kinds]
    if window is None:
        missing.append("time")  # no time found, or none with its zone
    if not found_kinds & {"tracking", "gsb"}:
        missing.append("tracking")
    if not reader.has_request:
        missing.append("request")
    return missing


def build_card(text) -> Card:
    """The triage card of ``text`` (any object; a whole ticket). Never raises on any input text."""
    started = time.perf_counter()
    raw = text if isinstance(text, str) else ("" if text is None else str(text))
    raw = raw.replace("\x00", "")
    cut = len(raw) > MAX_TICKET_CHARS
    redacted = redact_text(raw[:MAX_TICKET_CHARS])
    card = Card(text=redacted, redacted=redacted != raw[:MAX_TICKET_CHARS], cut=cut)
    reader = _Reader()
    plain = []
    for segment in segments(redacted):
        if not reader.detection(segment):
            plain.append(segment)
        reader.rest(segment)  # a REST error's JSON, kept whole or on one line of a mail
    reader.prose_codes(plain)
    found = facts(redacted)
    for fact in found:
        if fact.kind == "time" and not fact.zoned:
            note = "time zone not written"
        elif fact.kind == "time" and fact.utc is not None:
            note = fact.utc.strftime("%Y-%m-%d %H:%M:%S UTC")
        else:
            note = ""
        reader.add(Item(fact.kind, fact.value, fact.line, note=note))
    if any(item.kind == "command" and item.note == "request" for item in reader.items):
        reader.has_request = True
    order = list(KIND_LABELS)
    card.items = _published_only(sorted(reader.items, key=lambda i: (order.index(i.kind), i.line)))
    card.window = time_window(found)
    card.missing = _missing(reader, {item.kind for item in card.items}, card.window)
    card.duration_ms = round((time.perf_counter() - started) * 1000, 2)
    return card
