"""The codes people looked up most in the last 30 days, for the home page.

Read from the search log (kb.search.log records each search by its normalised query: lower case, and a pasted answer
as ``pasted: ?AT=LI FAIL AlreadyLogon``). A query counts for an entry when it is the entry's code or one of its
aliases, in any case, or a pasted answer whose recognised code is one. Cached for a few minutes: it is a summary.
"""

from collections import Counter
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from kb.models import Alias, SearchLog

CACHE_KEY = "kb:most-looked-up"
CACHE_SECONDS = 300
SCANNED_QUERIES = 300


def _looked_up_code(query):
    query = (query or "").strip()
    if query.startswith("pasted:"):
        parts = query.split()
        return parts[-1] if len(parts) > 1 else ""
    return query


def most_looked_up(entries, *, days=30, limit=8):
    """[(entry, searches)] for the entries in ``entries`` (a list) looked up most in the last ``days`` days."""
    by_name = {entry.code.lower(): entry.code for entry in entries}

    def compute():
        since = timezone.now() - timedelta(days=days)
        rows = (
            SearchLog.objects.filter(created_at__gte=since)
            .values("query")
            .annotate(n=Count("id"))
            .order_by("-n", "query")[:SCANNED_QUERIES]
        )
        rows = list(rows)
        if not rows:
            return []
        names = dict(by_name)
        for alias, code in Alias.objects.values_list("alias", "entry__code"):
            names.setdefault(alias.lower(), code)
        counts = Counter()
        for row in rows:
            code = names.get(_looked_up_code(row["query"]).lower())
            if code:
                counts[code] += row["n"]
        return sorted(counts.items(), key=lambda item: (-item[1], item[0].lower()))[:limit]

    ranked = cache.get_or_set(f"{CACHE_KEY}:{days}:{limit}", compute, CACHE_SECONDS)
    by_code = {entry.code: entry for entry in entries}
    return [(by_code[code], n) for code, n in ranked if code in by_code]
