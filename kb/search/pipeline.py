"""The query pipeline behind ``search(query)``: the steps of the package docstring, and the shared ranking rule."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, replace

from django.conf import settings

import kb.search.knowledge as knowledge
import kb.search.lexicon as lexicon
import webex
from core import hotsql
from kb import generation
from kb.models import Cause, Entry
from kb.search.backends import CANDIDATES, backend, slot_pattern
from kb.search.cache import answer_cache
from kb.search.commands import commands_for, entries_for_commands
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
    stem,
    typo_budget,
    words,
)
from webex.redaction import redact_text

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500  # what is searched as words and shown back
MAX_PASTE_CHARS = 20_000  # what paste detection reads (an XML response is longer than 500 characters)
MAX_TERMS = 12
MIN_WORD_CHARS = 3

RESULT_FIELDS = ("id", "code", "title", "summary", "retired", "api", "confidence")
# Words found in an entry we are less sure of count a little less: between two entries the words fit about as well,
# the better-sourced one comes first (a documented code before one known from a single client).
CONFIDENCE_FACTOR = {"high": 1.0, "medium": 0.97, "low": 0.94}


@dataclass
class _Hit:
    entry_id: int
    code: str
    score: float
    how: str
    cause: Cause | None = None
    entry: Entry | None = None
    doc: dict | None = None  # the searchable text, for full-text hits
    fields: tuple | None = None  # the entry's result fields as read (an Entry is built only for the final page)

    def get_entry(self):
        if self.entry is None and self.fields is not None:
            self.entry = Entry(id=self.entry_id, **dict(zip(RESULT_FIELDS[1:], self.fields, strict=True)))
        return self.entry


@dataclass
class _Key:
    term: str
    display: str
    is_code: bool
    entry_id: int
    code: str
    fields: tuple  # the entry's result fields (RESULT_FIELDS but the id), as read


class _Ranked:
    """Hits by entry id; the first way an entry was found wins. Entries are loaded once, for the final page."""

    def __init__(self):
        self.items: dict[int, _Hit] = {}
        self.loaded: dict[int, tuple[dict, tuple]] = {}  # documents and entry fields read by the text passes

    def add(self, entry_id, code, score, how, cause=None, entry=None, doc=None, fields=None):
        if entry_id not in self.items:
            self.items[entry_id] = _Hit(entry_id, code, score, how, cause, entry, doc, fields)

    def add_key(self, key, score, how):
        self.add(key.entry_id, key.code, score, how, fields=key.fields)

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


# Codes and aliases with their entries' result fields, and the KB generation in the same statement: the first
# lookup of a request hands it to the request scope (kb.generation.offer), which saves a round trip. The one-row
# subquery makes the statement return the generation even when no key matches (a row of NULL keys then).
_KEY_SQL = (
    "SELECT k.*, g.generation FROM (SELECT COALESCE(MAX(generation), 0) AS generation FROM kb_kbstate WHERE id = 1) g "
    "LEFT JOIN (SELECT k.term, k.display, k.is_code, k.entry_id, e.code, e.title, e.summary, e.retired, e.api, "
    "e.confidence FROM kb_searchkey k JOIN kb_entry e ON e.id = k.entry_id WHERE {condition}) k ON 1 = 1{order}"
)


def _keys_sql(condition, params, *, prefix=False):
    """Codes and aliases (SearchKey rows) matching ``condition``, in one raw query (the hot path). ``prefix``:
    the first ``params[-1]`` in the order of their terms (the condition is a range of terms)."""
    if prefix:
        sql = _KEY_SQL.format(condition=condition + " ORDER BY k.term LIMIT %s", order=" ORDER BY k.term")
    else:
        sql = _KEY_SQL.format(condition=condition, order="")
    rows = hotsql.fetchall(sql, params)
    if rows:
        generation.offer(rows[0][-1])
    return [_Key(row[0], row[1], bool(row[2]), row[3], row[4], row[4:-1]) for row in rows if row[0] is not None]


def _entry_fields(ids) -> dict[int, tuple]:
    """The result fields of the entries ``ids`` (found without them: a message, a counterpart), in one raw query."""
    sql = f"SELECT {', '.join(RESULT_FIELDS)} FROM kb_entry WHERE id IN ({', '.join(['%s'] * len(ids))})"  # noqa: S608
    return {row[0]: row[1:] for row in hotsql.fetchall(sql, list(ids))}


def _entries_by_terms(terms):
    terms = sorted(set(terms))
    if not terms:
        return {}
    return {k.term: k for k in _keys_sql(f"k.term IN ({', '.join(['%s'] * len(terms))})", terms)}


def _prefix_keys(term, limit):
    if len(term) < MIN_WORD_CHARS:
        return []
    upper = term[:-1] + chr(ord(term[-1]) + 1)
    return _keys_sql("k.term >= %s AND k.term < %s", [term, upper, limit * 2], prefix=True)


SYNONYM_WEIGHT = 0.6  # a synonym's match counts for less than the word as typed


def _slots_regex(slots):
    """One pattern for every slot, so each field is read once: group ``l<i>`` is slot i's word as typed (any
    spelling), ``s<i>`` one of its synonyms."""
    parts = []
    for i, slot in enumerate(slots):
        literal, others = _literal_and_synonyms(slot)
        parts.append(f"(?P<l{i}>" + slot_pattern(literal).pattern[len(r"\b") :] + ")")
        if others:
            parts.append(f"(?P<s{i}>" + slot_pattern(others).pattern[len(r"\b") :] + ")")
    return re.compile(r"\b(?:" + "|".join(parts) + ")")  # matched against lower-cased text: faster


COLUMNS = (("a", 1.0), ("b", 0.4), ("c", 0.2), ("d", 0.1))


def _score_documents(docs, slots):
    """The shared ranking rule: weighted field matches per slot (the word as typed, or at a discount one of its
    synonyms), plus how many slots matched, plus the words in order in one field (the text says it this way)."""
    if not slots:
        return dict.fromkeys(docs, 0.0)
    pattern = _slots_regex(slots)
    n = len(slots)
    phrases = [(_phrase_pattern([_literal_and_synonyms(s)[0] for s in slots]), 2.0), (_phrase_pattern(slots), 1.2)]
    scores = {}
    for entry_id, doc in docs.items():
        lit, syn = [0.0] * n, [0.0] * n
        full_columns = []  # the fields where every slot matched: the only ones the words in order can be in
        lowered = {}
        for col, weight in COLUMNS:
            text = lowered[col] = (doc[col] or "").lower()
            if not text:
                continue
            counts = {}
            for m in pattern.finditer(text):
                counts[m.lastgroup] = counts.get(m.lastgroup, 0) + 1
            seen = set()
            for group, count in counts.items():
                i = int(group[1:])
                seen.add(i)
                (lit if group[0] == "l" else syn)[i] += weight * (1 + min(count, 4) / 4)
            if len(seen) == n:
                full_columns.append((col, weight))
        total, matched = 0.0, 0
        for i in range(n):
            term_score = max(lit[i], syn[i] * SYNONYM_WEIGHT)
            if term_score:
                matched += 1
                total += term_score
        for phrase, factor in phrases if full_columns else ():
            if phrase is not None:
                col_weight = next((w for col, w in full_columns if phrase.search(lowered[col])), 0.0)
                if col_weight:
                    total += factor * col_weight
                    break
        scores[entry_id] = round(60 * matched / n + 10 * min(total, 4.0) + min(total, 8.0) / 4, 3)
    return scores


def _literal_and_synonyms(slot):
    """A slot's alternatives split in two: the word as typed in any spelling (e-mail, email), and its synonyms."""
    typed = slot[0].replace(" ", "")
    literal = tuple(alt for alt in slot if alt.replace(" ", "") == typed)
    return literal, tuple(alt for alt in slot if alt not in literal)


