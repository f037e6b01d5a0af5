"""The review queue (/review/): what KB editors should look at next, and where the signals come from.

Other apps add signals through ``register_review_source`` (the wizard adds its unsolved outcomes from
troubleshooter/apps.py); ``kb`` never imports them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Max
from django.utils import timezone

from kb.models import Entry, EntryFeedback, SearchLog, Suggestion
from kb.search import backend, key_term
from kb.search.keys import keys_for
from kb.search.text import edit_distance

RECENT_DAYS = 30
SHOWN = 50  # rows of a section at most
DUE_SHOWN = 10  # entries due for review shown before "Show all"
DUE_ALL_SHOWN = 500  # entries due shown by "Show all" (the rest: "And N more after these")


@dataclass
class ReviewSource:
    name: str
    label: str  # what one count means, e.g. "unsolved wizard outcome"
    counts: callable  # (days) -> {entry_id: count}


_sources: dict[str, ReviewSource] = {}


def register_review_source(name, label, counts):
    """Let another app point editors at entries: ``counts(days)`` returns {entry id: how many} for the last
    ``days`` days. ``label`` names one of them ("unsolved wizard outcome")."""
    _sources[name] = ReviewSource(name, label, counts)


def review_sources():
    return list(_sources.values())


def unhelpful_counts(days):
    rows = EntryFeedback.objects.since(days).unhelpful().values("entry_id").annotate(n=Count("id")).order_by()
    return {row["entry_id"]: row["n"] for row in rows}


ENTRY_FIELDS = ("id", "code", "title", "status", "reviewed_at", "review_interval_days", "created_at")


def due_entries(now=None):
    return Entry.objects.only(*ENTRY_FIELDS).review_due(now)


def signalled_entries(days=RECENT_DAYS):
    """Entries readers or the wizard said did not help: [(entry, [(count, label), ...])], most signals first."""
    signals = defaultdict(list)
    for entry_id, n in unhelpful_counts(days).items():
        signals[entry_id].append((n, "“not helpful” vote" + ("s" if n != 1 else "")))
    for source in review_sources():
        for entry_id, n in source.counts(days).items():
            if n:
                signals[entry_id].append((n, source.label + ("s" if n != 1 else "")))
    entries = Entry.objects.only(*ENTRY_FIELDS).in_bulk(list(signals))
    rows = [(entries[i], found) for i, found in signals.items() if i in entries]
    rows.sort(key=lambda row: (-sum(n for n, _ in row[1]), row[0].code.lower()))
    return rows


def open_suggestions():
    rows = list(Suggestion.objects.open().select_related("entry", "user")[: SHOWN * 2])
    new_codes = [s for s in rows if s.entry_id is None]
    edits = [s for s in rows if s.entry_id is not None]
    return new_codes[:SHOWN], edits[:SHOWN]


def looks_like(codes) -> dict[str, str]:
    """{missing code: the known code it is spelt almost like} (one or two edits, case ignored), for the codes that
    have one: such a code is a typo to point at, not a draft to make. Six-digit codes are never near one another
    (each is its own). A few queries for the whole list (the typo variants at once, the keys once)."""
    terms = {code: key_term(code) for code in codes}
    terms = {code: term for code, term in terms.items() if len(term) >= 6 and not term.isdigit()}
    if not terms:
        return {}
    found = backend().fuzzy_terms_of(set(terms.values()))
    near = {
        code: sorted((edit_distance(term, t, cap=2), t) for t in found.get(term, ())) for code, term in terms.items()
    }
    keys = keys_for({t for pairs in near.values() for d, t in pairs if d <= 2})
    out = {}
    for code, pairs in near.items():
        best = next((keys[t].code for d, t in pairs if d <= 2 and t in keys), None)
        if best:
            out[code] = best
    return out


def unanswered_queries(days=RECENT_DAYS):
    """Queries search found something for but was not sure of, most searched first: [(query, searches, last)]."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        SearchLog.objects.filter(created_at__gte=since, unanswered=True, results__gt=0)
        .values("query")
        .annotate(n=Count("id"), last=Max("created_at"))
        .order_by("-n", "query")[:SHOWN]
    )
    return [(r["query"], r["n"], r["last"]) for r in rows]
