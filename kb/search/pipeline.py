"""The query pipeline behind ``search(query)``: one :class:`Query`, then named steps, then one finish.

Each step reads and adds to one :class:`_Search` (the query, the response being built, the entries found so far);
the order is the package docstring's. Each entry remembers the evidence that found it first; kb.search.ranking
orders the answer by that evidence, then by the text score of its words, and kb.search.confidence says whether the
answer is sure.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field, replace

from django.conf import settings

import kb.search.conditions as conditions
import kb.search.knowledge as knowledge
import kb.search.language as language
import kb.search.lexicon as lexicon
import webex
from kb import generation
from kb.generation import GenerationCache
from kb.models import Entry
from kb.search.backends import Backend, backend
from kb.search.cache import answer_cache
from kb.search.commands import commands_for, entries_for_commands
from kb.search.confidence import is_confident
from kb.search.keys import MIN_WORD_CHARS, close_codes, entry_from_fields, keys_for, keys_starting, result_fields
from kb.search.query import MAX_PASTE_CHARS, MAX_QUERY_CHARS, Query
from kb.search.ranking import MATCH, Hit, Ranked, pattern_slots, slot_weight, text_pass, with_counterparts
from kb.search.response import Detected, Result, SearchResponse
from kb.search.text import (
    MARK_CLOSE,
    MARK_OPEN,
    SNIPPET_CHARS,
    STOPWORDS,
    edit_distance,
    highlight,
    key_term,
    marks_to_html,
    typo_budget,
    words,
)

__all__ = ["MAX_PASTE_CHARS", "MAX_QUERY_CHARS", "search"]

logger = logging.getLogger(__name__)

MAX_TERMS = 12
MAX_SLOTS_READ = 80  # of a long text, the words read before the most telling MAX_TERMS are chosen
MAX_SIMILAR_EDITS = 2  # a code-shaped word this many edits from a known code gets "did you mean"
OR_SLOTS = 4  # the most informative query words whose entries are candidates when not every word matches
MIN_OR_WEIGHT = 1.0  # a word this common (inverse document frequency below it) finds no candidates on its own


def search(query, *, limit: int = 20, use_cache: bool = True) -> SearchResponse:
    """Search the knowledge base. Never raises on any input text; see the kb.search docstring for the steps.

    Answers are cached per process for repeated queries (search as you type repeats itself); a cached
    answer is used only while the KB generation it was computed for is still current (kb.generation).
    """
    started = time.perf_counter()
    q = Query.read(query, limit)
    with generation.read_once():
        if not use_cache or not settings.SEARCH_CACHE_SIZE:
            return _run(q, started)
        token = generation.current()
        if token:
            hit = answer_cache.get(q.key, token)
            if hit is not None:
                return replace(hit, duration_ms=round((time.perf_counter() - started) * 1000, 2))
        response = _run(q, started)
        if token:
            answer_cache.put(q.key, token, response)
        return response


@dataclass
class _Search:
    """One search in progress: what the steps read and what they add."""

    query: Query
    response: SearchResponse
    be: Backend
    language: language.Language
    ranked: Ranked = field(default_factory=Ranked)
    detection: webex.Detection | None = None
    whole: str = ""  # the whole query as a search term (case and punctuation folded)
    terms: list[str] = field(default_factory=list)  # its meaningful words, at most MAX_TERMS
    prefix_keys: list | None = None  # codes starting with the whole query (one word), read once
    code_terms: set[str] = field(default_factory=set)  # query words that are codes or aliases
    missing_words: set[str] = field(default_factory=set)  # the words of a code no entry has (or another service's)
    whole_message: bool = False  # the query is a known message text

    @property
    def success(self) -> bool:
        return self.detection is not None and (self.detection.status or "").upper() == "SUCCESS"


def _run(q: Query, started: float) -> SearchResponse:
    response = SearchResponse(query=q.shown, redacted=q.redacted, key=q.key)
    if not q.shown:
        response.message = "Type a code, a command, some words, or paste a failing URL or response."
        return _finish(response, started)
    lang = language.detect(q.text)
    response.language = lang.code
    s = _Search(q, response, backend(), lang, whole=key_term(q.shown), terms=_query_terms(q.shown))
    detect_paste(s)
    if s.detection is None:
        exact_codes(s)
        messages(s)
    commands(s)
    if s.detection is not None:
        if s.detection.code and response.detected.entry is None and not s.success:
            _missing(response, s.detection.code, similar=False)
        return _finish(response, started, s, highlight_terms=[])
    refusal = _nothing_to_search(s)
    if refusal:
        response.message = refusal
        return _finish(response, started)
    if s.missing_words:
        # Only the other words are searched: nothing is offered as the missing code's answer.
        s.terms = [t for t in s.terms if t not in s.missing_words]
        if not s.terms:
            if not s.ranked and response.missing_code and not key_term(response.missing_code).isdigit():
                response.close = close_codes(s.be, key_term(response.missing_code))
            return _finish(response, started, s)
    prefixes(s)
    if s.whole_message:
        # The query is a known message: its entries are the answer (a full-text pass of every word of a long
        # message over a large index would only cost time).
        return _finish(response, started, s)
    slots, prefix_last = full_text(s)
    if s.terms and s.language.correctable and not s.whole_message:
        slots, prefix_last = correction(s, slots, prefix_last)
    if not s.ranked:
        if not response.missing_code and not response.other_service:
            response.close = close_codes(s.be, s.whole if len(s.terms) <= 1 else (s.terms[0] if s.terms else ""))
        if not response.message:
            response.message = "No entry matches."
    return _finish(response, started, s, pattern_slots(slots, prefix_last), len(slots) > 1, prefix_last)


# ---------------------------------------------------------------------------------------------------- the steps


def detect_paste(s: _Search) -> None:
    """1. Pasted answers and commands (webex.detect). A failure's entry comes first, at the cause that fits; a
    success is no diagnosis: only the command's possible errors follow (the commands step)."""
    detection = s.detection = webex.detect(s.query.text)
    if detection is None:
        return
    s.response.detected = Detected(
        command=detection.command,
        status=detection.status,
        code=detection.code,
        api=detection.api,
        form=detection.form,
        fragment=detection.fragment,
        is_request=detection.is_request,
        rest=detection.rest,
        reason=detection.answer.reason or "",
    )
    if detection.code and not s.success and not detection.is_request:
        key = keys_for([key_term(detection.code)]).get(key_term(detection.code))
        if key is not None:
            entry = _detected_entry(key.entry_id)
            cause = entry.cause_for(detection.api, detection.command)
            s.response.detected.entry, s.response.detected.cause = entry, cause
            s.ranked.add(entry.pk, entry.code, "detected", cause=cause, entry=entry)


