"""The yardstick of `make bench`: how much of a search is the database's own work, and what the bare index query
for the same words costs in the same run.

* ``DbClock`` times the search's own statements through ``connection.execute_wrapper`` (Django's hook around every
  statement, raw ones included). On SQLite a statement's rows are stepped lazily, so the clock also times the
  fetches: it swaps the DB-API cursor behind Django's wrapper for a proxy that times ``fetch*``.
* ``bare_index_ms`` runs, for the same query words, the plain ranked index query with the same every-word-optional
  semantics: FTS5 ``MATCH 'a OR b OR c' ORDER BY rank LIMIT 30`` on SQLite, ``vector @@ to_tsquery('a | b | c')
  ORDER BY ts_rank(…) DESC LIMIT 30`` on PostgreSQL. It is what a search would cost if it handed the words to the
  index and stopped there: no codes, messages, synonyms, typos or shared ranking.

Nothing here asserts a time; bench/search.py reports the figures and checks the targets.
"""

from __future__ import annotations

import re
import statistics
import time
from contextlib import contextmanager

from django.db import connection

BARE_LIMIT = 30


class _TimedFetch:
    """A DB-API cursor whose fetches are timed into ``clock`` (every other attribute is the cursor's own)."""

    def __init__(self, cursor, clock):
        self._cursor = cursor
        self._clock = clock

    def _timed(self, name, *args):
        started = time.perf_counter()
        try:
            return getattr(self._cursor, name)(*args)
        finally:
            self._clock.seconds += time.perf_counter() - started

    def fetchone(self):
        return self._timed("fetchone")

    def fetchmany(self, *args):
        return self._timed("fetchmany", *args)

    def fetchall(self):
        return self._timed("fetchall")

    def __iter__(self):
        return iter(self.fetchall())

    def __getattr__(self, name):
        return getattr(self._cursor, name)


class DbClock:
    """Seconds spent in the database's statements (execute and, on SQLite, fetch), and how many statements."""

    def __init__(self):
        self.seconds = 0.0
        self.statements = 0

    def __call__(self, execute, sql, params, many, context):
        wrapper = context.get("cursor")
        if connection.vendor == "sqlite" and wrapper is not None and not isinstance(wrapper.cursor, _TimedFetch):
            wrapper.cursor = _TimedFetch(wrapper.cursor, self)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.statements += 1


@contextmanager
def clocked():
    clock = DbClock()
    with connection.execute_wrapper(clock):
        yield clock


def timed_search(fn, query, repeat=3):
    """(total ms, database ms, statements) of ``fn(query)``: the run with the median total of ``repeat``."""
    runs = []
    for _ in range(repeat):
        with clocked() as clock:
            started = time.perf_counter()
            fn(query)
            total = (time.perf_counter() - started) * 1000
        runs.append((total, clock.seconds * 1000, clock.statements))
    runs.sort()
    return runs[len(runs) // 2]


_WORD = re.compile(r"[a-z0-9]+")


def index_words(query, limit=12):
    """The query's words as the bare index query takes them: lower-case letters and digits, stopwords out."""
    from kb.search.text import STOPWORDS

    seen = []
    for w in _WORD.findall(query.lower()):
        if w not in STOPWORDS and w not in seen:
            seen.append(w)
    return seen[:limit]


def bare_index_ms(query, repeat=3):
    """Median ms of the plain ranked any-word index query for ``query``'s words; None when it has no word."""
    terms = index_words(query)
    if not terms:
        return None
    if connection.vendor == "postgresql":
        sql = (
            "SELECT entry_id FROM kb_entrydocument, to_tsquery('english', %s) q WHERE vector @@ q "
            "ORDER BY ts_rank(vector, q) DESC LIMIT %s"
        )
        params = [" | ".join(terms), BARE_LIMIT]
    else:
        sql = "SELECT rowid FROM kb_entry_fts WHERE kb_entry_fts MATCH %s ORDER BY rank LIMIT %s"
        params = [" OR ".join(f'"{t}"' for t in terms), BARE_LIMIT]
    runs = []
    with connection.cursor() as cur:
        for _ in range(repeat):
            started = time.perf_counter()
            cur.execute(sql, params)
            cur.fetchall()
            runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)
