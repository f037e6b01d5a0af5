"""The review queue (/review/): what KB editors should look at next, and where the signals come from.

Other apps add signals through ``register_review_source`` (the wizard adds its unsolved outcomes from
troubleshooter/apps.py); ``kb`` never imports them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Max, Min
from django.db.models.functions import Lower
from django.utils import timezone

from kb.models import Alias, Entry, EntryFeedback, SearchLog, Suggestion

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


def missing_codes(days=RECENT_DAYS):
    """Codes people searched for that no entry has, most searched first: [(code, searches, last searched)]."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        SearchLog.objects.filter(created_at__gte=since)
        .exclude(missing_code="")
        .annotate(key=Lower("missing_code"))
        .values("key")
        .annotate(n=Count("id"), spelling=Min("missing_code"), last=Max("created_at"))
        .order_by("-n", "key")[: SHOWN * 2]
    )
    rows = list(rows)
    keys = [r["key"] for r in rows]
    known = set(Entry.objects.annotate(key=Lower("code")).filter(key__in=keys).values_list("key", flat=True))
    known |= set(Alias.objects.annotate(key=Lower("alias")).filter(key__in=keys).values_list("key", flat=True))
    return [(r["spelling"], r["n"], r["last"]) for r in rows if r["key"] not in known][:SHOWN]