# Entries named by pasted answers, with their causes' links, for the generation they were read under: a pasted
# answer names one of a few dozen codes, and reading an entry with its causes costs four statements.
_detected_entries = GenerationCache(size=256)


def _detected_entry(pk: int) -> Entry:
    token = generation.current()
    entry = _detected_entries.get(pk, token) if token else None
    if entry is None:
        entry = Entry.objects.with_cause_links().get(pk=pk)
        if token:
            _detected_entries.put(pk, token, entry)
    return entry


def exact_codes(s: _Search) -> None:
    """2. Exact code or alias: the whole query, then any word of it that is a code, in any of the shapes Cisco
    writes them (E030103 is 030103). A code-shaped word that no entry has is said to be missing (030099,
    InvalidSiteID), never corrected into another code; one or two edits from a known reason code, it gets "did
    you mean" (never the diagnosis); a code of another Cisco service (wapi.login_failed) says which service."""
    shown, whole = s.query.shown, s.whole
    shapes = [shape for token in shown.split() if (shape := lexicon.code_shape(token))]
    tokens = re.findall(r"[\w.-]+", shown)
    # A client's string key names the code it is for: error_JM_InvalidMeetingKey holds InvalidMeetingKey.
    tokens += [part for t in tokens if "_" in t for part in t.split("_")]
    lookup = {whole, *(key_term(t) for t in tokens if len(t) >= 4)}
    lookup |= {key_term(shape.code) for shape in shapes if shape.kind != "other-service"}
    lookup.discard("")
    if len(s.terms) == 1 and len(whole) >= MIN_WORD_CHARS and lookup == {whole} and _prefix_allowed(shown.strip()):
        # One word: the code-prefix lookup also finds the exact code (it sorts first). One query.
        s.prefix_keys = keys_starting(whole, s.query.limit)
        keys = {k.term: k for k in s.prefix_keys if k.term == whole}
    else:
        keys = keys_for(lookup) if lookup else {}
    s.code_terms = set(keys)
    whole_keys = {whole} | {key_term(shape.code) for shape in shapes if key_term(shape.token) == whole}
    for term, key in sorted(keys.items()):
        if term in whole_keys:
            s.ranked.add_key(key, "code" if key.is_code else "alias")
    shaped = {key_term(shape.code) for shape in shapes} | {key_term(shape.token) for shape in shapes}
    for term, key in sorted(keys.items()):
        if term.isalpha() and term not in shaped and language.is_common_english(term):
            continue  # an everyday word in a sentence ("Unknown error with WebEx server") is no code
        s.ranked.add_key(key, "code-inside")
    typing_a_code = bool(s.prefix_keys) and any(k.term.startswith(whole) for k in s.prefix_keys)
    for shape in shapes:
        term = key_term(shape.code)
        if typing_a_code and key_term(shape.token) == whole and shape.kind != "other-service":
            continue  # the start of a known code, still being typed (TheDuration)
        if shape.kind == "other-service":
            if s.response.other_service is None:
                s.response.other_service = shape
            s.missing_words.update(words(shape.token))
        elif term not in keys:
            if shape.kind == "reason-code" and _did_you_mean(s, shape):
                continue
            if not s.response.missing_code:
                _missing(s.response, shape.code, s.be, similar=False)
            s.missing_words.update(words(shape.token))
    if not shapes and len(s.terms) == 1 and not keys and _looks_like_a_code_typo(whole):
        _did_you_mean(s, lexicon.CodeShape(shown.strip(), shown.strip(), "reason-code"))


