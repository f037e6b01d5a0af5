"""The review queue (/review/): what KB editors should look at next, and where the signals come from.

Other apps add signals through ``register_review_source`` (the wizard adds its unsolved outcomes from
troubleshooter/apps.py); ``kb`` never imports them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Lower
from django.utils import timezone

from kb.models import Entry, EntryFeedback, SearchLog, Suggestion, distinct_senders, sender_of
from kb.search import backend, key_term
from kb.search.keys import keys_for
from kb.search.text import edit_distance

RECENT_DAYS = 30
SHOWN = 50  # rows of a section at most
DUE_SHOWN = 10  # entries due for review shown before "Show all"
DUE_ALL_SHOWN = 500  # entries due shown by "Show all" (the rest: "And N more after these")
PAGE_SIZE = 25  # groups of suggestions per page
NOTES_SHOWN = 5  # notes shown per group: the newest of each sender, the senders heard from last first
COMMENTS_SHOWN = 3  # "not helpful" comments shown per entry, one per sender


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
    """{entry id: how many distinct senders said "not helpful"} in the last ``days`` days."""
    rows = EntryFeedback.objects.since(days).unhelpful().values("entry_id").annotate(n=distinct_senders()).order_by()
    return {row["entry_id"]: row["n"] for row in rows}


def unhelpful_comments(entry_ids, days):
    """{entry id: [(comment, when)]}: what "not helpful" voters said was missing, newest first, one per sender."""
    rows = (
        EntryFeedback.objects.since(days)
        .unhelpful()
        .filter(entry_id__in=list(entry_ids))
        .exclude(comment="")
        .values_list("entry_id", "comment", "updated_at", "sender")
        .order_by("-updated_at")[: COMMENTS_SHOWN * 100]
    )
    found = defaultdict(list)
    heard = set()
    for entry_id, comment, when, sender in rows:
        if (sender and (entry_id, sender) in heard) or len(found[entry_id]) >= COMMENTS_SHOWN:
            continue
        heard.add((entry_id, sender))
        found[entry_id].append((comment, when))
    return found


ENTRY_FIELDS = ("id", "code", "title", "status", "reviewed_at", "review_interval_days", "created_at")


def due_entries(now=None):
    return Entry.objects.only(*ENTRY_FIELDS).review_due(now)


def signalled_entries(days=RECENT_DAYS):
    """Entries readers or the wizard said did not help: [(entry, [(count, label), ...], [(comment, when)])], most
    signals first. Readers' votes count distinct senders; their comments come along."""
    signals = defaultdict(list)
    for entry_id, n in unhelpful_counts(days).items():
        signals[entry_id].append((n, "“not helpful” vote" + ("s" if n != 1 else "")))
    for source in review_sources():
        for entry_id, n in source.counts(days).items():
            if n:
                signals[entry_id].append((n, source.label + ("s" if n != 1 else "")))
    entries = Entry.objects.only(*ENTRY_FIELDS).in_bulk(list(signals))
    comments = unhelpful_comments(entries, days)
    rows = [(entries[i], found, comments.get(i, [])) for i, found in signals.items() if i in entries]
    rows.sort(key=lambda row: (-sum(n for n, _ in row[1]), row[0].code.lower()))
    return rows


@dataclass
class SuggestionGroup:
    """Open suggestions asking for the same thing: edits to one entry, or one missing code (any case)."""

    entry_id: int | None
    key: str  # the query, lower case
    query: str  # as one sender wrote it
    count: int
    senders: int
    last: object
    main: str = ""  # one of its senders (the least, as the database orders them)
    rank: int = 0  # its place among the groups of its main sender (1: that sender's newest)
    notes: list = None  # the newest suggestion of each sender, at most NOTES_SHOWN

    @property
    def first(self):
        return self.notes[0] if self.notes else None

    @property
    def more(self):
        return self.count - len(self.notes or [])


@dataclass
class SuggestionPage:
    groups: list
    page: int
    pages: int
    total: int  # groups in all pages


def _rank(groups):
    """Most distinct senders first. Among equals, each sender's newest group before anyone's second, so one sender's
    flood neither floats to the top nor pushes older requests from others back; then the newest."""
    seen_of = defaultdict(int)
    for group in sorted(groups, key=lambda g: g.last, reverse=True):
        seen_of[group.main] += 1
        group.rank = seen_of[group.main]
    return sorted(groups, key=lambda g: (-g.senders, g.rank, -g.last.timestamp()))


def _page_of(groups, page):
    pages = max(1, -(-len(groups) // PAGE_SIZE))
    page = min(max(1, page), pages)
    return SuggestionPage(groups[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], page, pages, len(groups))


def open_suggestion_pages(edits_page=1, codes_page=1):
    """The asked-for page of each list of open suggestions, grouped: ``(edits to entries, new codes)``, each a
    ``SuggestionPage``. Every open suggestion is on some page; three queries, however many there are."""
    base = Suggestion.objects.open().annotate(key=Lower("query"), who=sender_of())
    rows = (
        base.values("entry_id", "key")
        .annotate(count=Count("id"), senders=Count("who", distinct=True), last=Max("created_at"), main=Min("who"))
        .order_by()
    )
    groups = [
        SuggestionGroup(r["entry_id"], r["key"], r["key"], r["count"], r["senders"], r["last"], main=r["main"])
        for r in rows
    ]
    edits = _page_of(_rank([g for g in groups if g.entry_id is not None]), edits_page)
    codes = _page_of(_rank([g for g in groups if g.entry_id is None]), codes_page)
    _fill_notes(base, edits.groups + codes.groups)
    return edits, codes


def _fill_notes(base, groups):
    """The newest suggestion of each sender in each group, at most NOTES_SHOWN per group (two queries)."""
    if not groups:
        return
    wanted = Q()
    for group in groups:
        wanted |= Q(entry_id=group.entry_id, key=group.key) if group.entry_id else Q(entry__isnull=True, key=group.key)
    newest = base.filter(wanted).values("entry_id", "key", "who").annotate(pk=Max("id"), last=Max("created_at"))
    per_group = defaultdict(list)
    for row in sorted(newest.order_by(), key=lambda r: r["last"], reverse=True):
        ids = per_group[(row["entry_id"], row["key"])]
        if len(ids) < NOTES_SHOWN:
            ids.append(row["pk"])
    pks = [pk for ids in per_group.values() for pk in ids]
    notes = Suggestion.objects.select_related("entry", "user").in_bulk(pks)
    for group in groups:
        group.notes = [notes[pk] for pk in per_group[(group.entry_id, group.key)] if pk in notes]
        if group.notes:
            group.query = group.notes[0].query


def close_group(suggestion, status=Suggestion.Status.CLOSED, **changes):
    """Close (or mark) every open suggestion of ``suggestion``'s group; returns how many."""
    same = Suggestion.objects.open().annotate(key=Lower("query")).filter(key=suggestion.query.lower())
    same = same.filter(entry_id=suggestion.entry_id) if suggestion.entry_id else same.filter(entry__isnull=True)
    return Suggestion.objects.filter(pk__in=same.values("pk")).update(status=status, **changes)


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
    """Queries search found something for but was not sure of, searched by most senders first: [(query, distinct
    senders, last)]."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        SearchLog.objects.filter(created_at__gte=since, unanswered=True, results__gt=0)
        .values("query")
        .annotate(n=distinct_senders(), last=Max("created_at"))
        .order_by("-n", "-last", "query")[:SHOWN]
    )
    return [(r["query"], r["n"], r["last"]) for r in rows]
