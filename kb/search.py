"""Search: the one entry point, ``search(query, *, limit=20, user=None) -> SearchResponse``.

A person searches with whatever they have in hand, so a query goes through these steps, and each
result remembers how it was found:

1. **Pasted text** (a back URL, a redirect page body, an XML API response, a log line): ``kb.webex.detect``
   reads it; the entry for the reason code comes first, marked "detected".
2. **Exact code or alias**, ignoring case and punctuation (``Access Denied`` = ``AccessDenied``). Always first.
3. **Commands** in every written form (``AT=SU``, ``p.php?AT=SU``, ``SU``, "sign up", "login"): the errors
   that command can give, the ones linked to the command itself before the service-wide ones.
4. **Code prefixes** (``badweb``, ``TheDuration``).
5. **Full text** over four weighted fields (code and aliases > titles > summary, meaning and when seen >
   steps), all words first, any word when that finds nothing, the last word as a prefix (search as you type).
6. **Typo correction** against the codes and the vocabulary when nothing else matched; the response then
   says which query it used ("showing results for ...").

Two backends do the database work, one per vendor, behind the same four methods:

* PostgreSQL: a stored, generated, weighted ``tsvector`` with a named GIN index, ``websearch_to_tsquery``
  (plus ``to_tsquery`` for the prefix), ``ts_rank``, ``ts_headline``, and ``pg_trgm`` for typos.
* SQLite: an external-content FTS5 table fed by triggers, ``bm25`` with column weights, prefix queries,
  ``snippet()``, and a table of deletion variants for typos.

The backend picks and natively ranks candidates; the final order is computed here, in Python, from the same
weighted-field rule on both vendors, so both return the same results in the same order for the same data.

The index tables (EntryDocument, SearchKey, SearchWord and the vendor indexes) are kept current by signals
(``on_model_change``) and by ``reindex()``; wrap bulk writes in ``batch()`` to index once at the end.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kb import webex
from kb.models import Alias, Cause, Command, Entry, EntryDocument, KbState, SearchKey, SearchWord
from kb.redaction import redact_text

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500  # what is searched as words and shown back
MAX_PASTE_CHARS = 20_000  # what paste detection reads (an XML response is longer than 500 characters)
MAX_TERMS = 12
MIN_WORD_CHARS = 3
CANDIDATES = 30  # best natively-ranked candidates that the shared rule then orders
MAX_SCAN = 400  # matches a backend ranks at most per pass (the code and title fields are searched first)
COMMAND_SCAN = 500  # cause links of a command read before sorting its entries by code
SNIPPET_CHARS = 220
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"  # private-use markers, turned into <mark> after escaping

# PostgreSQL's english.stop (the Snowball list). Dropped from queries on both vendors, so that both apply
# the same "all words" rule (websearch_to_tsquery drops them on PostgreSQL; FTS5 keeps every word).
_STOPWORDS_TEXT = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her
hers herself it its itself they them their theirs themselves what which who whom this that these
those am is are was were be been being have has had having do does did doing a an the and but if or
because as until while of at by for with about against between into through during before after
above below to from up down in out on off over under again further then once here there when where
why how all any both each few more most other some such no nor not only own same so than too very s
t can will just don should now
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

# Everyday words mapped to the words the knowledge base uses. Applied to the "any word" pass only.
SYNONYMS = {
    "wrong": ("bad", "incorrect", "invalid"),
    "incorrect": ("wrong", "bad", "invalid"),
    "invalid": ("wrong", "bad", "incorrect"),
    "timeout": ("timed", "expired"),
    "expired": ("timed", "lapsed"),
    "long": ("length", "duration"),
    "length": ("duration", "long"),
    "pwd": ("password",),
    "passwd": ("password",),
    "pass": ("password",),
    "username": ("wid", "webex"),
    "user": ("wid", "host"),
    "email": ("mail",),
    "locked": ("lock",),
    "login": ("log", "logon"),
    "logon": ("login", "log"),
    "signup": ("sign",),
}

# Command names as people say them, beyond the command's own name in the KB.
COMMAND_WORDS = {
    "login": "LI",
    "logon": "LI",
    "signin": "LI",
    "signon": "LI",
    "logout": "LO",
    "logoff": "LO",
    "signout": "LO",
    "signoff": "LO",
    "signup": "SU",
    "newuser": "SU",
    "createuser": "SU",
    "register": "SU",
    "edituser": "EU",
    "schedule": "SM",
    "schedulemeeting": "SM",
    "instantmeeting": "IM",
    "startmeeting": "HM",
    "hostmeeting": "HM",
    "joinmeeting": "JM",
    "join": "JM",
    "deletemeeting": "DM",
    "listmeetings": "LM",
    "openmeetings": "OM",
}

RESULT_FIELDS = ("id", "code", "title", "summary", "retired", "api")

HOW_LABELS = {
    "exact": "exact code",
    "alias": "alias",
    "detected": "detected from pasted text",
    "code": "code in the query",
    "command": "error of this command",
    "prefix": "code starts with your text",
    "text": "words",
    "corrected": "corrected spelling",
}

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


# ---------------------------------------------------------------------------------------------------------
# Text helpers (shared by indexing and querying)
# ---------------------------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without accents."""
    text = text or ""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def key_term(text: str) -> str:
    """A code or alias as an index key: lower case, letters and digits only (``Access Denied`` -> ``accessdenied``)."""
    return "".join(_WORD.findall(fold(text)))[:80]


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def camel_words(code: str) -> str:
    """``BadWebExIDorPassword`` -> ``Bad Web Ex I Dor Password``: the parts of a code, searchable as words."""
    return " ".join(_CAMEL.findall(code or ""))