def messages(s: _Search) -> None:
    """3. Known message texts, in any language: the whole query, or quoted inside it (a log line, a trace)."""
    whole, inside = knowledge.snapshot().find_messages(words(s.query.text))
    s.whole_message = bool(whole)
    for i, message in enumerate(whole):
        s.ranked.add(message.entry_id, "", "message", 100.0 - i * 0.01, message=message)
    for i, message in enumerate(inside):
        s.ranked.add(message.entry_id, "", "message-inside", 100.0 - i * 0.01, message=message)


def commands(s: _Search) -> None:
    """4. Commands named in the query, or the command of a pasted text: the errors it can return, the ones
    documented for it first, then the ones seen for it, then those of its whole service."""
    cmds = commands_for(s.query.shown, s.detection)
    if not cmds:
        return
    s.response.commands = cmds
    if s.response.detected is not None and len(cmds) == 1:
        s.response.detected.command_obj = cmds[0]
    direct, wide = entries_for_commands(cmds, s.query.limit)
    for i, entry in enumerate(direct):
        s.ranked.add(entry.pk, entry.code, "command", 900.0 - i, entry=entry)
    for i, entry in enumerate(wide):
        s.ranked.add(entry.pk, entry.code, "command", 400.0 - i, entry=entry)


def prefixes(s: _Search) -> None:
    """5. Code prefixes: codes that start with what was typed, when it is one code-like token (TheDuration,
    badweb), never an everyday or product word (webex, meeting, access)."""
    whole = s.whole
    if len(s.terms) == 1 and whole and len(whole) >= MIN_WORD_CHARS and not s.missing_words:
        if not _prefix_allowed(s.query.shown.strip()):
            return
        if s.prefix_keys is None:
            s.prefix_keys = keys_starting(whole, s.query.limit)
        for i, key in enumerate(s.prefix_keys):
            s.ranked.add_key(key, "prefix", 100.0 - i * 0.01 - len(key.term) * 0.001)


