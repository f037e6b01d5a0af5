"""The database work of a search, one backend per vendor behind the same methods.

* PostgreSQL: a stored, generated, weighted ``tsvector`` with a named GIN index, ``to_tsquery`` (each word's
  synonyms ORed, ``:*`` for a prefix), ``ts_rank`` and ``pg_trgm`` for typos.
* SQLite: an external-content FTS5 table fed by triggers, ``bm25`` with column weights, prefix queries.

Each full-text pass is one round trip that returns the candidates with their documents and entry fields; snippets
are cut from that text, the same way on both.

Both keep a table of deletion variants for typos. A backend picks and natively ranks candidates; the final
order is computed by the pipeline from the same weighted-field rule on both vendors.
"""

import re
from functools import lru_cache

from django.db import connection

from core import hotsql
from kb.search.text import STOPWORDS, deletion_variants, mark_matches, stem

CANDIDATES = 30  # best natively-ranked candidates that the shared rule then orders
MAX_SCAN = 200  # matches a backend ranks at most per pass (the code and title fields are searched first)


def _phrase_word(word):
    # In a phrase each word stands on its own: a short or common word as written ("in use" is not "incorrect user").
    if word in STOPWORDS or len(word) <= 4:
        return re.escape(word) + r"(?:s|es|d|ed|ing)?\b"
    return re.escape(stem(word)) + r"\w{0,4}\b"


def slot_pattern(slot):
    """A regular expression matching any alternative of a slot: a word by its stem (as a prefix), a phrase word
    after word."""
    return _slot_pattern(tuple(slot))


