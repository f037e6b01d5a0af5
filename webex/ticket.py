"""A whole help desk ticket read as pieces: :func:`segments` cuts it into parts that :func:`webex.detect` can read one
at a time, and :func:`facts` lists what a support engineer asks for that detection does not name: HTTP statuses,
REST ``trackingId`` and XML API ``gsbStatus`` values, site names, users and times.

A ticket is a mail thread, log lines, XML documents, back URLs, REST JSON and HTML forms, in any order. A part is
kept whole when it is structured (an HTTP capture with its body, an XML document, a JSON object, an HTML form, however
many blank lines it holds); other text (a mail's prose, log lines) is read line by line, with mail quote marks
(``> ``) taken off.

Every function takes text that is already redacted (webex.redaction) and never raises on any input.

Pure Python, standard library only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from webex.text import CONTROL, to_text

__all__ = ["FACT_KINDS", "Fact", "RestError", "Segment", "facts", "printable", "rest_error", "segments", "time_window"]

MAX_TICKET_CHARS = 100_000  # what is read of a ticket
MAX_FACTS_PER_KIND = 50

FACT_KINDS = ("status", "tracking", "gsb", "site", "user", "time")


@dataclass(frozen=True)
class Segment:
    text: str
    line: int  # the ticket's line (from 1) the part starts on
    structured: bool = False  # an HTTP capture, XML, JSON or HTML form kept whole


@dataclass(frozen=True)
class Fact:
    kind: str  # one of FACT_KINDS
    value: str
    line: int
    utc: datetime | None = None  # a time whose zone was written, in UTC
    zoned: bool = True  # a time: its zone (or UTC) was written


def printable(text) -> str:
    """``text`` with every control character (but tab and newline) written as an escape: safe in a terminal."""
    text = to_text(text).replace("\r\n", "\n")
    return CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text.replace("\r", "\\r"))


# --- segments ---------------------------------------------------------------------------------------------------

_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_CURL = re.compile(r"^[ \t]*[<>][ \t]*(?:HTTP/\d|(?:GET|POST|PUT|DELETE|PATCH)[ \t]+\S+[ \t]+HTTP/)")
_HTTP_START = re.compile(r"^[ \t]*[<>]?[ \t]*(?:HTTP/\d|(?:GET|POST|PUT|DELETE|PATCH)[ \t]+\S+[ \t]+HTTP/)")
_STRUCTURED_START = re.compile(r"^[ \t]*(?:<[?!A-Za-z]|[{\[]|[<>]?[ \t]*HTTP/\d|(?:GET|POST|PUT|DELETE|PATCH)[ \t]+\S)")
_OPEN_TAG = re.compile(r"<(?P<name>(?:[A-Za-z_][\w.-]{0,40}:)?(?:message|form|ListOpenMeetings|html|body))\b", re.I)


def _unclosed(text: str) -> bool:
    """A structure opened in ``text`` and not closed yet: an XML document, a form or page, a JSON object."""
    if text.count("{") > text.count("}") or text.count("[") > text.count("]"):
        return True
    for m in _OPEN_TAG.finditer(text):
        if not re.search(rf"</{re.escape(m.group('name'))}\s*>", text[m.end() :], re.IGNORECASE):
            return True
    return False


def _blocks(lines: list[str]):
    """(first line number, lines) of each run of lines between blank lines."""
    block: list[str] = []
    start = 1
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def segments(text) -> list[Segment]:
    """The parts of a ticket, in order: structured parts whole, other text line by line."""
    try:
        return _segments(to_text(text)[:MAX_TICKET_CHARS])
    except Exception:  # a convenience, never a failure
        return []


def _segments(text: str) -> list[Segment]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[Segment] = []
    pending: tuple[int, list[str]] | None = None  # a structured part still open (headers before a body, an XML …)
    for start, block in _blocks(lines):
        if not _CURL.match(block[0]):  # a mail's quote marks, not curl -v's "> GET …" and "< HTTP/1.1 …"
            block = [_QUOTE.sub("", line) for line in block]
        if pending is not None:
            pending[1].extend(["", *block])
            joined = "\n".join(pending[1])
            if not _unclosed(joined) and len(joined) < 60_000:
                out.append(Segment(joined, pending[0], structured=True))
                pending = None
            continue
        joined = "\n".join(block)
        if _STRUCTURED_START.match(block[0]) or _unclosed(joined):
            headers_only = _HTTP_START.match(block[0]) and "<" not in joined.split("\n", 1)[-1] and "{" not in joined
            if _unclosed(joined) or headers_only:
                pending = (start, list(block))
            else:
                out.append(Segment(joined, start, structured=True))
            continue
        out += [Segment(line.strip(), start + i) for i, line in enumerate(block) if line.strip()]
    if pending is not None:
        out.append(Segment("\n".join(pending[1]), pending[0], structured=True))
    return out


# --- facts -------------------------------------------------------------------------------------------------------

_STATUS = re.compile(
    r"(?:(?<![\w/])HTTP/\d(?:\.\d)?[ \t]+|\bhttp_code\]?[ \t]*(?:=>|[:=])[ \t]*|\"?\b(?:status|statusCode|status_code)"
    r"\"?[ \t]*[:=][ \t]*\"?|\b(?:HTTP|status|Status Code)[ \t]+)(?P<value>[1-5]\d\d)(?!\d)",
    re.IGNORECASE,
)
_TRACKING = re.compile(r"\btracking[ _-]?id\"?[ \t]*[:=][ \t]*\"?(?P<value>[A-Za-z0-9][\w.:-]{5,119})", re.IGNORECASE)
_GSB = re.compile(
    r"<(?:[A-Za-z_][\w.-]{0,40}:)?gsbStatus\s*>\s*(?P<value>\w{1,20})"
    r"|\bgsbStatus\"?[ \t]*[:=][ \t]*\"?(?P<v2>\w{1,20})",
    re.IGNORECASE,
)
_SITE_URL = re.compile(
    r"https?://(?P<host>[A-Za-z0-9-]{1,63})\.(?:[A-Za-z0-9-]{1,63}\.)?webex\.com(?::\d+)?(?:/(?P<path>[A-Za-z0-9_-]{1,63}))?",
    re.IGNORECASE,
)
_NOT_SITES = {"www", "api", "webexapis", "developer", "help", "wbxservice", "mw3300", "meet", "signin", "idbroker"}
_SITE_FIELD = re.compile(
    r"<(?:[A-Za-z_][\w.-]{0,40}:)?siteName\s*>\s*(?P<value>[\w.-]{1,63})|\bsite(?:[ _]?name)?\"?[ \t]*[:=][ \t]*\"?"
    r"(?P<v2>[A-Za-z0-9][\w.-]{0,62})",
    re.IGNORECASE,
)
_USER = re.compile(
    r"<(?:[A-Za-z_][\w.-]{0,40}:)?(?:webExID|email|hostEmail)\s*>\s*(?P<value>[^<\s]{1,128})"
    r"|(?<![\w])(?:WID|webExID|hostEmail|WebEx ID)\"?[ \t]*[:=][ \t]*\"?(?P<v2>[^\s\"&<>,;]{1,128})",
    re.IGNORECASE,
)
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_ISO_TIME = re.compile(
    r"(?<!\d)(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{2}:\d{2}(?::\d{2})?(?:[.,]\d{1,6})?)"
    r"(?P<zone>[ \t]?(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}))?(?!\d)"
)
_MAIL_TIME = re.compile(
    rf"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),[ \t]+)?\d{{1,2}}[ \t]+(?:{_MONTHS})[ \t]+\d{{4}}[ \t]+\d{{2}}:\d{{2}}"
    r"(?::\d{2})?[ \t]+(?:[+-]\d{4}|UTC|GMT)"
)
_CLF_TIME = re.compile(rf"\[(?P<value>\d{{2}}/(?:{_MONTHS})/\d{{4}}:\d{{2}}:\d{{2}}:\d{{2}} [+-]\d{{4}})\]")


def _iso(m) -> tuple[datetime | None, bool]:
    zone = (m.group("zone") or "").strip()
    text = f"{m.group('date')}T{m.group('time').replace(',', '.')}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None, False
    if not zone:
        return moment, False
    if zone in ("Z", "UTC", "GMT"):
        return moment.replace(tzinfo=UTC), True
    sign = 1 if zone[0] == "+" else -1
    digits = zone[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:])) * sign
    return (moment - offset).replace(tzinfo=UTC), True


def _times(text: str, line: int):
    for m in _ISO_TIME.finditer(text):
        moment, zoned = _iso(m)
        if moment is not None:
            yield Fact("time", m.group(0).strip(), line, moment.astimezone(UTC) if zoned else None, zoned)
    for m in _MAIL_TIME.finditer(text):
        try:
            moment = parsedate_to_datetime(m.group(0))
        except (TypeError, ValueError):
            continue
        yield Fact("time", m.group(0), line, moment.astimezone(UTC), True)
    for m in _CLF_TIME.finditer(text):
        try:
            moment = datetime.strptime(m.group("value"), "%d/%b/%Y:%H:%M:%S %z")
        except ValueError:
            continue
        yield Fact("time", m.group("value"), line, moment.astimezone(UTC), True)


def _value(m) -> str:
    return next((v for v in m.groups() if v), "")


_CLOCK = re.compile(r"\d:\d\d")


def _line_facts(text: str, line: int):
    # Each pattern only where its words are: most lines of a ticket hold none of them (cheap tests first).
    low = text.lower()
    if "http" in low or "status" in low:
        for m in _STATUS.finditer(text):
            yield Fact("status", m.group("value"), line)
    if "tracking" in low:
        for m in _TRACKING.finditer(text):
            yield Fact("tracking", m.group("value"), line)
    if "gsbstatus" in low:
        for m in _GSB.finditer(text):
            yield Fact("gsb", _value(m).upper(), line)
    if "webex.com" in low:
        yield from _site_urls(text, line)
    if "site" in low:
        for m in _SITE_FIELD.finditer(text):
            yield Fact("site", _value(m), line)
    if "wid" in low or "webex" in low or "email" in low:
        for m in _USER.finditer(text):
            value = _value(m)
            if value and "\u2022" not in value:
                yield Fact("user", value, line)
    if _CLOCK.search(text):
        yield from _times(text, line)


def _site_urls(text: str, line: int):
    for m in _SITE_URL.finditer(text):
        host, path = m.group("host").lower(), (m.group("path") or "")
        if host in _NOT_SITES:
            continue  # www.webex.com (the XML namespaces), the REST and sign-in hosts: no site
        if path and path.lower() not in _NOT_SITES and not path.lower().endswith(("php", "xml")):
            yield Fact("site", path, line)
        else:
            yield Fact("site", host, line)


def facts(text) -> list[Fact]:
    """Every fact of :data:`FACT_KINDS` found in ``text``, each value once (its first line), in order of lines."""
    try:
        text = to_text(text)[:MAX_TICKET_CHARS]
    except Exception:
        return []
    seen: dict[tuple[str, str], Fact] = {}
    counts: dict[str, int] = {}
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            found = list(_line_facts(line, number))
        except Exception:
            found = []
        for fact in found:
            key = (fact.kind, fact.value.lower())
            if key in seen or counts.get(fact.kind, 0) >= MAX_FACTS_PER_KIND:
                continue
            seen[key] = fact
            counts[fact.kind] = counts.get(fact.kind, 0) + 1
    return list(seen.values())


def time_window(found) -> tuple[datetime, datetime] | None:
    """The first and last UTC time among ``found`` facts whose zone was written, or None."""
    moments = sorted(f.utc for f in found if f.kind == "time" and f.utc is not None)
    return (moments[0], moments[-1]) if moments else None


# --- a REST error ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestError:
    """A Webex REST API error answer: ``{"message": …, "errors": [{"description": …}], "trackingId": …}``, with the
    HTTP status written before it (None when the part has none)."""

    status: str | None
    message: str
    tracking_id: str


_JSON_OBJECT = re.compile(r"\{[\s\S]{0,20000}\}")


def rest_error(text) -> RestError | None:
    """The REST error in one part of a ticket, or None. Never raises."""
    try:
        text = to_text(text)
        if "trackingid" not in text.lower() and '"errors"' not in text:
            return None
        m = _JSON_OBJECT.search(text)
        data = json.loads(m.group(0)) if m else None
    except Exception:
        return None
    if not isinstance(data, dict) or not ("message" in data or "errors" in data):
        return None
    message = data.get("message")
    if not isinstance(message, str):
        errors = data.get("errors")
        first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
        description = first.get("description")
        message = description if isinstance(description, str) else ""
    tracking_id = data.get("trackingId")
    tracking = tracking_id if isinstance(tracking_id, str) else ""
    status = _STATUS.search(text[: m.start()]) if m else None
    return RestError(status.group("value") if status else None, message[:500], tracking[:120])