def full_text(s: _Search):
    """6. Full text, every query word optional: the entries that hold every word (each or a synonym), then those
    holding the most informative ones, all scored by the ranking model; the last word is a prefix while the person
    is still typing. Returns the slots searched and whether the last was a prefix (or the words it expands to)."""
    query_words = _query_words(s)
    everyday = language.everyday_words(query_words, s.language)
    slots = _telling_slots(lexicon.slots(query_words, MAX_SLOTS_READ, everyday, english=s.language.is_english))
    prefix_last = (
        bool(slots)
        and bool(query_words)
        and slots[-1][0] == query_words[-1]
        and s.query.typing
        and len(query_words[-1]) >= 2
    )
    if len(s.ranked) < s.query.limit:
        if prefix_last:
            prefix_last = _expand_prefix(query_words[-1]) or True
        _word_passes(s, slots, prefix_last, "text")
    return slots, prefix_last


def _telling_slots(slots):
    """At most MAX_TERMS slots, in the query's order: all of them for a short query; for a long text (a whole ticket,
    a log), the most informative ones the index holds, wherever they stand (a greeting comes first, the error later)."""
    if len(slots) <= MAX_TERMS:
        return slots
    snap = knowledge.snapshot()
    known = [(slot_weight(slot), i) for i, slot in enumerate(slots) if snap.knows(slot)]
    keep = {i for _, i in sorted(known, key=lambda pair: (-pair[0], pair[1]))[:MAX_TERMS]}
    return [slot for i, slot in enumerate(slots) if i in keep]


def correction(s: _Search, slots, prefix_last):
    """7. Typo correction of the words neither the knowledge base nor everyday English knows, in English text only
    (never a code, a URL, a parameter, a protected word, or into a word's opposite); the corrected query's words
    then replace what the words found. Returns the slots and prefix flag the finish highlights with."""
    shown, terms = s.query.shown, s.terms
    untouchable = lexicon.untouchable_words(shown)
    candidates = [t for t in terms if t not in untouchable and t not in lexicon.protected()]
    known = {t for t in candidates if t in knowledge.snapshot().vocabulary_set or t in s.code_terms}
    known |= {t for t in candidates if language.is_common_english(t)}
    if prefix_last and terms:
        known.add(terms[-1])  # the word still being typed is a prefix, not a typo
    fixed, changed = _correct(s.be, terms, known, untouchable)
    if not changed:
        return slots, prefix_last
    keys = keys_for(fixed)
    for term in fixed:
        if term in keys and term not in terms:
            s.ranked.add_key(keys[term], "corrected")
    mapping = dict(zip(terms, fixed, strict=True))
    fixed_slots = lexicon.slots([mapping.get(w, w) for w in _query_words(s)], MAX_TERMS, english=s.language.is_english)
    for pk in [pk for pk, hit in s.ranked.items.items() if hit.how == "text"]:
        del s.ranked.items[pk]  # what the misspelt words found is replaced by what the corrected words find
    _word_passes(s, fixed_slots, False, "text")
    s.response.corrected = _corrected_text(shown, terms, fixed, keys)
    return fixed_slots, False


# ---------------------------------------------------------------------------------------------------- helpers


def _query_terms(text: str) -> list[str]:
    out = []
    for w in words(text):
        if w in STOPWORDS or len(w) > 40:
            continue
        if w not in out:
            out.append(w)
    return out[:MAX_TERMS]


def _query_words(s: _Search) -> list[str]:
    return [w for w in words(s.query.shown) if w not in s.missing_words]


def _nothing_to_search(s: _Search) -> str | None:
    """Why a query that found nothing so far cannot be searched as words, or None."""
    if s.ranked:
        return None
    if not s.whole:
        return "Nothing to search for: type letters or digits, such as a code or some words."
    if len(s.whole) < MIN_WORD_CHARS:
        return "Type at least 3 characters, or a whole command such as SU or AT=SU."
    if not s.terms:
        return "Nothing to search for: type letters or digits, such as a code or some words."
    return None


def _expand_prefix(term, limit=8):
    """The known words that start with ``term`` (the word being typed), shortest first.

    Searching for a few whole words is far cheaper than a prefix query over a large index, on both
    databases. Returns None when no known word starts with it (a native prefix query is used then).
    """
    if len(term) < 2 or len(term) > 40:
        return None
    found = knowledge.snapshot().words_starting(term)
    if not found:
        return None
    found.sort(key=lambda w: (len(w), w))
    return tuple(found[:limit])


