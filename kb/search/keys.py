"""Codes and aliases looked up by their search term (``SearchKey`` rows), in raw statements on the hot path
(core.hotsql): the exact terms, a range of terms (a code's start), and the codes that look like a typed one."""

from __future__ import annotations

from dataclasses import dataclass

from core import hotsql
from kb import generation
from kb.models import Entry
from kb.search.text import edit_distance

MIN_WORD_CHARS = 3

# An entry's fields a result shows, in the order the statements below read them.
RESULT_FIELDS = ("id", "code", "title", "summary", "retired", "api", "confidence")


@dataclass
class Key:
    term: str
    display: str
    is_code: bool
    entry_id: int
    code: str
    fields: tuple  # the entry's result fields (RESULT_FIELDS but the id), as read


def entry_from_fields(entry_id, fields) -> Entry:
    """An unsaved Entry built from its result fields as read (no query)."""
    return Entry(id=entry_id, **dict(zip(RESULT_FIELDS[1:], fields, strict=True)))


# Codes and aliases with their entries' result fields, and the KB generation in the same statement: the first
# lookup of a request hands it to the request scope (kb.generation.offer), which saves a round trip. The one-row
# subquery makes the statement return the generation even when no key matches (a row of NULL keys then).
_KEY_SQL = (
    "SELECT k.*, g.generation FROM (SELECT COALESCE(MAX(generation), 0) AS generation FROM kb_kbstate WHERE id = 1) g "
    "LEFT JOIN (SELECT k.term, k.display, k.is_code, k.entry_id, e.code, e.title, e.summary, e.retired, e.api, "
    "e.confidence FROM kb_searchkey k JOIN kb_entry e ON e.id = k.entry_id WHERE {condition}) k ON 1 = 1{order}"
)


def _lookup(condition, params, *, prefix=False) -> list[Key]:
    """Codes and aliases (SearchKey rows) matching ``condition``, in one raw query (the hot path). ``prefix``:
    the first ``params[-1]`` in the order of their terms (the condition is a range of terms)."""
    if prefix:
        sql = _KEY_SQL.format(condition=condition + " ORDER BY k.term LIMIT %s", order=" ORDER BY k.term")
    else:
        sql = _KEY_SQL.format(condition=condition, order="")
    rows = hotsql.fetchall(sql, params)
    if rows:
        generation.offer(rows[0][-1])
    return [Key(row[0], row[1], bool(row[2]), row[3], row[4], row[4:-1]) for row in rows if row[0] is not None]


def result_fields(ids) -> dict[int, tuple]:
    """The result fields of the entries ``ids`` (found without them: a message, a counterpart), in one raw query."""
    sql = f"SELECT {', '.join(RESULT_FIELDS)} FROM kb_entry WHERE id IN ({', '.join(['%s'] * len(ids))})"  # noqa: S608
    return {row[0]: row[1:] for row in hotsql.fetchall(sql, list(ids))}


def keys_for(terms) -> dict[str, Key]:
    """The codes and aliases whose search term is one of ``terms``, by term."""
    terms = sorted(set(terms))
    if not terms:
        return {}
    return {k.term: k for k in _lookup(f"k.term IN ({', '.join(['%s'] * len(terms))})", terms)}


def keys_starting(term, limit) -> list[Key]:
    """Codes and aliases whose term starts with ``term`` (at least MIN_WORD_CHARS long), in term order."""
    if len(term) < MIN_WORD_CHARS:
        return []
    upper = term[:-1] + chr(ord(term[-1]) + 1)
    return _lookup("k.term >= %s AND k.term < %s", [term, upper, limit * 2], prefix=True)


def close_codes(be, term, limit=5) -> list[Entry]:
    """Entries whose code or alias looks like ``term`` (a few edits away, then the same first three letters)."""
    if not term or len(term) < 3:
        return []
    scored = []
    for cand in be.close_terms(term):
        dist = edit_distance(term, cand, cap=max(3, len(term) // 3))
        if dist <= max(3, len(term) // 3):
            scored.append((dist, cand))
    scored.sort()
    keys = keys_for([c for _, c in scored])
    fields = {}  # entry id -> its result fields, in the order found
    for _, cand in scored:
        key = keys.get(cand)
        if key:
            fields.setdefault(key.entry_id, key.fields)
    if len(fields) < limit and len(term) >= 3:
        for key in keys_starting(term[:3], limit):
            fields.setdefault(key.entry_id, key.fields)
    return [entry_from_fields(pk, row) for pk, row in list(fields.items())[:limit]]
