"""What a search returns: the response, its results, and what was recognised in pasted text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape

from django.utils.safestring import SafeString, mark_safe

from kb.models import Api, Cause, Command, Entry
from kb.search.knowledge import KnownMessage
from kb.search.text import key_term, strip_marks

SHORT_QUERY_CHARS = 3  # fewer letters and digits than this, and nothing found: a hint, not "no entry"

# What each kind of evidence (kb.search.ranking.EVIDENCE) is called on the page.
HOW_LABELS = {
    "code": "exact code",
    "alias": "alias",
    "message": "known message text",
    "detected": "detected from pasted text",
    "code-inside": "code in the query",
    "message-inside": "known message text",
    "similar": "looks like the code you typed",
    "command": "error of this command",
    "prefix": "code starts with your text",
    "corrected": "corrected spelling",
    "text": "words",
    "counterpart": "same failure in the other API",
}
BADGED = ("code", "alias", "message", "message-inside", "similar", "counterpart")  # the evidence a badge names


@dataclass
class Result:
    entry: Entry
    score: float
    how: str  # the evidence that found it (kb.search.ranking.EVIDENCE)
    match: str = "text"  # how it matched, as the JSON API says it: code, alias, detected, message, command, …
    snippet: SafeString = mark_safe("")
    cause: Cause | None = None
    coverage: float | None = None  # for a match by words: the share of the query's weight it covers
    message: KnownMessage | None = None  # for a match by a known message: that message
    badge: str = ""  # the label the result carries on the page (SearchResponse.badge), and its extra CSS class
    badge_class: str = ""

    @property
    def code(self):
        return self.entry.code

    @property
    def title(self):
        return self.entry.title

    @property
    def url(self):
        return self.entry.get_absolute_url()

    @property
    def href(self):
        """The entry's page, at the cause that applies when one was recognised."""
        return self.url + (f"#{self.cause.anchor}" if self.cause else "")

    @property
    def detected(self):
        return self.how == "detected"

    @property
    def how_label(self):
        return HOW_LABELS.get(self.how, self.how)

    @property
    def translated_message(self):
        """The matched message when it is a translation (the page shows it with its English original)."""
        return self.message if self.message is not None and self.message.language != "en" else None

    def to_json(self):
        data = {
            "code": self.entry.code,
            "title": self.entry.title,
            "url": self.url,
            "score": round(self.score, 3),
            "match": self.match,
            "snippet": strip_marks(str(self.snippet_text)),
        }
        if self.message is not None:
            data["message"] = {
                "text": self.message.text,
                "language": self.message.language,
                "english": self.message.english or None,
            }
        return data

    @property
    def snippet_text(self):
        return unescape(re.sub(r"</?mark>", "", str(self.snippet)))


# What each form webex.detect reads is called on the page.
FORM_LABELS = {
    "back-url": "back URL",
    "script-redirect": "redirect page (script)",
    "http-redirect": "HTTP redirect",
    "non-http-redirect": "redirect",
    "open-meetings-xml": "URL API XML answer",
    "status-xml": "URL API XML answer",
    "xml-api": "XML API document",
    "http-request": "HTTP request",
    "html-form": "HTML form",
    "json": "JSON",
    "log-line": "log line",
    "rest-error": "REST API error (JSON)",
}


@dataclass
class Detected:
    """What was recognised in pasted text, with the KB entry and cause it points to."""

    command: str | None
    status: str | None
    code: str | None
    api: str | None
    form: str
    fragment: str
    is_request: bool = False
    entry: Entry | None = None
    cause: Cause | None = None
    command_obj: Command | None = None
    rest: object | None = None  # a REST API error (webex.rest.RestError): no legacy code, ever
    reason: str = ""  # the reason text the answer carried (redacted), for the review queue's texts seen

    @property
    def api_label(self):
        return Api.label_of(self.api)

    @property
    def is_success(self) -> bool:
        """The text is an answer that reports success (``ST=SUCCESS``, ``<serv:result>SUCCESS``): nothing failed, so
        the errors listed with it are what the command can return, never a diagnosis."""
        return not self.is_request and self.status == "SUCCESS"

    @property
    def is_failure(self) -> bool:
        return not self.is_request and self.status in ("FAIL", "FAILURE")

    @property
    def kind(self) -> str:
        """``request`` (a command being sent), ``success``, ``failure``, ``answer`` (a reason code, no status), or
        ``rest_error`` (an error of the REST API, which is never matched to a legacy code)."""
        if self.rest is not None:
            return "rest_error"
        if self.is_request:
            return "request"
        if self.is_success:
            return "success"
        if self.is_failure:
            return "failure"
        return "answer"

    @property
    def names_command_only(self) -> bool:
        """A bare ``AT=SU``: a command's name with no status and no reason code, neither a request nor an answer."""
        return not self.is_request and not self.status and not self.code and bool(self.command)

    @property
    def form_label(self):
        if self.is_request and self.form == "back-url":
            return "request URL"
        if self.names_command_only:
            return "a command's name"
        return FORM_LABELS.get(self.form, self.form)

    @property
    def lists_command_errors(self) -> bool:
        """The results are the errors the command can return (a request or a success), not what went wrong."""
        return self.kind in ("request", "success") and self.entry is None

    def to_json(self):
        return {
            "command": self.command,
            "status": self.status,
            "code": self.code,
            "api": self.api,
            "form": self.form,
            "fragment": self.fragment,
            "is_request": self.is_request,
            "is_success": self.is_success,
            "kind": self.kind,
            "rest": self.rest.to_dict() if self.rest is not None else None,
            "entry": self.entry.code if self.entry else None,
            "entry_url": self.entry.get_absolute_url() if self.entry else None,
            "cause": (
                {
                    "slug": self.cause.slug,
                    "title": self.cause.title,
                    "api": self.cause.api,
                    "url": self.cause.get_absolute_url(),
                }
                if self.cause
                else None
            ),
        }