def _word_passes(s: _Search, slots, prefix_last, how) -> None:
    """The full-text passes of one set of slots, every word optional: the entries holding every word, then (for
    several words) those holding any of the most informative ones (rare words have short posting lists; a word most
    entries use finds no candidates on its own). Every candidate is scored with all the slots."""
    scored = pattern_slots(slots, prefix_last)
    limit = s.query.limit
    every = text_pass(s.be, slots, prefix_last, False, s.ranked, how=how, limit=limit, scored=scored)
    if every >= limit:
        # A whole page of entries holds every word: one holding only some of them covers less of the query and
        # would rank below them, so the costlier any-word pass is skipped.
        return
    if len(slots) < 2:
        if len(slots) == 1 and len(slots[0]) > 1 and not _found_by_words(s):
            text_pass(s.be, slots, prefix_last, True, s.ranked, how=how, limit=limit, scored=scored)
        return
    # The most informative words the index holds: a word no entry uses is the rarest of all, and finds nothing.
    snap = knowledge.snapshot()
    weighted = sorted(
        ((slot_weight(slot), i) for i, slot in enumerate(slots) if snap.knows(slot)),
        key=lambda pair: (-pair[0], pair[1]),
    )
    if not weighted:
        return
    picked = sorted(i for w, i in weighted[:OR_SLOTS] if w >= MIN_OR_WEIGHT) or sorted(i for _, i in weighted[:2])
    last = len(slots) - 1
    text_pass(
        s.be,
        [slots[i] for i in picked],
        prefix_last if last in picked else False,
        True,
        s.ranked,
        how=how,
        limit=limit,
        scored=scored,
    )


def _found_by_words(s: _Search) -> bool:
    return any(h.how == "text" for h in s.ranked.items.values())


def _prefix_allowed(token: str) -> bool:
    """A code's start may be looked up for ``token`` only when it is code-like: shaped like a code, or a word that
    is not everyday English, not a product word (webex, meeting, user, host, site) and not a word of the knowledge
    base (badweb, thedur)."""
    token = token.strip(".,;:!?()[]{}\"'`")
    if lexicon.code_shaped(token):
        return True
    folded = key_term(token)
    if not folded or folded in language.product_words() or not folded.isalnum():
        return False
    if folded in knowledge.snapshot().vocabulary_set or language.is_common_english(folded):
        return False
    return folded not in lexicon.protected()


def _looks_like_a_code_typo(term: str) -> bool:
    """One lower-case word that could be a misspelt code (badwebexidorpasword): long, not a word we know."""
    return (
        len(term) >= 8
        and term.isalpha()
        and term not in knowledge.snapshot().vocabulary_set
        and not language.is_common_english(term)
    )


def _did_you_mean(s: _Search, shape) -> bool:
    """A reason code one or two edits from a known code (case ignored): offer it first as "did you mean", never as
    the diagnosis. True when one was found."""
    term = key_term(shape.code)
    if len(term) < 6:
        return False
    near = sorted(
        (edit_distance(term, cand, cap=MAX_SIMILAR_EDITS), cand)
        for cand in s.be.fuzzy_terms(term)
        if edit_distance(term, cand, cap=MAX_SIMILAR_EDITS) <= MAX_SIMILAR_EDITS
    )
    keys = keys_for([cand for _, cand in near])
    found = [keys[cand] for _, cand in near if cand in keys]
    if not found:
        return False
    for i, key in enumerate(found):
        s.ranked.add_key(key, "similar", 100.0 - i)
    s.response.similar = [entry_from_fields(k.entry_id, k.fields) for k in found]
    s.response.similar_to = shape.token
    s.missing_words.update(words(shape.token))
    return True