def stem(word: str) -> str:
    """A crude English stem, enough to match "timed" with "time" and "meetings" with "meeting"."""
    for suffix in ("ations", "ation", "ings", "ing", "edly", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def edit_distance(a: str, b: str, cap: int = 3) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, stopping early above ``cap``."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    prev2 = None
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
            best = min(best, cur[j])
        if best > cap:
            return cap + 1
        prev2, prev = prev, cur
    return prev[-1]


def typo_budget(term: str) -> int:
    """How many edits a typo of ``term`` may have: none below 4 characters, 1 up to 7, then 2."""
    if len(term) < 4:
        return 0
    return 1 if len(term) < 8 else 2


def deletion_variants(term: str, depth: int) -> set[str]:
    variants = {term}
    frontier = {term}
    for _ in range(depth):
        nxt = set()
        for t in frontier:
            for i in range(len(t)):
                nxt.add(t[:i] + t[i + 1 :])
        variants |= nxt
        frontier = nxt
    return variants


def highlight(text: str, terms, limit: int = SNIPPET_CHARS) -> SafeString:
    """Escape ``text``, cut it around the first matched term, and wrap matched words in <mark>."""
    text = re.sub(r"\s+", " ", text or "").strip()
    stems = [stem(t) for t in terms if t]
    pattern = None
    if stems:
        pattern = re.compile(
            r"\b(?:" + "|".join(re.escape(s) for s in sorted(set(stems), key=len, reverse=True)) + r")\w*",
            re.IGNORECASE,
        )
    if len(text) > limit:
        start = 0
        if pattern:
            m = pattern.search(text)
            if m and m.start() > limit // 2:
                start = max(0, m.start() - limit // 3)
                start = text.rfind(" ", 0, start) + 1
        cut = text[start : start + limit]
        if start + limit < len(text):
            cut = cut[: cut.rfind(" ")] if " " in cut[limit // 2 :] else cut
        text = ("\u2026" if start else "") + cut + ("\u2026" if start + limit < len(text) else "")
    if pattern:
        text = pattern.sub(lambda m: MARK_OPEN + m.group(0) + MARK_CLOSE, text)
    return marks_to_html(text)


def _mark(text: str, patterns, limit: int = SNIPPET_CHARS) -> str:
    """``text`` cut to about ``limit`` characters around the first match, matches wrapped in markers."""
    text = re.sub(r"\s+", " ", text or "").strip()
    first = min((m.start() for p in patterns for m in [p.search(text)] if m), default=0)
    start = 0
    if len(text) > limit and first > limit // 3:
        start = text.rfind(" ", 0, first - limit // 4) + 1
    piece = text[start : start + limit]
    if start + limit < len(text) and " " in piece[limit // 2 :]:
        piece = piece[: piece.rfind(" ")]
    piece = ("\u2026" if start else "") + piece + ("\u2026" if start + len(piece) < len(text) else "")
    for p in patterns:
        piece = p.sub(lambda m: MARK_OPEN + m.group(0) + MARK_CLOSE, piece)
    return piece


def marks_to_html(text: str) -> SafeString:
    escaped = escape(text)
    return mark_safe(escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))  # noqa: S308


def strip_marks(text: str) -> str:
    return text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


# ---------------------------------------------------------------------------------------------------------
# Response objects
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Result:
    entry: Entry
    score: float
    how: str
    snippet: SafeString = mark_safe("")  # noqa: S308
    cause: Cause | None = None

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
    def detected(self):
        return self.how == "detected"

    @property
    def how_label(self):
        return HOW_LABELS.get(self.how, self.how)

    def to_json(self):
        return {
            "code": self.entry.code,
            "title": self.entry.title,
            "url": self.url,
            "score": round(self.score, 3),
            "snippet": strip_marks(str(self.snippet_text)),
        }

    @property
    def snippet_text(self):
        from html import unescape

        return unescape(re.sub(r"</?mark>", "", str(self.snippet)))


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

    @property
    def api_label(self):
        return {"url": "URL API", "xml": "XML API"}.get(self.api or "", "")

    def to_json(self):
        return {
            "command": self.command,
            "status": self.status,
            "code": self.code,
            "api": self.api,
            "form": self.form,
            "fragment": self.fragment,
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
    # Shared by every cached copy of this answer: e.g. its rendered htmx fragment (see views_search).
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def empty(self):
        return not self.results

    def to_json(self):
        return {
            "query": self.query,
            "corrected": self.corrected,
            "detected": self.detected.to_json() if self.detected else None,
            "results": [r.to_json() for r in self.results],
        }


# ---------------------------------------------------------------------------------------------------------
# Backends
# ---------------------------------------------------------------------------------------------------------


class Backend:
    vendor = ""

    def text_candidates(self, terms, *, any_word, prefix_last, high_only=False, limit=CANDIDATES):
        """[(entry_id, native_rank)] best first; ``high_only`` searches the code and title fields only."""
        raise NotImplementedError

    def snippets(self, ids, terms, *, any_word, prefix_last, docs=None):
        """{entry_id: text with MARK_OPEN/MARK_CLOSE around matches}; ``docs`` holds the text already read."""
        raise NotImplementedError

    def fuzzy_terms(self, term):
        """Known terms (codes, aliases, vocabulary words) that may be ``term`` misspelled.

        Both vendors keep every known term's one-deletion variants in kb_searchvariant; the query's variants
        (up to two deletions) are looked up there. That finds every single edit (deletion, insertion,
        substitution, transposition) and many double ones, with a handful of index lookups, and gives both
        databases the same candidates.
        """
        depth = 2 if len(term) <= 30 else 1
        variants = sorted(deletion_variants(term, depth))[:2000]
        found = set()
        with connection.cursor() as cur:
            for i in range(0, len(variants), 500):
                chunk = variants[i : i + 500]
                placeholders = ", ".join(["%s"] * len(chunk))
                cur.execute(
                    f"SELECT DISTINCT term FROM kb_searchvariant WHERE variant IN ({placeholders})",  # noqa: S608
                    chunk,
                )
                found.update(row[0] for row in cur.fetchall())
        return found

    def close_terms(self, term):
        """Known terms near ``term``, more loosely than a typo (for "close codes" when nothing matched)."""
        return self.fuzzy_terms(term)

    @staticmethod
    def variant_rows(terms):
        return [(v, term) for term in terms if len(term) >= 4 for v in deletion_variants(term, 1)]

    def add_terms(self, terms):
        """Keep the typo variants of new index terms."""
        rows = self.variant_rows(terms)
        if rows:
            with connection.cursor() as cur:
                cur.executemany("INSERT OR IGNORE INTO kb_searchvariant (variant, term) VALUES (%s, %s)", rows)

    def clear_terms(self):
        """Called before a full rebuild."""
        with connection.cursor() as cur:
            cur.execute("DELETE FROM kb_searchvariant")


class SQLiteBackend(Backend):
    vendor = "sqlite"
    WEIGHTS = (10.0, 4.0, 2.0, 1.0)

    @staticmethod
    def match_expression(terms, any_word, prefix_last):
        parts = []
        for i, term in enumerate(terms):
            quoted = '"' + term.replace('"', '""') + '"'
            if prefix_last and i == len(terms) - 1:
                if isinstance(prefix_last, tuple):  # the prefix, expanded to known words
                    quoted = "(" + " OR ".join(f'"{w}"' for w in prefix_last) + ")"
                else:
                    quoted += "*"
            if any_word and term in SYNONYMS:
                quoted = "(" + " OR ".join([quoted] + [f'"{s}"' for s in SYNONYMS[term]]) + ")"
            parts.append(quoted)
        return (" OR " if any_word else " AND ").join(parts)

    def text_candidates(self, terms, *, any_word, prefix_last, high_only=False, limit=CANDIDATES):
        expr = self.match_expression(terms, any_word, prefix_last)
        table = "kb_entry_fts_ab" if high_only else "kb_entry_fts"
        weights = ", ".join(str(w) for w in (self.WEIGHTS[:2] if high_only else self.WEIGHTS))
        sql = (
            f"SELECT rowid, r FROM (SELECT rowid, bm25({table}, {weights}) AS r FROM {table} "  # noqa: S608
            f"WHERE {table} MATCH %s LIMIT %s) ORDER BY r, rowid LIMIT %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [expr, MAX_SCAN, limit])
            return [(row[0], -row[1]) for row in cur.fetchall()]

    def snippets(self, ids, terms, *, any_word, prefix_last, docs=None):
        # FTS5's snippet() would run the MATCH over every entry again (a rowid filter does not narrow it),
        # so the snippet is cut from the text the ranking already read: summary and meaning first, then
        # titles, then steps. The codes column makes a poor snippet.
        out = {}
        patterns = [re.compile(r"\b" + re.escape(stem(t)), re.IGNORECASE) for t in terms]
        for entry_id in ids:
            doc = (docs or {}).get(entry_id)
            if not doc:
                continue
            for col in ("c", "b", "d"):
                text = doc.get(col) or ""
                if any(p.search(text) for p in patterns):
                    out[entry_id] = _mark(text, patterns)
                    break
        return out


class PostgresBackend(Backend):
    vendor = "postgresql"
    WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # D, C, B, A
    HEADLINE = f'StartSel="{MARK_OPEN}", StopSel="{MARK_CLOSE}", MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=1'

    @staticmethod
    def tsquery(terms, any_word, prefix_last):
        """(SQL expression, params) of the tsquery: websearch_to_tsquery for words, to_tsquery for a prefix."""
        plain = list(terms)
        prefix = None
        if prefix_last and plain and re.fullmatch(r"[^\W_]+", plain[-1]):
            prefix = plain.pop()
        pieces, params = [], []
        if plain:
            expanded = []
            for term in plain:
                if any_word and term in SYNONYMS:
                    expanded.extend([term, *SYNONYMS[term]])
                else:
                    expanded.append(term)
            pieces.append("websearch_to_tsquery('english', %s)")
            params.append((" or " if any_word else " ").join(expanded))
        if prefix:
            # The prefix, expanded to known words when there are some.
            alternatives = list(prefix_last) if isinstance(prefix_last, tuple) else [f"{prefix}:*"]
            if any_word and prefix in SYNONYMS:
                alternatives += list(SYNONYMS[prefix])
            pieces.append("to_tsquery('english', %s)")
            params.append(" | ".join(alternatives))
        joiner = " || " if any_word else " && "
        return "(" + joiner.join(pieces) + ")", params

    def text_candidates(self, terms, *, any_word, prefix_last, high_only=False, limit=CANDIDATES):
        q, params = self.tsquery(terms, any_word, prefix_last)
        column = "vector_ab" if high_only else "vector"
        sql = (
            "SELECT s.entry_id, ts_rank(%s::float4[], s.v, s.q) AS r FROM ("  # noqa: S608
            f"SELECT d.entry_id, d.{column} AS v, q.q FROM kb_entrydocument d, (SELECT {q} AS q) q "
            f"WHERE d.{column} @@ q.q LIMIT %s) s ORDER BY r DESC, s.entry_id LIMIT %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [self.WEIGHTS, *params, MAX_SCAN, limit])
            return [(row[0], row[1]) for row in cur.fetchall()]

    def snippets(self, ids, terms, *, any_word, prefix_last, docs=None):
        if not ids or not terms:
            return {}
        q, params = self.tsquery(terms, any_word, prefix_last)
        sql = (
            "SELECT d.entry_id, ts_headline('english', d.c, q.q, %s) "  # noqa: S608
            f"FROM kb_entrydocument d, (SELECT {q} AS q) q WHERE d.entry_id = ANY(%s)"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [self.HEADLINE, *params, list(ids)])
            return dict(cur.fetchall())

    def fuzzy_terms(self, term):
        # The deletion variants first (fast, and the same candidates as SQLite); pg_trgm when they find
        # nothing, for typos with more than one edit.
        return super().fuzzy_terms(term) or self.trigram_terms(term)

    def close_terms(self, term):
        return self.trigram_terms(term) | super().fuzzy_terms(term)

    def trigram_terms(self, term):
        sql = (
            "(SELECT term FROM kb_searchkey WHERE term %% %s ORDER BY similarity(term, %s) DESC LIMIT 10) "
            "UNION (SELECT term FROM kb_searchword WHERE term %% %s ORDER BY similarity(term, %s) DESC LIMIT 10)"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [term, term, term, term])
            return {row[0] for row in cur.fetchall()}

    def add_terms(self, terms):
        rows = self.variant_rows(terms)
        if not rows:
            return
        with connection.cursor() as cur:
            cur.execute("CREATE TEMP TABLE IF NOT EXISTS kb_searchvariant_new (variant text, term text) ON COMMIT DROP")
            with cur.cursor.copy("COPY kb_searchvariant_new (variant, term) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute(
                "INSERT INTO kb_searchvariant (variant, term) SELECT DISTINCT variant, term FROM kb_searchvariant_new "
                "ON CONFLICT DO NOTHING"
            )
            cur.execute("TRUNCATE kb_searchvariant_new")


def backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    raise NotImplementedError(f"search has no backend for {connection.vendor}")


# ---------------------------------------------------------------------------------------------------------
# Indexing
# ---------------------------------------------------------------------------------------------------------


def build_document(entry) -> tuple[EntryDocument, list[SearchKey], set[str]]:
    """The search document, keys and vocabulary of one entry (aliases and causes with steps prefetched)."""
    aliases = [a.alias for a in entry.aliases.all()]
    causes = list(entry.causes.all())
    a = " ".join([entry.code, camel_words(entry.code), *aliases, *(camel_words(x) for x in aliases)])
    b = " ".join([entry.title, *(c.title for c in causes)])
    c = " ".join([entry.summary, *(f"{x.meaning} {x.when_seen}" for x in causes)])
    d = " ".join(step.text for x in causes for step in x.steps.all())
    doc = EntryDocument(entry=entry, a=a, b=b, c=c, d=d)
    keys = {}
    for display, is_code in [(entry.code, True), *((x, False) for x in aliases)]:
        term = key_term(display)
        if term and term not in keys:
            keys[term] = SearchKey(entry=entry, term=term, display=display, is_code=is_code)
    vocabulary = {
        w
        for w in words(" ".join([entry.title, b, c, d, camel_words(entry.code)]))
        if 3 <= len(w) <= 40 and not w.isdigit()
    } - STOPWORDS
    return doc, list(keys.values()), vocabulary


def _entries_for_index(ids=None):
    # Drafts are for KB editors only: they are left out of the index, so search never finds them.
    qs = (
        Entry.objects.published()
        .prefetch_related("aliases", Prefetch("causes", queryset=Cause.objects.prefetch_related("steps")))
        .only("id", "code", "title", "summary")
    )
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs


def reindex(entries=None, *, batch_size=2000):
    """Rebuild the search index for ``entries`` (instances or ids), or for every entry when None."""
    be = backend()
    full = entries is None
    ids = None if full else sorted({getattr(e, "pk", e) for e in entries})
    if ids == []:
        return 0
    count = 0
    with transaction.atomic():
        if full:
            EntryDocument.objects.all().delete()
            SearchKey.objects.all().delete()
            SearchWord.objects.all().delete()
            be.clear_terms()
        chunks = [None] if full else [ids[i : i + batch_size] for i in range(0, len(ids), batch_size)]
        for chunk in chunks:
            if chunk is not None:
                # Entries that changed or were deleted: drop their rows first, then write what exists now.
                EntryDocument.objects.filter(entry_id__in=chunk).delete()
                SearchKey.objects.filter(entry_id__in=chunk).delete()
            qs = _entries_for_index(chunk)
            if full:
                qs = qs.order_by("pk").iterator(chunk_size=batch_size)
            docs, keys, vocabulary = [], [], set()
            for entry in qs:
                doc, entry_keys, entry_words = build_document(entry)
                docs.append(doc)
                keys.extend(entry_keys)
                vocabulary |= entry_words
                count += 1
                if len(docs) >= batch_size:
                    _write(be, docs, keys, vocabulary)
                    docs, keys, vocabulary = [], [], set()
            _write(be, docs, keys, vocabulary)
        bump_generation()
    return count


def _write(be, docs, keys, vocabulary):
    EntryDocument.objects.bulk_create(docs, batch_size=1000)
    SearchKey.objects.bulk_create(keys, batch_size=1000)
    new_words = []
    if vocabulary:
        known = set()
        for chunk in _chunks(sorted(vocabulary), 500):
            known |= set(SearchWord.objects.filter(term__in=chunk).values_list("term", flat=True))
        new_words = sorted(vocabulary - known)
        SearchWord.objects.bulk_create([SearchWord(term=w) for w in new_words], batch_size=1000, ignore_conflicts=True)
    be.add_terms({k.term for k in keys} | set(new_words))


def _chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i : i + size]


_state = threading.local()


@contextmanager
def batch():
    """Index once, at the end, the entries changed inside the block (use it around bulk writes).

    The loader wraps its transaction with it; without it every ORM save reindexes its entry at once.
    """
    depth = getattr(_state, "depth", 0)
    if depth == 0:
        _state.pending = set()
    _state.depth = depth + 1
    ok = False
    try:
        yield
        ok = True
    finally:
        _state.depth -= 1
        if _state.depth == 0:
            pending, _state.pending = _state.pending, None
            if ok and pending:
                reindex(pending)


def _entry_ids_for(sender, instance, kwargs) -> set:
    if isinstance(instance, Entry):
        return {instance.pk}
    if isinstance(instance, Alias | Cause):
        return {instance.entry_id}
    if sender is Cause.commands.through or sender is Cause.services.through:
        if kwargs.get("reverse"):
            return set(Cause.objects.filter(pk__in=kwargs.get("pk_set") or ()).values_list("entry_id", flat=True))
        return {instance.entry_id} if isinstance(instance, Cause) else set()
    cause_id = getattr(instance, "cause_id", None)
    if cause_id is not None:
        return set(Cause.objects.filter(pk=cause_id).values_list("entry_id", flat=True))
    return set()


def on_model_change(sender, instance, **kwargs):
    """Signal receiver (connected in kb/models.py): keep the index of the touched entry current."""
    action = kwargs.get("action")
    if action is not None and action not in ("post_add", "post_remove", "post_clear"):
        return
    origin = kwargs.get("origin")
    if origin is not None and (getattr(origin, "model", None) is Entry or isinstance(origin, Entry)):
        return  # the entry itself is being deleted: its index rows go with it (on delete cascade)
    ids = {i for i in _entry_ids_for(sender, instance, kwargs) if i is not None}
    if not ids:
        return
    pending = getattr(_state, "pending", None)
    if pending is not None:
        pending.update(ids)
        return
    reindex(ids)


# ---------------------------------------------------------------------------------------------------------
# Searching
# ---------------------------------------------------------------------------------------------------------


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


_command_cache = {"generation": None, "commands": None}


def _all_commands():
    """Every command with its service, cached per process for the current KB generation (there are a few dozen).

    A change to a command or service moves the generation (kb.signals), which drops this cache in every process."""
    generation = _generation()
    if _command_cache["commands"] is None or _command_cache["generation"] != generation:
        _command_cache.update(commands=list(Command.objects.select_related("service")), generation=generation)
    return _command_cache["commands"]


def _commands_for(text: str, detection) -> list[Command]:
    """Commands the query names, in any written form."""

    loaded = []

    def commands():  # read once per search, however many written forms are tried
        if not loaded:
            loaded.append(_all_commands())
        return loaded[0]

    stripped = text.strip()
    if detection is not None and detection.command:
        key = detection.command
        if key.startswith("XMLService:"):
            return [c for c in commands() if c.key.lower() == key.lower()]
        service, _, at = key.partition("?AT=")
        return [
            c
            for c in commands()
            if c.service.api == "url" and c.code.upper() == at.upper() and (not service or c.service.name == service)
        ]
    if re.fullmatch(r"[A-Za-z]{2}", stripped):
        return [c for c in commands() if c.service.api == "url" and c.code.upper() == stripped.upper()]
    if re.fullmatch(r"(?:XMLService[:.])?(?:[A-Za-z]+\.)?[A-Za-z]{4,60}", stripped):
        low = stripped.lower().split(":")[-1]
        found = [
            c
            for c in commands()
            if c.service.api == "xml" and (c.code.lower() == low or c.code.lower().split(".")[-1] == low)
        ]
        if found:
            return found
    norm = "".join(w for w in words(stripped) if w not in ("a", "an", "the"))
    if not norm or len(norm) > 40:
        return []
    at = COMMAND_WORDS.get(norm)
    found = []
    for c in commands():
        name = re.sub(r"\(.*?\)", " ", c.name)
        cname = "".join(w for w in words(name) if w not in ("a", "an", "the"))
        if cname == norm or (at and c.service.api == "url" and c.code == at):
            found.append(c)
    return found


def _linked_entries(through, field, values, exclude=()):
    """(id, code) of entries with a cause linked to ``values``, by code; at most COMMAND_SCAN links are read."""
    links = through.objects.filter(**{f"{field}__in": values}).order_by().values("cause__entry_id")[:COMMAND_SCAN]
    rows = [
        row
        for row in Entry.objects.published().filter(pk__in=links).order_by().values_list("pk", "code")
        if row[0] not in exclude
    ]
    rows.sort(key=lambda row: (row[1].lower(), row[0]))
    return rows


def _entries_for_commands(cmds, limit):
    """Entries a command can answer with: linked to the command itself first, then service-wide, each by code.

    At most COMMAND_SCAN cause links of each kind are read, so a command shared by tens of thousands of
    entries stays cheap; the shipped knowledge base is far below that, so there every entry is listed.
    """
    direct = _linked_entries(Cause.commands.through, "command", cmds)[:limit]
    wide = []
    if len(direct) < limit:
        services = {c.service_id for c in cmds}
        wide = _linked_entries(Cause.services.through, "service", services, exclude={pk for pk, _ in direct})
    return direct, wide[: max(0, limit - len(direct))]


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


def bump_generation():
    """Mark every cached search answer and page, in every process, as stale (the one KB generation)."""
    KbState.bump()


class _AnswerCache:
    """Recent answers of this process, stamped with the index generation they were computed for."""

    def __init__(self, size=512):
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, token):
        with self.lock:
            hit = self.items.get(key)
            if hit is None or hit[0] != token:
                return None
            self.items.move_to_end(key)
            return hit[1]

    def put(self, key, token, value):
        with self.lock:
            self.items[key] = (token, value)
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self):
        with self.lock:
            self.items.clear()


answer_cache = _AnswerCache()


def _generation():
    return KbState.current() or None


def search(query, *, limit: int = 20, user=None, use_cache: bool = True) -> SearchResponse:
    """Search the knowledge base. Never raises on any input text; see the module docstring for the steps.

    Answers are cached per process for repeated queries (search as you type repeats itself); a cached
    answer is used only while the index generation it was computed for is still current.
    """
    if not use_cache or not getattr(settings, "SEARCH_CACHE_SIZE", 512):
        return _search(query, limit=limit)
    started = time.perf_counter()
    text = query if isinstance(query, str) else ("" if query is None else str(query))
    text = text.replace("\x00", "")[:MAX_PASTE_CHARS]
    safe = redact_text(text)
    key = (safe, limit, safe != text)  # never the raw text: it may hold a password
    token = _generation()
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
    cmds = _commands_for(shown, detection)
    if cmds:
        response.commands = cmds
        if response.detected is not None and len(cmds) == 1:
            response.detected.command_obj = cmds[0]
        direct, wide = _entries_for_commands(cmds, limit)
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


def suggestion_url():
    return reverse("kb:search-suggest")


__all__ = [
    "Backend",
    "PostgresBackend",
    "SQLiteBackend",
    "SearchResponse",
    "Result",
    "Detected",
    "backend",
    "batch",
    "reindex",
    "search",
    "on_model_change",
]
