"""The ranking model: one documented rule, the same on both databases, with its weights in one place.

An answer's entries are ordered by the **evidence** that found them first, then, among entries found by their words,
by a **text score**:

1. Evidence, strongest first (``EVIDENCE``): the whole query is a code or an alias; the whole query is a known message
   text, or a pasted answer names the entry's code; a code or an alias inside the query, or a known message quoted
   inside it; a code that looks like a typed one ("did you mean"); the errors a named command can return; codes that
   start with a typed code-shaped token; then words. Evidence is what an entry is found by, never how often a word
   occurs, so an ordinary word ("webex") is never evidence for a code.
2. Words (``score_documents``): every query word is optional. Each slot (a word or phrase, with its synonyms) weighs
   its inverse document frequency (``Snapshot.weight``: a word every entry uses, such as "webex", weighs little; a
   rare one much), and counts by the best field it is found in (code and aliases > titles and messages > summary,
   meaning and when seen > steps; a synonym at a discount). The score is the covered share of the query's weight
   (``COVERAGE``), the strength of the fields it was found in (``STRENGTH``), and a bonus when the words stand in
   order in one field (``PHRASE``); then the source's confidence factor (``CONFIDENCE_FACTOR``): between entries whose
   words fit about as well, the better-sourced one comes first.

Each found entry's counterparts in the other API follow it (``with_counterparts``). ``TextScore`` keeps what the
calibration of an answer needs (kb.search.confidence): the covered share and the score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import kb.search.knowledge as knowledge
import kb.search.language as language
from kb.models import Cause, Entry
from kb.search.backends import CANDIDATES, slot_pattern
from kb.search.keys import entry_from_fields
from kb.search.text import STOPWORDS, fold, stem

# Evidence, strongest first; an entry's place in an answer is (its evidence's index, minus its score).
EVIDENCE = (
    "code",  # the whole query is the entry's code
    "alias",  # the whole query is one of its aliases
    "message",  # the whole query is one of its known message texts
    "detected",  # a pasted answer names its code
    "code-inside",  # its code or alias is a word of the query
    "message-inside",  # one of its messages is quoted inside the query
    "similar",  # its code looks like a code-shaped word of the query (one or two edits)
    "command",  # an error the command the query names can return
    "prefix",  # its code starts with the query (a code-shaped token being typed)
    "corrected",  # its code is what a misspelt word of the query was corrected to
    "text",  # its words
    "counterpart",  # the same failure in the other API, placed after the entry it belongs to
)
# What each kind of evidence is called in the JSON API's ``match`` (documented in the README).
MATCH = {
    "code": "code",
    "code-inside": "code",
    "alias": "alias",
    "message": "message",
    "message-inside": "message",
    "detected": "detected",
    "similar": "similar",
    "prefix": "similar",
    "corrected": "similar",
    "command": "command",
    "text": "text",
    "counterpart": "counterpart",
}

# The text score's weights (tuned on the dev corpus only: make eval).
COVERAGE = 55.0  # the share of the query's weight an entry covers
STRENGTH = 25.0  # the fields its words are found in (code and aliases > titles and messages > texts > steps)
PHRASE = 20.0  # the query's words found in order, close together, in one field
SYNONYM_WEIGHT = 0.6  # a synonym's match counts for less than the word as typed
BREADTH = 0.25  # each further field a word is found in adds this share of that field's weight
COVER_FLOOR = 0.5  # a word counts as covered by this much at least, plus the weight of the best field it is in
MAX_GAP = 24  # characters between two query words still read as "in order"
COLUMNS = (("a", 1.0), ("b", 0.6), ("c", 0.35), ("d", 0.2))
CONFIDENCE_FACTOR = {"high": 1.0, "medium": 0.97, "low": 0.94}
EVERYDAY_ZIPF = 4.5  # English words more frequent than this (wordfreq's Zipf scale) weigh less ...
EVERYDAY_DAMPING = 0.5  # ... by this share per step above it
MAX_WEIGHTS_KEPT = 20_000  # slot weights memoised per KB generation (a bound on memory, not a tuning)


def rank_key(evidence: str, score: float) -> float:
    """One number that orders an answer: evidence first, then the score within it (what the API calls ``score``)."""
    return (len(EVIDENCE) - EVIDENCE.index(evidence)) * 1000.0 + max(0.0, min(score, 999.0))


@dataclass(frozen=True)
class TextScore:
    score: float  # 0 to 100
    coverage: float  # the share of the query's weight the entry covers, 0 to 1


@dataclass
class Hit:
    entry_id: int
    code: str
    score: float  # rank_key(evidence, within): what orders the answer
    how: str  # the evidence (EVIDENCE)
    cause: Cause | None = None
    entry: Entry | None = None
    doc: dict | None = None  # the searchable text, for full-text hits
    fields: tuple | None = None  # the entry's result fields as read (an Entry is built only for the final page)
    text: TextScore | None = None  # for word hits: the text score and the covered share
    message: knowledge.KnownMessage | None = None  # for message hits: the message matched

    def get_entry(self):
        if self.entry is None and self.fields is not None:
            self.entry = entry_from_fields(self.entry_id, self.fields)
        return self.entry


class Ranked:
    """Hits by entry id; the first way an entry was found wins. Entries are loaded once, for the final page."""

    def __init__(self):
        self.items: dict[int, Hit] = {}
        self.loaded: dict[int, tuple[dict, tuple]] = {}  # documents and entry fields read by the text passes

    def add(
        self, entry_id, code, how, within=0.0, *, cause=None, entry=None, doc=None, fields=None, text=None, message=None
    ):
        """Add an entry found by the evidence ``how`` (a word of EVIDENCE), ``within`` ordering it among others of the
        same evidence (higher first); an entry already found keeps its first, stronger evidence."""
        if entry_id not in self.items:
            self.items[entry_id] = Hit(
                entry_id, code, rank_key(how, within), how, cause, entry, doc, fields, text, message
            )

    def add_key(self, key, how, within=0.0):
        self.add(key.entry_id, key.code, how, within, fields=key.fields)

    def __contains__(self, pk):
        return pk in self.items

    def __len__(self):
        return len(self.items)

    def ordered(self):
        return sorted(self.items.values(), key=lambda h: (-h.score, h.code.lower(), h.entry_id))


@lru_cache(maxsize=1024)
def _slots_regex(slots: tuple) -> re.Pattern:
    """One pattern for every slot, so each field is read once: group ``l<i>`` is slot i's word as typed (any
    spelling), ``s<i>`` one of its synonyms. A lookahead on the alternatives' first letters lets the regular
    expression engine skip, at one character's cost, the word starts that no alternative can match."""
    parts = []
    firsts = set()
    for i, slot in enumerate(slots):
        literal, others = _literal_and_synonyms(slot)
        parts.append(f"(?P<l{i}>" + slot_pattern(literal).pattern[len(r"\b") :] + ")")
        if others:
            parts.append(f"(?P<s{i}>" + slot_pattern(others).pattern[len(r"\b") :] + ")")
        firsts.update(alt[:1] for alt in slot if alt)
    ahead = "(?=[" + "".join(re.escape(ch) for ch in sorted(firsts)) + "])" if firsts else ""
    return re.compile(r"\b" + ahead + "(?:" + "|".join(parts) + ")")  # matched against lower-cased text: faster


