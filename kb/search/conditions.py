"""The search's condition step. Conditions are few: matched in memory, their phrases (keywords, reason texts, title,
the start of each HTTP answer: "410 Gone") and codes read once per KB generation. A phrase the query holds as whole
words scores its length, a code three. Shown beside the entries; never changes their order nor ``confident``."""

from __future__ import annotations

import re

from django.db.models import FilteredRelation, Q
from django.urls import reverse

import kb.search.lexicon as lexicon
from kb.generation import per_generation
from kb.models import Condition, Entry
from kb.search.text import fold, key_term

MAX_CONDITIONS = 3
CODE_WEIGHT = 3
_WORD = re.compile(r"[^\W_]+")
_HTTP = re.compile(r"^\s*(\d{3})\s+([A-Za-z]+(?:\s+[A-Za-z]+){0,2})")


def _words(text):
    return tuple(_WORD.findall(fold(text)))


@per_generation
def catalogue() -> list[tuple]:
    """(each condition as a result, its phrases as ((word, …), text), its codes as {key term: code}), read once per
    KB generation in one query (a row per condition and published entry)."""
    known = {}
    fields = ("slug", "title", "summary", "keywords", "reason_texts", "http_answers", "codes_pending")
    published = Q(entries__status=Entry.Status.PUBLISHED)
    rows = Condition.objects.annotate(code=FilteredRelation("entries", condition=published)).values(
        *fields, "code__code"
    )
    for c in rows:
        if c["slug"] not in known:
            phrases = [c["title"], *c["keywords"], *c["reason_texts"]]
            phrases += [f"{m.group(1)} {m.group(2)}" for answer in c["http_answers"] if (m := _HTTP.match(answer))]
            result = {"condition": c["slug"], "title": c["title"], "summary": c["summary"]}
            result["url"] = reverse("kb:condition-detail", args=[c["slug"]])
            codes = {key_term(code): code for code in c["codes_pending"]}
            known[c["slug"]] = (result, [(w, p) for p in phrases if (w := _words(p))], codes)
        if c["code__code"]:
            known[c["slug"]][2][key_term(c["code__code"])] = c["code__code"]
    return list(known.values())


def _holds(words, phrase):
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def match(text: str, codes=()) -> list[dict]:
    """The conditions ``text`` names, best first, at most MAX_CONDITIONS (``codes``: codes read from a paste), each
    ``{"condition": slug, "title", "url", "summary", "score", "match": "condition", "matched": what named it}``."""
    words = _words(text or "")
    tokens = re.findall(r"[\w.-]+", text or "")
    # A code written in two words ("Access Denied") is the code, as the search's own code step reads it.
    pairs = [a + b for a, b in zip(tokens, tokens[1:], strict=False)]
    terms = {key_term(t) for t in [*tokens, *pairs]} | {key_term(c) for c in codes if c}
    # Cisco's documents write exception IDs with an E (E030103): the code is what the search's code step reads.
    terms |= {key_term(shape.code) for t in tokens if (shape := lexicon.code_shape(t))}
    terms.discard("")
    if not words and not terms:
        return []
    found = []
    for result, phrases, known_codes in catalogue():
        score, best, best_len = 0, "", 0
        for phrase, shown in phrases:
            if _holds(words, phrase):
                score += len(phrase)
                if len(phrase) > best_len:
                    best, best_len = shown, len(phrase)
        for term in terms & known_codes.keys():
            score += CODE_WEIGHT
            if best_len < CODE_WEIGHT:
                best, best_len = known_codes[term], CODE_WEIGHT
        if score:
            found.append({**result, "score": float(score), "match": "condition", "matched": best})
    found.sort(key=lambda r: -r["score"])
    return found[:MAX_CONDITIONS]
