"""What search keeps in memory per KB generation (``kb.generation.per_generation``): read once per process after
each change to the knowledge, in a few whole queries, and shared by every search until the next change.

* **Message texts** as a lookup table: each known message (``Message.text``) under two normalised keys, its words
  (case and punctuation ignored) and the set of its meaningful word stems (small wording changes and order ignored),
  so a message typed, pasted or quoted inside a log line or a trace is found with a few dictionary lookups.
* **Counterparts**: for each entry, its entries in the other API (``Entry.counterparts``), inferred pairs left out.
* **The vocabulary** (SearchWord), sorted: the word being typed expands to the known words it starts, and typo
  correction knows which words are the knowledge base's own.
* **Families of XML exception IDs**: the 6-digit codes we have, grouped by their first two digits, with the service
  their commands belong to. It is our observation from the codes in the knowledge base; WebEx does not document it.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kb import generation
from kb.models import Category, Cause, Counterpart, Entry, EntryDocument, Message, SearchWord
from kb.search.lexicon import NEGATIONS
from kb.search.text import STOPWORDS, stem, words

MAX_SCANNED_WORDS = 600  # words of a long paste searched for a quoted message


def message_key(text: str) -> str:
    return " ".join(words(text))


def content_stems(ws) -> list[str]:
    return [stem(w) for w in ws if w in NEGATIONS or w not in STOPWORDS]


def bag_key(stems) -> str:
    return " ".join(sorted(set(stems)))


@dataclass
class Family:
    prefix: str  # the first two digits
    label: str  # "user service", "meeting service", "general"
    operations: list[str]  # the XML operations of its codes, e.g. user.GetUser
    categories: list[str]
    codes: list[tuple[str, str]]  # (code, title) of the codes we have, by code

    @property
    def pattern(self):
        return f"{self.prefix}xxxx"


@dataclass(frozen=True)
class KnownMessage:
    """A stored message as search shows it when a text matched it."""

    id: int
    entry_id: int
    text: str
    language: str
    english: str  # a translation's English original, or ""


@dataclass
class Snapshot:
    phrases: dict[str, tuple[int, ...]] = field(default_factory=dict)  # message words -> message ids
    bags: dict[str, tuple[int, ...]] = field(default_factory=dict)  # message stems (a set) -> message ids
    messages: dict[int, KnownMessage] = field(default_factory=dict)
    phrase_sizes: tuple[int, ...] = ()
    bag_sizes: tuple[int, ...] = ()
    counterparts: dict[int, tuple[tuple[int, str], ...]] = field(default_factory=dict)
    vocabulary: list[str] = field(default_factory=list)  # SearchWord terms, sorted (prefixes are looked up here)
    vocabulary_set: frozenset[str] = frozenset()
    documents: dict[str, int] = field(default_factory=dict)  # word -> how many entries use it
    entry_count: int = 0  # entries in the index
    slot_weights: dict[tuple, float] = field(default_factory=dict)  # ranking.slot_weight, memoised per snapshot

    def stem_weight(self, word_stem: str) -> float:
        """The weight of a stem as search matches it: its rarest reading is the most common word it starts."""
        n = max(self.entry_count, 1)
        df = max((self.documents.get(w, 0) for w in self.words_starting(word_stem, limit=60)), default=0)
        df = max(df, self.documents.get(word_stem, 0))
        return max(0.1, math.log((n + 1) / (min(df, n) + 0.5)))

    def knows(self, slot) -> bool:
        """Some alternative of ``slot`` (a word, or every word of a phrase) is a word of the index, as search matches
        it (by its stem)."""
        return any(all(w in STOPWORDS or self.words_starting(stem(w), limit=1) for w in alt.split()) for alt in slot)

    def weight(self, word: str) -> float:
        """How much a query word tells entries apart: its inverse document frequency, from 0.1 (a word every entry
        uses) up (a rare word). A word the knowledge base does not use weighs as a rare one."""
        n = max(self.entry_count, 1)
        df = min(self.documents.get(word, 0), n)
        return max(0.1, math.log((n + 1) / (df + 0.5)))

    def words_starting(self, prefix: str, limit: int = 200) -> list[str]:
        i = bisect_left(self.vocabulary, prefix)
        out = []
        while i < len(self.vocabulary) and len(out) < limit and self.vocabulary[i].startswith(prefix):
            out.append(self.vocabulary[i])
            i += 1
        return out

    def find_messages(self, text_words: list[str]) -> tuple[list[KnownMessage], list[KnownMessage]]:
        """Messages that are the whole text (first list) or quoted inside it (second), longest first; one per
        entry (the first found)."""
        whole_ids, inside_ids = self._find_message_ids(text_words)
        seen: set[int] = set()
        out: tuple[list[KnownMessage], list[KnownMessage]] = ([], [])
        for ids, found in ((whole_ids, out[0]), (inside_ids, out[1])):
            for mid in ids:
                message = self.messages[mid]
                if message.entry_id not in seen:
                    seen.add(message.entry_id)
                    found.append(message)
        return out

    def _find_message_ids(self, text_words: list[str]) -> tuple[list[int], list[int]]:
        text_words = text_words[:MAX_SCANNED_WORDS]
        whole, inside = [], []
        if not self.phrases or not text_words:
            return whole, inside
        full = " ".join(text_words)
        stems = content_stems(text_words)
        for pk in self.phrases.get(full, ()) + (self.bags.get(bag_key(stems), ()) if len(stems) >= 2 else ()):
            if pk not in whole:
                whole.append(pk)
        found = []  # (words matched, entry id)
        n = len(text_words)
        for size in self.phrase_sizes:
            if size >= n:
                continue
            for i in range(n - size + 1):
                for pk in self.phrases.get(" ".join(text_words[i : i + size]), ()):
                    found.append((size, pk))
        m = len(stems)
        for size in self.bag_sizes:
            if size >= m:
                continue
            for i in range(m - size + 1):
                for pk in self.bags.get(bag_key(stems[i : i + size]), ()):
                    found.append((size, pk))
        found.sort(key=lambda row: -row[0])
        for _size, pk in found:
            if pk not in whole and pk not in inside:
                inside.append(pk)
        return whole, inside


def _add(table, key, pk):
    ids = table.get(key, ())
    if pk not in ids:
        table[key] = (*ids, pk)


def build() -> Snapshot:
    snap = Snapshot()
    published = Entry.Status.PUBLISHED
    phrase_sizes, bag_sizes = set(), set()
    rows = (
        Message.objects.filter(entry__status=published)
        .order_by("entry_id", "position", "pk")
        .values_list("id", "entry_id", "text", "language", "english")
    )
    for mid, entry_id, text, language, english in rows.iterator(chunk_size=5000):
        snap.messages[mid] = KnownMessage(mid, entry_id, text, language, english)
        pk = mid
        ws = words(text)
        if not ws:
            continue
        _add(snap.phrases, " ".join(ws), pk)
        if len(ws) >= 2:
            phrase_sizes.add(len(ws))
        stems = content_stems(ws)
        if len(set(stems)) >= 2:
            _add(snap.bags, bag_key(stems), pk)
            bag_sizes.add(len(stems))
    snap.phrase_sizes = tuple(sorted(phrase_sizes, reverse=True))
    snap.bag_sizes = tuple(sorted(bag_sizes, reverse=True))

    # Only pairs known from a source or from two Cisco documents: an inferred pair ("may correspond") never moves a
    # result up nor stops a rival from counting (kb/search/ranking.py, kb/search/confidence.py).
    links = defaultdict(list)
    rows = (
        Counterpart.objects.filter(from_entry__status=published, to_entry__status=published)
        .exclude(basis=Counterpart.Basis.INFERRED)
        .order_by("to_entry__code")
        .values_list("from_entry_id", "to_entry_id", "to_entry__code")
    )
    for a, b, code in rows:
        links[a].append((b, code))
    snap.counterparts = {k: tuple(v) for k, v in links.items()}
    snap.documents = dict(SearchWord.objects.values_list("term", "documents").iterator(chunk_size=10000))
    snap.vocabulary = sorted(snap.documents)
    snap.vocabulary_set = frozenset(snap.vocabulary)
    snap.entry_count = EntryDocument.objects.count()
    return snap


def family_of(code) -> Family | None:
    """What the codes we have say about the family of a 6-digit XML exception ID (``030099`` -> the 03xxxx codes),
    or None: the search's missing-code answer and the unknown-code page both explain a code this way."""
    code = (code or "").strip()
    if len(code) == 6 and code.isdigit():
        return families().get(code[:2])
    return None


