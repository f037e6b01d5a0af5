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

The package, one module per seam:

* ``text``: folding, words, stems, edit distance, snippets and marks (shared by indexing and querying);
* ``backends``: ``Backend``, ``SQLiteBackend``, ``PostgresBackend`` and ``backend()``;
* ``index``: ``build_document``, ``reindex``, ``batch`` and the signal receiver ``on_model_change``;
* ``commands``: commands named in a query, and the entries they can answer with;
* ``cache``: the per-process answer cache;
* ``response``: ``SearchResponse``, ``Result`` and ``Detected``;
* ``pipeline``: ``search()``, the query steps above and the shared ranking rule.
"""

from kb.search.backends import Backend, PostgresBackend, SQLiteBackend, backend
from kb.search.cache import answer_cache
from kb.search.commands import COMMAND_WORDS
from kb.search.index import batch, build_document, on_model_change, reindex
from kb.search.pipeline import MAX_PASTE_CHARS, MAX_QUERY_CHARS, search
from kb.search.response import Detected, Result, SearchResponse
from kb.search.text import edit_distance, fold, highlight, key_term, stem, words

__all__ = [
    "COMMAND_WORDS",
    "MAX_PASTE_CHARS",
    "MAX_QUERY_CHARS",
    "Backend",
    "Detected",
    "PostgresBackend",
    "Result",
    "SQLiteBackend",
    "SearchResponse",
    "answer_cache",
    "backend",
    "batch",
    "build_document",
    "edit_distance",
    "fold",
    "highlight",
    "key_term",
    "on_model_change",
    "reindex",
    "search",
    "stem",
    "words",
]