@dataclass
class SearchResponse:
    query: str  # as searched, secrets redacted, capped
    results: list[Result] = field(default_factory=list)
    corrected: str | None = None
    detected: Detected | None = None
    commands: list[Command] = field(default_factory=list)
    message: str | None = None
    close: list[Entry] = field(default_factory=list)  # close codes, when nothing matched
    duration_ms: float = 0.0
    redacted: bool = False  # the query held a secret that was replaced by •••
    # A code-shaped query word (030099, InvalidSiteID) or a pasted answer's code that no entry has (never corrected
    # into another code), and what the knowledge base knows of its family (kb.search.knowledge.Family), if anything.
    missing_code: str = ""
    family: object | None = None
    # How sure the answer is (kb.search.confidence): true only when its first entry is the diagnosis.
    confident: bool = False
    language: str = "und"  # the query's language (kb.search.language): en, de, pt …, or und
    # Codes that look like a code-shaped word of the query (one or two edits): "did you mean", never the diagnosis.
    similar: list[Entry] = field(default_factory=list)
    similar_to: str = ""  # the word they look like
    # A code of another Cisco service in the query (kb.search.lexicon.CodeShape with its service), or None.
    other_service: object | None = None
    # Conditions the query names by their symptoms or plain words (kb.search.conditions.match), beside the
    # entries: they never change the entries' order nor ``confident``.
    conditions: list = field(default_factory=list)
    # What the answer depends on (kb.search.query.Query.key): the view keys its rendered fragment on it.
    key: tuple = field(default=(), repr=False, compare=False)

    @property
    def empty(self):
        return not self.results

    @property
    def language_is_other(self) -> bool:
        """The query is written in a language other than English (not merely undetermined)."""
        return self.language not in ("en", "und")

    @property
    def did_you_mean(self) -> Entry | None:
        return self.similar[0] if self.similar else None

    @property
    def not_sure(self) -> bool:
        """Results are shown, but none of them is the answer: the page says so (no paste that lists a command's
        errors, no "did you mean" and no other service, which say what they are themselves)."""
        return (
            bool(self.results)
            and not self.confident
            and not self.lists_command_errors
            and not self.similar
            and self.other_service is None
            and not self.missing_code
        )

    @property
    def lists_command_errors(self) -> bool:
        """The results are the errors a pasted request's or success's command can return (see Detected)."""
        return self.detected is not None and self.detected.lists_command_errors

    def badge(self, result) -> tuple[str, str]:
        """The label ``result`` carries in this answer's list, with its extra CSS class; ("", "") for none. A pasted
        success or request lists what the command can return: never "detected", always "possible error"."""
        detected = self.detected
        if result.detected and not (detected is not None and detected.is_success):
            return "detected from pasted text", " badge-detected"
        if detected is not None and (self.lists_command_errors or result.how == "command"):
            return "possible error of this command", ""
        if result.how in BADGED:
            return result.how_label, ""
        return "", ""

    @property
    def too_short(self):
        """One or two letters or digits that found nothing (not a code, not a command, not a paste): the page shows
        a hint instead of "no entry" and a suggestion form, and the search is not recorded."""
        return (
            bool(self.query)
            and not self.results
            and self.detected is None
            and (len(key_term(self.query)) < SHORT_QUERY_CHARS)
        )

    def to_json(self):
        other = self.other_service
        return {
            "query": self.query,
            "confident": self.confident,
            "language": self.language,
            "corrected": self.corrected,
            "detected": self.detected.to_json() if self.detected else None,
            "missing_code": self.missing_code or None,
            "similar": [e.code for e in (self.similar or self.close)],
            "did_you_mean": self.did_you_mean.code if self.did_you_mean else None,
            "other_service": (
                {"code": other.token, "service": other.service.service, "known": other.service.known}
                if other is not None
                else None
            ),
            "results": [r.to_json() for r in self.results],
            "conditions": self.conditions,
        }