@generation.per_generation
def families() -> dict[str, Family]:
    """{first two digits: Family} of the 6-digit XML exception IDs we have (read only when a missing one is shown)."""
    xml = [
        row
        for row in Entry.objects.published()
        .filter(api__in=("xml", "both"))
        .order_by("code")
        .values_list("id", "code", "title", "category")
        if row[1].isdigit() and len(row[1]) == 6
    ]
    if not xml:
        return {}
    ids = [row[0] for row in xml]
    operations = defaultdict(set)
    links = Cause.commands.through.objects.filter(cause__entry_id__in=ids, command__service__api="xml")
    for entry_id, code in links.order_by().values_list("cause__entry_id", "command__code"):
        operations[entry_id].add(code)
    by_prefix = defaultdict(list)
    for row in xml:
        by_prefix[row[1][:2]].append(row)
    categories = dict(Category.choices)
    out = {}
    for prefix, rows in by_prefix.items():
        if len(rows) < 2:  # one code shows no grouping
            continue
        votes = Counter()
        ops = set()
        for pk, *_ in rows:
            groups = {op.split(".")[0] for op in operations[pk]}
            ops |= operations[pk]
            votes.update(groups or {""})
        group, n = votes.most_common(1)[0]
        label = f"{group} service" if group and n * 2 > len(rows) else "general"
        out[prefix] = Family(
            prefix=prefix,
            label=label,
            operations=sorted(ops),
            categories=sorted({categories.get(row[3], row[3]) for row in rows}),
            codes=[(row[1], row[2]) for row in rows],
        )
    return out


@generation.per_generation
def snapshot() -> Snapshot:
    return build()
