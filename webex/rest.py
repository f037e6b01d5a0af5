"""A Webex REST API error inside pasted text: ``{"message": …, "errors": [{"description": …}], "trackingId": …}``,
with or without its HTTP status line (``HTTP/1.1 401 Unauthorized``, curl's ``< HTTP/2 429``) and headers.

:func:`read_rest_error` finds one; :func:`status_class` says what its HTTP status means and which conditions of
the knowledge base fit. :data:`CONDITIONS` is the one home of the slugs of those conditions (their pages are
``/conditions/<slug>/``); replay's retirement diagnosis names :data:`RETIRED_CONDITION` from here too.

The REST API's errors are never legacy codes: nothing here reads an exception ID or a reason code. Facts from
developer.webex.com/errors.html and Meetings Overview (reference notes §6). Pure Python, standard library only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from webex.redaction import redact_text
from webex.text import clean, one_line

__all__ = [
    "CONDITIONS",
    "CONDITION_LABELS",
    "RETIRED_CONDITION",
    "RestError",
    "StatusClass",
    "read_rest_error",
    "status_class",
]

# The conditions (site, account or API states) a REST error can point to: {what: condition slug}.
CONDITIONS = {
    # the access token expired (a personal one lasts 12 hours), lacks a scope, or the account has no Common Identity
    "token": "rest-token-or-scope",
    "scope": "rest-token-or-scope",
    "common-identity": "rest-token-or-scope",
    "rate-limit": "rate-limit-reached",  # too many requests
    "retired": "api-retired",  # the legacy API was retired on the site
}
RETIRED_CONDITION = CONDITIONS["retired"]
CONDITION_LABELS = {
    "rest-token-or-scope": "the REST token expired or lacks a scope, or the account is not on Common Identity",
    "rate-limit-reached": "the rate limit was reached",
    "api-retired": "the API has been retired on this site",
}
TEXT_LIMIT = 300


@dataclass(frozen=True)
class StatusClass:
    """What an HTTP status of the REST API means, and the condition slugs that may explain it."""

    label: str
    meaning: str
    conditions: tuple[str, ...] = ()


_CLASSES = {
    400: StatusClass(
        "Bad request", "The request was invalid: a parameter or the body is wrong; the description says which."
    ),
    401: StatusClass(
        "Unauthorized",
        "The access token is missing, expired or invalid. A personal access token lasts 12 hours and is meant for "
        "development; an integration (OAuth), a bot or a service app gives tokens for production.",
        (CONDITIONS["token"],),
    ),
    403: StatusClass(
        "Forbidden",
        "The token is valid but not allowed to do this: a scope is missing (such as meeting:schedules_write, or an "
        "admin scope to act for a host with hostEmail), or the account or site is not on Common Identity, which the "
        "REST API needs.",
        tuple(dict.fromkeys((CONDITIONS["scope"], CONDITIONS["common-identity"]))),
    ),
    404: StatusClass(
        "Not found", "The resource (a meeting ID, an invitee …) does not exist, or this token's user cannot see it."
    ),
    405: StatusClass("Method not allowed", "This endpoint does not take that HTTP method."),
    409: StatusClass("Conflict", "The request conflicts with what exists (for example an invitee already invited)."),
    410: StatusClass("Gone", "The resource is no longer available."),
    415: StatusClass("Unsupported media type", "The body's Content-Type is not one the endpoint takes (JSON)."),
    423: StatusClass("Locked", "The resource is locked for now: wait as long as Retry-After says, then try again."),
    428: StatusClass("Precondition required", "The request needs a precondition the endpoint asks for."),
    429: StatusClass(
        "Too many requests",
        "The rate limit was reached: wait as long as the Retry-After header says, then try again, and slow down.",
        (CONDITIONS["rate-limit"],),
    ),
}
_SERVER = StatusClass(
    "Server error",
    "Webex's side failed or is unavailable (500, 502, 503): try again later; if it persists, give Cisco support the "
    "trackingId.",
)
_UNKNOWN = StatusClass("Status not pasted", "The HTTP status was not in the pasted text: it is what tells the class.")


def status_class(status: int | None) -> StatusClass:
    if status is None:
        return _UNKNOWN
    if status in _CLASSES:
        return _CLASSES[status]
    if 500 <= status <= 599:
        return _SERVER
    return StatusClass(f"HTTP {status}", "A status Cisco's error list does not describe.")


@dataclass(frozen=True)
class RestError:
    """A REST API error recognised in pasted text. Every string is redacted and cut."""

    status: int | None
    message: str
    descriptions: tuple[str, ...]
    tracking_id: str
    error_codes: tuple[str, ...] = ()
    retry_after: str = ""

    @property
    def status_class(self) -> StatusClass:
        return status_class(self.status)

    @property
    def conditions(self) -> tuple[str, ...]:
        return self.status_class.conditions

    @property
    def condition_hints(self) -> list[tuple[str, str]]:
        """[(condition slug, what it says)] of the conditions that may fit."""
        return [(slug, CONDITION_LABELS.get(slug, slug)) for slug in self.conditions]

    @property
    def fragment(self) -> str:
        parts = [f"HTTP {self.status}"] if self.status else []
        if self.message:
            parts.append(f'"message": "{self.message}"')
        parts += [f'"description": "{d}"' for d in self.descriptions[:3] if d != self.message]
        if self.tracking_id:
            parts.append(f'"trackingId": "{self.tracking_id}"')
        return one_line(", ".join(parts))[:600]

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "status_class": self.status_class.label,
            "meaning": self.status_class.meaning,
            "message": self.message,
            "descriptions": list(self.descriptions),
            "tracking_id": self.tracking_id,
            "error_codes": list(self.error_codes),
            "retry_after": self.retry_after or None,
            "conditions": list(self.conditions),
        }


_TRACKING = re.compile(r"[\"']trackingId[\"']\s*:\s*[\"'](?P<id>[^\"'\s]{1,200})[\"']", re.IGNORECASE)
_STATUS = re.compile(r"(?<![\w/])HTTP/\d(?:\.\d)?[ \t]+(?P<status>[1-5]\d\d)(?!\d)")
_RETRY_AFTER = re.compile(
    r"(?<![\w-])retry-after[ \t]*:[ \t]*(?P<value>\d{1,10}(?!\d)|[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4} [\d:]{8} GMT)",
    re.IGNORECASE,
)
_PAIR = re.compile(
    r"[\"'](?P<key>message|description|errorCode)[\"']\s*:\s*(?:\"(?P<dq>(?:\\.|[^\"\\]){0,2000})\"|(?P<n>\d{1,10}))"
)


def _text(value) -> str:
    return redact_text(clean(str(value or "")))[:TEXT_LIMIT].strip()


def _json_object(text: str, at: int):
    """The JSON object around position ``at`` (the trackingId key), parsed, or None."""
    start = text.rfind("{", 0, at)
    while start != -1:
        try:
            value, _end = json.JSONDecoder().raw_decode(text[start:])
        except ValueError:
            start = text.rfind("{", 0, start)
            continue
        if isinstance(value, dict) and any(str(k).lower() == "trackingid" for k in value):
            return value
        start = text.rfind("{", 0, start)
    return None


def read_rest_error(text: str) -> RestError | None:
    """The REST error in ``text`` (JSON with a trackingId and a message or errors), or None. Never raises."""
    try:
        return _read(text or "")
    except Exception:  # a convenience, never a failure
        return None


def _read(text: str) -> RestError | None:
    tracking = _TRACKING.search(text)
    if not tracking:
        return None
    value = _json_object(text, tracking.start())
    if value is not None:
        keys = {str(k).lower(): v for k, v in value.items()}
        if "message" not in keys and "errors" not in keys:
            return None
        raw_errors = keys.get("errors")
        errors = [e for e in raw_errors if isinstance(e, dict)] if isinstance(raw_errors, list) else []
        message = _text(keys.get("message"))
        descriptions = tuple(d for d in (_text(e.get("description")) for e in errors[:10]) if d)
        codes = tuple(str(e["errorCode"])[:20] for e in errors[:10] if e.get("errorCode") not in (None, ""))
    else:  # flattened by a one-line box, or not quite JSON: read the known keys wherever they are
        pairs = [
            (m.group("key").lower(), m.group("dq") if m.group("dq") is not None else m.group("n"))
            for m in _PAIR.finditer(text)
        ]
        if not any(k in ("message", "description") for k, _ in pairs):
            return None
        message = next((_text(v) for k, v in pairs if k == "message"), "")
        descriptions = tuple(_text(v) for k, v in pairs if k == "description")[:10]
        codes = tuple(str(v)[:20] for k, v in pairs if k == "errorcode")[:10]
    status = _STATUS.search(text)
    retry = _RETRY_AFTER.search(text)
    return RestError(
        status=int(status.group("status")) if status else None,
        message=message,
        descriptions=descriptions,
        tracking_id=_text(tracking.group("id"))[:200],
        error_codes=codes,
        retry_after=_text(retry.group("value"))[:40] if retry else "",
    )