def _phrase_pattern(slots):
    """The slots in order, any alternative of each, with up to two short words between them; None for one slot."""
    if len(slots) < 2:
        return None
    parts = [
        "(?:" + "|".join(r"\w*\W+".join(re.escape(stem(w)) for w in alt.split()) for alt in slot) + ")"
        for slot in slots
    ]
    return re.compile(r"\b" + r"\w*\W+(?:\w+\W+){0,2}?".join(parts))  # for lower-cased text


def _text_pass(be, slots, prefix_last, any_word, ranked, how="text", limit=20):
    """One full-text pass (one round trip, kb.search.backends); adds its results to ``ranked``, returns how many."""
    if not slots:
        return 0
    rows = be.text_rows(slots, any_word=any_word, prefix_last=prefix_last, limit=limit)[:CANDIDATES]
    if not rows:
        return 0
    for row in rows:
        if row[0] not in ranked.loaded:
            ranked.loaded[row[0]] = ({"a": row[3], "b": row[4], "c": row[5], "d": row[6]}, row[7:])
    if not any_word:
        # PostgreSQL drops stopwords inside a phrase ("in use" matches any "use"); SQLite does not. Both keep only
        # the documents that hold such a slot as written, so both give the same results.
        strict = [slot_pattern(s) for s in slots if any(" " in alt and STOPWORDS & set(alt.split()) for alt in s)]
        rows = [row for row in rows if all(any(p.search(t or "") for t in row[3:7]) for p in strict)]
    docs = {row[0]: ranked.loaded[row[0]][0] for row in rows}
    scores = _score_documents(docs, _pattern_slots(slots, prefix_last))
    for row in rows:
        doc, fields = ranked.loaded[row[0]]
        score = round(scores.get(row[0], 0.0) * CONFIDENCE_FACTOR.get(fields[-1], 1.0), 3)
        ranked.add(row[0], fields[0], score, how, doc=doc, fields=fields)
    return len(rows)