def _correct(be, terms, known_terms, untouchable):
    """Replace each unknown term by the closest known code or word. Returns (corrected terms, changed).

    The rules, each tested by name (kb/tests/search/test_honest.py): a word the knowledge base knows is never
    corrected, nor a protected word (meaning words such as inactive or disabled, common English; lexicon.json);
    a correction never turns a word into its opposite (inactive never becomes active); no word of a pasted URL,
    XML, path, parameter or code token is touched (``untouchable``)."""
    protected = lexicon.protected()
    out, changed = [], False
    for term in terms:
        if term in known_terms or term in protected or term in untouchable or typo_budget(term) == 0 or term.isdigit():
            out.append(term)
            continue
        best = None
        for cand in be.fuzzy_terms(term):
            dist = edit_distance(term, cand, cap=typo_budget(term))
            if dist <= typo_budget(term) and not lexicon.flips_meaning(term, cand):
                # Between equally close candidates, an everyday English word before one only the text uses.
                rank = (dist, not language.is_common_english(cand), abs(len(cand) - len(term)), cand)
                if best is None or rank < best:
                    best = rank
        if best:
            out.append(best[-1])
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


def _missing(response, code, be=None, *, similar=True):
    """Say that ``code`` is not in the knowledge base: never corrected into another code, never an answer."""
    response.missing_code = code
    response.family = knowledge.family_of(code)
    response.message = f"{code} is not in the knowledge base yet."
    if similar and be is not None and not code.isdigit():
        response.close = close_codes(be, key_term(code))


# ---------------------------------------------------------------------------------------------------- finish


def _finish(response, started, s=None, slots=(), any_word=False, prefix_last=False, highlight_terms=None):
    """The one finish: counterparts placed, the first ``limit`` entries loaded, snippets cut, badges decided, how
    sure the answer is (kb.search.confidence), and the conditions the query names (kb.search.conditions)."""
    if response.query and not response.too_short:
        code = response.detected.code if response.detected else None
        response.conditions = conditions.match(response.query, [code] if code else ())
    if s is not None and len(s.ranked):
        hits = with_counterparts(s.ranked.ordered(), s.ranked)[: s.query.limit]
        _load_fields(hits)
        hits = [h for h in hits if h.entry is not None or h.fields is not None]
        response.confident = is_confident(response, hits)
        results = [
            Result(
                entry=h.get_entry(),
                score=h.score,
                how=h.how,
                match=MATCH[h.how],
                cause=h.cause,
                coverage=h.text.coverage if h.text is not None else None,
                message=h.message,
            )
            for h in hits
        ]
        native = _snippets(s.be, hits, results, slots, any_word, prefix_last)
        if highlight_terms is None:
            highlight_terms = [w for slot in slots for alt in slot for w in alt.split() if w not in STOPWORDS]
            highlight_terms = highlight_terms or _query_terms(response.query)
        for r in results:
            if r.entry.pk in native and MARK_OPEN in (native[r.entry.pk] or ""):
                r.snippet = marks_to_html(_trim(native[r.entry.pk]))
            else:
                r.snippet = highlight(r.entry.summary, highlight_terms)
            r.badge, r.badge_class = response.badge(r)
        response.results = results
    response.duration_ms = round((time.perf_counter() - started) * 1000, 2)
    return response


def _load_fields(hits: list[Hit]) -> None:
    """Entries found without their fields (a message, a counterpart) read in one statement."""
    missing = sorted(h.entry_id for h in hits if h.entry is None and h.fields is None)
    if missing:
        found = result_fields(missing)
        for h in hits:
            if h.entry_id in found and h.entry is None and h.fields is None:
                h.fields = found[h.entry_id]


def _snippets(be, hits, results, slots, any_word, prefix_last) -> dict:
    text_ids = [r.entry.pk for r in results if r.how in ("text", "corrected")]
    if not (slots and text_ids):
        return {}
    try:
        docs = {h.entry_id: h.doc for h in hits if h.doc}
        return be.snippets(text_ids, list(slots), any_word=any_word, prefix_last=prefix_last, docs=docs)
    except Exception:  # a snippet is decoration; never fail a search for it
        logger.warning("search snippet failed", exc_info=True)
        return {}


def _trim(text, limit=SNIPPET_CHARS + 40):
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    # never cut inside a mark
    if cut.count(MARK_OPEN) > cut.count(MARK_CLOSE):
        cut = cut[: cut.rfind(MARK_OPEN)]
    return cut.rstrip() + "\u2026"
