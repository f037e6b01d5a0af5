"""The query as search reads it, built once: NUL characters out, capped, every secret redacted (webex.redaction),
and its one-line form. Nothing after this sees the text as typed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from webex.redaction import redact_text

MAX_QUERY_CHARS = 500  # what is searched as words and shown back
MAX_PASTE_CHARS = 20_000  # what paste detection reads (an XML response is longer than 500 characters)
MAX_LIMIT = 100


@dataclass(frozen=True)
class Query:
    text: str  # the whole text, redacted and capped at MAX_PASTE_CHARS: what paste detection reads
    shown: str  # one line, white space collapsed, capped at MAX_QUERY_CHARS: what is searched as words, shown back
    redacted: bool  # the text held a secret, now •••
    limit: int  # results wanted, 1 to MAX_LIMIT
    typing: bool  # the text does not end in white space: its last word may still be being typed

    @classmethod
    def read(cls, query, limit: int | None = 20) -> Query:
        """``query`` (any object; None is empty) as search reads it. Never raises."""
        raw = query if isinstance(query, str) else ("" if query is None else str(query))
        raw = raw.replace("\x00", "")[:MAX_PASTE_CHARS]
        text = redact_text(raw)
        try:
            limit = max(1, min(int(limit or 20), MAX_LIMIT))
        except (TypeError, ValueError):
            limit = 20
        shown = re.sub(r"\s+", " ", text).strip()[:MAX_QUERY_CHARS]
        return cls(text, shown, text != raw, limit, not raw.endswith((" ", "\n")))

    @property
    def key(self) -> tuple:
        """What the answer depends on (never the raw text: it may hold a password)."""
        return (self.text, self.limit, self.redacted)