@lru_cache(maxsize=2048)
def _slot_pattern(slot: tuple) -> re.Pattern:
    alternatives = [
        r"\W+".join(_phrase_word(w) for w in alt.split()) if " " in alt else re.escape(stem(alt)) for alt in slot
    ]
    # A lookahead on the alternatives' first letters: the engine skips, at one character's cost, the word starts
    # that no alternative can match.
    firsts = sorted({ch for alt in slot if alt for ch in (alt[0].lower(), alt[0].upper())})
    ahead = "(?=[" + "".join(re.escape(ch) for ch in firsts) + "])" if firsts else ""
    return re.compile(r"\b" + ahead + "(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


def native_alternatives(slot):
    """What a backend searches for a slot: the word or phrase as typed and its one-word synonyms. A synonym phrase
    ("session timeout") costs a position check of common words over the whole index: the shared rule still
    recognises it in the candidates' text."""
    return [slot[0], *(alt for alt in slot[1:] if " " not in alt)]


def slot_patterns(slots):
    return [slot_pattern(slot) for slot in slots]


class Backend:
    vendor = ""

    def text_candidates(self, slots, *, any_word, prefix_last, high_only=False, limit=CANDIDATES):
        """[(entry_id, native_rank)] best first; ``high_only`` searches the code and title fields only.

        ``slots``: one tuple per query word or phrase, its alternatives (as typed, then synonyms; see lexicon)."""
        raise NotImplementedError

    def text_rows(self, slots, *, any_word, prefix_last, limit):
        """One round trip: the candidates of the code and title fields (up to CANDIDATES, best first), then, when
        they are fewer than ``limit``, those of every field, each with its search document and entry fields:
        [(entry_id, tier, native_rank, a, b, c, d, code, title, summary, retired, api, confidence)]."""
        raise NotImplementedError

    def snippets(self, ids, slots, *, any_word, prefix_last, docs=None):
        """{entry_id: text with MARK_OPEN/MARK_CLOSE around matches}; ``docs`` holds the text already read.

        Cut from that text, the same way on both vendors: FTS5's snippet() would run the MATCH over every entry
        again (a rowid filter does not narrow it), and ts_headline would cost a second round trip. Summary and
        meaning first, then titles, then steps; the codes column makes a poor snippet."""
        out = {}
        every = [w for slot in slots for w in slot]
        patterns = [slot_pattern(every)] if every else []  # one pattern: each field is read once
        for entry_id in ids:
            doc = (docs or {}).get(entry_id)
            if not doc:
                continue
            for col in ("c", "b", "d"):
                text = doc.get(col) or ""
                if patterns and patterns[0].search(text):
                    out[entry_id] = mark_matches(text, patterns)
                    break
        return out

    def fuzzy_terms(self, term):
        """Known terms (codes, aliases, vocabulary words) that may be ``term`` misspelled.

        Both vendors keep every known term's one-deletion variants in kb_searchvariant; the query's variants
        (up to two deletions) are looked up there. That finds every single edit (deletion, insertion,
        substitution, transposition) and many double ones, with a handful of index lookups, and gives both
        databases the same candidates.
        """
        return self.fuzzy_terms_of([term]).get(term, set())

    def fuzzy_terms_of(self, terms) -> dict[str, set[str]]:
        """``fuzzy_terms`` of several terms at once: {term: known terms}, in one query per 500 variants."""
        owners: dict[str, set[str]] = {}
        for term in terms:
            depth = 2 if len(term) <= 30 else 1
            for variant in sorted(deletion_variants(term, depth))[:2000]:
                owners.setdefault(variant, set()).add(term)
        found: dict[str, set[str]] = {term: set() for term in terms}
        variants = sorted(owners)
        with connection.cursor() as cur:
            for i in range(0, len(variants), 500):
                chunk = variants[i : i + 500]
                placeholders = ", ".join(["%s"] * len(chunk))
                cur.execute(
                    f"SELECT DISTINCT variant, term FROM kb_searchvariant WHERE variant IN ({placeholders})",  # noqa: S608
                    chunk,
                )
                for variant, known in cur.fetchall():
                    for term in owners[variant]:
                        found[term].add(known)
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
    def match_expression(slots, any_word, prefix_last):
        """FTS5 query: each slot's alternatives ORed (a phrase quoted), the slots ANDed (ORed for any word)."""
        parts = []
        for i, slot in enumerate(slots):
            alternatives = ['"' + alt.replace('"', '""') + '"' for alt in native_alternatives(slot)]
            if prefix_last and i == len(slots) - 1 and " " not in slot[0]:
                if isinstance(prefix_last, tuple):  # the prefix, expanded to known words
                    alternatives[0] = " OR ".join(f'"{w}"' for w in prefix_last)
                else:
                    alternatives[0] += "*"
            parts.append("(" + " OR ".join(alternatives) + ")")
        return (" OR " if any_word else " AND ").join(parts)

    def text_candidates(self, slots, *, any_word, prefix_last, high_only=False, limit=CANDIDATES):
        expr = self.match_expression(slots, any_word, prefix_last)
        table = "kb_entry_fts_ab" if high_only else "kb_entry_fts"
        weights = ", ".join(str(w) for w in (self.WEIGHTS[:2] if high_only else self.WEIGHTS))
        sql = (
            f"SELECT rowid, r FROM (SELECT rowid, bm25({table}, {weights}) AS r FROM {table} "  # noqa: S608
            f"WHERE {table} MATCH %s LIMIT %s) ORDER BY r, rowid LIMIT %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [expr, MAX_SCAN, limit])
            return [(row[0], -row[1]) for row in cur.fetchall()]

    def text_rows(self, slots, *, any_word, prefix_last, limit):
        expr = self.match_expression(slots, any_word, prefix_last)
        rows = self._rows("kb_entry_fts_ab", self.WEIGHTS[:2], expr, 0)
        if len(rows) < limit:  # few code and title matches: every field (the usual case for words)
            seen = {row[0] for row in rows}
            rows += [row for row in self._rows("kb_entry_fts", self.WEIGHTS, expr, 1) if row[0] not in seen]
        return rows

    @staticmethod
    def _rows(table, weights, expr, tier):
        weights = ", ".join(str(w) for w in weights)
        sql = (
            f"SELECT p.id, {tier}, -p.r, d.a, d.b, d.c, d.d, "  # noqa: S608
            "e.code, e.title, e.summary, e.retired, e.api, e.confidence "
            f"FROM (SELECT id, r FROM (SELECT rowid AS id, bm25({table}, {weights}) AS r FROM {table} "
            f"WHERE {table} MATCH %s LIMIT %s) ORDER BY r, id LIMIT %s) p "
            "JOIN kb_entrydocument d ON d.entry_id = p.id JOIN kb_entry e ON e.id = p.id ORDER BY p.r, p.id"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [expr, MAX_SCAN, CANDIDATES])
            return cur.fetchall()


class PostgresBackend(Backend):
    vendor = "postgresql"
    WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # D, C, B, A

    @staticmethod
    def tsquery(slots, any_word, prefix_last):
        """(SQL expression, params) of the tsquery: one to_tsquery, each slot's alternatives ORed (a phrase with
        ``<->``), the slots ANDed (ORed for any word); the last word as a prefix while it is being typed."""
        parts = []
        for i, slot in enumerate(slots):
            alternatives = [" <-> ".join(alt.split()) for alt in native_alternatives(slot)]
            if prefix_last and i == len(slots) - 1 and " " not in slot[0]:
                if isinstance(prefix_last, tuple):  # the prefix, expanded to known words
                    alternatives[0] = " | ".join(prefix_last)
                else:
                    alternatives[0] += ":*"
            parts.append("(" + " | ".join(alternatives) + ")")
        return "to_tsquery('english', %s)", [(" | " if any_word else " & ").join(parts)]

    def text_candidates(self, slots, *, any_word, prefix_last, high_only=False, limit=CANDIDATES):
        q, params = self.tsquery(slots, any_word, prefix_last)
        column = "vector_ab" if high_only else "vector"
        sql = (
            "SELECT s.entry_id, ts_rank(%s::float4[], s.v, s.q) AS r FROM ("  # noqa: S608
            f"SELECT d.entry_id, d.{column} AS v, q.q FROM kb_entrydocument d, (SELECT {q} AS q) q "
            f"WHERE d.{column} @@ q.q LIMIT %s) s ORDER BY r DESC, s.entry_id LIMIT %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [self.WEIGHTS, *params, MAX_SCAN, limit])
            return [(row[0], row[1]) for row in cur.fetchall()]

    def text_rows(self, slots, *, any_word, prefix_last, limit):
        q, params = self.tsquery(slots, any_word, prefix_last)
        # One round trip: every field is searched only when the code and title fields found fewer than ``limit``
        # (PostgreSQL checks that condition once, before the scan: a one-time filter).
        sql = (
            f"WITH q AS MATERIALIZED (SELECT {q} AS q), "  # noqa: S608
            "hi AS MATERIALIZED (SELECT s.id, ts_rank(%s::float4[], s.v, s.q) AS r FROM (SELECT d.entry_id AS id, "
            "d.vector_ab AS v, q.q FROM kb_entrydocument d, q WHERE d.vector_ab @@ q.q LIMIT %s) s "
            "ORDER BY r DESC, s.id LIMIT %s), "
            "lo AS MATERIALIZED (SELECT s.id, ts_rank(%s::float4[], s.v, s.q) AS r FROM (SELECT d.entry_id AS id, "
            "d.vector AS v, q.q FROM kb_entrydocument d, q WHERE (SELECT count(*) FROM hi) < %s AND d.vector @@ q.q "
            "LIMIT %s) s ORDER BY r DESC, s.id LIMIT %s), "
            "picked AS (SELECT id, 0 AS tier, r FROM hi UNION ALL "
            "SELECT id, 1, r FROM lo WHERE id NOT IN (SELECT id FROM hi)) "
            "SELECT p.id, p.tier, p.r, d.a, d.b, d.c, d.d, e.code, e.title, e.summary, e.retired, e.api, e.confidence "
            "FROM picked p JOIN kb_entrydocument d ON d.entry_id = p.id JOIN kb_entry e ON e.id = p.id "
            "ORDER BY p.tier, p.r DESC, p.id"
        )
        return hotsql.fetchall(
            sql, [*params, self.WEIGHTS, MAX_SCAN, CANDIDATES, self.WEIGHTS, limit, MAX_SCAN, CANDIDATES]
        )

    def fuzzy_terms(self, term):
        # The deletion variants first (fast, and the same candidates as SQLite); pg_trgm when they find
        # nothing, for typos with more than one edit.
        return super().fuzzy_terms(term) or self.trigram_terms(term)

    def close_terms(self, term):
        # As on SQLite: the deletion variants (a trigram scan of every code costs tens of milliseconds at 100k).
        return super().fuzzy_terms(term)

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
