"""The shared ranking rule: how found entries are held and ordered, the same on both databases.

Each way of finding an entry gives it a score (see the pipeline's steps); the first way an entry was found wins.
Words are scored here, in Python, from the text a full-text pass read: weighted field matches per query slot (the
word as typed, or at a discount one of its synonyms), how many slots matched, and the words in order in one field.
Between entries whose words fit about as well, the better-sourced one comes first (``CONFIDENCE_FACTOR``). Each
found entry's counterparts in the other API follow it (``with_counterparts``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import kb.search.knowledge as knowledge
from kb.models import Cause, Entry
from kb.search.backends import CANDIDATES, slot_pattern
from kb.search.keys import entry_from_fields
from kb.search.text import STOPWORDS, stem

# Words found in an entry we are less sure of count a little less: between two entries the words fit about as well,
# the better-sourced one comes first (a documented code before one known from a single client).
CONFIDENCE_FACTOR = {"high": 1.0, "medium": 0.97, "low": 0.94}
SYNONYM_WEIGHT = 0.6  # a synonym's match counts for less than the word as typed
COLUMNS = (("a", 1.0), ("b", 0.4), ("c", 0.2), ("d", 0.1))


@dataclass
class Hit:
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
            self.entry = entry_from_fields(self.entry_id, self.fields)
        return self.entry


class Ranked:
    """Hits by entry id; the first way an entry was found wins. Entries are loaded once, for the final page."""

    def __init__(self):
        self.items: dict[int, Hit] = {}
        self.loaded: dict[int, tuple[dict, tuple]] = {}  # documents and entry fields read by the text passes

    def add(self, entry_id, code, score, how, cause=None, entry=None, doc=None, fields=None):
        if entry_id not in self.items:
            self.items[entry_id] = Hit(entry_id, code, score, how, cause, entry, doc, fields)

    def add_key(self, key, score, how):
        self.add(key.entry_id, key.code, score, how, fields=key.fields)

    def __contains__(self, pk):
        return pk in self.items

    def __len__(self):
        return len(self.items)

    def ordered(self):
        return sorted(self.items.values(), key=lambda h: (-h.score, h.code.lower(), h.entry_id))


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


def score_documents(docs, slots):
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


def pattern_slots(slots, prefix_last):
    """The slots the shared rule scores with: the word being typed stands for the known words it expands to."""
    if isinstance(prefix_last, tuple) and slots and " " not in slots[-1][0]:
        return [*slots[:-1], (*slots[-1], *prefix_last)]
    return slots


def text_pass(be, slots, prefix_last, any_word, ranked, how="text", limit=20):
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
    scores = score_documents(docs, pattern_slots(slots, prefix_last))
    for row in rows:
        doc, fields = ranked.loaded[row[0]]
        score = round(scores.get(row[0], 0.0) * CONFIDENCE_FACTOR.get(fields[-1], 1.0), 3)
        ranked.add(row[0], fields[0], score, how, doc=doc, fields=fields)
    return len(rows)


def with_counterparts(hits, ranked):
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
                    other = Hit(pk, code, hit.score, "counterpart")
                out.append(other)
                placed.add(pk)
    return out