def _pattern_slots(slots, prefix_last):
    """The slots the shared rule scores with: the word being typed stands for the known words it expands to."""
    if isinstance(prefix_last, tuple) and slots and " " not in slots[-1][0]:
        return [*slots[:-1], (*slots[-1], *prefix_last)]
    return slots


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


def _wants_any_word(slots):
    return len(slots) > 1 or (len(slots) == 1 and len(slots[0]) > 1)


def _correct(be, terms, known_terms, untouchable):
    """Replace each unknown term by the closest known code or word. Returns (corrected terms, changed).

    The rules, each tested by name (kb/tests/test_search_honest.py): a word the knowledge base knows is never
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
    fields = {}  # entry id -> its result fields, in the order found
    for _, cand in scored:
        key = keys.get(cand)
        if key:
            fields.setdefault(key.entry_id, key.fields)
    if len(fields) < limit and len(term) >= 3:
        for key in _prefix_keys(term[:3], limit):
            fields.setdefault(key.entry_id, key.fields)
    return [_Hit(pk, row[0], 0.0, "close", fields=row).get_entry() for pk, row in list(fields.items())[:limit]]


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


def _family_for(code):
    if code and len(code) == 6 and code.isdigit():
        return knowledge.families().get(code[:2])
    return None


def _missing(response, code, be=None, *, similar=True):
    """Say that ``code`` is not in the knowledge base: never corrected into another code, never an answer."""
    response.missing_code = code
    response.family = _family_for(code)
    response.message = f"{code} is not in the knowledge base yet."
    if similar and be is not None and not code.isdigit():
        response.close = _close_codes(be, key_term(code))


def _search(query, *, limit: int = 20) -> SearchResponse:
    if getattr(generation._local, "scope", None) is None:
        # Outside a web request (a command, the benchmark): read the KB generation once for the whole search.
        with generation.request_scope():
            return _search_in_scope(query, limit=limit)
    return _search_in_scope(query, limit=limit)


def _search_in_scope(query, *, limit: int = 20) -> SearchResponse:
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

    # 1. Pasted answers and commands. A success is no diagnosis: only the command's possible errors follow.
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
        success = (detection.status or "").upper() == "SUCCESS"
        if detection.code and not success:
            key = _entries_by_terms([key_term(detection.code)]).get(key_term(detection.code))
            if key is not None:
                entry = Entry.objects.with_cause_links().get(pk=key.entry_id)
                cause = entry.cause_for(detection.api, detection.command)
                response.detected.entry, response.detected.cause = entry, cause
                ranked.add(entry.pk, entry.code, 1500.0, "detected", cause=cause, entry=entry)

    # 2. Exact code or alias: the whole query, then any word of it that is a code. A code-shaped word that no entry
    # has (030099, InvalidSiteID) is said to be missing, and never corrected into another code.
    whole = key_term(shown)
    terms = _query_terms(shown)
    prefix_keys = None
    missing_words = set()
    code_terms = set()  # query words that are codes or aliases
    whole_message = False
    if detection is None:
        lookup = {whole, *(key_term(t) for t in re.findall(r"[\w.-]+", shown) if len(t) >= 4)}
        lookup.discard("")
        if len(terms) == 1 and len(whole) >= MIN_WORD_CHARS and lookup == {whole}:
            # One word: the code-prefix lookup also finds the exact code (it sorts first). One query.
            prefix_keys = _prefix_keys(whole, limit)
            keys = {k.term: k for k in prefix_keys if k.term == whole}
        else:
            keys = _entries_by_terms(lookup) if lookup else {}
        code_terms = set(keys)
        if whole in keys:
            key = keys[whole]
            ranked.add_key(key, 2000.0, "exact" if key.is_code else "alias")
        for term, key in sorted(keys.items()):
            if term != whole:
                ranked.add_key(key, 1000.0, "code")
        for token in shown.split():
            token = token.strip(".,;:!?()[]{}\"'`")
            if prefix_keys and key_term(token) == whole:
                continue  # the start of a known code, still being typed (TheDuration)
            if lexicon.code_shaped(token) and key_term(token) not in keys:
                if not response.missing_code:
                    _missing(response, token, be, similar=False)
                missing_words.update(words(token))

        # 3. Known message texts: the whole query, or quoted inside it (a log line, an exception trace).
        snap = knowledge.snapshot()
        whole_ids, inside_ids = snap.find_messages(words(safe))
        whole_message = bool(whole_ids)
        for i, pk in enumerate(whole_ids):
            ranked.add(pk, "", 1900.0 - i * 0.01, "message")
        for i, pk in enumerate(inside_ids):
            ranked.add(pk, "", 1050.0 - i * 0.01, "message")

    # 4. Commands.
    cmds = commands_for(shown, detection)
    if cmds:
        response.commands = cmds
        if response.detected is not None and len(cmds) == 1:
            response.detected.command_obj = cmds[0]
        direct, wide = entries_for_commands(cmds, limit)
        for i, entry in enumerate(direct):
            ranked.add(entry.pk, entry.code, 800.0 - i, "command", entry=entry)
        for i, entry in enumerate(wide):
            ranked.add(entry.pk, entry.code, 600.0 - i, "command", entry=entry)

    if detection is not None:
        if detection.code and response.detected.entry is None and not success:
            _missing(response, detection.code, similar=False)
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

    if missing_words:
        # Only the other words are searched: nothing is offered as the missing code's answer.
        terms = [t for t in terms if t not in missing_words]
        if not terms:
            if not ranked and not key_term(response.missing_code).isdigit():
                response.close = _close_codes(be, key_term(response.missing_code))
            return _finish(response, started, ranked, limit, be, [], False, False)

    query_words = [w for w in words(shown) if w not in missing_words]
    slots = lexicon.slots(query_words, MAX_TERMS)

    # 5. Code prefixes (single-word queries).
    if len(terms) == 1 and whole and len(whole) >= MIN_WORD_CHARS and not missing_words:
        if prefix_keys is None:
            prefix_keys = _prefix_keys(whole, limit)
        for i, key in enumerate(prefix_keys):
            ranked.add_key(key, 700.0 - i * 0.01 - len(key.term) * 0.001, "prefix")

    # 6. Full text, all words (each or a synonym), the last one as a prefix while the person is still typing.
    prefix_last = (
        bool(slots)
        and bool(query_words)
        and slots[-1][0] == query_words[-1]
        and not query.endswith((" ", "\n"))
        and len(query_words[-1]) >= 2
    )
    text_slots, any_word = slots, False
    if whole_message:
        # The query is a known message: its entries are the answer (a full-text pass of every word of a long
        # message over a large index would only cost time).
        return _finish(response, started, ranked, limit, be, [], False, False)
    if len(ranked) < limit:
        if prefix_last:
            prefix_last = _expand_prefix(query_words[-1]) or True
        _text_pass(be, slots, prefix_last, False, ranked, limit=limit)

    # 7. Typo correction when nothing matched, of unknown words only; then any word.
    if not ranked and terms:
        untouchable = lexicon.untouchable_words(shown)
        candidates = [t for t in terms if t not in untouchable and t not in lexicon.protected()]
        known = {t for t in candidates if t in knowledge.snapshot().vocabulary_set or t in code_terms}
        fixed, changed = _correct(be, terms, known, untouchable)
        if changed:
            keys = _entries_by_terms(fixed)
            for term in fixed:
                if term in keys:
                    ranked.add_key(keys[term], 900.0, "corrected")
            mapping = dict(zip(terms, fixed, strict=True))
            fixed_slots = lexicon.slots([mapping.get(w, w) for w in query_words], MAX_TERMS)
            _text_pass(be, fixed_slots, False, False, ranked, how="corrected", limit=limit)
            if not ranked and _wants_any_word(fixed_slots):
                _text_pass(be, fixed_slots, False, True, ranked, how="corrected", limit=limit)
                any_word = True
            if ranked:
                response.corrected = _corrected_text(shown, terms, fixed, keys)
                text_slots, prefix_last = fixed_slots, False
    if not ranked and _wants_any_word(slots):
        any_word = True
        _text_pass(be, slots, prefix_last, True, ranked, limit=limit)
    if not ranked:
        if not response.missing_code:
            response.close = _close_codes(be, whole if len(terms) <= 1 else (terms[0] if terms else ""))
        if not response.message:
            response.message = "No entry matches."
    return _finish(response, started, ranked, limit, be, _pattern_slots(text_slots, prefix_last), any_word, prefix_last)


def _with_counterparts(hits, ranked):
    """Each found entry's counterparts (the same failure in the other API) directly after it, unless ranked higher.

    A command's list of possible errors is left as it is: its entries were not found by the query itself."""
    counterparts = knowledge.snapshot().counterparts
    if not counterparts:
        return hits
    out, placed = [], set()
    for hit in hits:
        if hit.entry_id in placed:
            continue
        out.append(hit)
        placed.add(hit.entry_id)
        if hit.how == "command":
            continue
        for pk, code in counterparts.get(hit.entry_id, ()):
            if pk not in placed:
                other = ranked.items.get(pk)
                if other is None or other.how == "command":
                    other = _Hit(pk, code, hit.score, "counterpart")
                out.append(other)
                placed.add(pk)
    return out