@lru_cache(maxsize=4096)
def _folded(text: str) -> str:
    """``fold`` of a stored field: the same candidates' texts are read by one search's passes and by the next
    searches (a word typed letter by letter); folding them once saves most of the scoring's string work."""
    return fold(text)


def slot_weight(slot) -> float:
    """How much a slot tells entries apart: the inverse document frequency of its word as typed, counted as search
    matches it (the entries using a word its stem starts: "fails" counts "failed" and "failure"); a phrase weighs
    as its rarest word; a word the knowledge base does not use, as its commonest known synonym."""
    snap = knowledge.snapshot()
    key = tuple(slot)
    memo = snap.slot_weights.get(key)
    if memo is None:
        memo = _slot_weight(snap, slot)
        if len(snap.slot_weights) < MAX_WEIGHTS_KEPT:
            snap.slot_weights[key] = memo
    return memo


def _slot_weight(snap, slot) -> float:
    typed = [w for w in slot[0].split() if w not in STOPWORDS]
    if len(slot) > 1 and not any(w in snap.vocabulary_set for w in typed):
        # A word the knowledge base does not use (another language's, mostly) weighs as its commonest known synonym.
        known = [w for alt in slot[1:] for w in alt.split() if w in snap.vocabulary_set and w not in STOPWORDS]
        if known:
            return min(snap.stem_weight(stem(w)) for w in known)
    return max((snap.stem_weight(stem(w)) * _everyday(w) for w in typed), default=0.1)


def _everyday(word: str) -> float:
    """Words every English sentence uses ("please", "try", "again") say less than their rarity in the knowledge base
    makes them seem: above ``EVERYDAY_ZIPF``, each step of English frequency takes ``EVERYDAY_DAMPING`` off."""
    return max(0.1, 1.0 - EVERYDAY_DAMPING * max(0.0, language.zipf(word, language.ENGLISH) - EVERYDAY_ZIPF))


