"""The query pipeline behind ``search(query)``: the steps of the package docstring, and the shared ranking rule."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, replace

from django.conf import settings

from kb import generation, webex
from kb.models import Cause, Entry, EntryDocument, SearchKey, SearchWord
from kb.redaction import redact_text
from kb.search.backends import CANDIDATES, backend
from kb.search.cache import answer_cache
from kb.search.commands import commands_for, entries_for_commands
from kb.search.response import Detected, Result, SearchResponse
from kb.search.text import (
    MARK_CLOSE,
    MARK_OPEN,
    SNIPPET_CHARS,
    STOPWORDS,
    SYNONYMS,
    edit_distance,
    highlight,
    key_term,
    marks_to_html,
    stem,
    typo_budget,
    words,
)

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500  # what is searched as words and shown back
MAX_PASTE_CHARS = 20_000  # what paste detection reads (an XML response is longer than 500 characters)
MAX_TERMS = 12
MIN_WORD_CHARS = 3

RESULT_FIELDS = ("id", "code", "title", "summary", "retired", "api")


@dataclass
class _Hit:
    entry_id: int
    code: str
    score: float
    how: str
    cause: Cause | None = None
    entry: Entry | None = None
    doc: dict | None = None  # the searchable text, for full-text hits


@dataclass
class _Key:
    term: str
    display: str
    is_code: bool
    entry_id: int
    code: str


class _Ranked:
    """Hits by entry id; the first way an entry was found wins. Entries are loaded once, for the final page."""

    def __init__(self):
        self.items: dict[int, _Hit] = {}

    def add(self, entry_id, code, score, how, cause=None, entry=None, doc=None):
        if entry_id not in self.items:
            self.items[entry_id] = _Hit(entry_id, code, score, how, cause, entry, doc)

    def add_key(self, key, score, how):
        self.add(key.entry_id, key.code, score, how)

    def __contains__(self, pk):
        return pk in self.items

    def __len__(self):
        return len(self.items)

    def ordered(self):
        return sorted(self.items.values(), key=lambda h: (-h.score, h.code.lower(), h.entry_id))


def _query_terms(text: str) -> list[str]:
    out = []
    for w in words(text):
        if w in STOPWORDS or len(w) > 40:
            continue
        if w not in out:
            out.append(w)
    return out[:MAX_TERMS]


def _keys_for(queryset):
    return [_Key(*row) for row in queryset.values_list("term", "display", "is_code", "entry_id", "entry__code")]


def _entries_by_terms(terms):
    return {k.term: k for k in _keys_for(SearchKey.objects.filter(term__in=list(terms)))}


def _prefix_keys(term, limit):
    if len(term) < MIN_WORD_CHARS:
        return []
    upper = term[:-1] + chr(ord(term[-1]) + 1)
    return _keys_for(SearchKey.objects.filter(term__gte=term, term__lt=upper).order_by("term")[: limit * 2])


def _score_documents(docs, terms):
    """The shared ranking rule: weighted field matches per term, plus how many terms matched."""
    weights = {"a": 1.0, "b": 0.4, "c": 0.2, "d": 0.1}
    patterns = [re.compile(r"\b" + re.escape(stem(term)), re.IGNORECASE) for term in terms]
    scores = {}
    for entry_id, doc in docs.items():
        total, matched = 0.0, 0
        for pattern in patterns:
            term_score = 0.0
            for col, weight in weights.items():
                count = len(pattern.findall(doc[col] or ""))
                if count:
                    term_score += weight * (1 + min(count, 4) / 4)
            if term_score:
                matched += 1
                total += term_score
        coverage = matched / len(patterns) if patterns else 0
        scores[entry_id] = round(60 * coverage + 10 * min(total, 4.0), 3)
    return scores


def _text_pass(be, terms, prefix_last, any_word, ranked, how="text", limit=20):
    """One full-text pass; adds its results to ``ranked`` and returns how many it found."""
    if not terms:
        return 0
    # Code and title matches first: they are fewer, and they rank highest anyway.
    candidates = be.text_candidates(terms, any_word=any_word, prefix_last=prefix_last, high_only=True)
    if len(candidates) < limit:
        seen = {c[0] for c in candidates}
        more = be.text_candidates(terms, any_word=any_word, prefix_last=prefix_last)
        candidates += [c for c in more if c[0] not in seen][: CANDIDATES - len(candidates)]
    if not candidates:
        return 0
    ids = [c[0] for c in candidates]
    fields = [f for f in RESULT_FIELDS if f != "id"]
    rows = EntryDocument.objects.filter(entry_id__in=ids).values_list(
        "entry_id", "a", "b", "c", "d", *(f"entry__{f}" for f in fields)
    )
    docs, entries = {}, {}
    for row in rows:
        docs[row[0]] = {"a": row[1], "b": row[2], "c": row[3], "d": row[4]}
        entries[row[0]] = Entry(id=row[0], **dict(zip(fields, row[5:], strict=True)))
    scores = _score_documents(docs, terms)
    for entry_id in ids:
        if entry_id in docs:
            entry = entries[entry_id]
            ranked.add(entry_id, entry.code, scores.get(entry_id, 0.0), how, entry=entry, doc=docs[entry_id])
    return len(candidates)


def _expand_prefix(term, limit=8):
    """The known words that start with ``term`` (the word being typed), shortest first.

    Searching for a few whole words is far cheaper than a prefix query over a large index, on both
    databases. Returns None when no known word starts with it (a native prefix query is used then).
    """
    if len(term) < 2 or len(term) > 40:
        return None
    upper = term[:-1] + chr(ord(term[-1]) + 1)
    found = list(SearchWord.objects.filter(term__gte=term, term__lt=upper).values_list("term", flat=True)[:200])
    if not found:
        return None
    found.sort(key=lambda w: (len(w), w))
    return tuple(found[:limit])


def _wants_any_word(terms):
    return len(terms) > 1 or (len(terms) == 1 and terms[0] in SYNONYMS)


def _correct(be, terms, known_terms):
    """Replace each unknown term by the closest known code or word. Returns (corrected terms, changed)."""
    out, changed = [], False
    for term in terms:
        if term in known_terms or typo_budget(term) == 0:
            out.append(term)
            continue
        best = None
        for cand in be.fuzzy_terms(term):
            dist = edit_distance(term, cand, cap=typo_budget(term))
            if dist <= typo_budget(term):
                rank = (dist, abs(len(cand) - len(term)), cand)
                if best is None or rank < best:
                    best = rank
        if best:
            out.append(best[2])
            changed = True
        else:
            out.append(term)
    return out, changed


def _corrected_text(shown, terms, fixed, keys):
    """The query as the person wrote it, with each corrected word replaced (codes in their own spelling)."""
    text = shown
    for before, after in zip(terms, fixed, strict=True):
        if before != after:
            shown_after = keys[after].display if after in keys else after
            text = re.sub(
                r"(?<![^\W_])" + re.escape(before) + r"(?![^\W_])", shown_after, text, count=1, flags=re.IGNORECASE
            )
    return text


def _close_codes(be, term, limit=5):
    if not term or len(term) < 3:
        return []
    scored = []
    for cand in be.close_terms(term):
        dist = edit_distance(term, cand, cap=max(3, len(term) // 3))
        if dist <= max(3, len(term) // 3):
            scored.append((dist, cand))
    scored.sort()
    keys = _entries_by_terms([c for _, c in scored])
    ids = []
    for _, cand in scored:
        key = keys.get(cand)
        if key and key.entry_id not in ids:
            ids.append(key.entry_id)
    if len(ids) < limit and len(term) >= 3:
        for key in _prefix_keys(term[:3], limit):
            if key.entry_id not in ids:
                ids.append(key.entry_id)
    ids = ids[:limit]
    entries = Entry.objects.only(*RESULT_FIELDS).in_bulk(ids)
    return [entries[i] for i in ids if i in entries]


def search(query, *, limit: int = 20, user=None, use_cache: bool = True) -> SearchResponse:
    """Search the knowledge base. Never raises on any input text; see the kb.search docstring for the steps.

    Answers are cached per process for repeated queries (search as you type repeats itself); a cached
    answer is used only while the KB generation it was computed for is still current (kb.generation).
    """
    if not use_cache or not settings.SEARCH_CACHE_SIZE:
        return _search(query, limit=limit)
    started = time.perf_counter()
    text = query if isinstance(query, str) else ("" if query is None else str(query))
    text = text.replace("\x00", "")[:MAX_PASTE_CHARS]
    safe = redact_text(text)
    key = (safe, limit, safe != text)  # never the raw text: it may hold a password
    token = generation.current()
    if token:
        hit = answer_cache.get(key, token)
        if hit is not None:
            return replace(hit, duration_ms=round((time.perf_counter() - started) * 1000, 2))
    response = _search(query, limit=limit)
    if token:
        answer_cache.put(key, token, response)
    return response


def _search(query, *, limit: int = 20) -> SearchResponse:
    started = time.perf_counter()
    if not isinstance(query, str):
        query = "" if query is None else str(query)
    query = query.replace("\x00", "")[:MAX_PASTE_CHARS]
    safe = redact_text(query)
    redacted = safe != query
    limit = max(1, min(int(limit or 20), 100))
    shown = re.sub(r"\s+", " ", safe).strip()[:MAX_QUERY_CHARS]
    response = SearchResponse(query=shown, redacted=redacted)
    if not shown:
        response.message = "Type a code, a command, some words, or paste a failing URL or response."
        return _finish(response, started)

    be = backend()
    ranked = _Ranked()

    # 1. Pasted answers and commands.
    detection = webex.detect(safe)
    if detection is not None:
        response.detected = Detected(
            command=detection.command,
            status=detection.status,
            code=detection.code,
            api=detection.api,
            form=detection.form,
            fragment=detection.fragment,
            is_request=detection.is_request,
        )
        if detection.code:
            key = _entries_by_terms([key_term(detection.code)]).get(key_term(detection.code))
            if key is not None:
                entry = Entry.objects.with_cause_links().get(pk=key.entry_id)
                cause = entry.cause_for(detection.api, detection.command)
                response.detected.entry, response.detected.cause = entry, cause
                ranked.add(entry.pk, entry.code, 1500.0, "detected", cause=cause, entry=entry)

    # 2. Exact code or alias: the whole query, then any word of it that is a code.
    whole = key_term(shown)
    terms = _query_terms(shown)
    prefix_keys = None
    if detection is None:
        lookup = {whole, *(key_term(t) for t in re.findall(r"[\w.-]+", shown) if len(t) >= 4)}
        lookup.discard("")
        if len(terms) == 1 and len(whole) >= MIN_WORD_CHARS and lookup == {whole}:
            # One word: the code-prefix lookup also finds the exact code (it sorts first). One query.
            prefix_keys = _prefix_keys(whole, limit)
            keys = {k.term: k for k in prefix_keys if k.term == whole}
        else:
            keys = _entries_by_terms(lookup) if lookup else {}
        if whole in keys:
            key = keys[whole]
            ranked.add_key(key, 2000.0, "exact" if key.is_code else "alias")
        for term, key in sorted(keys.items()):
            if term != whole:
                ranked.add_key(key, 1000.0, "code")

    # 3. Commands.
    cmds = commands_for(shown, detection)
    if cmds:
        response.commands = cmds
        if response.detected is not None and len(cmds) == 1:
            response.detected.command_obj = cmds[0]
        direct, wide = entries_for_commands(cmds, limit)
        for i, (pk, code) in enumerate(direct):
            ranked.add(pk, code, 800.0 - i, "command")
        for i, (pk, code) in enumerate(wide):
            ranked.add(pk, code, 600.0 - i, "command")

    if detection is not None:
        if detection.code and response.detected.entry is None:
            response.message = f"The code {detection.code} is not in the knowledge base yet."
        return _finish(response, started, ranked, limit, be, [], False, False, highlight_terms=[])

    if not whole and not ranked:
        response.message = "Nothing to search for: type letters or digits, such as a code or some words."
        return _finish(response, started)
    if len(whole) < MIN_WORD_CHARS and not ranked:
        response.message = "Type at least 3 characters, or a whole command such as SU or AT=SU."
        return _finish(response, started)
    if not terms and not ranked:
        response.message = "Nothing to search for: type letters or digits, such as a code or some words."
        return _finish(response, started)

    # 4. Code prefixes (single-word queries).
    if len(terms) == 1 and whole and len(whole) >= MIN_WORD_CHARS:
        if prefix_keys is None:
            prefix_keys = _prefix_keys(whole, limit)
        for i, key in enumerate(prefix_keys):
            ranked.add_key(key, 700.0 - i * 0.01 - len(key.term) * 0.001, "prefix")

    # 5. Full text, all words, the last one as a prefix while the person is still typing.
    prefix_last = bool(terms) and not query.endswith((" ", "\n")) and len(terms[-1]) >= 2
    text_terms, any_word = terms, False
    if len(ranked) < limit:
        if prefix_last:
            prefix_last = _expand_prefix(terms[-1]) or True
        _text_pass(be, terms, prefix_last, False, ranked, limit=limit)

    # 6. Typo correction when nothing matched; then any word.
    if not ranked and terms:
        known = set(SearchWord.objects.filter(term__in=terms).values_list("term", flat=True))
        known |= set(SearchKey.objects.filter(term__in=terms).values_list("term", flat=True))
        fixed, changed = _correct(be, terms, known)
        if changed:
            keys = _entries_by_terms(fixed)
            for term in fixed:
                if term in keys:
                    ranked.add_key(keys[term], 900.0, "corrected")
            _text_pass(be, fixed, False, False, ranked, how="corrected", limit=limit)
            if not ranked and _wants_any_word(fixed):
                _text_pass(be, fixed, False, True, ranked, how="corrected", limit=limit)
                any_word = True
            if ranked:
                response.corrected = _corrected_text(shown, terms, fixed, keys)
                text_terms, prefix_last = fixed, False
    if not ranked and _wants_any_word(terms):
        any_word = True
        _text_pass(be, terms, prefix_last, True, ranked, limit=limit)
    if not ranked:
        response.close = _close_codes(be, whole if len(terms) <= 1 else (terms[0] if terms else ""))
        if not response.message:
            response.message = "No entry matches."
    return _finish(response, started, ranked, limit, be, text_terms, any_word, prefix_last)


def _finish(
    response, started, ranked=None, limit=20, be=None, terms=(), any_word=False, prefix_last=False, highlight_terms=None
):
    if ranked is not None and len(ranked):
        hits = ranked.ordered()[:limit]
        missing = [h.entry_id for h in hits if h.entry is None]
        entries = Entry.objects.only(*RESULT_FIELDS).order_by().in_bulk(missing) if missing else {}
        results = [
            Result(entry=h.entry or entries[h.entry_id], score=h.score, how=h.how, cause=h.cause)
            for h in hits
            if h.entry is not None or h.entry_id in entries
        ]
        native = {}
        text_ids = [r.entry.pk for r in results if r.how in ("text", "corrected")]
        if be is not None and terms and text_ids:
            try:
                docs = {h.entry_id: h.doc for h in hits if h.doc}
                native = be.snippets(text_ids, list(terms), any_word=any_word, prefix_last=prefix_last, docs=docs)
            except Exception:  # a snippet is decoration; never fail a search for it
                logger.warning("search snippet failed", exc_info=True)
        if highlight_terms is None:
            highlight_terms = list(terms) or _query_terms(response.query)
        for r in results:
            if r.entry.pk in native and MARK_OPEN in (native[r.entry.pk] or ""):
                r.snippet = marks_to_html(_trim(native[r.entry.pk]))
            else:
                r.snippet = highlight(r.entry.summary, highlight_terms)
        response.results = results
    response.duration_ms = round((time.perf_counter() - started) * 1000, 2)
    return response


def _trim(text, limit=SNIPPET_CHARS + 40):
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    # never cut inside a mark
    if cut.count(MARK_OPEN) > cut.count(MARK_CLOSE):
        cut = cut[: cut.rfind(MARK_OPEN)]
    return cut.rstrip() + "\u2026"