def _finish(
    response, started, ranked=None, limit=20, be=None, slots=(), any_word=False, prefix_last=False, highlight_terms=None
):
    if ranked is not None and len(ranked):
        hits = _with_counterparts(ranked.ordered(), ranked)[:limit]
        missing = sorted(h.entry_id for h in hits if h.entry is None and h.fields is None)
        if missing:
            found = _entry_fields(missing)
            for h in hits:
                if h.entry_id in found and h.entry is None and h.fields is None:
                    h.fields = found[h.entry_id]
        results = [
            Result(entry=h.get_entry(), score=h.score, how=h.how, cause=h.cause)
            for h in hits
            if h.entry is not None or h.fields is not None
        ]
        native = {}
        text_ids = [r.entry.pk for r in results if r.how in ("text", "corrected")]
        if be is not None and slots and text_ids:
            try:
                docs = {h.entry_id: h.doc for h in hits if h.doc}
                native = be.snippets(text_ids, list(slots), any_word=any_word, prefix_last=prefix_last, docs=docs)
            except Exception:  # a snippet is decoration; never fail a search for it
                logger.warning("search snippet failed", exc_info=True)
        if highlight_terms is None:
            highlight_terms = [w for slot in slots for alt in slot for w in alt.split() if w not in STOPWORDS]
            highlight_terms = highlight_terms or _query_terms(response.query)
        for r in results:
            if r.entry.pk in native and MARK_OPEN in (native[r.entry.pk] or ""):
                r.snippet = marks_to_html(_trim(native[r.entry.pk]))
            else:
                r.snippet = highlight(r.entry.summary, highlight_terms)
        for r in results:
            r.badge, r.badge_class = response.badge(r)
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