def score_documents(docs, slots, weights=None) -> dict[int, TextScore]:
    """The text score of each document (``docs``: {entry id: {"a": …, "b": …, "c": …, "d": …}}) for ``slots``."""
    if not slots:
        return {pk: TextScore(0.0, 0.0) for pk in docs}
    weights = weights or [slot_weight(slot) for slot in slots]
    total_weight = sum(weights) or 1.0
    pattern = _slots_regex(tuple(tuple(slot) for slot in slots))
    n = len(slots)
    scores = {}
    for entry_id, doc in docs.items():
        fields = [[] for _ in range(n)]  # per slot: the weight of each field it was found in
        run = 0.0  # the longest run of query words found in order, by the field's weight
        for col, weight in COLUMNS:
            text = _folded(doc[col] or "")  # lower case without accents: sesión reads as the query's sesion
            if not text:
                continue
            found = [0.0] * n
            ends = {}  # slot -> (end of its last match, run length ending there)
            best_run = 0
            for m in pattern.finditer(text):
                i = int(m.lastgroup[1:])
                found[i] = max(found[i], weight * (1.0 if m.lastgroup[0] == "l" else SYNONYM_WEIGHT))
                before = ends.get(i - 1)
                length = before[1] + 1 if before is not None and 0 <= m.start() - before[0] <= MAX_GAP else 1
                ends[i] = (m.end(), length)
                best_run = max(best_run, length)
            for i, value in enumerate(found):
                if value:
                    fields[i].append(value)
            if n > 1 and best_run > 1:
                run = max(run, weight * (best_run - 1) / (n - 1))
        covered = strength = 0.0
        for i, values in enumerate(fields):
            if values:
                values.sort(reverse=True)
                # A word found only as a synonym, or only in the summary or the steps, covers it less fully.
                covered += weights[i] * min(1.0, COVER_FLOOR + values[0])
                strength += weights[i] * min(1.0, values[0] + BREADTH * sum(values[1:]))
        coverage = covered / total_weight
        score = COVERAGE * coverage + STRENGTH * strength / total_weight + PHRASE * run
        scores[entry_id] = TextScore(round(score, 3), round(coverage, 3))
    return scores


def _literal_and_synonyms(slot):
    """A slot's alternatives split in two: the word as typed in any spelling (e-mail, email), and its synonyms."""
    typed = slot[0].replace(" ", "")
    literal = tuple(alt for alt in slot if alt.replace(" ", "") == typed)
    return literal, tuple(alt for alt in slot if alt not in literal)


def pattern_slots(slots, prefix_last):
    """The slots the shared rule scores with: the word being typed stands for the known words it expands to."""
    if isinstance(prefix_last, tuple) and slots and " " not in slots[-1][0]:
        return [*slots[:-1], (*slots[-1], *prefix_last)]
    return slots


def text_pass(be, slots, prefix_last, any_word, ranked, how="text", limit=20, scored=None):
    """One full-text pass (one round trip, kb.search.backends); adds its results to ``ranked``, returns how many
    entries it found (those found before by stronger evidence included).
    ``scored``: the slots the text score is computed with (by default ``slots``; the words being typed expanded)."""
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
    found = len(rows)
    # An entry already found keeps its first evidence (Ranked.add): only the new ones are scored.
    rows = [row for row in rows if row[0] not in ranked]
    docs = {row[0]: ranked.loaded[row[0]][0] for row in rows}
    scores = score_documents(docs, scored or pattern_slots(slots, prefix_last))
    for row in rows:
        doc, fields = ranked.loaded[row[0]]
        text = scores[row[0]]
        factor = CONFIDENCE_FACTOR.get(fields[-1], 1.0)
        ranked.add(row[0], fields[0], how, round(text.score * factor, 3), doc=doc, fields=fields, text=text)
    return found


def with_counterparts(hits, ranked):
    """Each found entry's counterparts (the same failure in the other API) directly after it, unless ranked higher;
    an inferred pair is not in the snapshot, so it never lifts a result.

    A command's list of possible errors, and codes that only look like a typed one, are left as they are: their
    entries were not found by the query itself."""
    counterparts = knowledge.snapshot().counterparts
    if not counterparts:
        return hits
    out, placed = [], set()
    for hit in hits:
        if hit.entry_id in placed:
            continue
        out.append(hit)
        placed.add(hit.entry_id)
        if hit.how in ("command", "similar"):
            continue
        for pk, code in counterparts.get(hit.entry_id, ()):
            if pk not in placed:
                other = ranked.items.get(pk)
                if other is None or other.how == "command":
                    other = Hit(pk, code, hit.score, "counterpart")
                out.append(other)
                placed.add(pk)
    return out
