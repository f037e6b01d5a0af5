"""Search: the one entry point, ``search(query, *, limit=20) -> SearchResponse``.

A person searches with whatever they have in hand, so a query goes through these steps, and each
result remembers how it was found:

1. **Pasted text** (a back URL, a redirect page body, an XML API response, a log line): ``webex.detect``
   reads it; the entry for the reason code comes first, marked "detected". A success answer is no diagnosis: only
   the command's possible errors follow (``how="command"``).
2. **Exact code or alias**, ignoring case and punctuation (``Access Denied`` = ``AccessDenied``). Always first.
   A code-shaped word that no entry has (a 6-digit XML exception ID such as ``030099``, a CamelCase code such as
   ``InvalidSiteID``) is **missing**: never corrected into another code, never answered by one; the response says
   so (``missing_code``), with what the codes we have say about its family (``family``, 6-digit IDs) or the codes
   that look similar (``close``), and the miss is recorded for /insights/.
3. **Known message texts** (``Message``): the whole query, or a message quoted inside it (a log line, a trace), in
   any case and punctuation, small words and word order aside (``knowledge.Snapshot.find_messages``).
4. **Commands** in every written form (``AT=SU``, ``p.php?AT=SU``, ``SU``, "sign up", "login"): the errors
   that command can give, most sure and specific first: documented for it, seen for it, then service-wide.
5. **Code prefixes** (``badweb``, ``TheDuration``).
6. **Full text** over four weighted fields (code and aliases > titles and message texts > summary, meaning and when
   seen > steps), all words first (each word or one of its synonyms: ``lexicon.json``), any word when that finds
   nothing, the last word as a prefix (search as you type).
7. **Typo correction** of unknown words when nothing else matched (never a known or protected word, never into its
   opposite, never inside a URL, XML, a path, a parameter or a code); the response then says which query it used
   ("showing results for ...").

Every found entry brings its counterparts in the other API right after it (``Entry.counterparts``), when the pair is
known from a source or from two Cisco documents: an inferred pair ("may correspond") never moves a result.

Two backends do the database work, one per vendor, behind the same four methods:

* PostgreSQL: a stored, generated, weighted ``tsvector`` with a named GIN index, ``to_tsquery`` (synonyms ORed,
  ``:*`` for a prefix), ``ts_rank``, and ``pg_trgm`` for typos.
* SQLite: an external-content FTS5 table fed by triggers, ``bm25`` with column weights, prefix queries, and a table
  of deletion variants for typos.

Snippets are cut, the same way on both, from the text a full-text pass already read.

The backend picks and natively ranks candidates; the final order is computed here, in Python, from the same
weighted-field rule on both vendors, so both return the same results in the same order for the same data.

The index tables (EntryDocument, SearchKey, SearchWord and the vendor indexes) are kept current by signals
(``on_model_change``) and by ``reindex()``; wrap bulk writes in ``batch()`` to index once at the end.

The package, one module per seam:

* ``text``: folding, words, stems, edit distance, snippets and marks (shared by indexing and querying);
* ``lexicon`` (with ``lexicon.json``): synonyms, the words typo correction never touches, opposites, code shapes;
* ``knowledge``: what search reads whole, once per KB generation (messages, counterparts, vocabulary, families);
* ``backends``: ``Backend``, ``SQLiteBackend``, ``PostgresBackend`` and ``backend()``;
* ``index``: ``build_document``, ``reindex``, ``batch`` and the signal receiver ``on_model_change``;
* ``commands``: commands named in a query, and the entries they can answer with;
* ``cache``: the per-process answer cache;
* ``response``: ``SearchResponse``, ``Result`` and ``Detected``;
* ``query``: ``Query``, the text as search reads it (redacted and normalised once);
* ``keys``: codes and aliases looked up by term (exact, a code's start, codes that look alike);
* ``ranking``: the shared ranking rule (hits, word scores, counterparts after their entry);
* ``pipeline``: ``search()``, one step function per step above (``detect_paste``, ``exact_codes``, ``messages``,
  ``commands``, ``prefixes``, ``full_text``, ``correction``) and the one finish;
* ``views``, ``log`` (the search log's writer and its summary for /insights/), ``popular`` (the home page's most
  looked-up codes).
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
