"""The search's condition step: which conditions (``kb.conditions``) a query names by their symptoms or plain words.

Conditions are few (a few dozen at most), so they are matched in memory rather than indexed: their phrases are read
once per KB generation (``kb.generation.per_generation``) and each query is compared with them in microseconds. A
condition matches when the query holds, as whole words:

* one of its keywords ("SSO", "single sign-on", "API deprecated", "site renamed"), reason texts or its title;
* the start of one of its HTTP answers ("410 Gone", "401 Unauthorized");
* a code it shows as (its entries' codes and aliases, and the documented codes with no entry yet), or the code a
  pasted answer carries.

Each match scores the number of words it covers (a code three); the best few conditions are returned as
``ConditionResult`` with ``match = "condition"``. They are shown beside the entry results and never change the
entries' order nor ``confident``, which is about the first entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.conditions import Condition
from kb.generation import per_generation
from kb.search.text import fold, key_term

MAX_CONDITIONS = 3
CODE_WEIGHT = 3
_WORD = re.compile(r"[^\W_]+")
_HTTP = re.compile(r"^\s*(\d{3})\s+([A-Za-z]+(?:\s+[A-Za-z]+){0,2})")


@dataclass(frozen=True)
class ConditionResult:
    slug: str
    title: str
    summary: str
    url: str
    score: float
    matched: str  # what in the query named it: a phrase or a code, as the condition writes it
    match: str = "condition"

    def to_json(self):
        return {
            "condition": self.slug,
            "title": self.title,
            "url": self.url,
            "score": self.score,
            "match": self.match,
            "matched": self.matched,
            "summary": self.summary,
        }


@dataclass(frozen=True)
class _Known:
    slug: str
    title: str
    summary: str
    url: str
    phrases: tuple  # ((word, ...), shown text)
    codes: dict  # key term -> the code as written


def _words(text):
    return tuple(_WORD.findall(fold(text)))


@per_generation
def catalogue() -> list[_Known]:
    """Every condition's phrases and codes, read once per KB generation (two queries)."""
    known = []
    for c in Condition.objects.prefetch_related("entries__aliases"):
        phrases = [c.title, *c.keywords, *c.reason_texts]
        phrases += [f"{m.group(1)} {m.group(2)}" for answer in c.http_answers if (m := _HTTP.match(answer))]
        codes = {key_term(code): code for code in c.codes_pending}
        for entry in c.entries.all():
            if entry.is_draft:
                continue
            codes[key_term(entry.code)] = entry.code
            codes.update({key_term(a.alias): entry.code for a in entry.aliases.all()})
        known.append(
            _Known(
                c.slug,
                c.title,
                c.summary,
                c.get_absolute_url(),
                tuple((w, p) for p in phrases if (w := _words(p))),
                codes,
            )
        )
    return known


def _holds(words, phrase):
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def match(text: str, codes=()) -> list[ConditionResult]:
    """The conditions ``text`` names (best first, at most MAX_CONDITIONS); ``codes``: codes read from a paste."""
    words = _words(text or "")
    tokens = re.findall(r"[\w.-]+", text or "")
    # A code written in two words ("Access Denied") is the code, as the search's own code step reads it.
    pairs = [a + b for a, b in zip(tokens, tokens[1:], strict=False)]
    terms = {key_term(t) for t in [*tokens, *pairs]} | {key_term(c) for c in codes if c}
    terms.discard("")
    if not words and not terms:
        return []
    found = []
    for known in catalogue():
        score, best, best_len = 0, "", 0
        for phrase, shown in known.phrases:
            if _holds(words, phrase):
                score += len(phrase)
                if len(phrase) > best_len:
                    best, best_len = shown, len(phrase)
        for term in terms & known.codes.keys():
            score += CODE_WEIGHT
            if best_len < CODE_WEIGHT:
                best, best_len = known.codes[term], CODE_WEIGHT
        if score:
            found.append(ConditionResult(known.slug, known.title, known.summary, known.url, float(score), best))
    found.sort(key=lambda r: -r.score)
    return found[:MAX_CONDITIONS]
