"""Search insights: every search is recorded (never slowing or failing it), and summarised for /insights/."""

import atexit
import logging
import re
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from kb.models import SearchLog

logger = logging.getLogger(__name__)
MAX_LOGGED_QUERY = 200


def normalise(response) -> str:
    """What is logged for a search: lower case, spaces collapsed, secrets already redacted, capped.

    A pasted answer is logged by what was recognised in it, so pastes of the same failure group together
    and no pasted text (which may hold user names or hosts) is kept.
    """
    detected = getattr(response, "detected", None)
    if detected is not None:
        parts = ["pasted:", detected.command or "", detected.status or "", detected.code or ""]
        return " ".join(p for p in parts if p)[:MAX_LOGGED_QUERY]
    return re.sub(r"\s+", " ", response.query or "").strip().lower()[:MAX_LOGGED_QUERY]


class _Pending:
    """Search log rows of this process not yet written (only when SEARCH_LOG_BATCH > 1)."""

    def __init__(self):
        self.rows: list[SearchLog] = []
        self.first_at = 0.0
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            rows, self.rows = self.rows, []
            return rows


_pending = _Pending()


def record(response, user=None) -> None:
    """Record one search a person settled on. Any database error is logged and swallowed: the search itself
    already succeeded.

    Callers record only settled queries (a submitted page, a pause or an opened result, an API call), never the
    requests of search as you type (kb.views_search). A query too short to search (``response.too_short``) is
    not recorded.

    By default the row is written at once. A busy site can set ``SEARCH_LOG_BATCH`` (for example 50): each
    process then writes its rows together, every that many searches or every ``SEARCH_LOG_MAX_DELAY``
    seconds, which spares SQLite's single writer most of its lock waits. /insights/ writes the rows of
    its own process before reading.
    """
    try:
        query = normalise(response)
        if not query or getattr(response, "too_short", False):
            return
        row = SearchLog(
            query=query,
            results=len(response.results),
            duration_ms=response.duration_ms,
            detected=response.detected is not None,
            user_id=user.pk if user is not None and getattr(user, "is_authenticated", False) else None,
            created_at=timezone.now(),
        )
        batch = settings.SEARCH_LOG_BATCH
        if batch <= 1:
            _write([row])
            return
        now = time.monotonic()
        with _pending.lock:
            if not _pending.rows:
                _pending.first_at = now
            _pending.rows.append(row)
            due = len(_pending.rows) >= batch or now - _pending.first_at >= settings.SEARCH_LOG_MAX_DELAY
        if due:
            flush()
    except Exception:  # recording must never fail the search (DatabaseError included)
        logger.warning("could not record a search", exc_info=True)


def flush() -> None:
    """Write this process's pending search log rows (see record)."""
    rows = _pending.take()
    if rows:
        try:
            _write(rows)
        except Exception:
            logger.warning("could not record %d searches", len(rows), exc_info=True)


def _write(rows) -> None:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A search log is not worth a disk flush: commit without waiting for it (a crash may lose the
            # last few log rows, never other data). SET LOCAL ends with this transaction.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        SearchLog.objects.bulk_create(rows)


atexit.register(flush)


def search_insights(days: int = 30, limit: int = 20) -> dict:
    """Top queries and zero-result queries of the last ``days`` days, with the total number of searches."""
    flush()
    since = timezone.now() - timedelta(days=days)
    recent = SearchLog.objects.filter(created_at__gte=since)
    top = recent.values("query").annotate(n=Count("id")).order_by("-n", "query")[:limit]
    zero = recent.filter(results=0).values("query").annotate(n=Count("id")).order_by("-n", "query")[:limit]
    return {
        "top_queries": [(row["query"], row["n"]) for row in top],
        "zero_result_queries": [(row["query"], row["n"]) for row in zero],
        "total": recent.count(),
        "days": days,
    }
